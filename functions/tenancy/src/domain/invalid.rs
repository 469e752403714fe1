use std::fmt;

/// A value that failed validation: which field, what was given, and the rule it broke.
///
/// The message names all three so that a rejected event can be fixed without
/// reading the code, for example
/// `detail.tenantId: invalid value "acme,inc": allowed characters are ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub field: String,
    pub value: String,
    pub rule: String,
}

/// Maximum length, in characters, of a rejected value quoted in an error message.
const MAX_SHOWN_CHARS: usize = 80;

impl InvalidValue {
    pub fn new(field: impl Into<String>, value: &str, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: excerpt(value),
            rule: rule.into(),
        }
    }

    /// Error for a required field that is absent.
    pub fn missing(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: String::new(),
            rule: "missing required field".to_owned(),
        }
    }

    /// Re-homes the error under another field path, e.g. `tenantId` to `detail.tenantId`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() && self.rule.starts_with("missing") {
            write!(f, "{}: {}", self.field, self.rule)
        } else {
            write!(
                f,
                "{}: invalid value {}: {}",
                self.field, self.value, self.rule
            )
        }
    }
}

impl std::error::Error for InvalidValue {}

/// Quotes and escapes a value for a message: control characters and non-ASCII
/// stay visible, and long values are cut so a 1 MB field cannot flood the logs.
fn excerpt(value: &str) -> String {
    let total = value.chars().count();
    let shown: String = value.chars().take(MAX_SHOWN_CHARS).collect();
    let mut quoted = format!("{shown:?}");
    if total > MAX_SHOWN_CHARS {
        quoted.push_str(&format!(" (first {MAX_SHOWN_CHARS} of {total} characters)"));
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_field_value_and_rule() {
        let error = InvalidValue::new("detail.tenantId", "acme,inc", "no commas");

        assert_eq!(
            error.to_string(),
            r#"detail.tenantId: invalid value "acme,inc": no commas"#
        );
    }

    #[test]
    fn message_escapes_control_characters() {
        let error = InvalidValue::new("detail.tier", "a\u{0}b\nc", "rule");

        assert!(error.to_string().contains(r#""a\0b\nc""#));
    }

    #[test]
    fn message_truncates_long_values() {
        let long = "a".repeat(1_000);

        let message = InvalidValue::new("f", &long, "rule").to_string();

        assert!(message.len() < 200, "{message}");
        assert!(message.contains("first 80 of 1000 characters"));
    }

    #[test]
    fn missing_field_message() {
        assert_eq!(
            InvalidValue::missing("detail.tenantId").to_string(),
            "detail.tenantId: missing required field"
        );
    }
}

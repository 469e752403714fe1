//! Tags on inference profiles and roles, validated with Bedrock's rules before any call.

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// Key of the cost allocation tag that carries the raw tenant id. Fixed, so
/// Cost Explorer can group every tenant's Bedrock cost by one activated key.
pub const TENANT_TAG_KEY: &str = "tenant-id";

/// Bedrock allows at most 50 tags per resource.
pub const MAX_TAGS_PER_RESOURCE: usize = 50;

const TAG_CHARS_RULE: &str = "ASCII letters, digits, whitespace and . _ : / = + @ -";

/// One key-value tag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    /// Validates against Bedrock's tag rules: key 1 to 128 and value 0 to 256
    /// characters of [`TAG_CHARS_RULE`]; keys starting with `aws:` are reserved.
    pub fn new(key: &str, value: &str) -> Result<Self, InvalidValue> {
        if key.is_empty() || key.chars().count() > 128 || !key.chars().all(is_tag_char) {
            return Err(InvalidValue::new(
                "tag key",
                key,
                format!("a tag key is 1 to 128 characters of {TAG_CHARS_RULE}"),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(InvalidValue::new(
                "tag key",
                key,
                "the aws: prefix is reserved for AWS",
            ));
        }
        if value.chars().count() > 256 || !value.chars().all(is_tag_char) {
            return Err(InvalidValue::new(
                format!("tag {key}"),
                value,
                format!("a tag value is 0 to 256 characters of {TAG_CHARS_RULE}"),
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || "._:/=+@-".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cost_allocation_tags() {
        assert!(Tag::new(TENANT_TAG_KEY, "acme/eu-west-1").is_ok());
        assert!(Tag::new("project", "").is_ok());
        assert!(Tag::new("cost-center", "CC 1234").is_ok());
    }

    #[test]
    fn rejects_invalid_tags() {
        let cases = [
            ("aws:tenant-id", "acme", "reserved"),
            ("AWS:x", "acme", "reserved"),
            ("", "acme", "1 to 128"),
            ("tenant,id", "acme", "1 to 128"),
            ("tenant-id", "acme,inc", "0 to 256"),
            ("tenant-id", "josé", "0 to 256"),
        ];

        for (key, value, expected) in cases {
            let error = Tag::new(key, value).expect_err(key);

            assert!(error.rule.contains(expected), "{key}={value}: {error}");
        }
        assert!(Tag::new("k", &"v".repeat(257)).is_err());
        assert!(Tag::new(&"k".repeat(129), "v").is_err());
    }
}

use std::fmt;

use super::InvalidValue;

/// Maximum length of a tenant id. The id is stored verbatim as a tag value
/// (at most 256 characters on Bedrock); 128 leaves room and covers UUIDs,
/// ULIDs and slugs.
pub const MAX_TENANT_ID_CHARS: usize = 128;

/// Characters besides ASCII letters and digits that a tenant id may contain.
/// They are the Bedrock tag-value characters `._:/=+@-` without whitespace,
/// so the raw id can always be written as the `tenant-id` tag value.
pub const TENANT_ID_PUNCTUATION: &str = "._:/=+@-";

pub const TENANT_ID_RULE: &str =
    "a tenant id is 1 to 128 characters of ASCII letters, digits and . _ : / = + @ -";

/// A tenant's id exactly as the SaaS control plane issued it.
///
/// It is kept verbatim in the registry and in the `tenant-id` tag; resource
/// names are derived from it separately (see [`super::names`]) because
/// Bedrock and IAM names allow fewer characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let length = raw.chars().count();
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || TENANT_ID_PUNCTUATION.contains(c));
        if length == 0 || length > MAX_TENANT_ID_CHARS || !valid_chars {
            return Err(InvalidValue::new("tenantId", raw, TENANT_ID_RULE));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ids_that_only_names_must_rewrite() {
        for raw in [
            "acme-01",
            "acme/eu-west-1",
            "acme.corp",
            "acme__prod",
            "-acme",
            "user@example",
            "5f0c8f53-6a4e-4d1c-9b6c-0c2a3f4e5d6b",
        ] {
            assert!(TenantId::parse(raw).is_ok(), "{raw} should be accepted");
        }
        assert!(TenantId::parse(&"a".repeat(70)).is_ok());
    }

    #[test]
    fn rejects_values_a_tag_cannot_carry() {
        let cases = [
            ("", "empty"),
            ("acme,inc", "comma"),
            ("josé", "non-ASCII letter"),
            ("t#1", "hash sign"),
            ("acme 01", "space"),
            ("acme\n01", "newline"),
            ("acme\u{0}01", "NUL byte"),
            ("acme🚀", "emoji"),
        ];

        for (raw, case) in cases {
            let error = TenantId::parse(raw).expect_err(case);

            assert_eq!(error.field, "tenantId", "{case}");
            assert_eq!(error.rule, TENANT_ID_RULE, "{case}");
        }
    }

    #[test]
    fn rejects_ids_longer_than_128_characters() {
        assert!(TenantId::parse(&"a".repeat(128)).is_ok());

        let error = TenantId::parse(&"a".repeat(300)).expect_err("300 characters");

        assert!(error.to_string().contains("first 80 of 300 characters"));
    }
}

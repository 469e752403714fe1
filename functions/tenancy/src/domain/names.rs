//! Deterministic names and tokens derived from a tenant id.
//!
//! Bedrock profile names allow `^([0-9a-zA-Z][ _-]?)+$` (1 to 64 characters)
//! and IAM role names `[A-Za-z0-9+=,.@_-]` (1 to 64), while tenant ids may
//! contain `/`, `.`, `:` and more. Each name is therefore a readable, cleaned
//! prefix of the tenant id plus a hash of the *raw* id: two ids that clean to
//! the same prefix (`acme.corp` and `acme/corp`), or that differ only by case
//! (IAM role names are case-insensitive), still get different names.

use std::fmt;

use sha2::{Digest, Sha256};

use super::{ModelKey, TenantId};

/// Hex characters of the SHA-256 digest kept in names (48 bits).
const NAME_HASH_CHARS: usize = 12;
const MAX_NAME_CHARS: usize = 64;
/// Maximum length of the tenant-id prefix kept in a profile name: 64 minus the model key
/// (at most 20), the hash and two separators.
const PROFILE_TENANT_PREFIX_CHARS: usize = 30;
const ROLE_NAME_PREFIX: &str = "tenant-";
const ROLE_TENANT_PREFIX_CHARS: usize =
    MAX_NAME_CHARS - ROLE_NAME_PREFIX.len() - 1 - NAME_HASH_CHARS;

/// Name of a tenant's application inference profile for one model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProfileName(String);

impl ProfileName {
    /// Derives `{tenant prefix}-{model key}-{hash}`, for example
    /// `acme-eu-west-1-nova-lite-3f2a9c0d1e4b` for tenant `acme/eu-west-1`.
    pub fn derive(tenant: &TenantId, model: &ModelKey) -> Self {
        let prefix = clean_prefix(tenant.as_str(), PROFILE_TENANT_PREFIX_CHARS);
        let hash = short_hash(&["profile-name", tenant.as_str(), model.as_str()]);
        let name = if prefix.is_empty() {
            format!("{}-{hash}", model.as_str())
        } else {
            format!("{prefix}-{}-{hash}", model.as_str())
        };
        Self(name)
    }

    /// Wraps a name read back from Bedrock.
    pub fn from_service(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Name of a tenant's IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleName(String);

impl RoleName {
    /// Derives `tenant-{tenant prefix}-{hash}`.
    pub fn derive(tenant: &TenantId) -> Self {
        let prefix = clean_prefix(tenant.as_str(), ROLE_TENANT_PREFIX_CHARS);
        let hash = short_hash(&["role-name", tenant.as_str()]);
        let name = if prefix.is_empty() {
            format!("{ROLE_NAME_PREFIX}{hash}")
        } else {
            format!("{ROLE_NAME_PREFIX}{prefix}-{hash}")
        };
        Self(name)
    }

    /// Wraps a name read back from the registry or IAM.
    pub fn from_service(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `clientRequestToken` of a CreateInferenceProfile call.
///
/// The Rust SDK fills in a fresh random token on every `send()` when none is
/// given, so a redelivered event would create a second profile. The token is
/// instead derived from the tenant, the model and the registry generation:
/// retries of one onboarding replay the same token, while a tenant that
/// signs up again after offboarding (next generation) gets a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequestToken(String);

impl ClientRequestToken {
    pub fn derive(tenant: &TenantId, model: &ModelKey, generation: u32) -> Self {
        let digest = Sha256::digest(length_prefixed(&[
            "client-request-token",
            tenant.as_str(),
            model.as_str(),
            &generation.to_string(),
        ]));
        Self(hex(&digest))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_str {
    ($($name:ty),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_str!(ProfileName, RoleName, ClientRequestToken);

/// Keeps ASCII letters and digits, turns every run of other characters into
/// one `-`, trims separators at both ends, and cuts to `max_chars` without
/// leaving a trailing separator.
fn clean_prefix(raw: &str, max_chars: usize) -> String {
    let mut cleaned = String::with_capacity(raw.len().min(max_chars));
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            cleaned.push(c);
        } else if !cleaned.is_empty() && !cleaned.ends_with('-') {
            cleaned.push('-');
        }
    }
    cleaned.truncate(max_chars);
    while cleaned.ends_with('-') {
        cleaned.pop();
    }
    cleaned
}

fn short_hash(parts: &[&str]) -> String {
    let digest = Sha256::digest(length_prefixed(parts));
    let mut hash = hex(&digest);
    hash.truncate(NAME_HASH_CHARS);
    hash
}

/// Joins parts with their lengths so that ("ab", "c") and ("a", "bc") hash differently.
fn length_prefixed(parts: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// The service's own patterns, copied from the Bedrock and IAM API references.
    const PROFILE_NAME_PATTERN: &str = r"^([0-9a-zA-Z][ _-]?)+$";
    const ROLE_NAME_PATTERN: &str = r"^[\w+=,.@-]{1,64}$";
    const TOKEN_PATTERN: &str = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$";

    // Compiled once: compiling per property-test case dominates the run time.
    static PROFILE_NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(PROFILE_NAME_PATTERN).expect("pattern compiles"));
    static ROLE_NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(ROLE_NAME_PATTERN).expect("pattern compiles"));
    static TOKEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(TOKEN_PATTERN).expect("pattern compiles"));

    fn tenant(raw: &str) -> TenantId {
        TenantId::parse(raw).expect("valid tenant id")
    }

    fn model(raw: &str) -> ModelKey {
        ModelKey::parse(raw).expect("valid model key")
    }

    fn assert_profile_name_valid(name: &ProfileName) {
        assert!(
            PROFILE_NAME.is_match(name.as_str()),
            "{name} breaks the pattern"
        );
        assert!(name.as_str().len() <= 64, "{name} is longer than 64");
    }

    #[test]
    fn profile_name_for_field_report_ids() {
        let model = model("nova-lite");

        for raw in ["acme/eu-west-1", "acme.corp", "acme__prod", "-acme"] {
            let name = ProfileName::derive(&tenant(raw), &model);

            assert_profile_name_valid(&name);
        }
    }

    #[test]
    fn profile_name_keeps_readable_prefix() {
        let name = ProfileName::derive(&tenant("acme/eu-west-1"), &model("nova-lite"));

        assert!(
            name.as_str().starts_with("acme-eu-west-1-nova-lite-"),
            "{name}"
        );
    }

    #[test]
    fn profile_name_for_long_id_fits_64() {
        let name = ProfileName::derive(&tenant(&"a".repeat(70)), &model("claude-sonnet-4"));

        assert_profile_name_valid(&name);
    }

    #[test]
    fn names_differ_for_ids_that_clean_alike() {
        let model = model("nova-lite");
        let ids = [
            "acme.corp",
            "acme/corp",
            "acme:corp",
            "acme--corp",
            "ACME.corp",
        ];

        let names: std::collections::HashSet<_> = ids
            .iter()
            .map(|raw| ProfileName::derive(&tenant(raw), &model))
            .collect();
        let roles: std::collections::HashSet<_> = ids
            .iter()
            .map(|raw| RoleName::derive(&tenant(raw)).as_str().to_ascii_lowercase())
            .collect();

        assert_eq!(names.len(), ids.len());
        assert_eq!(
            roles.len(),
            ids.len(),
            "role names must differ ignoring case"
        );
    }

    #[test]
    fn derivations_are_deterministic() {
        let (t, m) = (tenant("acme-01"), model("nova-lite"));

        assert_eq!(ProfileName::derive(&t, &m), ProfileName::derive(&t, &m));
        assert_eq!(RoleName::derive(&t), RoleName::derive(&t));
        assert_eq!(
            ClientRequestToken::derive(&t, &m, 1),
            ClientRequestToken::derive(&t, &m, 1)
        );
    }

    #[test]
    fn token_changes_with_generation() {
        let (t, m) = (tenant("acme-01"), model("nova-lite"));

        assert_ne!(
            ClientRequestToken::derive(&t, &m, 1),
            ClientRequestToken::derive(&t, &m, 2)
        );
    }

    #[test]
    fn id_of_only_punctuation_gets_hash_name() {
        let name = ProfileName::derive(&tenant("..//"), &model("nova-lite"));
        let role = RoleName::derive(&tenant("..//"));

        assert_profile_name_valid(&name);
        assert!(role.as_str().starts_with("tenant-"));
        assert!(!role.as_str().contains("--"));
    }

    proptest! {
        #[test]
        fn profile_name_matches_service_pattern(
            raw in "[a-zA-Z0-9._:/=+@-]{1,128}",
            key in "[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}",
        ) {
            prop_assume!(key.len() <= 20);
            let name = ProfileName::derive(&tenant(&raw), &model(&key));

            prop_assert!(PROFILE_NAME.is_match(name.as_str()), "{}", name);
            prop_assert!(name.as_str().len() <= 64);
        }

        #[test]
        fn role_name_matches_iam_pattern(raw in "[a-zA-Z0-9._:/=+@-]{1,128}") {
            let role = RoleName::derive(&tenant(&raw));

            prop_assert!(ROLE_NAME.is_match(role.as_str()), "{}", role);
        }

        #[test]
        fn token_matches_service_pattern(raw in "[a-zA-Z0-9._:/=+@-]{1,128}", generation in 1u32..1000) {
            let token = ClientRequestToken::derive(&tenant(&raw), &model("nova-lite"), generation);

            prop_assert!(TOKEN.is_match(token.as_str()));
            prop_assert!(token.as_str().len() <= 256);
        }
    }
}

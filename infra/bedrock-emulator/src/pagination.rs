//! Opaque `nextToken` values for ListInferenceProfiles.
//!
//! A token is the hex encoding of `v1/{type}/{key}`, where `key` is the
//! position of the next profile in creation order. Listing resumes at the
//! first profile whose position is at least `key`, so deleting profiles
//! between pages neither repeats nor skips the remaining ones.

use std::fmt::Write;

use crate::error::ApiError;
use crate::profile::ProfileType;
use crate::validation::validate_pagination_token;

const VERSION: &str = "v1";

/// Encodes the token that resumes a `filter` listing at position `key`.
pub(crate) fn encode_token(filter: ProfileType, key: u64) -> String {
    let plain = format!("{VERSION}/{}/{key}", filter.as_str());
    let mut hex = String::with_capacity(plain.len() * 2);
    for byte in plain.bytes() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Decodes `token` into the position to resume at. A token from another
/// filter, or one this emulator never issued, is a ValidationException.
pub(crate) fn decode_token(token: &str, filter: ProfileType) -> Result<u64, ApiError> {
    validate_pagination_token(token)?;
    let invalid = || {
        ApiError::validation(format!(
            "Invalid nextToken '{token}': pass the nextToken of the previous ListInferenceProfiles response with the same type filter"
        ))
    };

    let plain = decode_hex(token).ok_or_else(invalid)?;
    let mut fields = plain.split('/');
    let version = fields.next();
    let token_filter = fields.next();
    let key = fields.next().and_then(|key| key.parse::<u64>().ok());
    let rest = fields.next();

    match (version, token_filter, key, rest) {
        (Some(VERSION), Some(token_filter), Some(key), None) if token_filter == filter.as_str() => {
            Ok(key)
        }
        _ => Err(invalid()),
    }
}

fn decode_hex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|start| u8::from_str_radix(hex.get(start..start + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn token_round_trips() {
        let token = encode_token(ProfileType::Application, 42);

        let key = decode_token(&token, ProfileType::Application);

        assert_eq!(key, Ok(42));
    }

    #[test]
    fn token_of_other_filter_is_rejected() {
        let token = encode_token(ProfileType::SystemDefined, 3);

        let result = decode_token(&token, ProfileType::Application);

        assert!(result.is_err_and(|error| error.kind == ErrorKind::Validation));
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        let wrong_version = encode_token(ProfileType::Application, 1).replacen("7631", "7632", 1);
        let cases = [
            "",
            "zz",
            "abc",
            "7631",
            "not-a-token",
            "é1",
            wrong_version.as_str(),
        ];

        for token in cases {
            let result = decode_token(token, ProfileType::Application);

            assert!(
                result.is_err_and(|error| error.kind == ErrorKind::Validation),
                "{token:?}"
            );
        }
    }
}

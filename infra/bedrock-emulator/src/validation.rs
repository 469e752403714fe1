//! Member constraints of the Bedrock service model (`bedrock/service/2023-04-20`).
//!
//! Messages follow the service's own format, "1 validation error detected:
//! Value 'x' at 'member' failed to satisfy constraint: ...". Lengths count
//! Unicode scalar values, as Smithy's `@length` does for strings.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::ApiError;

/// Maximum number of tags on one resource (TooManyTagsException above it).
pub(crate) const MAX_TAGS_PER_RESOURCE: usize = 50;

/// Maximum number of keys in one UntagResource request.
// NOTE: 200 is the usual bound of Bedrock's `TagKeyList`, but it is not checked
// against the published model, so the real service may accept more keys.
pub(crate) const MAX_UNTAG_KEYS: usize = 200;

const NAME_PATTERN: &str = r"^([0-9a-zA-Z][ _-]?)+$";
const DESCRIPTION_PATTERN: &str = r"^([0-9a-zA-Z:.][ _-]?)+$";
const TOKEN_PATTERN: &str = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$";
// The model writes `\s`, and tags are ASCII-only. The class lists ASCII
// whitespace because Rust's `\s` would also match Unicode spaces.
const TAG_PATTERN: &str = r"^[a-zA-Z0-9\t\n\x0B\x0C\r ._:/=+@-]*$";
const IDENTIFIER_PATTERN: &str = r"^(arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|application-inference-profile)/)?[a-zA-Z0-9:.-]+$";
const MODEL_SOURCE_PATTERN: &str = r"^arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|foundation-model)/[a-zA-Z0-9:.-]+$";
// `TaggableResourcesArn` lists every taggable Bedrock resource type. Only
// inference profiles exist here, so other ARNs pass this check and then
// get ResourceNotFoundException.
const TAGGABLE_ARN_PATTERN: &str = r"^([a-zA-Z0-9][a-zA-Z0-9-]*|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:([0-9]{12}|):[a-z0-9-]+/[a-zA-Z0-9:./-]+)$";
const PAGINATION_TOKEN_PATTERN: &str = r"^\S*$";
const REGION_PATTERN: &str = r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$";
const ACCOUNT_ID_PATTERN: &str = r"^[0-9]{12}$";

fn compile(pattern: &str) -> Regex {
    // The patterns are constants, and a unit test compiles each one.
    Regex::new(pattern)
        .unwrap_or_else(|error| panic!("invalid constant pattern {pattern}: {error}"))
}

static NAME: LazyLock<Regex> = LazyLock::new(|| compile(NAME_PATTERN));
static DESCRIPTION: LazyLock<Regex> = LazyLock::new(|| compile(DESCRIPTION_PATTERN));
static TOKEN: LazyLock<Regex> = LazyLock::new(|| compile(TOKEN_PATTERN));
static TAG: LazyLock<Regex> = LazyLock::new(|| compile(TAG_PATTERN));
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| compile(IDENTIFIER_PATTERN));
static MODEL_SOURCE: LazyLock<Regex> = LazyLock::new(|| compile(MODEL_SOURCE_PATTERN));
static TAGGABLE_ARN: LazyLock<Regex> = LazyLock::new(|| compile(TAGGABLE_ARN_PATTERN));
static PAGINATION_TOKEN: LazyLock<Regex> = LazyLock::new(|| compile(PAGINATION_TOKEN_PATTERN));
static REGION: LazyLock<Regex> = LazyLock::new(|| compile(REGION_PATTERN));
static ACCOUNT_ID: LazyLock<Regex> = LazyLock::new(|| compile(ACCOUNT_ID_PATTERN));

/// One string member's constraints.
struct StringRule<'a> {
    member: &'a str,
    min_length: usize,
    max_length: usize,
    pattern: &'a Regex,
    /// Sensitive members (the description) are left out of messages, as the
    /// service does.
    sensitive: bool,
}

impl StringRule<'_> {
    fn check(&self, value: &str) -> Result<(), ApiError> {
        let quoted_value = if self.sensitive {
            String::new()
        } else {
            format!("'{value}' ")
        };
        let length = value.chars().count();
        let constraint = if length < self.min_length {
            format!(
                "Member must have length greater than or equal to {}",
                self.min_length
            )
        } else if length > self.max_length {
            format!(
                "Member must have length less than or equal to {}",
                self.max_length
            )
        } else if !self.pattern.is_match(value) {
            format!(
                "Member must satisfy regular expression pattern: {}",
                self.pattern.as_str()
            )
        } else {
            return Ok(());
        };

        Err(ApiError::validation(format!(
            "1 validation error detected: Value {quoted_value}at '{}' failed to satisfy constraint: {constraint}",
            self.member
        )))
    }
}

/// Checks `inferenceProfileName`: 1-64 characters, alphanumerics separated by
/// single spaces, underscores or hyphens.
pub(crate) fn validate_profile_name(name: &str) -> Result<(), ApiError> {
    StringRule {
        member: "inferenceProfileName",
        min_length: 1,
        max_length: 64,
        pattern: &NAME,
        sensitive: false,
    }
    .check(name)
}

/// Checks `description`: 1-200 characters of alphanumerics, `:` and `.`
/// separated by single spaces, underscores or hyphens.
pub(crate) fn validate_description(description: &str) -> Result<(), ApiError> {
    StringRule {
        member: "description",
        min_length: 1,
        max_length: 200,
        pattern: &DESCRIPTION,
        sensitive: true,
    }
    .check(description)
}

/// Checks `clientRequestToken`: 1-256 alphanumerics, hyphens only between them.
pub(crate) fn validate_client_request_token(token: &str) -> Result<(), ApiError> {
    StringRule {
        member: "clientRequestToken",
        min_length: 1,
        max_length: 256,
        pattern: &TOKEN,
        sensitive: false,
    }
    .check(token)
}

/// Checks the `copyFrom` member against the model's source-ARN pattern. The
/// account and resource rules apply when the source is resolved.
pub(crate) fn validate_model_source_arn(arn: &str) -> Result<(), ApiError> {
    StringRule {
        member: "modelSource.copyFrom",
        min_length: 1,
        max_length: 2048,
        pattern: &MODEL_SOURCE,
        sensitive: false,
    }
    .check(arn)
}

/// Checks `inferenceProfileIdentifier`: a profile id or a profile ARN.
pub(crate) fn validate_profile_identifier(identifier: &str) -> Result<(), ApiError> {
    StringRule {
        member: "inferenceProfileIdentifier",
        min_length: 1,
        max_length: 2048,
        pattern: &IDENTIFIER,
        sensitive: false,
    }
    .check(identifier)
}

/// Checks `resourceARN` of the tag operations (20-1011 characters).
pub(crate) fn validate_taggable_arn(arn: &str) -> Result<(), ApiError> {
    StringRule {
        member: "resourceARN",
        min_length: 20,
        max_length: 1011,
        pattern: &TAGGABLE_ARN,
        sensitive: false,
    }
    .check(arn)
}

/// Checks the shape of the `nextToken` query value. Its content is checked
/// when it is decoded.
pub(crate) fn validate_pagination_token(token: &str) -> Result<(), ApiError> {
    StringRule {
        member: "nextToken",
        min_length: 1,
        max_length: 2048,
        pattern: &PAGINATION_TOKEN,
        sensitive: false,
    }
    .check(token)
}

/// Checks `maxResults`: 1 to 1000.
pub(crate) fn validate_max_results(max_results: i64) -> Result<(), ApiError> {
    let constraint = if max_results < 1 {
        "Member must have value greater than or equal to 1"
    } else if max_results > 1000 {
        "Member must have value less than or equal to 1000"
    } else {
        return Ok(());
    };

    Err(ApiError::validation(format!(
        "1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: {constraint}"
    )))
}

/// Checks a tag key: 1-128 characters of ASCII letters, digits, whitespace
/// and `._:/=+@-`, without the reserved `aws:` prefix.
pub(crate) fn validate_tag_key(key: &str, member: &str) -> Result<(), ApiError> {
    StringRule {
        member,
        min_length: 1,
        max_length: 128,
        pattern: &TAG,
        sensitive: false,
    }
    .check(key)?;

    // AWS reserves the `aws:` prefix in any letter case for its own tags.
    // NOTE: Bedrock's own answer is undocumented, so ValidationException is assumed.
    let reserved = key
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:"));
    if reserved {
        return Err(ApiError::validation(format!(
            "Tag key '{key}' at '{member}' is invalid: the 'aws:' prefix is reserved for AWS use"
        )));
    }
    Ok(())
}

/// Checks a tag value: 0-256 characters of the tag key's character set.
pub(crate) fn validate_tag_value(value: &str, member: &str) -> Result<(), ApiError> {
    StringRule {
        member,
        min_length: 0,
        max_length: 256,
        pattern: &TAG,
        sensitive: false,
    }
    .check(value)
}

/// Checks each tag of a request and rejects a key given twice.
pub(crate) fn validate_tags<'a>(
    tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    member: &str,
) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for (index, (key, value)) in tags.into_iter().enumerate() {
        validate_tag_key(key, &format!("{member}.{}.member.key", index + 1))?;
        validate_tag_value(value, &format!("{member}.{}.member.value", index + 1))?;
        if !seen.insert(key) {
            return Err(ApiError::validation(format!(
                "Tag key '{key}' appears more than once in '{member}'; each key may be given once"
            )));
        }
    }
    Ok(())
}

/// Returns whether `region` looks like an AWS region name such as `us-gov-west-1`.
pub(crate) fn is_region_name(region: &str) -> bool {
    region.len() <= 20 && REGION.is_match(region)
}

/// Returns whether `account_id` is a 12-digit AWS account id.
pub(crate) fn is_account_id(account_id: &str) -> bool {
    ACCOUNT_ID.is_match(account_id)
}

#[cfg(test)]
#[path = "validation_tests.rs"]
mod tests;

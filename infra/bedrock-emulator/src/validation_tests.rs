use super::*;
use crate::error::ErrorKind;

fn is_validation_error(result: Result<(), ApiError>) -> bool {
    result.is_err_and(|error| error.kind == ErrorKind::Validation)
}

#[test]
fn every_pattern_compiles() {
    let patterns = [
        NAME_PATTERN,
        DESCRIPTION_PATTERN,
        TOKEN_PATTERN,
        TAG_PATTERN,
        IDENTIFIER_PATTERN,
        MODEL_SOURCE_PATTERN,
        TAGGABLE_ARN_PATTERN,
        PAGINATION_TOKEN_PATTERN,
        REGION_PATTERN,
        ACCOUNT_ID_PATTERN,
    ];

    for pattern in patterns {
        assert!(Regex::new(pattern).is_ok(), "{pattern}");
    }
}

#[test]
fn profile_name_accepts_valid_names() {
    let long = "a".repeat(64);
    let cases = [
        "t",
        "tenant-0042",
        "Tenant 42_prod",
        "a-b_c d",
        long.as_str(),
    ];

    for name in cases {
        assert!(validate_profile_name(name).is_ok(), "{name}");
    }
}

#[test]
fn profile_name_rejects_invalid_names() {
    let too_long = "a".repeat(65);
    let cases = [
        "",
        "tenant.42",
        "tenant/42",
        "tenant:42",
        "tenant--42",
        "tenant _42",
        "-tenant",
        " tenant",
        "ténant",
        too_long.as_str(),
    ];

    for name in cases {
        assert!(is_validation_error(validate_profile_name(name)), "{name:?}");
    }
}

#[test]
fn profile_name_error_quotes_value_and_pattern() {
    let error = validate_profile_name("a.b").err();

    let message = error.map(|error| error.message).unwrap_or_default();
    assert!(message.contains("'a.b'"), "{message}");
    assert!(message.contains("inferenceProfileName"), "{message}");
    assert!(message.contains(NAME_PATTERN), "{message}");
}

#[test]
fn description_accepts_dots_and_colons() {
    let cases = ["Tenant 42 profile", "v1.2: prod", "x"];

    for description in cases {
        assert!(validate_description(description).is_ok(), "{description}");
    }
}

#[test]
fn description_rejects_invalid_text() {
    let too_long = "a".repeat(201);
    let cases = ["", "a, b", "a  b", "a/b", too_long.as_str()];

    for description in cases {
        assert!(
            is_validation_error(validate_description(description)),
            "{description:?}"
        );
    }
}

#[test]
fn description_error_omits_value() {
    let error = validate_description("secret/text").err();

    let message = error.map(|error| error.message).unwrap_or_default();
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn client_request_token_follows_pattern() {
    let too_long = "a".repeat(257);
    let valid = ["a", "tenant-42-onboard", "A--b", "0123456789"];
    let invalid = ["", "-a", "a-", "a_b", "a b", "ä", too_long.as_str()];

    for token in valid {
        assert!(validate_client_request_token(token).is_ok(), "{token}");
    }
    for token in invalid {
        assert!(
            is_validation_error(validate_client_request_token(token)),
            "{token:?}"
        );
    }
}

#[test]
fn model_source_arn_follows_pattern() {
    let valid = [
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0",
    ];
    let invalid = [
        "",
        "amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs",
        "arn:aws:s3:::bucket/key",
        "arn:aws:bedrock:us-east-1:1234:foundation-model/amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/",
    ];

    for arn in valid {
        assert!(validate_model_source_arn(arn).is_ok(), "{arn}");
    }
    for arn in invalid {
        assert!(
            is_validation_error(validate_model_source_arn(arn)),
            "{arn:?}"
        );
    }
}

#[test]
fn profile_identifier_accepts_ids_and_arns() {
    let valid = [
        "hq2of259skzs",
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs",
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0",
    ];
    let invalid = [
        "",
        "a/b",
        "tenant 42",
        "arn:aws:bedrock:us-east-1:111122223333:guardrail/abc",
    ];

    for identifier in valid {
        assert!(
            validate_profile_identifier(identifier).is_ok(),
            "{identifier}"
        );
    }
    for identifier in invalid {
        assert!(
            is_validation_error(validate_profile_identifier(identifier)),
            "{identifier:?}"
        );
    }
}

#[test]
fn taggable_arn_checks_length_and_shape() {
    let valid = [
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs",
        "arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123",
    ];
    let invalid = [
        "short",
        "arn:aws:bedrock:us-east-1:111122223333:",
        "not an arn at all, really",
    ];

    for arn in valid {
        assert!(validate_taggable_arn(arn).is_ok(), "{arn}");
    }
    for arn in invalid {
        assert!(is_validation_error(validate_taggable_arn(arn)), "{arn:?}");
    }
}

#[test]
fn tag_key_rejects_invalid_keys() {
    let too_long = "k".repeat(129);
    let cases = [
        "",
        "cost,center",
        "clé",
        "aws:createdBy",
        "AWS:team",
        too_long.as_str(),
    ];

    for key in cases {
        assert!(
            is_validation_error(validate_tag_key(key, "tags.1.member.key")),
            "{key:?}"
        );
    }
}

#[test]
fn tag_key_accepts_allowed_characters() {
    let max_length = "k".repeat(128);
    let cases = [
        "tenant",
        "cost-center",
        "a b",
        "x._:/=+@-",
        "awsx",
        max_length.as_str(),
    ];

    for key in cases {
        assert!(validate_tag_key(key, "tags.1.member.key").is_ok(), "{key}");
    }
}

#[test]
fn tag_value_rejects_invalid_values() {
    let too_long = "v".repeat(257);
    let cases = [
        "a,b",
        "naïve",
        "100%",
        "line\u{2028}break",
        too_long.as_str(),
    ];

    for value in cases {
        assert!(
            is_validation_error(validate_tag_value(value, "tags.1.member.value")),
            "{value:?}"
        );
    }
}

#[test]
fn tag_value_accepts_empty_and_max_length() {
    let max_length = "v".repeat(256);
    let cases = ["", "t-0042", "a\tb", max_length.as_str()];

    for value in cases {
        assert!(
            validate_tag_value(value, "tags.1.member.value").is_ok(),
            "{value:?}"
        );
    }
}

#[test]
fn tags_reject_duplicate_key() {
    let tags = [("tenant", "a"), ("tenant", "b")];

    let result = validate_tags(tags, "tags");

    assert!(is_validation_error(result));
}

#[test]
fn tags_error_names_member_index() {
    let tags = [("tenant", "a"), ("cost", "x,y")];

    let message = validate_tags(tags, "tags").err().map(|error| error.message);

    assert!(message.is_some_and(|message| message.contains("tags.2.member.value")));
}

#[test]
fn max_results_accepts_one_to_thousand() {
    for value in [1, 2, 1000] {
        assert!(validate_max_results(value).is_ok(), "{value}");
    }
    for value in [0, -1, 1001] {
        assert!(is_validation_error(validate_max_results(value)), "{value}");
    }
}

#[test]
fn pagination_token_rejects_empty_and_whitespace() {
    for token in ["", "a b"] {
        assert!(
            is_validation_error(validate_pagination_token(token)),
            "{token:?}"
        );
    }
}

#[test]
fn region_and_account_checks() {
    assert!(is_region_name("us-east-1"));
    assert!(is_region_name("us-gov-west-1"));
    assert!(!is_region_name("US-EAST-1"));
    assert!(!is_region_name("us-east"));
    assert!(is_account_id("111122223333"));
    assert!(!is_account_id("11112222333"));
    assert!(!is_account_id("11112222333a"));
}

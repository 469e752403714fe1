use serde_json::json;

use super::*;
use crate::error::ErrorKind;

fn parse(body: serde_json::Value) -> ConverseInput {
    serde_json::from_value(body).unwrap_or_else(|error| panic!("invalid test body: {error}"))
}

fn user_message(text: &str) -> serde_json::Value {
    json!({"role": "user", "content": [{"text": text}]})
}

fn error_kind(body: serde_json::Value) -> Option<ErrorKind> {
    check_request(parse(body)).err().map(|error| error.kind)
}

#[test]
fn estimate_tokens_rounds_up_with_minimum_one() {
    let cases = [(0, 1), (1, 1), (4, 1), (5, 2), (8, 2), (9, 3), (400, 100)];

    for (characters, tokens) in cases {
        assert_eq!(estimate_tokens(characters), tokens, "{characters}");
    }
}

#[test]
fn prompt_counts_system_and_message_text() {
    let body = json!({
        "system": [{"text": "Be brief."}],
        "messages": [
            user_message("Hello"),
            {"role": "assistant", "content": [{"text": "Hi!"}]},
            {"role": "user", "content": [{"text": "Größe?"}, {"image": {"format": "png"}}]},
        ],
    });

    let prompt = check_request(parse(body));

    // 9 + 5 + 3 + 6 characters; "Größe?" counts characters, not bytes.
    assert_eq!(
        prompt,
        Ok(Prompt {
            text_characters: 23,
            max_tokens: None,
        })
    );
}

#[test]
fn completion_names_model_and_counts_tokens() {
    let prompt = Prompt {
        text_characters: 23,
        max_tokens: None,
    };

    let completion = complete(&prompt, "amazon.nova-lite-v1:0");

    assert!(
        completion.text.contains("amazon.nova-lite-v1:0"),
        "{}",
        completion.text
    );
    assert_eq!(completion.stop_reason, "end_turn");
    assert_eq!(completion.input_tokens, 6);
    assert_eq!(
        completion.output_tokens,
        estimate_tokens(completion.text.chars().count() as u64)
    );
}

#[test]
fn completion_is_deterministic() {
    let prompt = Prompt {
        text_characters: 10,
        max_tokens: None,
    };

    let first = complete(&prompt, "amazon.nova-micro-v1:0");
    let second = complete(&prompt, "amazon.nova-micro-v1:0");

    assert_eq!(first, second);
}

#[test]
fn completion_stops_at_max_tokens() {
    let prompt = Prompt {
        text_characters: 10,
        max_tokens: Some(3),
    };

    let completion = complete(&prompt, "amazon.nova-lite-v1:0");

    assert_eq!(completion.stop_reason, "max_tokens");
    assert_eq!(completion.output_tokens, 3);
    assert_eq!(completion.text.chars().count(), 12);
}

#[test]
fn large_max_tokens_keeps_whole_completion() {
    let prompt = Prompt {
        text_characters: 10,
        max_tokens: Some(4096),
    };

    let completion = complete(&prompt, "amazon.nova-lite-v1:0");

    assert_eq!(completion.stop_reason, "end_turn");
    assert!(completion.output_tokens < 4096);
}

#[test]
fn output_totals_input_and_output() {
    let completion = Completion {
        text: "ok".to_owned(),
        stop_reason: "end_turn",
        input_tokens: 7,
        output_tokens: 5,
    };

    let json = serde_json::to_value(ConverseOutput::new(completion, 12)).unwrap_or_default();

    assert_eq!(
        json,
        json!({
            "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 7, "outputTokens": 5, "totalTokens": 12},
            "metrics": {"latencyMs": 12},
        })
    );
}

#[test]
fn invalid_conversations_are_validation_errors() {
    let cases = [
        ("no messages", json!({})),
        ("empty messages", json!({"messages": []})),
        (
            "assistant first",
            json!({"messages": [{"role": "assistant", "content": [{"text": "Hi"}]}]}),
        ),
        (
            "user twice",
            json!({"messages": [user_message("a"), user_message("b")]}),
        ),
        (
            "unknown role",
            json!({"messages": [{"role": "system", "content": [{"text": "Hi"}]}]}),
        ),
        (
            "missing role",
            json!({"messages": [{"content": [{"text": "Hi"}]}]}),
        ),
        ("missing content", json!({"messages": [{"role": "user"}]})),
        (
            "empty content",
            json!({"messages": [{"role": "user", "content": []}]}),
        ),
        (
            "zero maxTokens",
            json!({"messages": [user_message("a")], "inferenceConfig": {"maxTokens": 0}}),
        ),
        (
            "temperature above 1",
            json!({"messages": [user_message("a")], "inferenceConfig": {"temperature": 1.5}}),
        ),
        (
            "negative topP",
            json!({"messages": [user_message("a")], "inferenceConfig": {"topP": -0.1}}),
        ),
    ];

    for (name, body) in cases {
        assert_eq!(error_kind(body), Some(ErrorKind::Validation), "{name}");
    }
}

#[test]
fn malformed_content_blocks_are_serialization_errors() {
    let cases = [
        (
            "empty block",
            json!({"messages": [{"role": "user", "content": [{}]}]}),
        ),
        (
            "two members",
            json!({"messages": [{"role": "user", "content": [{"text": "a", "image": {}}]}]}),
        ),
        (
            "text not a string",
            json!({"messages": [{"role": "user", "content": [{"text": 5}]}]}),
        ),
        (
            "system text not a string",
            json!({"system": [{"text": []}], "messages": [user_message("a")]}),
        ),
    ];

    for (name, body) in cases {
        assert_eq!(error_kind(body), Some(ErrorKind::Serialization), "{name}");
    }
}

#[test]
fn model_id_length_is_checked() {
    assert!(validate_model_id("amazon.nova-lite-v1:0").is_ok());
    assert!(validate_model_id(&"a".repeat(2048)).is_ok());
    assert!(validate_model_id(&"a".repeat(2049)).is_err());
    assert!(validate_model_id("").is_err());
}

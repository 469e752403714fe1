//! Converse through the real `aws-sdk-bedrockruntime` client, served by the
//! same emulator as the control plane.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseOutput};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, StopReason, SystemContentBlock,
};
use bedrock_emulator::{
    EmulatorConfig, ErrorKind, FaultSpec, Operation, OperationSelector, estimate_tokens,
};
use serde_json::json;

use crate::helpers::{
    ACCOUNT_ID, SONNET_4_US_PROFILE_ARN, TestApp, copy_from, profile_id, sdk_config, send_raw,
};

const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const SONNET_4_US_EAST_1_ARN: &str =
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";

fn user_message(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.to_owned()))
        .build()
        .unwrap_or_else(|error| panic!("invalid test message: {error}"))
}

/// Sends one user message to `model_id`.
async fn converse(
    client: &aws_sdk_bedrockruntime::Client,
    model_id: &str,
    text: &str,
) -> Result<ConverseOutput, SdkError<ConverseError>> {
    client
        .converse()
        .model_id(model_id)
        .messages(user_message(text))
        .send()
        .await
}

async fn converse_ok(app: &TestApp, model_id: &str, text: &str) -> ConverseOutput {
    converse(&app.runtime, model_id, text)
        .await
        .unwrap_or_else(|error| panic!("Converse with {model_id} failed: {error:?}"))
}

async fn converse_error(app: &TestApp, model_id: &str) -> Option<ConverseError> {
    converse(&app.runtime, model_id, "Hello")
        .await
        .err()
        .map(SdkError::into_service_error)
}

fn completion_text(output: &ConverseOutput) -> String {
    output
        .output()
        .and_then(|output| output.as_message().ok())
        .and_then(|message| message.content().first())
        .and_then(|block| block.as_text().ok())
        .cloned()
        .unwrap_or_default()
}

/// Returns `(inputTokens, outputTokens, totalTokens)` of a response.
fn token_usage(output: &ConverseOutput) -> (i32, i32, i32) {
    output.usage().map_or((-1, -1, -1), |usage| {
        (
            usage.input_tokens(),
            usage.output_tokens(),
            usage.total_tokens(),
        )
    })
}

fn tokens(characters: usize) -> i32 {
    let estimate = estimate_tokens(u64::try_from(characters).unwrap_or(u64::MAX));
    i32::try_from(estimate).unwrap_or(i32::MAX)
}

/// A `ConverseError::is_*` method.
type VariantCheck = fn(&ConverseError) -> bool;

fn fault(error: Option<ErrorKind>, latency_ms: Option<u64>) -> FaultSpec {
    FaultSpec {
        operation: OperationSelector::Only(Operation::Converse),
        error,
        count: Some(1),
        probability: None,
        latency_ms,
        message: None,
    }
}

#[tokio::test]
async fn foundation_model_id_returns_usage() {
    let app = TestApp::start().await;
    let prompt = "Summarise the tenancy model in one sentence.";

    let output = converse_ok(&app, NOVA_LITE, prompt).await;

    let text = completion_text(&output);
    assert!(text.contains(NOVA_LITE), "{text}");
    assert_eq!(output.stop_reason(), &StopReason::EndTurn);
    let (input, output_tokens, total) = token_usage(&output);
    assert_eq!(input, tokens(prompt.chars().count()));
    assert_eq!(output_tokens, tokens(text.chars().count()));
    assert_eq!(total, input + output_tokens);
    assert!(output.metrics().is_some());
}

#[tokio::test]
async fn completion_is_deterministic() {
    let app = TestApp::start().await;

    let first = converse_ok(&app, NOVA_LITE, "Hello").await;
    let second = converse_ok(&app, NOVA_LITE, "Hello").await;

    assert_eq!(completion_text(&first), completion_text(&second));
    assert_eq!(token_usage(&first), token_usage(&second));
}

#[tokio::test]
async fn system_prompt_counts_as_input() {
    let app = TestApp::start().await;
    let system = "You are a terse assistant for tenant billing questions.";
    let prompt = "Hi";

    let output = app
        .runtime
        .converse()
        .model_id(NOVA_LITE)
        .system(SystemContentBlock::Text(system.to_owned()))
        .messages(user_message(prompt))
        .send()
        .await
        .unwrap_or_else(|error| panic!("Converse failed: {error:?}"));

    let (input, _, _) = token_usage(&output);
    assert_eq!(
        input,
        tokens(system.chars().count() + prompt.chars().count())
    );
}

#[tokio::test]
async fn system_profile_id_uses_its_model() {
    let app = TestApp::start().await;

    let output = converse_ok(&app, "us.anthropic.claude-sonnet-4-20250514-v1:0", "Hello").await;

    let text = completion_text(&output);
    assert!(
        text.contains("anthropic.claude-sonnet-4-20250514-v1:0"),
        "{text}"
    );
    let usage = app.emulator().usage();
    let entry = usage
        .get("us.anthropic.claude-sonnet-4-20250514-v1:0")
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry.invocations, 1);
    assert!(
        entry.foundation_model_arns.contains(SONNET_4_US_EAST_1_ARN),
        "{entry:?}"
    );
}

#[tokio::test]
async fn application_profile_arn_uses_source_model() {
    let app = TestApp::start().await;
    let created = app
        .client
        .create_inference_profile()
        .inference_profile_name("tenant-1-sonnet")
        .model_source(copy_from(SONNET_4_US_PROFILE_ARN))
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));
    let arn = created.inference_profile_arn().to_owned();

    let output = converse_ok(&app, &arn, "Hello from tenant 1").await;

    let text = completion_text(&output);
    assert!(
        text.contains("anthropic.claude-sonnet-4-20250514-v1:0"),
        "{text}"
    );
    let usage = app.emulator().usage();
    assert!(!usage.contains_key(&arn), "keyed by ARN: {usage:?}");
    let entry = usage.get(profile_id(&arn)).cloned().unwrap_or_default();
    let (input, output_tokens, _) = token_usage(&output);
    assert_eq!(entry.invocations, 1);
    assert_eq!(entry.input_tokens, u64::try_from(input).unwrap_or_default());
    assert_eq!(
        entry.output_tokens,
        u64::try_from(output_tokens).unwrap_or_default()
    );
    assert_eq!(
        entry.foundation_model_arns.into_iter().collect::<Vec<_>>(),
        [SONNET_4_US_EAST_1_ARN]
    );
}

#[tokio::test]
async fn deleted_or_unknown_model_is_not_found() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-gone").await;
    let _ = converse_ok(&app, &arn, "Hello").await;
    app.client
        .delete_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await
        .unwrap_or_else(|error| panic!("delete failed: {error:?}"));
    let cases = [
        arn.clone(),
        format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/zzzzzzzzzzzz"
        ),
        "amazon.nova-giga-v9:0".to_owned(),
        "eu.amazon.nova-lite-v1:0".to_owned(),
    ];

    for model_id in cases {
        let error = converse_error(&app, &model_id).await;

        assert!(
            error
                .as_ref()
                .is_some_and(ConverseError::is_resource_not_found_exception),
            "{model_id}: {error:?}"
        );
    }
}

#[tokio::test]
async fn foreign_profile_arn_is_not_found() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-east").await;
    let west_config = sdk_config(
        &app.server.endpoint_url(),
        "us-west-2",
        RetryConfig::disabled(),
    )
    .await;
    let west = aws_sdk_bedrockruntime::Client::new(&west_config);
    let other_account = arn.replace(ACCOUNT_ID, "444455556666");

    let from_west = converse(&west, &arn, "Hello").await;
    let other = converse_error(&app, &other_account).await;

    let from_west = from_west.err().map(SdkError::into_service_error);
    assert!(
        from_west
            .as_ref()
            .is_some_and(ConverseError::is_resource_not_found_exception),
        "{from_west:?}"
    );
    assert!(
        other
            .as_ref()
            .is_some_and(ConverseError::is_resource_not_found_exception),
        "{other:?}"
    );
}

#[tokio::test]
async fn empty_messages_is_validation_error() {
    let app = TestApp::start().await;

    let result = app
        .runtime
        .converse()
        .model_id(NOVA_LITE)
        .set_messages(Some(Vec::new()))
        .send()
        .await;

    let error = result.err().map(SdkError::into_service_error);
    assert!(
        error
            .as_ref()
            .is_some_and(ConverseError::is_validation_exception),
        "{error:?}"
    );
    assert!(app.emulator().usage().is_empty());
}

#[tokio::test]
async fn max_tokens_cuts_the_completion() {
    let app = TestApp::start().await;

    let output = app
        .runtime
        .converse()
        .model_id(NOVA_LITE)
        .messages(user_message("Hello"))
        .inference_config(InferenceConfiguration::builder().max_tokens(5).build())
        .send()
        .await
        .unwrap_or_else(|error| panic!("Converse failed: {error:?}"));

    assert_eq!(output.stop_reason(), &StopReason::MaxTokens);
    assert_eq!(token_usage(&output).1, 5);
    assert_eq!(completion_text(&output).chars().count(), 20);
}

#[tokio::test]
async fn injected_throttling_reaches_sdk() {
    let app = TestApp::start().await;
    let _ = app
        .emulator()
        .add_fault(fault(Some(ErrorKind::Throttling), None));

    let throttled = converse_error(&app, NOVA_LITE).await;
    let after = converse(&app.runtime, NOVA_LITE, "Hello").await;

    assert!(
        throttled
            .as_ref()
            .is_some_and(ConverseError::is_throttling_exception),
        "{throttled:?}"
    );
    assert!(after.is_ok(), "{after:?}");
    let counts = app.emulator().call_counts();
    let converse_counts = counts
        .get(&Operation::Converse)
        .copied()
        .unwrap_or_default();
    assert_eq!(converse_counts.received, 2);
    assert_eq!(converse_counts.injected_failures, 1);
    let usage = app.emulator().usage();
    assert_eq!(
        usage.get(NOVA_LITE).map(|entry| entry.invocations),
        Some(1),
        "a throttled call is not usage"
    );
}

#[tokio::test]
async fn injected_model_errors_map_to_modeled_variants() {
    let app = TestApp::start().await;
    let cases: [(ErrorKind, VariantCheck); 4] = [
        (
            ErrorKind::ModelTimeout,
            ConverseError::is_model_timeout_exception,
        ),
        (
            ErrorKind::ModelError,
            ConverseError::is_model_error_exception,
        ),
        (
            ErrorKind::ModelNotReady,
            ConverseError::is_model_not_ready_exception,
        ),
        (
            ErrorKind::ServiceUnavailable,
            ConverseError::is_service_unavailable_exception,
        ),
    ];

    for (kind, is_variant) in cases {
        let _ = app.emulator().add_fault(fault(Some(kind), None));

        let error = converse_error(&app, NOVA_LITE).await;

        assert!(error.as_ref().is_some_and(is_variant), "{kind}: {error:?}");
    }
}

#[tokio::test]
async fn injected_latency_shows_in_metrics() {
    let app = TestApp::start().await;
    let _ = app.emulator().add_fault(fault(None, Some(150)));
    let started = Instant::now();

    let output = converse_ok(&app, NOVA_LITE, "Hello").await;

    assert!(started.elapsed() >= Duration::from_millis(150));
    let latency_ms = output.metrics().map_or(0, |metrics| metrics.latency_ms());
    assert!(latency_ms >= 150, "{latency_ms}");
}

#[tokio::test]
async fn control_plane_and_runtime_share_endpoint() {
    let app = TestApp::start().await;

    let listed = app
        .client
        .list_inference_profiles()
        .send()
        .await
        .map(|output| output.inference_profile_summaries().len());
    let conversed = converse(&app.runtime, NOVA_LITE, "Hello").await;

    assert!(listed.is_ok_and(|count| count > 0));
    assert!(conversed.is_ok(), "{conversed:?}");
}

#[tokio::test]
async fn arn_in_path_is_decoded_once() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-path").await;
    let encoded = arn.replace(':', "%3A").replace('/', "%2F");
    let double_encoded = encoded.replace('%', "%25");
    let body = json!({"messages": [{"role": "user", "content": [{"text": "Hello"}]}]}).to_string();

    let once = send_raw(
        app.addr(),
        "POST",
        &format!("/model/{encoded}/converse"),
        &body,
    )
    .await;
    let twice = send_raw(
        app.addr(),
        "POST",
        &format!("/model/{double_encoded}/converse"),
        &body,
    )
    .await;

    assert_eq!(once.status, 200, "{}", once.body);
    assert_eq!(once.json()["stopReason"], "end_turn");
    assert_eq!(twice.status, 404, "{}", twice.body);
    assert_eq!(
        twice.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    let usage = app.emulator().usage();
    assert_eq!(
        usage.get(profile_id(&arn)).map(|entry| entry.invocations),
        Some(1)
    );
}

#[tokio::test]
async fn response_and_errors_have_wire_shape() {
    let app = TestApp::start().await;
    let body = json!({
        "messages": [{"role": "user", "content": [{"text": "Hello there"}]}],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.5},
        "toolConfig": {"tools": []},
    })
    .to_string();

    let ok = send_raw(
        app.addr(),
        "POST",
        "/model/amazon.nova-lite-v1:0/converse",
        &body,
    )
    .await;
    let invalid = send_raw(
        app.addr(),
        "POST",
        "/model/amazon.nova-lite-v1:0/converse",
        r#"{"messages": []}"#,
    )
    .await;
    let malformed = send_raw(
        app.addr(),
        "POST",
        "/model/amazon.nova-lite-v1:0/converse",
        "{not json",
    )
    .await;

    assert_eq!(ok.status, 200, "{}", ok.body);
    let json = ok.json();
    assert_eq!(json["output"]["message"]["role"], "assistant");
    assert!(json["output"]["message"]["content"][0]["text"].is_string());
    assert_eq!(json["usage"]["inputTokens"], 3);
    assert_eq!(
        json["usage"]["totalTokens"].as_u64(),
        json["usage"]["inputTokens"]
            .as_u64()
            .zip(json["usage"]["outputTokens"].as_u64())
            .map(|(input, output)| input + output)
    );
    assert!(json["metrics"]["latencyMs"].is_u64());
    assert_eq!(invalid.status, 400);
    assert_eq!(
        invalid.header("x-amzn-errortype"),
        Some("ValidationException")
    );
    assert!(invalid.json()["message"].is_string());
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.header("x-amzn-errortype"),
        Some("SerializationException")
    );
}

#[tokio::test]
async fn other_runtime_paths_are_unknown_operations() {
    let app = TestApp::start().await;
    let cases = [
        ("POST", "/model/amazon.nova-lite-v1:0/invoke"),
        ("GET", "/model/amazon.nova-lite-v1:0/converse"),
        (
            "POST",
            "/model/arn:aws:bedrock:us-east-1::foundation-model/x/converse",
        ),
    ];

    for (method, path) in cases {
        let response = send_raw(app.addr(), method, path, "{}").await;

        assert_eq!(response.status, 404, "{method} {path}");
        assert_eq!(
            response.header("x-amzn-errortype"),
            Some("UnknownOperationException"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn usage_endpoint_sums_responses() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-usage").await;
    let first = converse_ok(&app, &arn, "First question").await;
    let second = converse_ok(&app, &arn, "A second, longer question about invoices").await;
    let _ = converse_ok(&app, NOVA_LITE, "Not this tenant").await;

    let response = send_raw(app.addr(), "GET", "/_emulator/usage", "").await;

    assert_eq!(response.status, 200);
    let usage = response.json();
    let entry = &usage["models"][profile_id(&arn)];
    let (first_input, first_output, _) = token_usage(&first);
    let (second_input, second_output, _) = token_usage(&second);
    assert_eq!(entry["invocations"], 2);
    assert_eq!(entry["inputTokens"], first_input + second_input);
    assert_eq!(entry["outputTokens"], first_output + second_output);
    assert_eq!(usage["models"][NOVA_LITE]["invocations"], 1);
    assert_eq!(
        usage["cloudWatch"],
        json!({"endpoint": null, "putMetricData": null})
    );
}

#[tokio::test]
async fn reset_clears_usage() {
    let app = TestApp::start().await;
    let _ = converse_ok(&app, NOVA_LITE, "Hello").await;

    let reset = send_raw(app.addr(), "POST", "/_emulator/reset", "").await;

    assert_eq!(reset.status, 200);
    assert!(app.emulator().usage().is_empty());
}

#[tokio::test]
async fn unreachable_cloudwatch_does_not_fail_converse() {
    // A port that was free a moment ago: nothing listens there.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|error| panic!("no free port: {error}"));
    let app = TestApp::start_with(EmulatorConfig {
        cloudwatch_endpoint: Some(format!("http://127.0.0.1:{closed_port}")),
        ..EmulatorConfig::default()
    })
    .await;

    let output = converse(&app.runtime, NOVA_LITE, "Hello").await;

    assert!(output.is_ok(), "{output:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut counts = app.emulator().metric_publish_counts();
    while counts.is_some_and(|counts| counts.failed == 0) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        counts = app.emulator().metric_publish_counts();
    }
    let counts = counts.unwrap_or_default();
    assert_eq!(counts.failed, 1, "{counts:?}");
    assert_eq!(counts.published, 0, "{counts:?}");
    assert_eq!(
        app.emulator()
            .usage()
            .get(NOVA_LITE)
            .map(|entry| entry.invocations),
        Some(1)
    );
}

//! Fault injection through the admin API and in-process, observed by the SDK.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_sdk_bedrock::error::ProvideErrorMetadata;
use aws_sdk_bedrock::operation::create_inference_profile::CreateInferenceProfileError;
use aws_sdk_bedrock::operation::get_inference_profile::GetInferenceProfileError;
use aws_sdk_bedrock::operation::list_inference_profiles::ListInferenceProfilesError;
use aws_sdk_bedrock::types::InferenceProfileType;
use bedrock_emulator::{ErrorKind, FaultSpec, Operation, OperationSelector};

use crate::helpers::{NOVA_LITE_ARN, TestApp, copy_from, sdk_client, send_raw};

fn fault(operation: Operation, error: ErrorKind, count: Option<u32>) -> FaultSpec {
    FaultSpec {
        operation: OperationSelector::Only(operation),
        error: Some(error),
        count,
        probability: None,
        latency_ms: None,
        message: None,
    }
}

async fn create_error(app: &TestApp, name: &str) -> Option<CreateInferenceProfileError> {
    app.client
        .create_inference_profile()
        .inference_profile_name(name)
        .model_source(copy_from(NOVA_LITE_ARN))
        .send()
        .await
        .err()
        .map(|error| error.into_service_error())
}

#[tokio::test]
async fn injected_throttling_reaches_sdk() {
    let app = TestApp::start().await;
    let body = r#"{"operation":"CreateInferenceProfile","error":"ThrottlingException","count":1,"message":"Rate exceeded"}"#;
    let added = send_raw(app.addr(), "POST", "/_emulator/faults", body).await;

    let error = create_error(&app, "tenant-1").await;

    assert_eq!(added.status, 201, "{}", added.body);
    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::ThrottlingException(_))
        ),
        "{error:?}"
    );
    assert_eq!(
        error.as_ref().and_then(|error| error.message()),
        Some("Rate exceeded")
    );
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 0);
}

#[tokio::test]
async fn injected_errors_map_to_modeled_variants() {
    let app = TestApp::start().await;
    let kinds = [
        ErrorKind::Throttling,
        ErrorKind::InternalServer,
        ErrorKind::AccessDenied,
        ErrorKind::ServiceQuotaExceeded,
        ErrorKind::Conflict,
    ];

    for kind in kinds {
        let _ = app
            .emulator()
            .add_fault(fault(Operation::CreateInferenceProfile, kind, Some(1)));

        let error = create_error(&app, "tenant-1").await;

        let matched = match kind {
            ErrorKind::Throttling => matches!(
                error,
                Some(CreateInferenceProfileError::ThrottlingException(_))
            ),
            ErrorKind::InternalServer => matches!(
                error,
                Some(CreateInferenceProfileError::InternalServerException(_))
            ),
            ErrorKind::AccessDenied => matches!(
                error,
                Some(CreateInferenceProfileError::AccessDeniedException(_))
            ),
            ErrorKind::ServiceQuotaExceeded => {
                matches!(
                    error,
                    Some(CreateInferenceProfileError::ServiceQuotaExceededException(
                        _
                    ))
                )
            }
            ErrorKind::Conflict => matches!(
                error,
                Some(CreateInferenceProfileError::ConflictException(_))
            ),
            _ => false,
        };
        assert!(matched, "{kind}: {error:?}");
    }
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 0);
}

#[tokio::test]
async fn counted_fault_expires() {
    let app = TestApp::start().await;
    let _ = app.emulator().add_fault(fault(
        Operation::CreateInferenceProfile,
        ErrorKind::InternalServer,
        Some(2),
    ));

    let first = create_error(&app, "tenant-1").await;
    let second = create_error(&app, "tenant-1").await;
    let third = create_error(&app, "tenant-1").await;

    assert!(
        matches!(
            first,
            Some(CreateInferenceProfileError::InternalServerException(_))
        ),
        "{first:?}"
    );
    assert!(
        matches!(
            second,
            Some(CreateInferenceProfileError::InternalServerException(_))
        ),
        "{second:?}"
    );
    assert!(third.is_none(), "{third:?}");
    assert!(app.emulator().faults().is_empty());
}

#[tokio::test]
async fn fault_applies_only_to_its_operation() {
    let app = TestApp::start().await;
    let _ = app.emulator().add_fault(fault(
        Operation::GetInferenceProfile,
        ErrorKind::Throttling,
        None,
    ));
    let arn = app.create_profile("tenant-1").await;

    let get = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;
    let list = app
        .client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::Application)
        .send()
        .await;

    let get_error = get.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            get_error,
            Some(GetInferenceProfileError::ThrottlingException(_))
        ),
        "{get_error:?}"
    );
    assert!(list.is_ok(), "{list:?}");
}

#[tokio::test]
async fn wildcard_fault_with_probability_one_fails_everything() {
    let app = TestApp::start().await;
    let spec = FaultSpec {
        operation: OperationSelector::Any,
        error: Some(ErrorKind::InternalServer),
        count: None,
        probability: Some(1.0),
        latency_ms: None,
        message: None,
    };
    let _ = app.emulator().add_fault(spec);

    let list = app.client.list_inference_profiles().send().await;

    let error = list.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            error,
            Some(ListInferenceProfilesError::InternalServerException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn latency_fault_delays_response() {
    let app = TestApp::start().await;
    let spec = FaultSpec {
        operation: OperationSelector::Only(Operation::ListInferenceProfiles),
        error: None,
        count: Some(1),
        probability: None,
        latency_ms: Some(300),
        message: None,
    };
    let _ = app.emulator().add_fault(spec);
    let started = Instant::now();

    let list = app.client.list_inference_profiles().send().await;

    assert!(list.is_ok(), "{list:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn sdk_retries_past_two_throttles() {
    let app = TestApp::start().await;
    let retry = RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(10));
    let client = sdk_client(&app.server.endpoint_url(), "us-east-1", retry).await;
    let _ = app.emulator().add_fault(fault(
        Operation::CreateInferenceProfile,
        ErrorKind::Throttling,
        Some(2),
    ));

    let result = client
        .create_inference_profile()
        .inference_profile_name("tenant-1")
        .model_source(copy_from(NOVA_LITE_ARN))
        .send()
        .await;

    assert!(result.is_ok(), "{result:?}");
    let counts = app.emulator().call_counts();
    let create = counts
        .get(&Operation::CreateInferenceProfile)
        .copied()
        .unwrap_or_default();
    assert_eq!(create.received, 3);
    assert_eq!(create.injected_failures, 2);
    assert_eq!(create.succeeded, 1);
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 1);
}

#[tokio::test]
async fn admin_api_lists_and_clears_faults() {
    let app = TestApp::start().await;
    let body =
        r#"{"operation":"*","error":"InternalServerException","probability":0.25,"latencyMs":5}"#;
    let _ = send_raw(app.addr(), "POST", "/_emulator/faults", body).await;

    let listed = send_raw(app.addr(), "GET", "/_emulator/faults", "").await;
    let cleared = send_raw(app.addr(), "DELETE", "/_emulator/faults", "").await;
    let after = send_raw(app.addr(), "GET", "/_emulator/faults", "").await;

    let faults = listed.json();
    assert_eq!(faults["faults"][0]["operation"], "*");
    assert_eq!(faults["faults"][0]["error"], "InternalServerException");
    assert_eq!(faults["faults"][0]["probability"], 0.25);
    assert_eq!(faults["faults"][0]["latencyMs"], 5);
    assert_eq!(cleared.json()["cleared"], 1);
    assert_eq!(after.json()["faults"], serde_json::json!([]));
}

#[tokio::test]
async fn admin_api_removes_one_fault() {
    let app = TestApp::start().await;
    let body = r#"{"operation":"TagResource","error":"ThrottlingException"}"#;
    let added = send_raw(app.addr(), "POST", "/_emulator/faults", body).await;
    let id = added.json()["id"].as_u64().unwrap_or_default();

    let removed = send_raw(app.addr(), "DELETE", &format!("/_emulator/faults/{id}"), "").await;
    let again = send_raw(app.addr(), "DELETE", &format!("/_emulator/faults/{id}"), "").await;

    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(again.status, 404, "{}", again.body);
    assert!(app.emulator().faults().is_empty());
}

#[tokio::test]
async fn admin_api_rejects_invalid_faults() {
    let app = TestApp::start().await;
    let cases = [
        r#"{"operation":"CreateProfile","error":"ThrottlingException"}"#,
        r#"{"operation":"*","error":"Throttled"}"#,
        r#"{"operation":"*"}"#,
        r#"{"operation":"*","error":"ThrottlingException","count":0}"#,
        r#"{"operation":"*","error":"ThrottlingException","probability":2}"#,
        r#"{"operation":"*","error":"ThrottlingException","latency":5}"#,
        "not json",
    ];

    for body in cases {
        let response = send_raw(app.addr(), "POST", "/_emulator/faults", body).await;

        assert_eq!(response.status, 400, "{body}: {}", response.body);
    }
    assert!(app.emulator().faults().is_empty());
}

#[tokio::test]
async fn calls_endpoint_counts_requests() {
    let app = TestApp::start().await;
    let _ = app.emulator().add_fault(fault(
        Operation::CreateInferenceProfile,
        ErrorKind::Throttling,
        Some(1),
    ));
    let _ = create_error(&app, "tenant-1").await;
    let _ = create_error(&app, "tenant-1").await;
    let _ = create_error(&app, "tenant-1").await;

    let calls = send_raw(app.addr(), "GET", "/_emulator/calls", "")
        .await
        .json();

    let create = &calls["operations"]["CreateInferenceProfile"];
    assert_eq!(create["received"], 3);
    assert_eq!(create["succeeded"], 1);
    assert_eq!(create["failed"], 2);
    assert_eq!(create["injectedFailures"], 1);
    assert_eq!(calls["operations"]["GetInferenceProfile"]["received"], 0);
}

#[tokio::test]
async fn reset_clears_state_but_keeps_catalogue() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let _ = app
        .emulator()
        .add_fault(fault(Operation::TagResource, ErrorKind::Throttling, None));
    let _ = send_raw(
        app.addr(),
        "PUT",
        "/_emulator/config",
        r#"{"profileQuota":1}"#,
    )
    .await;

    let reset = send_raw(app.addr(), "POST", "/_emulator/reset", "").await;

    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 0);
    assert!(app.emulator().faults().is_empty());
    assert_eq!(app.emulator().profile_quota(), 1000);
    let get = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;
    assert!(get.is_err());
    let systems = app.client.list_inference_profiles().send().await;
    assert!(systems.is_ok_and(|output| !output.inference_profile_summaries().is_empty()));
    let counts = app.emulator().call_counts();
    let create = counts
        .get(&Operation::CreateInferenceProfile)
        .copied()
        .unwrap_or_default();
    assert_eq!(create.received, 0);
}

#[tokio::test]
async fn config_endpoint_changes_quota() {
    let app = TestApp::start().await;
    let _ = app.create_profile("tenant-1").await;

    let updated = send_raw(
        app.addr(),
        "PUT",
        "/_emulator/config",
        r#"{"profileQuota":1}"#,
    )
    .await;
    let error = create_error(&app, "tenant-2").await;

    assert_eq!(updated.json()["profileQuota"], 1);
    assert_eq!(updated.json()["accountId"], "111122223333");
    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::ServiceQuotaExceededException(
                _
            ))
        ),
        "{error:?}"
    );
}

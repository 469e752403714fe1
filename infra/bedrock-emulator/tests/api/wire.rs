//! Wire details the SDK hides: status codes, headers, body shapes, encoding.

use bedrock_emulator::{ErrorKind, FaultSpec, Operation, OperationSelector};
use serde_json::json;

use crate::helpers::{NOVA_LITE_ARN, TestApp, profile_id, send_raw};

fn create_body(name: &str) -> String {
    json!({
        "inferenceProfileName": name,
        "modelSource": {"copyFrom": NOVA_LITE_ARN},
    })
    .to_string()
}

fn is_uuid_shaped(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

#[tokio::test]
async fn create_answers_201_with_arn_and_status() {
    let app = TestApp::start().await;

    let response = send_raw(
        app.addr(),
        "POST",
        "/inference-profiles",
        &create_body("tenant-1"),
    )
    .await;

    assert_eq!(response.status, 201, "{}", response.body);
    let body = response.json();
    assert_eq!(body["status"], "ACTIVE");
    assert!(
        body["inferenceProfileArn"]
            .as_str()
            .is_some_and(|arn| arn.contains(":application-inference-profile/"))
    );
    assert!(
        response
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/json"))
    );
}

#[tokio::test]
async fn every_response_has_request_id() {
    let app = TestApp::start().await;
    let requests = [
        ("POST", "/inference-profiles", create_body("tenant-1")),
        ("GET", "/inference-profiles", String::new()),
        ("GET", "/inference-profiles/zzzzzzzzzzzz", String::new()),
        ("POST", "/nope", String::new()),
        ("GET", "/_emulator/health", String::new()),
    ];

    for (method, path, body) in requests {
        let response = send_raw(app.addr(), method, path, &body).await;

        let request_id = response.header("x-amzn-requestid").unwrap_or_default();
        assert!(
            is_uuid_shaped(request_id),
            "{method} {path}: {request_id:?}"
        );
    }
}

#[tokio::test]
async fn error_has_type_header_and_message_body() {
    let app = TestApp::start().await;

    let response = send_raw(
        app.addr(),
        "POST",
        "/inference-profiles",
        &create_body("tenant.1"),
    )
    .await;

    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("ValidationException")
    );
    let body = response.json();
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("inferenceProfileName"), "{message}");
    assert_eq!(
        body.as_object().map(|object| object.len()),
        Some(1),
        "{body}"
    );
}

#[tokio::test]
async fn injected_error_looks_like_real_one() {
    let app = TestApp::start().await;
    let _ = app.create_profile("tenant-1").await;
    app.emulator().set_profile_quota(1);
    let _ = app.emulator().add_fault(FaultSpec {
        operation: OperationSelector::Only(Operation::CreateInferenceProfile),
        error: Some(ErrorKind::ServiceQuotaExceeded),
        count: Some(1),
        probability: None,
        latency_ms: None,
        message: Some("quota reached".to_owned()),
    });

    let injected = send_raw(
        app.addr(),
        "POST",
        "/inference-profiles",
        &create_body("tenant-2"),
    )
    .await;
    let real = send_raw(
        app.addr(),
        "POST",
        "/inference-profiles",
        &create_body("tenant-2"),
    )
    .await;

    assert_eq!(injected.status, real.status);
    assert_eq!(injected.status, 400);
    assert_eq!(
        injected.header("x-amzn-errortype"),
        real.header("x-amzn-errortype")
    );
    assert_eq!(injected.header("content-type"), real.header("content-type"));
    assert_eq!(injected.json(), json!({"message": "quota reached"}));
    assert!(real.json()["message"].is_string());
}

#[tokio::test]
async fn injected_status_codes_match_service() {
    let app = TestApp::start().await;
    let cases = [
        (ErrorKind::Throttling, 429),
        (ErrorKind::InternalServer, 500),
        (ErrorKind::AccessDenied, 403),
        (ErrorKind::ServiceQuotaExceeded, 400),
        (ErrorKind::ResourceNotFound, 404),
    ];

    for (kind, status) in cases {
        let _ = app.emulator().add_fault(FaultSpec {
            operation: OperationSelector::Any,
            error: Some(kind),
            count: Some(1),
            probability: None,
            latency_ms: None,
            message: None,
        });

        let response = send_raw(app.addr(), "GET", "/inference-profiles", "").await;

        assert_eq!(response.status, status, "{kind}");
        assert_eq!(
            response.header("x-amzn-errortype"),
            Some(kind.name()),
            "{kind}"
        );
        assert!(response.json()["message"].is_string(), "{kind}");
    }
}

#[tokio::test]
async fn malformed_json_is_serialization_error() {
    let app = TestApp::start().await;
    let cases = [
        ("/inference-profiles", "{not json"),
        ("/inference-profiles", r#"{"inferenceProfileName": 42}"#),
        ("/tagResource", "[]"),
    ];

    for (path, body) in cases {
        let response = send_raw(app.addr(), "POST", path, body).await;

        assert_eq!(response.status, 400, "{body}");
        assert_eq!(
            response.header("x-amzn-errortype"),
            Some("SerializationException"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn missing_members_are_validation_errors() {
    let app = TestApp::start().await;
    let cases = [
        ("/inference-profiles", ""),
        ("/inference-profiles", r#"{"inferenceProfileName":"t"}"#),
        (
            "/inference-profiles",
            r#"{"inferenceProfileName":"t","modelSource":{}}"#,
        ),
        ("/tagResource", r#"{"tags":[]}"#),
        (
            "/untagResource",
            r#"{"resourceARN":"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"}"#,
        ),
        ("/listTagsForResource", "{}"),
    ];

    for (path, body) in cases {
        let response = send_raw(app.addr(), "POST", path, body).await;

        assert_eq!(response.status, 400, "{path} {body}");
        assert_eq!(
            response.header("x-amzn-errortype"),
            Some("ValidationException"),
            "{path} {body}"
        );
    }
}

#[tokio::test]
async fn unknown_route_is_unknown_operation() {
    let app = TestApp::start().await;
    let cases = [
        ("GET", "/models"),
        ("PUT", "/inference-profiles"),
        ("PATCH", "/inference-profiles/abc"),
    ];

    for (method, path) in cases {
        let response = send_raw(app.addr(), method, path, "").await;

        assert_eq!(response.status, 404, "{method} {path}");
        assert_eq!(
            response.header("x-amzn-errortype"),
            Some("UnknownOperationException"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn get_decodes_percent_encoded_arn_once() {
    let app = TestApp::start().await;
    let created = send_raw(
        app.addr(),
        "POST",
        "/inference-profiles",
        &create_body("tenant-1"),
    )
    .await;
    let arn = created.json()["inferenceProfileArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let encoded = arn.replace(':', "%3A").replace('/', "%2F");
    let double_encoded = encoded.replace('%', "%25");

    let once = send_raw(
        app.addr(),
        "GET",
        &format!("/inference-profiles/{encoded}"),
        "",
    )
    .await;
    let twice = send_raw(
        app.addr(),
        "GET",
        &format!("/inference-profiles/{double_encoded}"),
        "",
    )
    .await;

    assert_eq!(once.status, 200, "{}", once.body);
    assert_eq!(once.json()["inferenceProfileId"], profile_id(&arn));
    assert_eq!(twice.status, 400, "{}", twice.body);
}

#[tokio::test]
async fn get_body_has_service_fields() {
    let app = TestApp::start().await;
    let body = json!({
        "inferenceProfileName": "tenant-1",
        "description": "Tenant 1",
        "modelSource": {"copyFrom": NOVA_LITE_ARN},
    });
    let created = send_raw(app.addr(), "POST", "/inference-profiles", &body.to_string()).await;
    let arn = created.json()["inferenceProfileArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let response = send_raw(
        app.addr(),
        "GET",
        &format!("/inference-profiles/{}", profile_id(&arn)),
        "",
    )
    .await;

    let profile = response.json();
    assert_eq!(profile["inferenceProfileName"], "tenant-1");
    assert_eq!(profile["description"], "Tenant 1");
    assert_eq!(profile["inferenceProfileArn"], arn.as_str());
    assert_eq!(profile["inferenceProfileId"], profile_id(&arn));
    assert_eq!(profile["models"], json!([{"modelArn": NOVA_LITE_ARN}]));
    assert_eq!(profile["status"], "ACTIVE");
    assert_eq!(profile["type"], "APPLICATION");
    assert!(
        profile["createdAt"]
            .as_str()
            .is_some_and(|text| text.ends_with("+00:00")),
        "{profile}"
    );
    assert!(profile["updatedAt"].is_string());
}

#[tokio::test]
async fn delete_answers_empty_body() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;

    let response = send_raw(
        app.addr(),
        "DELETE",
        &format!("/inference-profiles/{}", profile_id(&arn)),
        "",
    )
    .await;

    assert_eq!(response.status, 200);
    assert_eq!(response.body, "");
}

#[tokio::test]
async fn list_rejects_unknown_type() {
    let app = TestApp::start().await;

    let response = send_raw(app.addr(), "GET", "/inference-profiles?type=CUSTOM", "").await;

    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("ValidationException")
    );
}

#[tokio::test]
async fn list_rejects_non_integer_max_results() {
    let app = TestApp::start().await;

    let response = send_raw(app.addr(), "GET", "/inference-profiles?maxResults=ten", "").await;

    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("SerializationException")
    );
}

#[tokio::test]
async fn list_defaults_to_hundred_per_page() {
    let app = TestApp::start().await;
    app.emulator().set_profile_quota(200);
    for index in 0..101 {
        let response = send_raw(
            app.addr(),
            "POST",
            "/inference-profiles",
            &create_body(&format!("tenant-{index}")),
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.body);
    }

    let first = send_raw(
        app.addr(),
        "GET",
        "/inference-profiles?type=APPLICATION",
        "",
    )
    .await
    .json();

    assert_eq!(
        first["inferenceProfileSummaries"].as_array().map(Vec::len),
        Some(100)
    );
    assert!(first["nextToken"].is_string());
}

#[tokio::test]
async fn shutdown_finishes_with_idle_sdk_connection() {
    let app = TestApp::start().await;
    let _ = app.create_profile("tenant-1").await;
    let addr = app.addr();

    let stopped =
        tokio::time::timeout(std::time::Duration::from_secs(5), app.server.shutdown()).await;

    assert!(matches!(stopped, Ok(Ok(()))), "{stopped:?}");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

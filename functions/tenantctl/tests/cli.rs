//! The built `tenantctl` binary: exit statuses and output of `tags activate`
//! against a Cost Explorer stub on 127.0.0.1, and input errors that stop a
//! command before any AWS call.

use std::process::Output;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::process::Command;

/// Responds to UpdateCostAllocationTagsStatus (awsJson1_1) with an error for
/// the key `team` and success for every other key.
async fn update_tags_status(headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        target,
        "AWSInsightsIndexService.UpdateCostAllocationTagsStatus"
    );
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let errors: Vec<Value> = request["CostAllocationTagsStatus"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["TagKey"] == "team")
        .map(|entry| {
            json!({
                "TagKey": entry["TagKey"],
                "Code": "TagKeysNotFoundException",
                "Message": "The tag key was not found in billing data.",
            })
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
        json!({"Errors": errors}).to_string(),
    )
}

async fn start_stub() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/", post(update_tags_status));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    endpoint
}

/// Runs the binary with test credentials and only the Cost Explorer
/// endpoint set, so no call leaves 127.0.0.1.
async fn tenantctl(endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenantctl"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("TENANT_TABLE_NAME")
        .env_remove("PRICE_TABLE_FILE")
        .env("AWS_ENDPOINT_URL_COST_EXPLORER", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_activate_prints_key_error() {
    let endpoint = start_stub().await;

    let output = tenantctl(
        &endpoint,
        &["tags", "activate", "--key", "tenant-id", "--key", "team"],
    )
    .await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("tenant-id: activation requested (status Active)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("team: not activated: TagKeysNotFoundException: The tag key was not found in billing data."),
        "{stdout}"
    );
    assert!(stdout.contains("up to 24 hours"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_activate_succeeds_without_errors() {
    let endpoint = start_stub().await;

    let output = tenantctl(&endpoint, &["tags", "activate"]).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("tenant-id: activation requested"),
        "{stdout}"
    );
}

#[tokio::test]
async fn usage_reversed_range_exits_2() {
    let output = tenantctl(
        "http://127.0.0.1:9",
        &[
            "usage",
            "--table",
            "t",
            "--from",
            "2025-07-01",
            "--to",
            "2025-06-01",
        ],
    )
    .await;

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: invalid date range: --to 2025-06-01 must be after --from 2025-07-01"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn usage_missing_price_table_exits_2() {
    let output = tenantctl(
        "http://127.0.0.1:9",
        &[
            "usage",
            "--table",
            "t",
            "--from",
            "2025-06-01",
            "--to",
            "2025-07-01",
            "--prices",
            "/nonexistent/prices.json",
        ],
    )
    .await;

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid price table /nonexistent/prices.json"),
        "{stderr}"
    );
    assert!(stderr.contains("pass --prices FILE"), "{stderr}");
}

#[tokio::test]
async fn usage_without_table_exits_2() {
    let prices = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/prices.json");

    let output = tenantctl(
        "http://127.0.0.1:9",
        &[
            "usage",
            "--from",
            "2025-06-01",
            "--to",
            "2025-07-01",
            "--prices",
            prices,
        ],
    )
    .await;

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pass --table or set TENANT_TABLE_NAME"),
        "{stderr}"
    );
}

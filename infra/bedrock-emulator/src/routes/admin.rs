//! The `/_emulator` admin API, which is not part of AWS. Its errors use the
//! same shape as the emulated operations.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::request::parse_json_body;
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::FaultSpec;

pub(super) async fn add_fault(
    State(emulator): State<Emulator>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let spec: FaultSpec = match parse_json_body(body) {
        Ok(spec) => spec,
        Err(error) => return error.into_response(),
    };

    match emulator.add_fault(spec) {
        Ok(rule) => {
            tracing::info!(fault_id = rule.id, operation = %String::from(rule.spec.operation), "fault rule added");
            (StatusCode::CREATED, Json(rule)).into_response()
        }
        Err(error) => ApiError::validation(error.to_string()).into_response(),
    }
}

pub(super) async fn list_faults(State(emulator): State<Emulator>) -> Response {
    Json(json!({ "faults": emulator.faults() })).into_response()
}

pub(super) async fn clear_faults(State(emulator): State<Emulator>) -> Response {
    let cleared = emulator.clear_faults();
    tracing::info!(cleared, "fault rules cleared");
    Json(json!({ "cleared": cleared })).into_response()
}

pub(super) async fn remove_fault(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
) -> Response {
    let removed = id.parse::<u64>().is_ok_and(|id| emulator.remove_fault(id));
    if removed {
        tracing::info!(fault_id = id, "fault rule removed");
        return Json(json!({})).into_response();
    }
    ApiError::not_found(format!(
        "No fault rule has id '{id}'; GET /_emulator/faults lists the ids"
    ))
    .into_response()
}

pub(super) async fn calls(State(emulator): State<Emulator>) -> Response {
    Json(json!({ "operations": emulator.call_counts() })).into_response()
}

pub(super) async fn usage(State(emulator): State<Emulator>) -> Response {
    Json(json!({
        "models": emulator.usage(),
        "cloudWatch": {
            "endpoint": emulator.config().cloudwatch_endpoint,
            "putMetricData": emulator.metric_publish_counts(),
        },
    }))
    .into_response()
}

pub(super) async fn reset(State(emulator): State<Emulator>) -> Response {
    emulator.reset();
    tracing::info!("emulator state reset");
    Json(json!({})).into_response()
}

fn config_view(emulator: &Emulator) -> serde_json::Value {
    let config = emulator.config();
    json!({
        "accountId": config.account_id,
        "defaultRegion": config.default_region,
        "profileQuota": emulator.profile_quota(),
        "cloudwatchEndpoint": config.cloudwatch_endpoint,
    })
}

pub(super) async fn config(State(emulator): State<Emulator>) -> Response {
    Json(config_view(&emulator)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigUpdate {
    profile_quota: Option<usize>,
}

pub(super) async fn update_config(
    State(emulator): State<Emulator>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let update: ConfigUpdate = match parse_json_body(body) {
        Ok(update) => update,
        Err(error) => return error.into_response(),
    };

    if let Some(quota) = update.profile_quota {
        emulator.set_profile_quota(quota);
        tracing::info!(profile_quota = quota, "profile quota changed");
    }
    Json(config_view(&emulator)).into_response()
}

pub(super) async fn health() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

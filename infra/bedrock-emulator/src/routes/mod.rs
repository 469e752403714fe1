//! HTTP routes: the Bedrock operations, the admin API and shared middleware.

mod admin;
mod converse;
mod profiles;
mod request;
mod tags;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

use crate::emulator::Emulator;
use crate::error::{ApiError, ErrorKind, ErrorLogEntry};
use crate::faults::Operation;

/// Header with the request id that the SDK exposes as `request_id()`.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// Builds the router for `emulator`: Bedrock operations, `/_emulator` admin
/// routes, and UnknownOperationException for anything else.
///
/// The control plane (`bedrock`) and the runtime (`bedrock-runtime`) share
/// the server. Their paths do not overlap: the runtime's all start with
/// `/model/`, which no control-plane operation uses.
pub(crate) fn router(emulator: Emulator) -> Router {
    Router::new()
        .route(
            "/inference-profiles",
            post(profiles::create).get(profiles::list),
        )
        .route(
            "/inference-profiles/{identifier}",
            get(profiles::get).delete(profiles::delete),
        )
        .route("/tagResource", post(tags::tag_resource))
        .route("/untagResource", post(tags::untag_resource))
        .route("/listTagsForResource", post(tags::list_tags_for_resource))
        .route("/model/{model_id}/converse", post(converse::converse))
        .route(
            "/_emulator/faults",
            get(admin::list_faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route("/_emulator/faults/{id}", delete(admin::remove_fault))
        .route("/_emulator/calls", get(admin::calls))
        .route("/_emulator/usage", get(admin::usage))
        .route("/_emulator/reset", post(admin::reset))
        .route(
            "/_emulator/config",
            get(admin::config).put(admin::update_config),
        )
        .route("/_emulator/health", get(admin::health))
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation)
        .layer(middleware::from_fn(add_request_id))
        .with_state(emulator)
}

async fn unknown_operation(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorKind::UnknownOperation,
        format!("No operation matches {method} {}", uri.path()),
    )
}

/// Runs one operation: counts it, applies injected faults first so that a
/// failed request changes nothing, then runs `action` and counts the outcome.
pub(crate) async fn run_operation(
    emulator: &Emulator,
    operation: Operation,
    action: impl FnOnce() -> Result<Response, ApiError>,
) -> Response {
    let decision = emulator.fault_book().begin(operation);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }

    let result = match decision.error {
        Some(error) => Err(error),
        None => action(),
    };

    emulator.fault_book().finish(operation, result.is_ok());
    match result {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// Adds a random UUID-shaped `X-Amzn-Requestid` to every response and logs
/// each request with it.
async fn add_request_id(request: Request, next: Next) -> Response {
    let request_id = new_request_id();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();

    let mut response = next.run(request).await;

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let status = response.status().as_u16();
    match response.extensions().get::<ErrorLogEntry>() {
        Some(entry) if entry.injected => tracing::info!(
            %method, path, status, request_id, error_type = %entry.kind, error_message = entry.message,
            "injected fault returned"
        ),
        Some(entry) => tracing::info!(
            %method, path, status, request_id, error_type = %entry.kind, error_message = entry.message,
            "request failed"
        ),
        None => tracing::debug!(%method, path, status, request_id, "request served"),
    }
    response
}

/// Returns a random id in the 8-4-4-4-12 hex form of a version 4 UUID.
fn new_request_id() -> String {
    const VERSION_MASK: u128 = 0xf << 76;
    const VERSION_4: u128 = 0x4 << 76;
    const VARIANT_MASK: u128 = 0x3 << 62;
    const VARIANT_RFC: u128 = 0x2 << 62;

    // Set the version and variant bits that RFC 9562 gives random UUIDs.
    let mut bits = fastrand::u128(..);
    bits = (bits & !VERSION_MASK) | VERSION_4;
    bits = (bits & !VARIANT_MASK) | VARIANT_RFC;
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_uuid_v4_shaped() {
        let id = new_request_id();

        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(id.chars().nth(14), Some('4'), "{id}");
        assert!(
            matches!(id.chars().nth(19), Some('8' | '9' | 'a' | 'b')),
            "{id}"
        );
    }
}

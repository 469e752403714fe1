//! A local stand-in for the Cost Explorer API on 127.0.0.1.
//!
//! moto 5.2.6 implements neither UpdateCostAllocationTagsStatus nor
//! ListCostAllocationTags, and returns GetCostAndUsage results only from a
//! queue of canned results shared by the whole server. This stub responds
//! to each test from its own closure and records every request, so tests
//! can check what the real `aws-sdk-costexplorer` client sent.
//!
//! Cost Explorer speaks awsJson1_1: `POST /` with the operation in
//! `X-Amz-Target: AWSInsightsIndexService.<Operation>`, errors as a 400 with
//! `{"__type": ..., "message": ...}`.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::sdk_config;

const TARGET_PREFIX: &str = "AWSInsightsIndexService.";

/// What the stub sends back for one request.
pub enum StubResponse {
    Ok(Value),
    /// A modeled error, such as `LimitExceededException`, with HTTP 400.
    Error {
        error_type: String,
        message: String,
    },
}

/// One request as received: the operation name and the JSON body.
#[derive(Debug, Clone)]
pub struct StubRequest {
    pub operation: String,
    pub body: Value,
}

type Responder = dyn Fn(&str, &Value) -> StubResponse + Send + Sync;

struct Shared {
    respond: Box<Responder>,
    requests: Mutex<Vec<StubRequest>>,
}

pub struct CostExplorerStub {
    pub endpoint: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl CostExplorerStub {
    /// Starts the stub; `respond` gets the operation name and the request body.
    pub async fn start(
        respond: impl Fn(&str, &Value) -> StubResponse + Send + Sync + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            respond: Box::new(respond),
            requests: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let endpoint = format!(
            "http://{}",
            listener.local_addr().expect("the listener has an address")
        );
        let app = Router::new()
            .route("/", post(handle))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            // The server runs until the stub is dropped and aborts it.
            let _ = axum::serve(listener, app).await;
        });
        Self {
            endpoint,
            shared,
            server,
        }
    }

    /// SDK configuration with test credentials, pointed at the stub.
    pub async fn sdk_config(&self) -> SdkConfig {
        sdk_config(&self.endpoint).await
    }

    pub fn requests(&self) -> Vec<StubRequest> {
        self.shared
            .requests
            .lock()
            .expect("no test thread panicked holding the lock")
            .clone()
    }

    /// Requests of one operation, in arrival order.
    pub fn requests_of(&self, operation: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|request| request.operation == operation)
            .map(|request| request.body)
            .collect()
    }
}

impl Drop for CostExplorerStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn handle(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.strip_prefix(TARGET_PREFIX))
        .unwrap_or_default()
        .to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let response = (shared.respond)(&operation, &body);
    shared
        .requests
        .lock()
        .expect("no test thread panicked holding the lock")
        .push(StubRequest { operation, body });
    let (status, payload) = match response {
        StubResponse::Ok(payload) => (StatusCode::OK, payload),
        StubResponse::Error {
            error_type,
            message,
        } => (
            StatusCode::BAD_REQUEST,
            json!({"__type": error_type, "message": message}),
        ),
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
        payload.to_string(),
    )
        .into_response()
}

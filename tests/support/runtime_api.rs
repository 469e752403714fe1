//! A minimal Lambda Runtime API (the `2018-06-01` HTTP interface) on
//! 127.0.0.1, so a function binary can be driven through the same runtime
//! path it uses on Lambda: `next` long-polls for an event, then the
//! function posts a `response` or an `error` for that request id.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Result the function posted for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response(Value),
    /// The error body: `{"errorType": ..., "errorMessage": ...}`.
    Error(Value),
}

struct Shared {
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    /// When each `next` request arrived, for measuring a function's init time.
    arrivals: mpsc::UnboundedSender<Instant>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<Value>>,
}

/// A running Runtime API stub.
pub struct RuntimeApi {
    address: SocketAddr,
    sender: mpsc::UnboundedSender<(String, Value)>,
    arrivals: tokio::sync::Mutex<mpsc::UnboundedReceiver<Instant>>,
    shared: Arc<Shared>,
    next_request: Mutex<u64>,
}

impl RuntimeApi {
    /// Starts the stub on a free 127.0.0.1 port; panics when none is free.
    pub async fn start() -> Self {
        Self::try_start().await.expect("a loopback port is free")
    }

    /// Starts the stub on a free 127.0.0.1 port.
    pub async fn try_start() -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (arrival_sender, arrivals) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: tokio::sync::Mutex::new(receiver),
            arrivals: arrival_sender,
            waiting: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self {
            address,
            sender,
            arrivals: tokio::sync::Mutex::new(arrivals),
            shared,
            next_request: Mutex::new(0),
        })
    }

    /// Returns the value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// The environment Lambda gives a function, besides AWS credentials.
    pub fn lambda_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_LAMBDA_RUNTIME_API", self.address()),
            ("AWS_LAMBDA_FUNCTION_NAME", "onboard".to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                "/aws/lambda/onboard".to_owned(),
            ),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "local".to_owned()),
        ]
    }

    /// Waits for the next `next` request from any function process and
    /// returns when it arrived; `None` on timeout.
    pub async fn next_arrival(&self, timeout: Duration) -> Option<Instant> {
        let mut arrivals = self.arrivals.lock().await;
        tokio::time::timeout(timeout, arrivals.recv())
            .await
            .ok()
            .flatten()
    }

    /// Queues an event and waits for the function's response or error.
    pub async fn invoke(&self, payload: Value, timeout: Duration) -> Option<Outcome> {
        let request_id = {
            let mut counter = self.next_request.lock().unwrap_or_else(|e| e.into_inner());
            *counter += 1;
            format!("00000000-0000-4000-8000-{:012}", *counter)
        };
        let (sender, receiver) = oneshot::channel();
        self.shared
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(request_id.clone(), sender);
        self.sender.send((request_id, payload)).ok()?;
        tokio::time::timeout(timeout, receiver).await.ok()?.ok()
    }

    /// The body the function posted to `init/error`, if it failed to start.
    pub fn init_error(&self) -> Option<Value> {
        self.shared
            .init_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let _ = shared.arrivals.send(Instant::now());
    let Some((request_id, payload)) = shared.events.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|now| now.as_millis() + 300_000)
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    let pairs = [
        ("lambda-runtime-aws-request-id", request_id),
        // awslambdaric (the Python runtime client) decodes the event as JSON
        // only when the content type says JSON.
        ("content-type", "application/json".to_owned()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:111122223333:function:onboard".to_owned(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned(),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    (StatusCode::OK, headers, payload.to_string())
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    finish(&shared, &id, Outcome::Response(parse(&body)))
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    finish(&shared, &id, Outcome::Error(parse(&body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    eprintln!("a function reported an init error: {body}");
    *shared.init_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(parse(&body));
    StatusCode::ACCEPTED
}

fn finish(shared: &Shared, id: &str, outcome: Outcome) -> StatusCode {
    let waiter = shared
        .waiting
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(id);
    match waiter {
        Some(sender) => {
            let _ = sender.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()))
}

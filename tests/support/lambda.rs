//! Delivery as Lambda's asynchronous invocation does it: a failed invocation is retried.

use std::future::Future;

use serde_json::Value;
use tenancy::handler::HandlerError;

/// Invokes `handle` until it returns normally, at most `attempts` times, as
/// Lambda retries a failed asynchronous invocation. Returns the response and
/// the number of failed attempts before it.
pub async fn deliver<F, Fut>(attempts: usize, mut handle: F) -> (Result<Value, HandlerError>, usize)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Value, HandlerError>>,
{
    let mut failures = 0;
    loop {
        match handle().await {
            Ok(response) => return (Ok(response), failures),
            Err(error) if failures + 1 >= attempts => return (Err(error), failures + 1),
            Err(_) => failures += 1,
        }
    }
}

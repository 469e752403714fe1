//! Delivery as Lambda's asynchronous invocation does it: a failed invocation is retried.

use std::future::Future;
use std::time::Duration;

/// Pause before each redelivery. Lambda waits a minute or more between the
/// retries of an asynchronous invocation. A short pause keeps that order of
/// events, because the competing invocation runs on meanwhile, without
/// slowing the tests down.
const REDELIVERY_DELAY: Duration = Duration::from_millis(200);

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
            Err(_) => {
                failures += 1;
                tokio::time::sleep(REDELIVERY_DELAY * failures as u32).await;
            }
        }
    }
}

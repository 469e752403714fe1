//! Sample events from `events/`, re-addressed to a test's own tenant.

use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;

use crate::repo_file;

/// Reads `events/{name}.json`.
pub fn sample(name: &str) -> Value {
    let path = repo_file(&format!("events/{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Returns a sample event with its tenant id and event id replaced, so that tests
/// sharing one moto server never touch each other's roles.
pub fn for_tenant(name: &str, tenant_id: &str) -> Value {
    let mut event = sample(name);
    event["id"] = Value::String(format!(
        "{:08x}-0000-4000-8000-{:012x}",
        fastrand::u32(..),
        fastrand::u64(..1 << 48)
    ));
    event["detail"]["tenantId"] = Value::String(tenant_id.to_owned());
    event
}

/// Returns a tenant id unique to this test run.
pub fn unique_tenant(prefix: &str) -> String {
    format!("{prefix}-{:08x}", fastrand::u32(..))
}

/// Wraps a payload as the Lambda runtime would hand it to the handler.
pub fn invocation(payload: Value) -> LambdaEvent<Value> {
    LambdaEvent::new(payload, Context::default())
}

//! Example request-path Lambda: JWT → tenant profile → Bedrock Converse.

// The handler future nests the resolver, DynamoDB and Converse futures;
// computing its layout needs more than the default query depth of 128.
#![recursion_limit = "256"]

use std::time::Duration;

use invoke::{InvokeHandler, JwtVerifier};
use lambda_runtime::{Error, run, service_fn, tracing};
use tenancy::aws::{DynamoRegistry, load_sdk_config};
use tenancy::config::RetrySettings;
use tenant_resolver::Resolver;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let table = required("TENANT_TABLE_NAME")?;
    let verifier = verifier_from_env()?;
    let ttl = std::env::var("RESOLVER_TTL_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let sdk = load_sdk_config(RetrySettings {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(100),
    })
    .await;
    let registry = DynamoRegistry::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let handler = InvokeHandler::new(
        verifier,
        Resolver::new(registry, Duration::from_secs(ttl)),
        sdk,
    );
    run(service_fn(|event| handler.handle(event))).await
}

fn required(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("environment variable {name} is not set").into())
}

/// `JWT_RS256_PUBLIC_KEY` (PEM) takes precedence over `JWT_HS256_SECRET`.
fn verifier_from_env() -> Result<JwtVerifier, Error> {
    let issuer = required("JWT_ISSUER")?;
    let audience = required("JWT_AUDIENCE")?;
    let claim = std::env::var("JWT_TENANT_CLAIM").unwrap_or_else(|_| "tenant_id".to_owned());
    if let Ok(pem) = std::env::var("JWT_RS256_PUBLIC_KEY") {
        return Ok(JwtVerifier::rs256(
            pem.as_bytes(),
            &issuer,
            &audience,
            &claim,
        )?);
    }
    let secret = required("JWT_HS256_SECRET")?;
    Ok(JwtVerifier::hs256(
        secret.as_bytes(),
        &issuer,
        &audience,
        &claim,
    )?)
}

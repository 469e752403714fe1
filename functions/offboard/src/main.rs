//! Offboarding Lambda: deletes a tenant's role and profiles and leaves a registry tombstone.

use lambda_runtime::{Error, run, service_fn, tracing};
use tenancy::Config;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let handler = tenancy::offboard_handler(config).await;
    run(service_fn(|event| handler.handle(event))).await
}

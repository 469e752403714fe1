//! `tenantctl`: the operator's command line for the tenant registry.

use std::process::ExitCode;

use clap::Parser;
use tenancy::aws::load_sdk_config;
use tenancy::config::RetrySettings;
use tenantctl::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let sdk = load_sdk_config(RetrySettings {
        max_attempts: 5,
        initial_backoff: std::time::Duration::from_millis(200),
    })
    .await;
    match tenantctl::run(cli, &sdk, &mut std::io::stdout(), &mut std::io::stderr()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

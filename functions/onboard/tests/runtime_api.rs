//! The built `onboard` binary, driven through the Lambda Runtime API as Lambda
//! drives it, with its AWS clients pointed at the local stack only through
//! `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_BEDROCK`.

use std::process::Stdio;
use std::time::Duration;

use integration_tests::LocalStack;
use integration_tests::events::{for_tenant, sample, unique_tenant};
use integration_tests::moto;
use integration_tests::runtime_api::{Outcome, RuntimeApi};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_serves_events_through_runtime_api() {
    let stack = LocalStack::start().await;
    let runtime = RuntimeApi::start().await;
    let tenant = unique_tenant("acme");
    let mut function = Command::new(env!("CARGO_BIN_EXE_onboard"))
        .env_clear()
        .envs(stack.function_env())
        .envs(runtime.lambda_env())
        .env("AWS_ENDPOINT_URL", moto::endpoint())
        .env("AWS_ENDPOINT_URL_BEDROCK", stack.emulator.endpoint_url())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the onboard binary starts");

    // Drain the pipes while the function runs, so a full pipe never blocks it.
    let stdout = function.stdout.take().map(|mut pipe| {
        tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        })
    });
    let stderr = function.stderr.take().map(|mut pipe| {
        tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        })
    });

    let rejected = runtime
        .invoke(sample("invalid/no-envelope"), INVOCATION_TIMEOUT)
        .await;
    let provisioned = runtime
        .invoke(for_tenant("tenant-signup", &tenant), INVOCATION_TIMEOUT)
        .await;
    function.start_kill().expect("the function stops");
    function
        .wait()
        .await
        .expect("the function exits after the kill");
    let mut logs = String::new();
    for pipe in [stdout, stderr].into_iter().flatten() {
        logs.push_str(&pipe.await.expect("the pipe reader finishes"));
    }

    assert_eq!(runtime.init_error(), None, "{logs}");
    let Some(Outcome::Error(error)) = rejected else {
        panic!("expected an error for a payload without envelope, got {rejected:?}\n{logs}");
    };
    assert_eq!(error["errorType"], "InvalidEnvelope");
    let Some(Outcome::Response(response)) = provisioned else {
        panic!("expected a response after the rejected payload, got {provisioned:?}\n{logs}");
    };
    assert_eq!(response["outcome"], "provisioned", "{response}");
    assert_eq!(stack.application_profiles().await.len(), 2);
    assert!(logs.contains(&tenant), "logs name the tenant id");
    for personal in ["admin@acme.example", "Acme Corporation"] {
        assert!(
            !logs.contains(personal),
            "logs must not contain {personal:?}:\n{logs}"
        );
    }
}

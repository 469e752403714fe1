//! The built `onboard` binary, driven through the Lambda Runtime API as Lambda
//! drives it, with its AWS clients pointed at the local stack only through
//! `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_BEDROCK`.

use std::process::Stdio;
use std::time::Duration;

use integration_tests::LocalStack;
use integration_tests::events::{for_tenant, sample, unique_tenant};
use integration_tests::moto;
use integration_tests::runtime_api::{Outcome, RuntimeApi};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};
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

/// Runs the built binary against `stack`, invokes it once per event in
/// order, and returns each outcome with everything the binary logged.
/// The tenancy crate logs at DEBUG so that every line it can write is seen.
async fn run_binary(stack: &LocalStack, events: Vec<Value>) -> (Vec<Option<Outcome>>, String) {
    let runtime = RuntimeApi::start().await;
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
        .env("RUST_LOG", "info,tenancy=debug,onboard=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the onboard binary starts");
    let readers: Vec<_> = [
        function
            .stdout
            .take()
            .map(|pipe| Box::new(pipe) as Box<dyn AsyncRead + Send + Unpin>),
        function
            .stderr
            .take()
            .map(|pipe| Box::new(pipe) as Box<dyn AsyncRead + Send + Unpin>),
    ]
    .into_iter()
    .flatten()
    .map(|mut pipe| {
        tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        })
    })
    .collect();

    let mut outcomes = Vec::new();
    for event in events {
        outcomes.push(runtime.invoke(event, INVOCATION_TIMEOUT).await);
    }
    function.start_kill().expect("the function stops");
    function
        .wait()
        .await
        .expect("the function exits after the kill");
    let mut logs = String::new();
    for reader in readers {
        logs.push_str(&reader.await.expect("the pipe reader finishes"));
    }
    assert_eq!(runtime.init_error(), None, "{logs}");
    (outcomes, logs)
}

fn rejected_message(outcome: &Option<Outcome>, logs: &str) -> String {
    let Some(Outcome::Response(response)) = outcome else {
        panic!("expected a response, got {outcome:?}\n{logs}");
    };
    assert_eq!(response["outcome"], "rejected", "{response}");
    response["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_signup_logs_no_personal_data() {
    let stack = LocalStack::start().await;
    let mut bad_tier = for_tenant("tenant-signup", &unique_tenant("acme"));
    bad_tier["detail"]["tier"] = json!("platinum");
    let mut bad_models = for_tenant("sbt-onboarding-request", &unique_tenant("sbt"));
    bad_models["detail"]["models"] = json!(["claude-sonnet-4"]);

    let (outcomes, logs) = run_binary(&stack, vec![bad_tier, bad_models]).await;

    assert!(rejected_message(&outcomes[0], &logs).starts_with("detail.tier"));
    assert!(rejected_message(&outcomes[1], &logs).starts_with("detail.models[0]"));
    assert!(
        logs.contains("rejected"),
        "the rejections are logged:\n{logs}"
    );
    for personal in [
        "admin@acme.example",
        "Acme Corporation",
        "it@initech.example",
        "initech",
    ] {
        assert!(
            !logs.contains(personal),
            "logs must not contain {personal:?}:\n{logs}"
        );
    }
}

// A control plane that sends an email address where the tenant id belongs
// must not get that address into the logs. The failure event and the
// response may keep it, because they go back to the sender.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_email_tenant_id_not_logged() {
    let stack = LocalStack::start().await;
    let mut event = for_tenant("tenant-signup", "admin@acme.example,inc");
    event["detail"]["email"] = json!("billing@acme.example");

    let (outcomes, logs) = run_binary(&stack, vec![event]).await;

    assert!(rejected_message(&outcomes[0], &logs).starts_with("detail.tenantId"));
    for personal in ["admin@acme.example", "billing@acme.example"] {
        assert!(
            !logs.contains(personal),
            "logs must not contain {personal:?}:\n{logs}"
        );
    }
}

//! Starting the onboarding function, Rust or Python, as Lambda would, and
//! measuring its init time, one invocation and its peak memory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::Error;
use crate::stack::Stack;
use integration_tests::runtime_api::{Outcome, RuntimeApi};

/// How long a function may take to reach its first `next` request.
const INIT_TIMEOUT: Duration = Duration::from_secs(30);
pub const INVOCATION_TIMEOUT: Duration = Duration::from_secs(300);

/// A way to run the onboarding function.
pub enum Function {
    /// The release `bootstrap` binary.
    Rust(PathBuf),
    /// `python -m awslambdaric onboard.handler` in the baseline's folder,
    /// the runtime loop of AWS's Python base images.
    Python { python: PathBuf, task_root: PathBuf },
}

impl Function {
    pub fn name(&self) -> &'static str {
        match self {
            Function::Rust(_) => "Rust",
            Function::Python { .. } => "Python",
        }
    }

    /// Starts one function process with only `env`, as Lambda starts a
    /// runtime with only its configured and reserved variables.
    pub fn spawn(&self, env: &[(String, String)], log: Option<&Path>) -> Result<Child, Error> {
        let mut command = match self {
            Function::Rust(binary) => {
                let mut command = Command::new(binary);
                command.env_clear();
                command
            }
            Function::Python { python, task_root } => {
                let mut command = Command::new(python);
                command
                    .env_clear()
                    .env("LAMBDA_TASK_ROOT", task_root)
                    .args(["-m", "awslambdaric", "onboard.handler"])
                    .current_dir(task_root);
                command
            }
        };
        let (stdout, stderr) = match log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                (Stdio::from(file.try_clone()?), Stdio::from(file))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        Ok(command
            .envs(env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()?)
    }
}

/// The function's environment: the stack's function variables, what Lambda
/// adds (AWS_DEFAULT_REGION, the Runtime API) and no shared AWS config files.
pub fn function_env(
    stack: &Stack,
    runtime: &RuntimeApi,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = stack
        .function_env
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let region = stack
        .function_env
        .get("AWS_REGION")
        .cloned()
        .unwrap_or_default();
    env.push(("AWS_DEFAULT_REGION".to_owned(), region));
    env.push(("AWS_CONFIG_FILE".to_owned(), "/nonexistent".to_owned()));
    env.push((
        "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
        "/nonexistent".to_owned(),
    ));
    env.extend(
        runtime
            .lambda_env()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    env.extend(
        extra
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    env
}

/// Starts the function `starts + 1` times and returns, for all but the first
/// (which only warms the page cache), the time from spawning the process to
/// its first `GET /2018-06-01/runtime/invocation/next`.
pub async fn init_times(
    function: &Function,
    stack: &Stack,
    extra: &[(&str, &str)],
    starts: usize,
) -> Result<Vec<Duration>, Error> {
    let runtime = RuntimeApi::try_start().await?;
    let env = function_env(stack, &runtime, extra);
    let mut times = Vec::with_capacity(starts);
    for start in 0..=starts {
        let spawned = Instant::now();
        let mut child = function.spawn(&env, None)?;
        let arrival = runtime.next_arrival(INIT_TIMEOUT).await;
        child.start_kill()?;
        child.wait().await?;
        let Some(arrival) = arrival else {
            return Err(format!(
                "{}: start {start} sent no `next` request within {INIT_TIMEOUT:?}",
                function.name()
            )
            .into());
        };
        if start > 0 {
            times.push(arrival.saturating_duration_since(spawned));
        }
    }
    Ok(times)
}

/// Cost of one onboarding.
pub struct Single {
    /// From queuing the event to the function's response; init excluded.
    pub wall: Duration,
    pub moto_calls: usize,
    pub bedrock_calls: u64,
    /// VmHWM of the function process after the invocation, in KiB.
    pub peak_rss_kib: u64,
}

/// Onboards `tenant` once through a fresh function process.
pub async fn onboard_once(
    function: &Function,
    stack: &Stack,
    extra: &[(&str, &str)],
    event: Value,
    log: &Path,
) -> Result<Single, Error> {
    let runtime = RuntimeApi::try_start().await?;
    let env = function_env(stack, &runtime, extra);
    let mut child = function.spawn(&env, Some(log))?;
    if runtime.next_arrival(INIT_TIMEOUT).await.is_none() {
        return Err(format!(
            "{}: no `next` request within {INIT_TIMEOUT:?}; see {}",
            function.name(),
            log.display()
        )
        .into());
    }
    let moto_before = stack.moto_requests()?;
    let bedrock_before = stack.bedrock_calls("received").await?;

    let started = Instant::now();
    let outcome = runtime.invoke(event, INVOCATION_TIMEOUT).await;
    let wall = started.elapsed();
    // werkzeug writes its request line after the response, so let it land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let moto_calls = stack.moto_requests()? - moto_before;
    let bedrock_calls = stack.bedrock_calls("received").await? - bedrock_before;
    let peak_rss_kib = child
        .id()
        .map(peak_rss_kib)
        .transpose()?
        .unwrap_or_default();
    child.start_kill()?;
    child.wait().await?;

    match outcome {
        Some(Outcome::Response(response)) if response["outcome"] == json!("provisioned") => {
            Ok(Single {
                wall,
                moto_calls,
                bedrock_calls,
                peak_rss_kib,
            })
        }
        other => Err(format!(
            "{}: expected a provisioned response, got {other:?}; see {}",
            function.name(),
            log.display()
        )
        .into()),
    }
}

/// Reads the process's peak resident set size (VmHWM in /proc/PID/status), in KiB.
fn peak_rss_kib(pid: u32) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("/proc/{pid}/status has no VmHWM line").into())
}

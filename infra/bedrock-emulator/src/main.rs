//! `bedrock-emulator`: serves the Bedrock emulator until SIGTERM or SIGINT.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bedrock_emulator::{DEFAULT_ACCOUNT_ID, DEFAULT_PROFILE_QUOTA, DEFAULT_REGION, EmulatorConfig};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Local emulator of the Amazon Bedrock inference-profile control plane and
/// the runtime's Converse operation.
#[derive(Debug, Parser)]
#[command(name = "bedrock-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// 12-digit account id put into every ARN.
    #[arg(long, default_value = DEFAULT_ACCOUNT_ID)]
    account_id: String,

    /// Region for requests whose SigV4 credential scope names none.
    #[arg(long, default_value = DEFAULT_REGION)]
    region: String,

    /// Maximum number of application inference profiles per region.
    #[arg(long, default_value_t = DEFAULT_PROFILE_QUOTA)]
    profile_quota: usize,

    /// Base URL of a CloudWatch endpoint, such as moto's, that receives the
    /// usage metrics of each Converse call (namespace AWS/Bedrock). Without
    /// it, usage is kept only in memory (GET /_emulator/usage).
    #[arg(long, value_name = "URL")]
    cloudwatch_endpoint: Option<String>,

    /// File to write the bound port to once listening, removed on shutdown.
    #[arg(long)]
    port_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "bedrock emulator failed");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> std::io::Result<()> {
    let config = EmulatorConfig {
        account_id: args.account_id,
        default_region: args.region,
        profile_quota: args.profile_quota,
        cloudwatch_endpoint: args.cloudwatch_endpoint,
    };
    let running = bedrock_emulator::start_on(args.listen, config).await?;
    if let Some(path) = &args.port_file {
        write_port_file(path, running.local_addr().port())?;
    }

    let signal = wait_for_shutdown_signal().await?;
    tracing::info!(signal, "shutting down");

    let result = running.shutdown().await;
    if let Some(path) = &args.port_file
        && let Err(error) = std::fs::remove_file(path)
    {
        tracing::warn!(%error, path = %path.display(), "failed to remove port file");
    }
    result
}

/// Writes `port` to a temporary file and renames it to `path`, so a reader
/// polling for `path` never sees a partial number.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, format!("{port}\n"))?;
    std::fs::rename(&temporary, path)
}

#[cfg(unix)]
async fn wait_for_shutdown_signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};

    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT"),
        _ = terminate.recv() => Ok("SIGTERM"),
    }
}

#[cfg(not(unix))]
async fn wait_for_shutdown_signal() -> std::io::Result<&'static str> {
    tokio::signal::ctrl_c().await.map(|()| "ctrl-c")
}

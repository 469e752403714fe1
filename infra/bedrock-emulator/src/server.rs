//! Starting and stopping the HTTP server on the current tokio runtime.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::EmulatorConfig;
use crate::emulator::Emulator;

/// A server task serving one [`Emulator`]. Dropping it stops the server in
/// the background, while [`RunningEmulator::shutdown`] waits for the stop.
#[derive(Debug)]
pub struct RunningEmulator {
    emulator: Emulator,
    local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

/// Starts an emulator on a free port of 127.0.0.1.
pub async fn start(config: EmulatorConfig) -> io::Result<RunningEmulator> {
    start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
}

/// Starts an emulator listening on `addr` (port 0 picks a free port).
pub async fn start_on(addr: SocketAddr, config: EmulatorConfig) -> io::Result<RunningEmulator> {
    let emulator = Emulator::new(config)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let listener = TcpListener::bind(addr).await?;
    serve(listener, emulator)
}

/// Serves `emulator` on an already bound `listener`. Call it from within a
/// tokio runtime, which runs the server task.
pub fn serve(listener: TcpListener, emulator: Emulator) -> io::Result<RunningEmulator> {
    let local_addr = listener.local_addr()?;
    let (shutdown, shutdown_requested) = oneshot::channel::<()>();
    let router = emulator.router();

    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                // A dropped sender also stops the server.
                let _ = shutdown_requested.await;
            })
            .await
    });

    tracing::info!(
        %local_addr,
        account_id = emulator.config().account_id,
        default_region = emulator.config().default_region,
        profile_quota = emulator.profile_quota(),
        cloudwatch_endpoint = emulator.config().cloudwatch_endpoint.as_deref().unwrap_or("none"),
        "bedrock emulator listening"
    );
    Ok(RunningEmulator {
        emulator,
        local_addr,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

impl RunningEmulator {
    /// Address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Base URL for an SDK's `endpoint_url`, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Handle to the served state, for fault injection and inspection in-process.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Stops accepting connections, lets open requests finish and waits for
    /// the server task to end.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let result = task.await.map_err(io::Error::other)?;
        tracing::info!(local_addr = %self.local_addr, "bedrock emulator stopped");
        result
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

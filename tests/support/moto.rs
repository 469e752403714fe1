//! One moto server per test process, started on first use.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::ACCOUNT_ID;

/// How long moto may take to import and bind (about 3 s on a 2-core machine).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

static ENDPOINT: OnceLock<String> = OnceLock::new();

/// The endpoint of a running moto server: `MOTO_ENDPOINT_URL` when the caller
/// (for example `make test`) started one, else a server this process starts.
///
/// The started server is watched by a shell loop that stops it once this
/// test process has exited, so no moto outlives a run.
pub fn endpoint() -> &'static str {
    ENDPOINT.get_or_init(|| {
        if let Ok(url) = std::env::var("MOTO_ENDPOINT_URL") {
            return url;
        }
        start().unwrap_or_else(|message| panic!("{message}"))
    })
}

fn start() -> Result<String, String> {
    let server = moto_server_path();
    if !server.is_file() {
        return Err(format!(
            "moto_server not found at {}; run `make test` (it installs the pinned tools), or set MOTO_SERVER or MOTO_ENDPOINT_URL",
            server.display()
        ));
    }
    let port = free_port().map_err(|error| format!("no free loopback port for moto: {error}"))?;
    // $PPID of the shell is this test process: once it is gone, stop moto.
    let script = format!(
        "\"$0\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & moto=$!; \
         while kill -0 $PPID 2>/dev/null; do sleep 1; done; kill $moto"
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&server)
        .env("MOTO_ACCOUNT_ID", ACCOUNT_ID)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", server.display()))?;

    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        if started.elapsed() > STARTUP_TIMEOUT {
            return Err(format!(
                "moto did not listen on {address} within {STARTUP_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(format!("http://{address}"))
}

fn moto_server_path() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let tools = std::env::var_os("TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/tenant-profiles"))
        })
        .unwrap_or_else(|| PathBuf::from(".cache/tenant-profiles"));
    tools.join("venv/bin/moto_server")
}

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

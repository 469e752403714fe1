//! The local AWS stack that `infra/local/stack.sh` started: the function
//! environment it wrote, moto's request log and the emulator's admin API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Error;

pub struct Stack {
    /// `$STACK_DIR/function.env`, parsed: the variables a deployed function gets.
    pub function_env: BTreeMap<String, String>,
    moto_log: PathBuf,
    /// `host:port` of the Bedrock emulator.
    emulator: String,
}

impl Stack {
    pub fn open(stack_dir: &Path) -> Result<Self, Error> {
        let path = stack_dir.join("function.env");
        let text = std::fs::read_to_string(&path).map_err(|error| {
            format!(
                "cannot read {}: {error}; run `infra/local/stack.sh resources` first",
                path.display()
            )
        })?;
        let function_env: BTreeMap<String, String> = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.trim_matches('\'').to_owned()))
            .collect();
        let emulator = function_env
            .get("AWS_ENDPOINT_URL_BEDROCK")
            .and_then(|url| url.strip_prefix("http://"))
            .ok_or_else(|| format!("{} has no http AWS_ENDPOINT_URL_BEDROCK", path.display()))?
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            function_env,
            moto_log: stack_dir.join("moto.log"),
            emulator,
        })
    }

    /// Requests moto has logged so far: werkzeug writes one line per request.
    pub fn moto_requests(&self) -> Result<usize, Error> {
        let log = std::fs::read_to_string(&self.moto_log)
            .map_err(|error| format!("cannot read {}: {error}", self.moto_log.display()))?;
        Ok(log
            .lines()
            .filter(|line| line.contains(" HTTP/1.1\" "))
            .count())
    }

    /// Sums one field of every operation's counters in `GET /_emulator/calls`.
    pub async fn bedrock_calls(&self, field: &str) -> Result<u64, Error> {
        let calls = self.emulator_admin("GET", "/_emulator/calls", None).await?;
        let operations = calls["operations"]
            .as_object()
            .ok_or_else(|| format!("unexpected /_emulator/calls body: {calls}"))?;
        Ok(operations
            .values()
            .filter_map(|counts| counts[field].as_u64())
            .sum())
    }

    /// Fails `probability` of the requests to `operation` with a ThrottlingException.
    pub async fn throttle(&self, operation: &str, probability: f64) -> Result<(), Error> {
        let body = serde_json::json!({
            "operation": operation,
            "error": "ThrottlingException",
            "probability": probability,
        });
        self.emulator_admin("POST", "/_emulator/faults", Some(&body.to_string()))
            .await?;
        Ok(())
    }

    /// Sets the emulator's application-profile quota per region, as a raised
    /// Service Quotas value would (Bedrock's default is 1,000).
    pub async fn set_profile_quota(&self, quota: usize) -> Result<(), Error> {
        let body = serde_json::json!({ "profileQuota": quota });
        self.emulator_admin("PUT", "/_emulator/config", Some(&body.to_string()))
            .await?;
        Ok(())
    }

    pub async fn clear_faults(&self) -> Result<(), Error> {
        self.emulator_admin("DELETE", "/_emulator/faults", None)
            .await?;
        Ok(())
    }

    /// One HTTP/1.1 request with `Connection: close`; the admin API answers JSON.
    async fn emulator_admin(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Value, Error> {
        let body = body.unwrap_or("");
        let mut stream = TcpStream::connect(&self.emulator).await?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.emulator,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        let (head, payload) = response
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("{method} {path}: malformed response {response:?}"))?;
        let status = head.split(' ').nth(1).unwrap_or_default();
        if !status.starts_with('2') {
            return Err(format!("{method} {path} failed with status {status}: {payload}").into());
        }
        Ok(serde_json::from_str(payload).unwrap_or(Value::Null))
    }
}

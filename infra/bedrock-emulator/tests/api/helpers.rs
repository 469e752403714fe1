//! Shared setup: an in-process emulator, a real SDK client pointed at it, and
//! a minimal raw HTTP/1.1 client for checking the wire format itself.

use std::net::SocketAddr;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_bedrock::Client;
use aws_sdk_bedrock::types::{InferenceProfileModelSource, Tag};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use bedrock_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ACCOUNT_ID: &str = "111122223333";
pub const NOVA_LITE_ARN: &str = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";
pub const SONNET_4_US_PROFILE_ARN: &str = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0";

/// A running emulator with a control-plane and a runtime SDK client for it
/// in us-east-1, both with retries off.
pub struct TestApp {
    pub server: RunningEmulator,
    pub client: Client,
    pub runtime: aws_sdk_bedrockruntime::Client,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> TestApp {
        let server = bedrock_emulator::start(config)
            .await
            .unwrap_or_else(|error| panic!("failed to start the emulator: {error}"));
        let config = sdk_config(&server.endpoint_url(), "us-east-1", RetryConfig::disabled()).await;
        TestApp {
            server,
            client: Client::new(&config),
            runtime: aws_sdk_bedrockruntime::Client::new(&config),
        }
    }

    pub fn emulator(&self) -> &Emulator {
        self.server.emulator()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Creates a profile copied from Nova Lite and returns its ARN.
    pub async fn create_profile(&self, name: &str) -> String {
        let output = self
            .client
            .create_inference_profile()
            .inference_profile_name(name)
            .model_source(copy_from(NOVA_LITE_ARN))
            .send()
            .await
            .unwrap_or_else(|error| panic!("failed to create profile {name}: {error:?}"));
        output.inference_profile_arn().to_owned()
    }
}

/// Builds an SDK client for `endpoint_url` that signs for `region`.
pub async fn sdk_client(endpoint_url: &str, region: &str, retry_config: RetryConfig) -> Client {
    Client::new(&sdk_config(endpoint_url, region, retry_config).await)
}

/// Builds SDK settings for `endpoint_url` that sign for `region`, shared
/// by the control-plane and runtime clients.
pub async fn sdk_config(endpoint_url: &str, region: &str, retry_config: RetryConfig) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_owned()))
        .endpoint_url(endpoint_url)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .http_client(http_client)
        .retry_config(retry_config)
        .load()
        .await
}

pub fn copy_from(arn: &str) -> InferenceProfileModelSource {
    InferenceProfileModelSource::CopyFrom(arn.to_owned())
}

pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder()
        .key(key)
        .value(value)
        .build()
        .unwrap_or_else(|error| panic!("invalid test tag: {error}"))
}

/// Id of an application profile ARN (the part after the last `/`).
pub fn profile_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or_default()
}

/// A response read by [`send_raw`].
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("response body is not JSON ({error}): {}", self.body))
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` and reads the whole
/// response. Only `Content-Length` bodies are supported, which is all the
/// emulator sends.
pub async fn send_raw(addr: SocketAddr, method: &str, path: &str, body: &str) -> RawResponse {
    let mut stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|error| panic!("failed to connect to {addr}: {error}"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|error| panic!("failed to send request: {error}"));
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .unwrap_or_else(|error| panic!("failed to read response: {error}"));

    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("malformed status line in {head}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

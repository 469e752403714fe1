//! AWS adapters of the ports, one module per service, and the shared SDK set-up.
//!
//! Clients reach a local stack through the standard `AWS_ENDPOINT_URL` and
//! `AWS_ENDPOINT_URL_BEDROCK` variables; there is no local-mode branch here.

mod bedrock;
mod dynamodb;
mod eventbridge;
mod iam;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_bedrock::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

pub use bedrock::BedrockProfiles;
pub use dynamodb::{DynamoRegistry, TENANT_KEY_ATTRIBUTE};
pub use eventbridge::EventBridgePublisher;
pub use iam::IamRoles;

use crate::config::RetrySettings;
use crate::error::{AwsError, ErrorKind};

/// Maximum wait between two SDK attempts.
const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(10);

/// Loads the shared SDK configuration: region and credentials from the
/// environment, a rustls HTTPS client on the `ring` provider, and standard
/// retries (exponential backoff with full jitter) for throttling and 5xx.
pub async fn load_sdk_config(retry: RetrySettings) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let retry_config = RetryConfig::standard()
        .with_max_attempts(retry.max_attempts)
        .with_initial_backoff(retry.initial_backoff)
        .with_max_backoff(MAX_BACKOFF.max(retry.initial_backoff));
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(retry_config)
        .load()
        .await
}

/// Turns an SDK error into an [`AwsError`]. `service_kind` maps the
/// operation's modeled error variants. Transport failures, timeouts and
/// unmodeled 5xx responses count as the service being unavailable.
pub(crate) fn classify<E, R>(
    operation: &'static str,
    error: SdkError<E, R>,
    service_kind: impl FnOnce(&E) -> Option<ErrorKind>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + HasStatus,
{
    let kind = match &error {
        SdkError::ServiceError(context) => service_kind(context.err())
            .or_else(|| kind_from_code(context.err().code()))
            .unwrap_or_else(|| {
                if context.raw().status_code() >= 500 {
                    ErrorKind::ServiceUnavailable
                } else {
                    ErrorKind::Unexpected
                }
            }),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            ErrorKind::ServiceUnavailable
        }
        _ => ErrorKind::Unexpected,
    };
    AwsError::new(operation, kind, DisplayErrorContext(&error).to_string())
}

/// Error codes that several services return without modelling them
/// (IAM's `AccessDenied`, for example), read from the SDK's error metadata.
fn kind_from_code(code: Option<&str>) -> Option<ErrorKind> {
    match code? {
        "AccessDenied" | "AccessDeniedException" => Some(ErrorKind::AccessDenied),
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => Some(ErrorKind::Throttled),
        _ => None,
    }
}

/// The HTTP status of a raw response, without tying [`classify`] to one HTTP type.
pub(crate) trait HasStatus {
    fn status_code(&self) -> u16;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Wraps an unexpected answer (for example a missing field the API documents as always present).
pub(crate) fn unexpected(operation: &'static str, message: impl Into<String>) -> AwsError {
    AwsError::new(operation, ErrorKind::Unexpected, message)
}

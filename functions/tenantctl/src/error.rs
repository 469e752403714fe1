//! The error of every command, and the conversion of SDK errors into it.

use std::path::PathBuf;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    InvalidArgument(String),
    #[error("no tenant registry table: pass --table or set TENANT_TABLE_NAME")]
    MissingTable,
    #[error("tenant {tenant:?} is not in table {table}")]
    TenantNotFound { tenant: String, table: String },
    #[error("invalid price table {path}: {reason}")]
    PriceTable { path: PathBuf, reason: String },
    #[error(transparent)]
    Registry(#[from] tenancy::error::AwsError),
    /// A failed AWS call; `code` is the service's error code when it sent one.
    #[error("{operation} failed: {message}")]
    Aws {
        operation: &'static str,
        code: Option<String>,
        message: String,
    },
    /// A response the command cannot use, such as an unparsable amount.
    #[error("{operation} returned an unexpected response: {message}")]
    UnexpectedResponse {
        operation: &'static str,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot draw the chart: {0}")]
    Chart(String),
    #[error("cannot serialise the output as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl CliError {
    /// Returns the service's error code of a failed AWS call, such as `AccessDeniedException`.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Self::Aws { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Converts an SDK error, keeping the error code for callers that branch on
/// it and the whole cause chain for the message.
pub(crate) fn aws_error<E, R>(operation: &'static str, error: SdkError<E, R>) -> CliError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = error.code().map(str::to_owned);
    CliError::Aws {
        operation,
        code,
        message: DisplayErrorContext(&error).to_string(),
    }
}

//! Error kinds shared by the ports, and the classification the use cases act on.

use std::fmt;

/// Kind of failure of a call to AWS, decided from the SDK's modeled error
/// variants (never from message text) and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    /// A conditional write lost to a concurrent writer.
    ConcurrentUpdate,
    Throttled,
    /// 5xx, timeout or connection failure.
    ServiceUnavailable,
    QuotaExceeded,
    AccessDenied,
    /// The service rejected the request's parameters.
    Invalid,
    /// The service returned something this code does not expect.
    Unexpected,
}

impl ErrorKind {
    /// Tells whether the same request may succeed later without any change:
    /// throttling, service faults and lost races. Unknown responses count as
    /// transient so that Lambda's retries and the dead-letter queue see them.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::Throttled | Self::ServiceUnavailable | Self::ConcurrentUpdate | Self::Unexpected
        )
    }
}

/// A failed AWS call with the operation name and the full SDK error chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct AwsError {
    pub operation: &'static str,
    pub kind: ErrorKind,
    pub message: String,
}

impl AwsError {
    pub fn new(operation: &'static str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            operation,
            kind,
            message: message.into(),
        }
    }

    /// Tells whether an AccessDenied came from an organisation's service control
    /// policy. IAM models no separate error for this, so the message is the
    /// only signal; it only selects the explanation, never whether to retry.
    pub fn is_organization_policy_denial(&self) -> bool {
        self.kind == ErrorKind::AccessDenied && self.message.contains("service control policy")
    }
}

/// Whether an error should make the invocation fail (and be retried by
/// Lambda) or be recorded against the tenant and announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Transient,
    Permanent,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Transient => "transient",
            Self::Permanent => "permanent",
        })
    }
}

//! Error responses shaped like the restJson1 errors of Bedrock's control
//! plane and runtime.

use std::fmt;

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Header that carries the error type, which smithy-rs reads before the body.
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";

/// Error types the emulator can return, named as in the Bedrock service model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ErrorKind {
    /// A request member broke a constraint of the service model (400).
    Validation,
    /// The request conflicts with existing state, such as a duplicate name (400).
    Conflict,
    /// A quota such as application profiles per region is used up (400).
    ServiceQuotaExceeded,
    /// The resource would carry more than 50 tags (400).
    TooManyTags,
    /// The body or a query value could not be parsed (400).
    Serialization,
    /// The caller is not allowed to call the operation (403).
    AccessDenied,
    /// The profile, model or resource does not exist (404).
    ResourceNotFound,
    /// No operation matches the method and path (404).
    UnknownOperation,
    /// The caller sent requests too fast (429).
    Throttling,
    /// The service failed (500).
    InternalServer,
    /// The service is temporarily unavailable (503). Only Converse models
    /// it. For the inference-profile operations the SDK reports it as an
    /// unhandled error.
    ServiceUnavailable,
    /// The model failed while processing the request (424, Converse only).
    ModelError,
    /// The model is not ready to serve requests (429, Converse only). The
    /// SDK retries it.
    ModelNotReady,
    /// The model took longer than its timeout (408, Converse only).
    ModelTimeout,
}

impl ErrorKind {
    /// Every error kind, in the order the admin API lists them.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::Validation,
        ErrorKind::Conflict,
        ErrorKind::ServiceQuotaExceeded,
        ErrorKind::TooManyTags,
        ErrorKind::Serialization,
        ErrorKind::AccessDenied,
        ErrorKind::ResourceNotFound,
        ErrorKind::UnknownOperation,
        ErrorKind::Throttling,
        ErrorKind::InternalServer,
        ErrorKind::ServiceUnavailable,
        ErrorKind::ModelError,
        ErrorKind::ModelNotReady,
        ErrorKind::ModelTimeout,
    ];

    /// Wire name sent in the `X-Amzn-Errortype` header, e.g. `ValidationException`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "ValidationException",
            ErrorKind::Conflict => "ConflictException",
            ErrorKind::ServiceQuotaExceeded => "ServiceQuotaExceededException",
            ErrorKind::TooManyTags => "TooManyTagsException",
            ErrorKind::Serialization => "SerializationException",
            ErrorKind::AccessDenied => "AccessDeniedException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
            ErrorKind::UnknownOperation => "UnknownOperationException",
            ErrorKind::Throttling => "ThrottlingException",
            ErrorKind::InternalServer => "InternalServerException",
            ErrorKind::ServiceUnavailable => "ServiceUnavailableException",
            ErrorKind::ModelError => "ModelErrorException",
            ErrorKind::ModelNotReady => "ModelNotReadyException",
            ErrorKind::ModelTimeout => "ModelTimeoutException",
        }
    }

    /// HTTP status the service returns with this error.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::Validation
            | ErrorKind::Conflict
            | ErrorKind::ServiceQuotaExceeded
            | ErrorKind::TooManyTags
            | ErrorKind::Serialization => StatusCode::BAD_REQUEST,
            ErrorKind::AccessDenied => StatusCode::FORBIDDEN,
            ErrorKind::ResourceNotFound | ErrorKind::UnknownOperation => StatusCode::NOT_FOUND,
            ErrorKind::Throttling | ErrorKind::ModelNotReady => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::InternalServer => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::ModelError => StatusCode::FAILED_DEPENDENCY,
            ErrorKind::ModelTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// Finds the kind whose wire name is `name`.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for ErrorKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        ErrorKind::from_name(&name).ok_or_else(|| {
            let known: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.name()).collect();
            format!(
                "unknown error type '{name}'; expected one of: {}",
                known.join(", ")
            )
        })
    }
}

impl From<ErrorKind> for String {
    fn from(kind: ErrorKind) -> String {
        kind.name().to_owned()
    }
}

/// An error response: its type decides the status code and header, its
/// message goes into the `{"message": ...}` body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    /// Error type.
    pub kind: ErrorKind,
    /// Text of the body's `message` member.
    pub message: String,
    /// Whether fault injection produced the error rather than the operation.
    pub injected: bool,
}

impl ApiError {
    /// Creates an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
            injected: false,
        }
    }

    pub(crate) fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Validation, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::ResourceNotFound, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Conflict, message)
    }

    pub(crate) fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Serialization, message)
    }
}

/// What the request-id middleware logs about an error response.
#[derive(Debug, Clone)]
pub(crate) struct ErrorLogEntry {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
    pub(crate) injected: bool,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(ErrorBody {
            message: &self.message,
        });
        let mut response = (self.kind.status(), body).into_response();
        response.headers_mut().insert(
            ERROR_TYPE_HEADER,
            HeaderValue::from_static(self.kind.name()),
        );
        response.extensions_mut().insert(ErrorLogEntry {
            kind: self.kind,
            message: self.message,
            injected: self.injected,
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_name_finds_every_kind() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn status_codes_follow_service_model() {
        let cases = [
            ("ValidationException", 400),
            ("ConflictException", 400),
            ("ServiceQuotaExceededException", 400),
            ("TooManyTagsException", 400),
            ("AccessDeniedException", 403),
            ("ResourceNotFoundException", 404),
            ("ThrottlingException", 429),
            ("InternalServerException", 500),
            ("ServiceUnavailableException", 503),
            ("ModelErrorException", 424),
            ("ModelNotReadyException", 429),
            ("ModelTimeoutException", 408),
        ];

        for (name, status) in cases {
            let kind = ErrorKind::from_name(name);

            assert_eq!(
                kind.map(|kind| kind.status().as_u16()),
                Some(status),
                "{name}"
            );
        }
    }

    #[test]
    fn try_from_rejects_unknown_name() {
        let result = ErrorKind::try_from("Throttled".to_owned());

        assert!(result.is_err_and(|message| message.contains("ThrottlingException")));
    }
}

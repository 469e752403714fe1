//! Lambda glue: translate the event, run the use case, announce the result,
//! and map failures to Lambda errors.
//!
//! The retry rule: an invalid request and a permanent failure get a
//! failure event and a normal return, so Lambda does not retry them;
//! a transient failure (throttling, 5xx, a lost race, a failed announcement)
//! makes the invocation fail, so Lambda's retries and then the dead-letter
//! queue take over. A payload that is not one of the function's events also
//! fails the invocation, because it points at a misconfigured rule.

mod offboard;
mod onboard;

use lambda_runtime::Diagnostic;
use serde_json::{Value, json};
use tracing::{error, info, warn};

pub use offboard::OffboardHandler;
pub use onboard::OnboardHandler;

use crate::events::{
    EnvelopeError, EventContract, FailureNotice, InboundEvent, Rejection, RequestKind,
    failure_event,
};
use crate::failure::{Step, StepFailure};
use crate::ports::EventPublisher;

/// Reason an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error(transparent)]
    Step(#[from] StepFailure),
}

impl From<HandlerError> for Diagnostic {
    fn from(error: HandlerError) -> Self {
        let error_type = match &error {
            HandlerError::Envelope(EnvelopeError::Unsupported { .. }) => "UnsupportedEvent",
            HandlerError::Envelope(_) => "InvalidEnvelope",
            HandlerError::Step(failure) => failure.error_type,
        };
        Diagnostic {
            error_type: error_type.to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// Publishes announcements for one kind of request.
struct Announcer<'a, E> {
    events: &'a E,
    contract: &'a EventContract,
    kind: RequestKind,
}

impl<E: EventPublisher> Announcer<'_, E> {
    async fn publish(
        &self,
        event: crate::events::OutboundEvent,
        tenant: &str,
    ) -> Result<(), HandlerError> {
        self.events
            .publish(&event)
            .await
            .map_err(|error| StepFailure::from_aws(tenant, Step::Publish, error))?;
        info!(tenant_id = tenant, detail_type = %event.detail_type, "announced result");
        Ok(())
    }

    /// Rejects a request whose detail is invalid: announced, not retried.
    async fn reject(
        &self,
        inbound: &InboundEvent,
        rejection: Rejection,
    ) -> Result<Value, HandlerError> {
        let tenant_id = rejection.tenant_id.map(|t| t.as_str().to_owned());
        // The rejected value stays out of the log: it may be personal data sent
        // in the wrong field. The failure event and the response carry it back.
        warn!(event_id = %inbound.id, tenant_id = tenant_id.as_deref(), field = %rejection.error.field, rule = %rejection.error.rule, "rejected invalid request");
        let notice = FailureNotice {
            tenant_id,
            tenant_registration_id: rejection.tenant_registration_id,
            event_id: inbound.id.clone(),
            error_type: "InvalidRequest".to_owned(),
            message: rejection.error.to_string(),
            retryable: false,
        };
        let tenant = notice
            .tenant_id
            .clone()
            .unwrap_or_else(|| "unknown".to_owned());
        self.publish(
            failure_event(self.contract, inbound.origin, self.kind, &notice),
            &tenant,
        )
        .await?;
        Ok(json!({
            "outcome": "rejected",
            "tenantId": notice.tenant_id,
            "errorType": notice.error_type,
            "message": notice.message,
        }))
    }

    /// Fails the invocation on a transient failure; announces a permanent one and returns normally.
    async fn fail(
        &self,
        inbound: &InboundEvent,
        registration_id: Option<String>,
        failure: StepFailure,
    ) -> Result<Value, HandlerError> {
        if failure.is_transient() {
            error!(tenant_id = %failure.tenant_id, step = %failure.step, error_type = failure.error_type, error = %failure.message, "request failed; the invocation fails so Lambda retries it");
            return Err(failure.into());
        }
        error!(tenant_id = %failure.tenant_id, step = %failure.step, error_type = failure.error_type, error = %failure.message, "request failed permanently");
        let notice = FailureNotice {
            tenant_id: Some(failure.tenant_id.clone()),
            tenant_registration_id: registration_id,
            event_id: inbound.id.clone(),
            error_type: failure.error_type.to_owned(),
            message: failure.message.clone(),
            retryable: false,
        };
        self.publish(
            failure_event(self.contract, inbound.origin, self.kind, &notice),
            &failure.tenant_id,
        )
        .await?;
        Ok(json!({
            "outcome": "failed",
            "tenantId": failure.tenant_id,
            "step": failure.step.as_str(),
            "errorType": failure.error_type,
            "message": failure.message,
            "retryable": false,
        }))
    }
}

/// Logs a payload that is not one of the function's events.
fn log_envelope_error(error: &EnvelopeError) {
    error!(error = %error, "rejected payload");
}

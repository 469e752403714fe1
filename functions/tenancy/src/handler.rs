//! Lambda glue for onboarding: translate the event, run the use case,
//! announce the result, and map failures to Lambda errors.
//!
//! The retry rule: an invalid request and a permanent failure are answered
//! with a failure event and a normal return, so Lambda does not retry them;
//! a transient failure (throttling, 5xx, a lost race, a failed announcement)
//! makes the invocation fail, so Lambda's retries and then the dead-letter
//! queue take over. A payload that is not one of this function's events
//! also fails the invocation, because it points at a misconfigured rule.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::{Value, json};
use tracing::{error, info, warn};

use crate::domain::TenantRecord;
use crate::error::ErrorClass;
use crate::events::{
    EnvelopeError, FailureNotice, InboundEvent, Origin, RequestKind, onboard_request, parse_event,
    provisioned, provisioning_failed,
};
use crate::onboarding::{OnboardOutcome, Onboarding, Step, StepFailure};
use crate::ports::{EventPublisher, ProfileProvisioner, RoleProvisioner, TenantRegistry};

/// Why an invocation failed.
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

/// The onboarding function: the use case plus the event publisher.
pub struct OnboardHandler<R, P, I, E> {
    onboarding: Onboarding<R, P, I>,
    events: E,
}

impl<R, P, I, E> OnboardHandler<R, P, I, E>
where
    R: TenantRegistry,
    P: ProfileProvisioner,
    I: RoleProvisioner,
    E: EventPublisher,
{
    pub fn new(onboarding: Onboarding<R, P, I>, events: E) -> Self {
        Self { onboarding, events }
    }

    /// Handles one invocation; the returned JSON is the function's response.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, HandlerError> {
        let contract = &self.onboarding.config().contract;
        let inbound =
            parse_event(event.payload, contract, RequestKind::Onboard).inspect_err(|error| {
                error!(error = %error, "rejected payload");
            })?;
        let request = match onboard_request(&inbound, &self.onboarding.config().catalog) {
            Ok(request) => request,
            Err(rejection) => {
                warn!(event_id = %inbound.id, tenant_id = rejection.tenant_id.as_ref().map(|t| t.as_str()), error = %rejection.error, "rejected invalid onboarding request");
                let notice = FailureNotice {
                    tenant_id: rejection.tenant_id.map(|t| t.as_str().to_owned()),
                    tenant_registration_id: rejection.tenant_registration_id,
                    event_id: inbound.id.clone(),
                    error_type: "InvalidRequest".to_owned(),
                    message: rejection.error.to_string(),
                    retryable: false,
                };
                self.announce_failure(&inbound, &notice).await?;
                return Ok(json!({
                    "outcome": "rejected",
                    "tenantId": notice.tenant_id,
                    "errorType": notice.error_type,
                    "message": notice.message,
                }));
            }
        };
        info!(event_id = %request.event_id, tenant_id = %request.tenant_id, tier = %request.tier, origin = ?request.origin, "onboarding request received");

        match self.onboarding.onboard(&request).await {
            Ok(OnboardOutcome::Provisioned(record)) => {
                self.announce_success(&inbound, request.origin, record, "provisioned")
                    .await
            }
            Ok(OnboardOutcome::AlreadyActive(record)) => {
                self.announce_success(&inbound, request.origin, record, "already-active")
                    .await
            }
            Ok(OnboardOutcome::Ignored { reason }) => {
                info!(event_id = %request.event_id, tenant_id = %request.tenant_id, reason = %reason, "onboarding request ignored");
                Ok(
                    json!({"outcome": "ignored", "tenantId": request.tenant_id.as_str(), "reason": reason}),
                )
            }
            Err(failure) if failure.class == ErrorClass::Transient => {
                error!(tenant_id = %failure.tenant_id, step = %failure.step, error_type = failure.error_type, error = %failure.message, "onboarding failed; the invocation fails so Lambda retries it");
                Err(failure.into())
            }
            Err(failure) => {
                error!(tenant_id = %failure.tenant_id, step = %failure.step, error_type = failure.error_type, error = %failure.message, "onboarding failed permanently");
                let notice = FailureNotice {
                    tenant_id: Some(failure.tenant_id.clone()),
                    tenant_registration_id: request.tenant_registration_id.clone(),
                    event_id: request.event_id.clone(),
                    error_type: failure.error_type.to_owned(),
                    message: failure.message.clone(),
                    retryable: false,
                };
                self.announce_failure(&inbound, &notice).await?;
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
    }

    async fn announce_success(
        &self,
        inbound: &InboundEvent,
        origin: Origin,
        record: TenantRecord,
        outcome: &str,
    ) -> Result<Value, HandlerError> {
        let event = provisioned(&self.onboarding.config().contract, origin, &record);
        self.events
            .publish(&event)
            .await
            .map_err(|error| StepFailure::from_aws(&record.tenant_id, Step::Publish, error))?;
        info!(event_id = %inbound.id, tenant_id = %record.tenant_id, detail_type = %event.detail_type, "announced onboarding result");
        Ok(json!({
            "outcome": outcome,
            "tenantId": record.tenant_id,
            "status": record.status,
            "roleArn": record.role_arn,
            "profiles": record.profiles.iter().map(|(model, p)| (model.clone(), json!({
                "profileArn": p.profile_arn,
                "sourceModelId": p.source_model_id,
                "region": p.region,
            }))).collect::<serde_json::Map<_, _>>(),
        }))
    }

    async fn announce_failure(
        &self,
        inbound: &InboundEvent,
        notice: &FailureNotice,
    ) -> Result<(), HandlerError> {
        let event = provisioning_failed(&self.onboarding.config().contract, inbound.origin, notice);
        let tenant = notice.tenant_id.as_deref().unwrap_or("unknown");
        self.events
            .publish(&event)
            .await
            .map_err(|error| StepFailure::from_aws(tenant, Step::Publish, error))?;
        info!(event_id = %inbound.id, tenant_id = tenant, detail_type = %event.detail_type, "announced onboarding failure");
        Ok(())
    }
}

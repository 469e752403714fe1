//! The onboarding function's handler.

use lambda_runtime::LambdaEvent;
use serde_json::{Map, Value, json};
use tracing::info;

use super::{Announcer, HandlerError, log_envelope_error};
use crate::domain::TenantRecord;
use crate::events::{RequestKind, onboard_request, parse_event, provisioned};
use crate::onboarding::{OnboardOutcome, Onboarding};
use crate::ports::{EventPublisher, ProfileProvisioner, RoleProvisioner, TenantRegistry};

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
        let config = self.onboarding.config();
        let announcer = Announcer {
            events: &self.events,
            contract: &config.contract,
            kind: RequestKind::Onboard,
        };
        let inbound = parse_event(event.payload, &config.contract, RequestKind::Onboard)
            .inspect_err(log_envelope_error)?;
        let request = match onboard_request(&inbound, &config.catalog) {
            Ok(request) => request,
            Err(rejection) => return announcer.reject(&inbound, rejection).await,
        };
        info!(event_id = %request.event_id, tenant_id = %request.tenant_id, tier = %request.tier, origin = ?request.origin, "onboarding request received");

        let (record, outcome) = match self.onboarding.onboard(&request).await {
            Ok(OnboardOutcome::Provisioned(record)) => (record, "provisioned"),
            Ok(OnboardOutcome::AlreadyActive(record)) => (record, "already-active"),
            Ok(OnboardOutcome::Ignored { reason }) => {
                info!(event_id = %request.event_id, tenant_id = %request.tenant_id, reason = %reason, "onboarding request ignored");
                return Ok(
                    json!({"outcome": "ignored", "tenantId": request.tenant_id.as_str(), "reason": reason}),
                );
            }
            Err(failure) => {
                return announcer
                    .fail(&inbound, request.tenant_registration_id.clone(), failure)
                    .await;
            }
        };
        announcer
            .publish(
                provisioned(&config.contract, request.origin, &record),
                &record.tenant_id,
            )
            .await?;
        Ok(response(outcome, &record))
    }
}

fn response(outcome: &str, record: &TenantRecord) -> Value {
    let profiles: Map<String, Value> = record
        .profiles
        .iter()
        .map(|(model, profile)| {
            let summary = json!({
                "profileArn": profile.profile_arn,
                "sourceModelId": profile.source_model_id,
                "region": profile.region,
            });
            (model.clone(), summary)
        })
        .collect();
    json!({
        "outcome": outcome,
        "tenantId": record.tenant_id,
        "status": record.status,
        "roleArn": record.role_arn,
        "profiles": profiles,
    })
}

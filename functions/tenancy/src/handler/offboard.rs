//! The offboarding function's handler.

use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};
use tracing::info;

use super::{Announcer, HandlerError, log_envelope_error};
use crate::events::{RequestKind, deprovisioned, offboard_request, parse_event};
use crate::offboarding::{OffboardOutcome, Offboarding};
use crate::ports::{EventPublisher, ProfileProvisioner, RoleProvisioner, TenantRegistry};

/// The offboarding function: the use case plus the event publisher.
pub struct OffboardHandler<R, P, I, E> {
    offboarding: Offboarding<R, P, I>,
    events: E,
}

impl<R, P, I, E> OffboardHandler<R, P, I, E>
where
    R: TenantRegistry,
    P: ProfileProvisioner,
    I: RoleProvisioner,
    E: EventPublisher,
{
    pub fn new(offboarding: Offboarding<R, P, I>, events: E) -> Self {
        Self {
            offboarding,
            events,
        }
    }

    /// Handles one invocation; the returned JSON is the function's response.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, HandlerError> {
        let config = self.offboarding.config();
        let announcer = Announcer {
            events: &self.events,
            contract: &config.contract,
            kind: RequestKind::Offboard,
        };
        let inbound = parse_event(event.payload, &config.contract, RequestKind::Offboard)
            .inspect_err(log_envelope_error)?;
        let request = match offboard_request(&inbound) {
            Ok(request) => request,
            Err(rejection) => return announcer.reject(&inbound, rejection).await,
        };
        info!(event_id = %request.event_id, tenant_id = %request.tenant_id, origin = ?request.origin, "offboarding request received");

        let outcome = match self.offboarding.offboard(&request).await {
            Ok(outcome) => outcome,
            Err(failure) => {
                return announcer
                    .fail(&inbound, request.tenant_registration_id.clone(), failure)
                    .await;
            }
        };
        let record = outcome.record();
        announcer
            .publish(
                deprovisioned(&config.contract, request.origin, record),
                &record.tenant_id,
            )
            .await?;
        let (label, skipped) = match &outcome {
            OffboardOutcome::Offboarded { skipped, .. } => ("offboarded", skipped.clone()),
            OffboardOutcome::AlreadyOffboarded(_) => ("already-offboarded", Vec::new()),
            OffboardOutcome::UnknownTenant(_) => ("unknown-tenant", Vec::new()),
        };
        Ok(json!({
            "outcome": label,
            "tenantId": record.tenant_id,
            "status": record.status,
            "offboardedAt": record.offboarded_at,
            "profileArns": record.profiles.values().map(|p| p.profile_arn.as_str()).collect::<Vec<_>>(),
            "skippedProfileArns": skipped,
        }))
    }
}

//! Events the functions publish when they finish, in the project's shape or
//! in the SaaS Builder Toolkit's (`provisionSuccess` and friends), which its
//! control plane records by `tenantRegistrationId`.

use serde_json::{Map, Value, json};

use super::contract::{
    EventContract, Origin, RequestKind, TENANT_DEPROVISIONED, TENANT_DEPROVISIONING_FAILED,
    TENANT_PROVISIONED, TENANT_PROVISIONING_FAILED,
};
use crate::domain::TenantRecord;

/// An event to put on the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundEvent {
    pub source: String,
    pub detail_type: String,
    pub detail: Value,
}

/// What a failure announcement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureNotice {
    pub tenant_id: Option<String>,
    pub tenant_registration_id: Option<String>,
    pub event_id: String,
    pub error_type: String,
    pub message: String,
    pub retryable: bool,
}

/// Announces a tenant whose profiles and role are ready.
pub fn provisioned(
    contract: &EventContract,
    origin: Origin,
    record: &TenantRecord,
) -> OutboundEvent {
    match origin {
        Origin::Native => OutboundEvent {
            source: contract.output_event_source.clone(),
            detail_type: TENANT_PROVISIONED.to_owned(),
            detail: json!({
                "tenantId": record.tenant_id,
                "status": record.status,
                "tier": record.tier,
                "roleArn": record.role_arn,
                "profiles": profile_summaries(record),
                "eventId": record.event_id,
            }),
        },
        Origin::SaasBuilderToolkit(generation) => OutboundEvent {
            source: generation.application_plane_source().to_owned(),
            detail_type: generation.detail_type("provisionSuccess"),
            detail: json!({
                "tenantId": record.tenant_id,
                "tenantRegistrationId": record.tenant_registration_id,
                "jobOutput": {
                    "tenantData": {
                        "bedrockTenantRoleArn": record.role_arn,
                        "bedrockInferenceProfileArns": profile_arns(record),
                    },
                    "tenantRegistrationData": {
                        "registrationStatus": "created",
                    },
                },
            }),
        },
    }
}

/// Announces a tenant whose role and profiles are deleted; the profile ARNs
/// stay in the tombstone for cost tracing.
pub fn deprovisioned(
    contract: &EventContract,
    origin: Origin,
    record: &TenantRecord,
) -> OutboundEvent {
    match origin {
        Origin::Native => OutboundEvent {
            source: contract.output_event_source.clone(),
            detail_type: TENANT_DEPROVISIONED.to_owned(),
            detail: json!({
                "tenantId": record.tenant_id,
                "status": record.status,
                "offboardedAt": record.offboarded_at,
                "profiles": profile_summaries(record),
                "eventId": record.offboard_event_id,
            }),
        },
        Origin::SaasBuilderToolkit(generation) => OutboundEvent {
            source: generation.application_plane_source().to_owned(),
            detail_type: generation.detail_type("deprovisionSuccess"),
            detail: json!({
                "tenantId": record.tenant_id,
                "tenantRegistrationId": record.tenant_registration_id,
                "jobOutput": {
                    "tenantData": {},
                    "tenantRegistrationData": {"registrationStatus": "deleted"},
                },
            }),
        },
    }
}

/// Announces an onboarding or offboarding that stopped, with the reason and
/// whether a retry can help.
pub fn failure_event(
    contract: &EventContract,
    origin: Origin,
    kind: RequestKind,
    notice: &FailureNotice,
) -> OutboundEvent {
    let (native, sbt) = match kind {
        RequestKind::Onboard => (TENANT_PROVISIONING_FAILED, "provisionFailure"),
        RequestKind::Offboard => (TENANT_DEPROVISIONING_FAILED, "deprovisionFailure"),
    };
    match origin {
        Origin::Native => OutboundEvent {
            source: contract.output_event_source.clone(),
            detail_type: native.to_owned(),
            detail: json!({
                "tenantId": notice.tenant_id,
                "eventId": notice.event_id,
                "errorType": notice.error_type,
                "message": notice.message,
                "retryable": notice.retryable,
            }),
        },
        Origin::SaasBuilderToolkit(generation) => OutboundEvent {
            source: generation.application_plane_source().to_owned(),
            detail_type: generation.detail_type(sbt),
            detail: json!({
                "tenantId": notice.tenant_id,
                "tenantRegistrationId": notice.tenant_registration_id,
                "jobOutput": {
                    "tenantData": {},
                    "tenantRegistrationData": {
                        "registrationStatus": "failed",
                        "errorType": notice.error_type,
                        "message": notice.message,
                        "retryable": notice.retryable,
                    },
                },
            }),
        },
    }
}

fn profile_summaries(record: &TenantRecord) -> Value {
    let mut summaries = Map::new();
    for (model, profile) in &record.profiles {
        summaries.insert(
            model.clone(),
            json!({
                "profileArn": profile.profile_arn,
                "profileId": profile.profile_id,
                "sourceModelId": profile.source_model_id,
                "region": profile.region,
            }),
        );
    }
    Value::Object(summaries)
}

fn profile_arns(record: &TenantRecord) -> Value {
    record
        .profiles
        .iter()
        .map(|(model, profile)| (model.clone(), Value::String(profile.profile_arn.clone())))
        .collect::<Map<String, Value>>()
        .into()
}

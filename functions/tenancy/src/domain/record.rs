//! The tenant registry item: everything the runtime needs from one read by tenant id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Lifecycle state of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TenantStatus {
    /// Onboarding has started; some resources may exist.
    Provisioning,
    /// Profiles, role and policy exist; the runtime may use them.
    Active,
    /// Offboarding has started; resources are being deleted.
    Offboarding,
    /// Tombstone: resources are deleted, profile ARNs are kept for cost tracing.
    Offboarded,
    /// Onboarding failed permanently; `failure` records why.
    Failed,
}

/// One application inference profile of a tenant, keyed by model key in [`TenantRecord::profiles`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRecord {
    pub profile_name: String,
    pub profile_arn: String,
    pub profile_id: String,
    /// The foundation-model or system-profile ARN the profile was copied from.
    pub source_arn: String,
    /// The model id behind the profile, so callers never parse the profile ARN
    /// to learn the model family.
    pub source_model_id: String,
    /// Region of the profile, where the runtime must call Bedrock.
    pub region: String,
    /// Foundation-model ARNs the profile routes to, as GetInferenceProfile listed them.
    pub routed_model_arns: Vec<String>,
}

/// Reason onboarding or offboarding stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureRecord {
    /// Stable error type, the same one the Lambda reports.
    pub error_type: String,
    pub reason: String,
    /// Whether sending the request again could succeed without a change elsewhere.
    pub retryable: bool,
    pub step: String,
    pub at: String,
}

/// A tenant registry item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRecord {
    /// Partition key: the raw tenant id.
    pub tenant_id: String,
    pub status: TenantStatus,
    pub tier: String,
    /// Model keys this generation's onboarding provisions, kept so that a
    /// resumed or concurrent invocation finishes the same set.
    #[serde(default)]
    pub models: Vec<String>,
    /// Counts onboardings of this tenant id; part of the profiles' idempotency tokens.
    pub generation: u32,
    /// Optimistic-locking counter: every write is conditional on the version read.
    pub version: u64,
    /// Id of the EventBridge event that started this generation's onboarding.
    pub event_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub role_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureRecord>,
    /// Registration id of a SaaS Builder Toolkit request, echoed in its replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_registration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offboarded_at: Option<String>,
    /// Id of the event that requested offboarding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offboard_event_id: Option<String>,
    /// When EventBridge received the offboarding request; signups received
    /// before it are stale and never re-create the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offboard_event_time: Option<String>,
}

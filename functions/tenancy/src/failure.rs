//! The error a use case returns: which step failed, how, and whether to retry.

use std::fmt;

use crate::domain::policy::PolicyError;
use crate::error::{AwsError, ErrorClass, ErrorKind};

/// A step of onboarding or offboarding, as recorded in failures and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Claim,
    CreateProfile,
    DescribeProfile,
    RecordProfile,
    CreateRole,
    PutRolePolicy,
    Activate,
    Publish,
    RollBack,
    /// Offboarding: the item is marked OFFBOARDING (or a tombstone is written).
    MarkOffboarding,
    DeleteRole,
    DeleteProfiles,
    /// Offboarding: profiles with the tenant's derived names that were never recorded.
    SweepProfiles,
    /// Offboarding: the item becomes an OFFBOARDED tombstone.
    Tombstone,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::CreateProfile => "create-profile",
            Self::DescribeProfile => "describe-profile",
            Self::RecordProfile => "record-profile",
            Self::CreateRole => "create-role",
            Self::PutRolePolicy => "put-role-policy",
            Self::Activate => "activate",
            Self::Publish => "publish",
            Self::RollBack => "roll-back",
            Self::MarkOffboarding => "mark-offboarding",
            Self::DeleteRole => "delete-role",
            Self::DeleteProfiles => "delete-profiles",
            Self::SweepProfiles => "sweep-profiles",
            Self::Tombstone => "tombstone",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a use case stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tenant {tenant_id}: {step} failed ({class}, {error_type}): {message}")]
pub struct StepFailure {
    pub tenant_id: String,
    pub step: Step,
    pub class: ErrorClass,
    /// Stable name for alarms and dead-letter triage, e.g. `QuotaExceeded`.
    pub error_type: &'static str,
    pub message: String,
}

impl StepFailure {
    pub fn permanent(
        tenant_id: &str,
        step: Step,
        error_type: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            step,
            class: ErrorClass::Permanent,
            error_type,
            message: message.into(),
        }
    }

    pub fn transient(
        tenant_id: &str,
        step: Step,
        error_type: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            step,
            class: ErrorClass::Transient,
            error_type,
            message: message.into(),
        }
    }

    /// Classifies a failed AWS call: throttling, 5xx and lost races are
    /// transient; quota, access denial and rejected parameters are permanent.
    pub fn from_aws(tenant_id: &str, step: Step, error: AwsError) -> Self {
        let (error_type, message) = match error.kind {
            ErrorKind::QuotaExceeded => (
                "QuotaExceeded",
                format!(
                    "{error}. A service quota is exhausted: for inference profiles, delete orphaned profiles (tenantctl reconcile) or raise the Bedrock quota 'Application inference profiles per account' in Service Quotas"
                ),
            ),
            ErrorKind::AccessDenied if error.is_organization_policy_denial() => (
                "OrganizationPolicyDenied",
                format!(
                    "{error}. An organisation service control policy denies this call; ask the organisation's administrators to allow it (for example the destination regions of a cross-region profile). Widening the tenant policy cannot help"
                ),
            ),
            ErrorKind::AccessDenied => (
                "AccessDenied",
                format!(
                    "{error}. The function's own role lacks a permission; compare it with template.yaml"
                ),
            ),
            ErrorKind::Invalid => ("InvalidParameters", error.to_string()),
            ErrorKind::Throttled => ("Throttled", error.to_string()),
            ErrorKind::ServiceUnavailable => ("ServiceUnavailable", error.to_string()),
            ErrorKind::ConcurrentUpdate => (
                "ConcurrentUpdate",
                format!(
                    "{error}. Another invocation changed this tenant at the same time; a retry resumes from the registry"
                ),
            ),
            ErrorKind::NotFound | ErrorKind::AlreadyExists | ErrorKind::Unexpected => {
                ("AwsError", error.to_string())
            }
        };
        let class = if error.kind.is_transient() {
            ErrorClass::Transient
        } else {
            ErrorClass::Permanent
        };
        Self {
            tenant_id: tenant_id.to_owned(),
            step,
            class,
            error_type,
            message,
        }
    }

    pub fn from_policy(tenant_id: &str, error: &PolicyError) -> Self {
        let error_type = match error {
            PolicyError::NoProfiles | PolicyError::NoRoutedModels { .. } => "NoRoutedModels",
            PolicyError::PolicyTooLarge { .. } => "PolicyTooLarge",
        };
        Self::permanent(
            tenant_id,
            Step::PutRolePolicy,
            error_type,
            error.to_string(),
        )
    }

    pub fn is_transient(&self) -> bool {
        self.class == ErrorClass::Transient
    }
}

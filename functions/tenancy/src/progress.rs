//! Recording progress in the registry, shared by the use cases.

use std::sync::Arc;

use crate::clock::now_rfc3339;
use crate::domain::{TenantId, TenantRecord};
use crate::failure::{Step, StepFailure};
use crate::ports::TenantRegistry;

/// Called after each completed step; an error stops the use case there as if
/// the function had crashed. Tests use it to reach every crash point.
pub type StepHook = Arc<dyn Fn(Step) -> Result<(), String> + Send + Sync>;

/// Writes the record if no other invocation wrote it since it was read, bumping its version.
pub(crate) async fn save<R: TenantRegistry>(
    registry: &R,
    tenant: &TenantId,
    record: &mut TenantRecord,
    step: Step,
) -> Result<(), StepFailure> {
    let expected = record.version;
    record.version += 1;
    record.updated_at = now_rfc3339();
    registry
        .replace(record, expected)
        .await
        .map_err(|error| StepFailure::from_aws(tenant.as_str(), step, error))
}

/// Runs the step hook, if any, after `step` completed.
pub(crate) fn checkpoint(
    hook: Option<&StepHook>,
    tenant: &TenantId,
    step: Step,
) -> Result<(), StepFailure> {
    match hook {
        Some(hook) => hook(step).map_err(|message| {
            StepFailure::transient(tenant.as_str(), step, "InjectedCrash", message)
        }),
        None => Ok(()),
    }
}

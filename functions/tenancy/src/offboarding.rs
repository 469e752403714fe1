//! The offboarding use case: delete a tenant's role and profiles and leave a
//! tombstone in the registry, so past costs can still be traced to the tenant.
//!
//! The role goes first, so the tenant loses access before its profiles are
//! deleted. Every step tolerates resources that are already gone, and a
//! redelivered or resumed request converges on the same tombstone.

use std::sync::Arc;

use tracing::{info, warn};

use crate::cleanup::{Removal, delete_profile_if_tenants, delete_role_if_tenants, sweep_profiles};
use crate::clock::now_rfc3339;
use crate::config::Config;
use crate::domain::{FailureRecord, ProfileArn, RoleName, TenantId, TenantRecord, TenantStatus};
use crate::error::ErrorKind;
use crate::events::OffboardRequest;
use crate::failure::{Step, StepFailure};
use crate::ports::{ProfileProvisioner, RoleProvisioner, TenantRegistry};
use crate::progress::{StepHook, checkpoint, save};

/// Outcome of an offboarding request that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffboardOutcome {
    /// This invocation deleted the tenant's resources. `skipped` lists
    /// recorded profiles left alone because their tag names another tenant.
    Offboarded {
        record: TenantRecord,
        skipped: Vec<String>,
    },
    /// The tenant was already a tombstone (a duplicate or redelivered event).
    AlreadyOffboarded(TenantRecord),
    /// The registry had no such tenant; a tombstone now stops late signups.
    UnknownTenant(TenantRecord),
}

impl OffboardOutcome {
    pub fn record(&self) -> &TenantRecord {
        match self {
            Self::Offboarded { record, .. }
            | Self::AlreadyOffboarded(record)
            | Self::UnknownTenant(record) => record,
        }
    }
}

/// The offboarding use case over its ports.
pub struct Offboarding<R, P, I> {
    registry: R,
    profiles: P,
    roles: I,
    config: Arc<Config>,
    hook: Option<StepHook>,
}

impl<R, P, I> Offboarding<R, P, I>
where
    R: TenantRegistry,
    P: ProfileProvisioner,
    I: RoleProvisioner,
{
    pub fn new(registry: R, profiles: P, roles: I, config: Arc<Config>) -> Self {
        Self {
            registry,
            profiles,
            roles,
            config,
            hook: None,
        }
    }

    pub fn with_step_hook(mut self, hook: StepHook) -> Self {
        self.hook = Some(hook);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs or resumes the offboarding of `request.tenant_id`.
    pub async fn offboard(
        &self,
        request: &OffboardRequest,
    ) -> Result<OffboardOutcome, StepFailure> {
        let tenant = &request.tenant_id;
        let id = tenant.as_str();
        let existing = self
            .registry
            .get(id)
            .await
            .map_err(|e| StepFailure::from_aws(id, Step::MarkOffboarding, e))?;

        let mut record = match existing {
            None => return self.write_tombstone_for_unknown(request).await,
            Some(record) if record.status == TenantStatus::Offboarded => {
                // A redelivery: sweep once more in case a late onboarding
                // invocation created something after the first pass.
                sweep_profiles(&self.profiles, &self.config, tenant)
                    .await
                    .map_err(|e| StepFailure::from_aws(id, Step::SweepProfiles, e))?;
                info!(tenant_id = id, "tenant already offboarded");
                return Ok(OffboardOutcome::AlreadyOffboarded(record));
            }
            Some(record) => record,
        };

        if record.status != TenantStatus::Offboarding {
            record.status = TenantStatus::Offboarding;
            record.offboard_event_id = Some(request.event_id.clone());
            record.offboard_event_time = request.event_time.clone();
            save(&self.registry, tenant, &mut record, Step::MarkOffboarding).await?;
        }
        checkpoint(self.hook.as_ref(), tenant, Step::MarkOffboarding)?;

        match self.delete_resources(tenant, &record).await {
            Ok(skipped) => {
                record.status = TenantStatus::Offboarded;
                record.offboarded_at = Some(now_rfc3339());
                record.failure = None;
                save(&self.registry, tenant, &mut record, Step::Tombstone).await?;
                checkpoint(self.hook.as_ref(), tenant, Step::Tombstone)?;
                info!(
                    tenant_id = id,
                    profiles = record.profiles.len(),
                    skipped = skipped.len(),
                    "tenant offboarded"
                );
                Ok(OffboardOutcome::Offboarded { record, skipped })
            }
            Err(failure) if failure.is_transient() => Err(failure),
            Err(failure) => {
                warn!(tenant_id = id, step = %failure.step, error_type = failure.error_type, error = %failure.message, "offboarding failed permanently");
                record.failure = Some(FailureRecord {
                    error_type: failure.error_type.to_owned(),
                    reason: failure.message.clone(),
                    retryable: false,
                    step: failure.step.as_str().to_owned(),
                    at: now_rfc3339(),
                });
                save(&self.registry, tenant, &mut record, failure.step).await?;
                Err(failure)
            }
        }
    }

    /// Deletes the role, the recorded profiles, then any unrecorded profile
    /// with a derived name. Returns the recorded profiles left alone.
    async fn delete_resources(
        &self,
        tenant: &TenantId,
        record: &TenantRecord,
    ) -> Result<Vec<String>, StepFailure> {
        let id = tenant.as_str();
        let role = RoleName::from_service(&record.role_name);
        delete_role_if_tenants(&self.roles, &self.config, tenant, &role)
            .await
            .map_err(|e| StepFailure::from_aws(id, Step::DeleteRole, e))?;
        checkpoint(self.hook.as_ref(), tenant, Step::DeleteRole)?;

        let mut skipped = Vec::new();
        for profile in record.profiles.values() {
            let arn = ProfileArn::parse(&profile.profile_arn).map_err(|e| {
                StepFailure::permanent(id, Step::DeleteProfiles, "InvalidRecord", e.to_string())
            })?;
            let removal = delete_profile_if_tenants(&self.profiles, tenant, &arn)
                .await
                .map_err(|e| StepFailure::from_aws(id, Step::DeleteProfiles, e))?;
            if removal == Removal::NotTheTenants {
                skipped.push(arn.as_str().to_owned());
            }
        }
        checkpoint(self.hook.as_ref(), tenant, Step::DeleteProfiles)?;

        sweep_profiles(&self.profiles, &self.config, tenant)
            .await
            .map_err(|e| StepFailure::from_aws(id, Step::SweepProfiles, e))?;
        checkpoint(self.hook.as_ref(), tenant, Step::SweepProfiles)?;
        Ok(skipped)
    }

    /// Records an offboarding of a tenant the registry never saw, so that a
    /// signup delivered late cannot create it afterwards.
    async fn write_tombstone_for_unknown(
        &self,
        request: &OffboardRequest,
    ) -> Result<OffboardOutcome, StepFailure> {
        let tenant = &request.tenant_id;
        let now = now_rfc3339();
        let record = TenantRecord {
            tenant_id: tenant.as_str().to_owned(),
            status: TenantStatus::Offboarded,
            tier: String::new(),
            models: Vec::new(),
            generation: 0,
            version: 1,
            event_id: String::new(),
            created_at: now.clone(),
            updated_at: now.clone(),
            role_name: RoleName::derive(tenant).as_str().to_owned(),
            role_arn: None,
            profiles: Default::default(),
            failure: None,
            tenant_registration_id: request.tenant_registration_id.clone(),
            offboarded_at: Some(now),
            offboard_event_id: Some(request.event_id.clone()),
            offboard_event_time: request.event_time.clone(),
        };
        match self.registry.insert(&record).await {
            Ok(()) => {
                info!(tenant_id = %tenant, "offboarding of an unknown tenant; tombstone written");
                Ok(OffboardOutcome::UnknownTenant(record))
            }
            Err(error) if error.kind == ErrorKind::AlreadyExists => Err(StepFailure::transient(
                tenant.as_str(),
                Step::MarkOffboarding,
                "ConcurrentUpdate",
                "the tenant's registry item appeared while offboarding started; a retry offboards it",
            )),
            Err(error) => Err(StepFailure::from_aws(
                tenant.as_str(),
                Step::MarkOffboarding,
                error,
            )),
        }
    }
}

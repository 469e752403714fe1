//! The onboarding use case: profiles, role, policy and registry item for one tenant.
//!
//! Every step is idempotent so that a redelivered event, or one that arrives
//! after a crash between any two calls, converges on the same end state:
//! profile names and idempotency tokens are deterministic, existing
//! resources are adopted after checking they belong to the tenant, and the
//! registry item records progress with version-conditional writes.

use std::sync::Arc;
use std::time::Duration;

use tracing::{info, warn};

use crate::cleanup::{delete_role_if_tenants, names_tenant, sweep_profiles};
use crate::clock::{is_at_or_before, now_rfc3339};
use crate::config::Config;
use crate::domain::policy::{TENANT_POLICY_NAME, tenant_invoke_policy, trust_policy};
use crate::domain::{
    ClientRequestToken, FailureRecord, ModelKey, ProfileArn, ProfileName, ProfileRecord, RoleName,
    TENANT_TAG_KEY, Tag, TenantId, TenantRecord, TenantStatus,
};
use crate::error::ErrorKind;
use crate::events::OnboardRequest;
pub use crate::failure::{Step, StepFailure};
use crate::ports::{
    CreateProfileRequest, ProfileProvisioner, RoleProvisioner, RoleSpec, TenantRegistry,
};
pub use crate::progress::StepHook;
use crate::progress::{checkpoint, save};

/// Attempts of PutRolePolicy while a new role is not yet visible to IAM.
const ROLE_VISIBILITY_ATTEMPTS: u32 = 6;
const ROLE_VISIBILITY_BASE_DELAY: Duration = Duration::from_millis(250);

/// Outcome of an onboarding request that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnboardOutcome {
    /// This invocation finished the onboarding.
    Provisioned(TenantRecord),
    /// The tenant was already active (a duplicate or redelivered event).
    AlreadyActive(TenantRecord),
    /// The event is stale: the tenant it signed up was offboarded since.
    Ignored { reason: String },
}

/// The onboarding use case over its ports.
pub struct Onboarding<R, P, I> {
    registry: R,
    profiles: P,
    roles: I,
    config: Arc<Config>,
    hook: Option<StepHook>,
}

impl<R, P, I> Onboarding<R, P, I>
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

    /// Runs or resumes the onboarding of `request.tenant_id`.
    ///
    /// A permanent failure is rolled back (created profiles and role are
    /// deleted) and recorded on the tenant as FAILED before it is returned;
    /// a transient one leaves the progress in the registry for the retry.
    pub async fn onboard(&self, request: &OnboardRequest) -> Result<OnboardOutcome, StepFailure> {
        let tenant = &request.tenant_id;
        let mut record = match self.claim(request).await? {
            Claim::Proceed(record) => record,
            Claim::Done(outcome) => return Ok(outcome),
        };
        checkpoint(self.hook.as_ref(), tenant, Step::Claim)?;

        match self.provision(tenant, &mut record).await {
            Ok(()) => {
                info!(tenant_id = %tenant, profiles = record.profiles.len(), "tenant onboarded");
                Ok(OnboardOutcome::Provisioned(record))
            }
            Err(failure) if failure.is_transient() => Err(failure),
            Err(failure) => {
                warn!(tenant_id = %tenant, step = %failure.step, error_type = failure.error_type, error = %failure.message, "onboarding failed permanently; rolling back");
                self.roll_back(tenant, &mut record, &failure).await?;
                Err(failure)
            }
        }
    }

    /// Reads or creates the registry item and decides whether to go on.
    async fn claim(&self, request: &OnboardRequest) -> Result<Claim, StepFailure> {
        let tenant = request.tenant_id.as_str();
        let aws = |error| StepFailure::from_aws(tenant, Step::Claim, error);

        let existing = self.registry.get(tenant).await.map_err(aws)?;
        let Some(mut record) = existing else {
            let record = new_record(request, 1);
            return match self.registry.insert(&record).await {
                Ok(()) => Ok(Claim::Proceed(record)),
                // Another invocation created the item first; its progress is
                // read on the retry.
                Err(error) if error.kind == ErrorKind::AlreadyExists => {
                    Err(StepFailure::transient(
                        tenant,
                        Step::Claim,
                        "ConcurrentOnboarding",
                        "another invocation started onboarding this tenant at the same time; a retry resumes its work",
                    ))
                }
                Err(error) => Err(aws(error)),
            };
        };

        match record.status {
            TenantStatus::Active => {
                if record.tier != request.tier {
                    warn!(tenant_id = tenant, active_tier = %record.tier, requested_tier = %request.tier, "tenant is already active with another tier; onboarding does not change tiers");
                }
                info!(tenant_id = tenant, "tenant already active");
                Ok(Claim::Done(OnboardOutcome::AlreadyActive(record)))
            }
            TenantStatus::Provisioning => {
                info!(tenant_id = tenant, started_by = %record.event_id, "resuming onboarding");
                Ok(Claim::Proceed(record))
            }
            TenantStatus::Failed if record.event_id == request.event_id => {
                let failure = record.failure.as_ref();
                Err(StepFailure::permanent(
                    tenant,
                    Step::Claim,
                    "PreviouslyFailed",
                    format!(
                        "this event already failed permanently: {}",
                        failure
                            .map(|f| f.reason.as_str())
                            .unwrap_or("no reason recorded")
                    ),
                ))
            }
            TenantStatus::Offboarding | TenantStatus::Offboarded if is_stale(request, &record) => {
                // The signup predates the offboarding. An invocation of it may
                // have created resources after offboarding swept them, so
                // sweep again before ignoring it.
                self.sweep_stale(&request.tenant_id, &record).await?;
                Ok(Claim::Done(OnboardOutcome::Ignored {
                    reason: "the tenant was offboarded after this signup event; a late delivery does not re-create it"
                        .to_owned(),
                }))
            }
            TenantStatus::Offboarding => Err(StepFailure::transient(
                tenant,
                Step::Claim,
                "OffboardingInProgress",
                "the tenant is being offboarded; a retry after offboarding ends onboards it again",
            )),
            TenantStatus::Failed | TenantStatus::Offboarded => {
                // A new signup after a failure or an offboarding: start the
                // next generation, whose idempotency tokens differ from the
                // previous one's.
                let expected = record.version;
                let fresh = new_record(request, record.generation.saturating_add(1));
                record = TenantRecord {
                    version: expected + 1,
                    created_at: record.created_at,
                    offboarded_at: record.offboarded_at,
                    offboard_event_id: record.offboard_event_id,
                    offboard_event_time: record.offboard_event_time,
                    ..fresh
                };
                self.registry
                    .replace(&record, expected)
                    .await
                    .map_err(aws)?;
                info!(
                    tenant_id = tenant,
                    generation = record.generation,
                    "onboarding tenant again"
                );
                Ok(Claim::Proceed(record))
            }
        }
    }

    async fn provision(
        &self,
        tenant: &TenantId,
        record: &mut TenantRecord,
    ) -> Result<(), StepFailure> {
        let models = record
            .models
            .iter()
            .map(|raw| ModelKey::parse(raw))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| {
                StepFailure::permanent(
                    tenant.as_str(),
                    Step::Claim,
                    "InvalidRecord",
                    error.to_string(),
                )
            })?;

        for model in &models {
            if let Some(recorded) = record.profiles.get(model.as_str()) {
                if self.recorded_profile_exists(tenant, recorded).await? {
                    continue;
                }
                warn!(tenant_id = %tenant, profile_arn = %recorded.profile_arn, "recorded profile is gone; creating it again");
            }
            let profile = self
                .ensure_profile(tenant, model, record.generation)
                .await?;
            record.profiles.insert(model.as_str().to_owned(), profile);
            save(&self.registry, tenant, record, Step::RecordProfile).await?;
            checkpoint(self.hook.as_ref(), tenant, Step::RecordProfile)?;
        }

        let role_arn = self.ensure_role(tenant).await?;
        record.role_arn = Some(role_arn);
        save(&self.registry, tenant, record, Step::CreateRole).await?;
        checkpoint(self.hook.as_ref(), tenant, Step::CreateRole)?;

        let policy = tenant_invoke_policy(record.profiles.values())
            .map_err(|e| StepFailure::from_policy(tenant.as_str(), &e))?;
        self.put_policy_when_visible(
            tenant,
            &RoleName::from_service(&record.role_name),
            &policy.to_json(),
        )
        .await?;
        checkpoint(self.hook.as_ref(), tenant, Step::PutRolePolicy)?;

        record.status = TenantStatus::Active;
        record.failure = None;
        save(&self.registry, tenant, record, Step::Activate).await?;
        checkpoint(self.hook.as_ref(), tenant, Step::Activate)
    }

    async fn recorded_profile_exists(
        &self,
        tenant: &TenantId,
        recorded: &ProfileRecord,
    ) -> Result<bool, StepFailure> {
        let arn = ProfileArn::parse(&recorded.profile_arn).map_err(|e| {
            StepFailure::permanent(
                tenant.as_str(),
                Step::DescribeProfile,
                "InvalidRecord",
                e.to_string(),
            )
        })?;
        let description = self
            .profiles
            .describe_profile(&arn)
            .await
            .map_err(|e| StepFailure::from_aws(tenant.as_str(), Step::DescribeProfile, e))?;
        Ok(description.is_some())
    }

    /// Creates the model's profile, or adopts the one an earlier attempt made.
    async fn ensure_profile(
        &self,
        tenant: &TenantId,
        model: &ModelKey,
        generation: u32,
    ) -> Result<ProfileRecord, StepFailure> {
        let id = tenant.as_str();
        let Some(source) = self.config.catalog.source(model) else {
            return Err(StepFailure::permanent(
                id,
                Step::CreateProfile,
                "UnknownModel",
                format!("model {model} is no longer in the model catalogue"),
            ));
        };
        let name = ProfileName::derive(tenant, model);
        let request = CreateProfileRequest {
            name: name.clone(),
            description: format!("Per-tenant profile for model {model}"),
            source_arn: source.arn().to_owned(),
            token: ClientRequestToken::derive(tenant, model, generation),
            tags: self.resource_tags(tenant),
        };

        let arn = match self.profiles.create_profile(&request).await {
            Ok(arn) => {
                info!(tenant_id = id, profile_arn = %arn, model = %model, "inference profile created");
                arn
            }
            Err(error) if error.kind == ErrorKind::AlreadyExists => {
                self.adopt_profile(tenant, &name).await?
            }
            Err(error) => return Err(StepFailure::from_aws(id, Step::CreateProfile, error)),
        };
        checkpoint(self.hook.as_ref(), tenant, Step::CreateProfile)?;

        let description = self
            .profiles
            .describe_profile(&arn)
            .await
            .map_err(|e| StepFailure::from_aws(id, Step::DescribeProfile, e))?
            .ok_or_else(|| {
                StepFailure::transient(
                    id,
                    Step::DescribeProfile,
                    "ProfileNotVisible",
                    format!(
                        "profile {arn} was created but GetInferenceProfile does not find it yet"
                    ),
                )
            })?;
        if description.routed_model_arns.is_empty() {
            // A profile the tenant policy cannot allow would leave an active
            // tenant unable to invoke; remove it so nothing is attached.
            if let Err(error) = self.profiles.delete_profile(&arn).await {
                warn!(tenant_id = id, profile_arn = %arn, error = %error, "could not delete profile without routed models");
            }
            return Err(StepFailure::permanent(
                id,
                Step::DescribeProfile,
                "NoRoutedModels",
                format!(
                    "GetInferenceProfile lists no routed foundation models for {arn} (source {}); nothing was attached",
                    source.arn()
                ),
            ));
        }

        Ok(ProfileRecord {
            profile_name: name.as_str().to_owned(),
            profile_id: arn.id().to_owned(),
            region: arn.region().to_owned(),
            profile_arn: arn.as_str().to_owned(),
            source_arn: source.arn().to_owned(),
            source_model_id: source.model_id().to_owned(),
            routed_model_arns: description.routed_model_arns,
        })
    }

    /// Adopts a profile of the derived name if it carries this tenant's tag.
    async fn adopt_profile(
        &self,
        tenant: &TenantId,
        name: &ProfileName,
    ) -> Result<ProfileArn, StepFailure> {
        let id = tenant.as_str();
        let aws = |error| StepFailure::from_aws(id, Step::CreateProfile, error);
        let Some(found) = self
            .profiles
            .find_profile_by_name(name)
            .await
            .map_err(aws)?
        else {
            return Err(StepFailure::transient(
                id,
                Step::CreateProfile,
                "ProfileNotVisible",
                format!(
                    "CreateInferenceProfile reported a conflict but no application profile is named {name}"
                ),
            ));
        };
        let tags = self.profiles.profile_tags(&found.arn).await.map_err(aws)?;
        if !names_tenant(&tags, tenant) {
            return Err(StepFailure::permanent(
                id,
                Step::CreateProfile,
                "ResourceConflict",
                format!(
                    "profile {} is named {name} but its {TENANT_TAG_KEY} tag does not name this tenant; it was left alone",
                    found.arn
                ),
            ));
        }
        info!(tenant_id = id, profile_arn = %found.arn, "adopting existing inference profile");
        Ok(found.arn)
    }

    /// Creates the tenant role, or adopts it if it already has the expected path, boundary and tag.
    async fn ensure_role(&self, tenant: &TenantId) -> Result<String, StepFailure> {
        let id = tenant.as_str();
        let aws = |error| StepFailure::from_aws(id, Step::CreateRole, error);
        let spec = RoleSpec {
            name: RoleName::derive(tenant),
            path: self.config.tenant_role_path.clone(),
            boundary_policy_arn: self.config.boundary_policy_arn.clone(),
            trust_policy: trust_policy(&self.config.trusted_principal_arn).to_json(),
            description:
                "Invokes Bedrock only through this tenant's application inference profiles"
                    .to_owned(),
            tags: self.resource_tags(tenant),
        };
        match self.roles.create_role(&spec).await {
            Ok(arn) => {
                info!(tenant_id = id, role_arn = %arn, "tenant role created");
                Ok(arn)
            }
            Err(error) if error.kind == ErrorKind::AlreadyExists => {
                let existing = self
                    .roles
                    .describe_role(&spec.name)
                    .await
                    .map_err(aws)?
                    .ok_or_else(|| {
                        StepFailure::transient(
                            id,
                            Step::CreateRole,
                            "RoleNotVisible",
                            format!("role {} exists but GetRole does not find it yet", spec.name),
                        )
                    })?;
                let managed = existing.path == spec.path
                    && existing.boundary_policy_arn.as_deref()
                        == Some(spec.boundary_policy_arn.as_str())
                    && names_tenant(&existing.tags, tenant);
                if !managed {
                    return Err(StepFailure::permanent(
                        id,
                        Step::CreateRole,
                        "ResourceConflict",
                        format!(
                            "role {} exists without this tenant's path, permissions boundary or {TENANT_TAG_KEY} tag; it was left alone",
                            existing.arn
                        ),
                    ));
                }
                info!(tenant_id = id, role_arn = %existing.arn, "adopting existing tenant role");
                Ok(existing.arn)
            }
            Err(error) => Err(aws(error)),
        }
    }

    /// Puts the inline policy, waiting while IAM does not yet see a new role.
    /// IAM is eventually consistent, so a new role can be missing for seconds.
    async fn put_policy_when_visible(
        &self,
        tenant: &TenantId,
        role: &RoleName,
        document: &str,
    ) -> Result<(), StepFailure> {
        let mut attempt = 1;
        loop {
            match self
                .roles
                .put_role_policy(role, TENANT_POLICY_NAME, document)
                .await
            {
                Ok(()) => return Ok(()),
                Err(error)
                    if error.kind == ErrorKind::NotFound && attempt < ROLE_VISIBILITY_ATTEMPTS =>
                {
                    let delay = backoff_with_jitter(ROLE_VISIBILITY_BASE_DELAY, attempt);
                    warn!(tenant_id = %tenant, role_name = %role, attempt, delay_ms = delay.as_millis() as u64, "role not visible yet; retrying PutRolePolicy");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(error) if error.kind == ErrorKind::NotFound => {
                    return Err(StepFailure::transient(
                        tenant.as_str(),
                        Step::PutRolePolicy,
                        "RoleNotVisible",
                        format!("{error} (role still not visible after {attempt} attempts)"),
                    ));
                }
                Err(error) => {
                    return Err(StepFailure::from_aws(
                        tenant.as_str(),
                        Step::PutRolePolicy,
                        error,
                    ));
                }
            }
        }
    }

    /// Deletes what an invocation of a stale signup may have created after offboarding.
    async fn sweep_stale(
        &self,
        tenant: &TenantId,
        record: &TenantRecord,
    ) -> Result<(), StepFailure> {
        let aws = |error| StepFailure::from_aws(tenant.as_str(), Step::Claim, error);
        sweep_profiles(&self.profiles, &self.config, tenant)
            .await
            .map_err(aws)?;
        delete_role_if_tenants(
            &self.roles,
            &self.config,
            tenant,
            &RoleName::from_service(&record.role_name),
        )
        .await
        .map_err(aws)?;
        Ok(())
    }

    /// Deletes what this onboarding created and records the failure on the tenant.
    async fn roll_back(
        &self,
        tenant: &TenantId,
        record: &mut TenantRecord,
        failure: &StepFailure,
    ) -> Result<(), StepFailure> {
        let id = tenant.as_str();
        let aws = |error| StepFailure::from_aws(id, Step::RollBack, error);
        for profile in record.profiles.values() {
            let arn = ProfileArn::parse(&profile.profile_arn).map_err(|e| {
                StepFailure::permanent(id, Step::RollBack, "InvalidRecord", e.to_string())
            })?;
            self.profiles.delete_profile(&arn).await.map_err(aws)?;
            info!(tenant_id = id, profile_arn = %arn, "rolled back inference profile");
        }
        if record.role_arn.is_some() {
            self.roles
                .delete_role(&RoleName::from_service(&record.role_name))
                .await
                .map_err(aws)?;
            info!(tenant_id = id, role_name = %record.role_name, "rolled back tenant role");
        }
        record.profiles.clear();
        record.role_arn = None;
        record.status = TenantStatus::Failed;
        record.failure = Some(FailureRecord {
            error_type: failure.error_type.to_owned(),
            reason: failure.message.clone(),
            retryable: false,
            step: failure.step.as_str().to_owned(),
            at: now_rfc3339(),
        });
        save(&self.registry, tenant, record, Step::RollBack).await
    }

    fn resource_tags(&self, tenant: &TenantId) -> Vec<Tag> {
        let mut tags = vec![Tag {
            key: TENANT_TAG_KEY.to_owned(),
            value: tenant.as_str().to_owned(),
        }];
        tags.extend(self.config.extra_tags.iter().cloned());
        tags
    }
}

enum Claim {
    Proceed(TenantRecord),
    Done(OnboardOutcome),
}

fn new_record(request: &OnboardRequest, generation: u32) -> TenantRecord {
    let now = now_rfc3339();
    TenantRecord {
        tenant_id: request.tenant_id.as_str().to_owned(),
        status: TenantStatus::Provisioning,
        tier: request.tier.clone(),
        models: request
            .models
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        generation,
        version: 1,
        event_id: request.event_id.clone(),
        created_at: now.clone(),
        updated_at: now,
        role_name: RoleName::derive(&request.tenant_id).as_str().to_owned(),
        role_arn: None,
        profiles: Default::default(),
        failure: None,
        tenant_registration_id: request.tenant_registration_id.clone(),
        offboarded_at: None,
        offboard_event_id: None,
        offboard_event_time: None,
    }
}

/// Tells whether a signup is older than the tenant's offboarding: the same event
/// redelivered, or one that EventBridge received before the offboarding request.
fn is_stale(request: &OnboardRequest, record: &TenantRecord) -> bool {
    request.event_id == record.event_id
        || is_at_or_before(
            request.event_time.as_deref(),
            record.offboard_event_time.as_deref(),
        )
}

/// Exponential backoff with jitter: a random delay between half and all of `base * 2^(attempt-1)`.
pub(crate) fn backoff_with_jitter(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(millis / 2..=millis.max(1)))
}

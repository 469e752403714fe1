//! Deleting a tenant's resources, shared by offboarding, by onboarding when a
//! late signup finds the tenant offboarded, and by reconcile.
//!
//! Nothing is deleted unless it is provably the tenant's: a profile must carry
//! the tenant's `tenant-id` tag, and a role must also sit under the tenant
//! role path. Resources that are already gone count as deleted.

use tracing::{info, warn};

use crate::config::Config;
use crate::domain::{ProfileArn, ProfileName, RoleName, TENANT_TAG_KEY, Tag, TenantId};
use crate::error::{AwsError, ErrorKind};
use crate::ports::{ProfileProvisioner, RoleProvisioner};

/// Result of deleting one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    AlreadyGone,
    /// Left alone because it is not provably this tenant's.
    NotTheTenants,
}

/// Deletes a profile only if its `tenant-id` tag names `tenant`.
pub async fn delete_profile_if_tenants<P: ProfileProvisioner>(
    profiles: &P,
    tenant: &TenantId,
    arn: &ProfileArn,
) -> Result<Removal, AwsError> {
    let tags = match profiles.profile_tags(arn).await {
        Ok(tags) => tags,
        Err(error) if error.kind == ErrorKind::NotFound => return Ok(Removal::AlreadyGone),
        Err(error) => return Err(error),
    };
    if !names_tenant(&tags, tenant) {
        warn!(tenant_id = %tenant, profile_arn = %arn, "profile is tagged for another tenant; left alone");
        return Ok(Removal::NotTheTenants);
    }
    profiles.delete_profile(arn).await?;
    info!(tenant_id = %tenant, profile_arn = %arn, "inference profile deleted");
    Ok(Removal::Deleted)
}

/// Deletes the tenant's role if it sits under the tenant path and carries the tenant's tag.
pub async fn delete_role_if_tenants<I: RoleProvisioner>(
    roles: &I,
    config: &Config,
    tenant: &TenantId,
    name: &RoleName,
) -> Result<Removal, AwsError> {
    let Some(role) = roles.describe_role(name).await? else {
        return Ok(Removal::AlreadyGone);
    };
    if role.path != config.tenant_role_path || !names_tenant(&role.tags, tenant) {
        warn!(tenant_id = %tenant, role_arn = %role.arn, "role is not this tenant's managed role; left alone");
        return Ok(Removal::NotTheTenants);
    }
    roles.delete_role(name).await?;
    info!(tenant_id = %tenant, role_arn = %role.arn, "tenant role deleted");
    Ok(Removal::Deleted)
}

/// Deletes every application profile that carries a name this project derives
/// for the tenant (any model of the catalogue) and the tenant's tag. This
/// finds profiles that an interrupted onboarding created but never recorded.
/// Returns the ARNs it deleted.
pub async fn sweep_profiles<P: ProfileProvisioner>(
    profiles: &P,
    config: &Config,
    tenant: &TenantId,
) -> Result<Vec<ProfileArn>, AwsError> {
    let derived: Vec<ProfileName> = config
        .catalog
        .sources()
        .map(|(model, _)| ProfileName::derive(tenant, model))
        .collect();
    let mut deleted = Vec::new();
    for profile in profiles.list_application_profiles().await? {
        if !derived.iter().any(|name| name.as_str() == profile.name) {
            continue;
        }
        if delete_profile_if_tenants(profiles, tenant, &profile.arn).await? == Removal::Deleted {
            deleted.push(profile.arn);
        }
    }
    Ok(deleted)
}

/// Tells whether the tags name `tenant` in the `tenant-id` tag.
pub fn names_tenant(tags: &[Tag], tenant: &TenantId) -> bool {
    tags.iter()
        .any(|tag| tag.key == TENANT_TAG_KEY && tag.value == tenant.as_str())
}

//! Reconcile: compare the registry with the application profiles and tenant
//! roles that exist, and list orphans and drift.
//!
//! A profile or role is *claimed* by a registry item that is ACTIVE or
//! PROVISIONING and records it. Tombstones (OFFBOARDED) and FAILED items
//! claim nothing, so anything still tagged for them is an orphan that counts
//! against the account's profile quota.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::aws::{BedrockProfiles, DynamoRegistry, IamRoles};
use crate::domain::{ProfileArn, RoleName, TENANT_TAG_KEY, TenantRecord, TenantStatus};
use crate::error::AwsError;
use crate::ports::{ProfileProvisioner, RoleProvisioner};

/// An application inference profile as found in Bedrock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundProfile {
    pub arn: String,
    pub name: String,
    /// Value of the `tenant-id` tag; `None` when the profile has none.
    pub tenant_tag: Option<String>,
}

/// A role found under the tenant role path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRole {
    pub name: String,
    pub arn: String,
    pub tenant_tag: Option<String>,
}

/// Everything reconcile compares.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub records: Vec<TenantRecord>,
    pub profiles: Vec<FoundProfile>,
    pub roles: Vec<FoundRole>,
}

/// One difference between the registry and what exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// A profile tagged with a tenant id that no live registry item claims.
    OrphanProfile {
        profile_arn: String,
        profile_name: String,
        tenant_tag: String,
    },
    /// A role under the tenant path that no live registry item claims.
    OrphanRole { role_name: String, role_arn: String },
    /// A live item records a profile that no longer exists.
    MissingProfile {
        tenant_id: String,
        model: String,
        profile_arn: String,
    },
    /// An ACTIVE item whose role no longer exists.
    MissingRole {
        tenant_id: String,
        role_name: String,
    },
    /// A recorded profile whose `tenant-id` tag was removed or changed.
    TagDrift {
        tenant_id: String,
        profile_arn: String,
        tenant_tag: Option<String>,
    },
    /// An onboarding or offboarding that has not finished: in flight, or
    /// waiting in the dead-letter queue.
    Unfinished {
        tenant_id: String,
        status: String,
        updated_at: String,
    },
}

impl Finding {
    /// Tells whether `--repair` deletes what this finding names.
    pub fn is_repairable(&self) -> bool {
        matches!(self, Self::OrphanProfile { .. } | Self::OrphanRole { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OrphanProfile {
                profile_arn,
                tenant_tag,
                ..
            } => write!(
                f,
                "orphan profile {profile_arn} (tenant-id={tenant_tag}): no live registry item records it; --repair deletes it"
            ),
            Self::OrphanRole { role_arn, .. } => write!(
                f,
                "orphan role {role_arn}: no live registry item records it; --repair deletes it"
            ),
            Self::MissingProfile {
                tenant_id,
                model,
                profile_arn,
            } => write!(
                f,
                "tenant {tenant_id}: profile {profile_arn} for model {model} is gone; send the signup again to recreate it"
            ),
            Self::MissingRole {
                tenant_id,
                role_name,
            } => write!(
                f,
                "tenant {tenant_id}: role {role_name} is gone; send the signup again to recreate it"
            ),
            Self::TagDrift {
                tenant_id,
                profile_arn,
                tenant_tag,
            } => write!(
                f,
                "tenant {tenant_id}: profile {profile_arn} has tenant-id={}; its cost is not attributed to the tenant",
                tenant_tag.as_deref().unwrap_or("(none)")
            ),
            Self::Unfinished {
                tenant_id,
                status,
                updated_at,
            } => write!(
                f,
                "tenant {tenant_id}: {status} since {updated_at}; if no invocation is running, redrive its event from the dead-letter queue"
            ),
        }
    }
}

/// Compares the inventory and returns the findings, sorted.
pub fn reconcile(inventory: &Inventory) -> Vec<Finding> {
    let live: Vec<&TenantRecord> = inventory
        .records
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                TenantStatus::Active | TenantStatus::Provisioning | TenantStatus::Offboarding
            )
        })
        .collect();
    let profiles_by_arn: BTreeMap<&str, &FoundProfile> = inventory
        .profiles
        .iter()
        .map(|p| (p.arn.as_str(), p))
        .collect();
    let role_names: BTreeSet<&str> = inventory.roles.iter().map(|r| r.name.as_str()).collect();

    let mut claimed_profiles = BTreeSet::new();
    let mut claimed_roles = BTreeSet::new();
    let mut findings = Vec::new();
    for record in &live {
        claimed_roles.insert(record.role_name.as_str());
        if record.status != TenantStatus::Active {
            findings.push(Finding::Unfinished {
                tenant_id: record.tenant_id.clone(),
                status: format!("{:?}", record.status).to_uppercase(),
                updated_at: record.updated_at.clone(),
            });
        }
        for (model, profile) in &record.profiles {
            claimed_profiles.insert(profile.profile_arn.as_str());
            match profiles_by_arn.get(profile.profile_arn.as_str()) {
                None if record.status != TenantStatus::Offboarding => {
                    findings.push(Finding::MissingProfile {
                        tenant_id: record.tenant_id.clone(),
                        model: model.clone(),
                        profile_arn: profile.profile_arn.clone(),
                    })
                }
                Some(found) if found.tenant_tag.as_deref() != Some(record.tenant_id.as_str()) => {
                    findings.push(Finding::TagDrift {
                        tenant_id: record.tenant_id.clone(),
                        profile_arn: profile.profile_arn.clone(),
                        tenant_tag: found.tenant_tag.clone(),
                    })
                }
                _ => {}
            }
        }
        if record.status == TenantStatus::Active && !role_names.contains(record.role_name.as_str())
        {
            findings.push(Finding::MissingRole {
                tenant_id: record.tenant_id.clone(),
                role_name: record.role_name.clone(),
            });
        }
    }

    for profile in &inventory.profiles {
        if let Some(tenant_tag) = &profile.tenant_tag
            && !claimed_profiles.contains(profile.arn.as_str())
            && !claimed_by_in_flight(&live, tenant_tag)
        {
            findings.push(Finding::OrphanProfile {
                profile_arn: profile.arn.clone(),
                profile_name: profile.name.clone(),
                tenant_tag: tenant_tag.clone(),
            });
        }
    }
    for role in &inventory.roles {
        if !claimed_roles.contains(role.name.as_str()) {
            findings.push(Finding::OrphanRole {
                role_name: role.name.clone(),
                role_arn: role.arn.clone(),
            });
        }
    }
    findings.sort();
    findings
}

/// Reads the registry, every application profile with its tags, and every
/// role under `role_path`. `progress` is called with a line per stage.
pub async fn collect(
    registry: &DynamoRegistry,
    profiles: &BedrockProfiles,
    roles: &IamRoles,
    role_path: &str,
    progress: impl Fn(&str),
) -> Result<Inventory, AwsError> {
    let records = registry.scan_all().await?;
    progress(&format!("read {} registry items", records.len()));

    let listed = profiles.list_application_profiles().await?;
    let mut found_profiles = Vec::with_capacity(listed.len());
    for (index, profile) in listed.iter().enumerate() {
        let tags = profiles.profile_tags(&profile.arn).await?;
        found_profiles.push(FoundProfile {
            arn: profile.arn.as_str().to_owned(),
            name: profile.name.clone(),
            tenant_tag: tags
                .into_iter()
                .find(|t| t.key == TENANT_TAG_KEY)
                .map(|t| t.value),
        });
        if (index + 1) % 100 == 0 {
            progress(&format!(
                "read tags of {} of {} application profiles",
                index + 1,
                listed.len()
            ));
        }
    }
    progress(&format!(
        "read {} application profiles",
        found_profiles.len()
    ));

    let found_roles = roles.list_roles_under(role_path).await?;
    progress(&format!(
        "read {} roles under {role_path}",
        found_roles.len()
    ));
    Ok(Inventory {
        records,
        profiles: found_profiles,
        roles: found_roles,
    })
}

/// Deletes what the repairable findings name. Returns a line per action.
pub async fn repair(
    findings: &[Finding],
    profiles: &BedrockProfiles,
    roles: &IamRoles,
) -> Result<Vec<String>, AwsError> {
    let mut actions = Vec::new();
    for finding in findings {
        match finding {
            Finding::OrphanProfile { profile_arn, .. } => {
                let Ok(arn) = ProfileArn::parse(profile_arn) else {
                    actions.push(format!(
                        "skipped {profile_arn}: not an application profile ARN"
                    ));
                    continue;
                };
                profiles.delete_profile(&arn).await?;
                actions.push(format!("deleted profile {profile_arn}"));
            }
            Finding::OrphanRole { role_name, .. } => {
                roles
                    .delete_role(&RoleName::from_service(role_name))
                    .await?;
                actions.push(format!("deleted role {role_name}"));
            }
            _ => {}
        }
    }
    Ok(actions)
}

/// Tells whether a PROVISIONING tenant claims a profile tagged for it. Such a
/// tenant may have created a profile it has not recorded yet, so that
/// profile is work in progress, not an orphan.
fn claimed_by_in_flight(live: &[&TenantRecord], tenant_tag: &str) -> bool {
    live.iter()
        .any(|record| record.status == TenantStatus::Provisioning && record.tenant_id == tenant_tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ProfileRecord;

    const ARN_A: &str =
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/aaaaaaaaaaaa";
    const ARN_B: &str =
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/bbbbbbbbbbbb";

    fn record(tenant: &str, status: TenantStatus, profiles: &[(&str, &str)]) -> TenantRecord {
        TenantRecord {
            tenant_id: tenant.to_owned(),
            status,
            tier: "basic".to_owned(),
            models: profiles
                .iter()
                .map(|(model, _)| (*model).to_owned())
                .collect(),
            generation: 1,
            version: 1,
            event_id: "e".to_owned(),
            created_at: "2026-01-01T00:00:00Z".to_owned(),
            updated_at: "2026-01-01T00:00:00Z".to_owned(),
            role_name: format!("tenant-{tenant}"),
            role_arn: Some(format!(
                "arn:aws:iam::111122223333:role/tenants/tenant-{tenant}"
            )),
            profiles: profiles
                .iter()
                .map(|(model, arn)| {
                    let profile = ProfileRecord {
                        profile_name: format!("{tenant}-{model}"),
                        profile_arn: (*arn).to_owned(),
                        profile_id: arn.rsplit('/').next().unwrap_or_default().to_owned(),
                        source_arn: String::new(),
                        source_model_id: String::new(),
                        region: "us-east-1".to_owned(),
                        routed_model_arns: Vec::new(),
                    };
                    ((*model).to_owned(), profile)
                })
                .collect(),
            failure: None,
            tenant_registration_id: None,
            offboarded_at: None,
            offboard_event_id: None,
            offboard_event_time: None,
        }
    }

    fn profile(arn: &str, tenant: Option<&str>) -> FoundProfile {
        FoundProfile {
            arn: arn.to_owned(),
            name: "p".to_owned(),
            tenant_tag: tenant.map(str::to_owned),
        }
    }

    fn role(tenant: &str) -> FoundRole {
        FoundRole {
            name: format!("tenant-{tenant}"),
            arn: format!("arn:aws:iam::111122223333:role/tenants/tenant-{tenant}"),
            tenant_tag: Some(tenant.to_owned()),
        }
    }

    #[test]
    fn consistent_inventory_has_no_findings() {
        let inventory = Inventory {
            records: vec![record(
                "acme",
                TenantStatus::Active,
                &[("nova-lite", ARN_A)],
            )],
            profiles: vec![profile(ARN_A, Some("acme"))],
            roles: vec![role("acme")],
        };

        assert_eq!(reconcile(&inventory), Vec::new());
    }

    #[test]
    fn finds_orphans_of_tombstones_and_unknown_tenants() {
        let inventory = Inventory {
            records: vec![record(
                "gone",
                TenantStatus::Offboarded,
                &[("nova-lite", ARN_A)],
            )],
            profiles: vec![
                profile(ARN_A, Some("gone")),
                profile(ARN_B, Some("never-registered")),
            ],
            roles: vec![role("gone")],
        };

        let findings = reconcile(&inventory);

        assert_eq!(findings.len(), 3, "{findings:?}");
        assert!(findings.iter().all(Finding::is_repairable));
    }

    #[test]
    fn untagged_profiles_are_not_ours() {
        let inventory = Inventory {
            profiles: vec![profile(ARN_A, None)],
            ..Inventory::default()
        };

        assert_eq!(reconcile(&inventory), Vec::new());
    }

    #[test]
    fn finds_missing_resources_and_tag_drift() {
        let inventory = Inventory {
            records: vec![record(
                "acme",
                TenantStatus::Active,
                &[("nova-lite", ARN_A), ("claude-haiku", ARN_B)],
            )],
            profiles: vec![profile(ARN_B, Some("globex"))],
            roles: vec![],
        };

        let findings = reconcile(&inventory);

        assert!(findings.contains(&Finding::MissingProfile {
            tenant_id: "acme".to_owned(),
            model: "nova-lite".to_owned(),
            profile_arn: ARN_A.to_owned(),
        }));
        assert!(findings.contains(&Finding::TagDrift {
            tenant_id: "acme".to_owned(),
            profile_arn: ARN_B.to_owned(),
            tenant_tag: Some("globex".to_owned()),
        }));
        assert!(findings.contains(&Finding::MissingRole {
            tenant_id: "acme".to_owned(),
            role_name: "tenant-acme".to_owned(),
        }));
        assert!(!findings.iter().any(Finding::is_repairable));
    }

    #[test]
    fn provisioning_tenant_is_unfinished_not_orphaned() {
        let inventory = Inventory {
            records: vec![record("acme", TenantStatus::Provisioning, &[])],
            profiles: vec![profile(ARN_A, Some("acme"))],
            roles: vec![role("acme")],
        };

        let findings = reconcile(&inventory);

        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(matches!(findings[0], Finding::Unfinished { .. }));
    }
}

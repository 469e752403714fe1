//! IAM adapter: tenant roles and their inline policies.

use aws_sdk_iam::Client;
use aws_sdk_iam::operation::create_role::CreateRoleError;
use aws_sdk_iam::operation::delete_role::DeleteRoleError;
use aws_sdk_iam::operation::delete_role_policy::DeleteRolePolicyError;
use aws_sdk_iam::operation::get_role::GetRoleError;
use aws_sdk_iam::operation::list_role_policies::ListRolePoliciesError;
use aws_sdk_iam::operation::put_role_policy::PutRolePolicyError;
use tracing::debug;

use super::classify;
use crate::domain::{RoleName, Tag};
use crate::error::{AwsError, ErrorKind};
use crate::ports::{RoleDescription, RoleProvisioner, RoleSpec};

/// Tenant roles through the IAM API.
#[derive(Debug, Clone)]
pub struct IamRoles {
    client: Client,
}

impl IamRoles {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Reads an inline policy document, percent-decoded (IAM returns it URL-encoded).
    pub async fn role_policy(
        &self,
        name: &RoleName,
        policy_name: &str,
    ) -> Result<Option<String>, AwsError> {
        const OPERATION: &str = "GetRolePolicy";
        let result = self
            .client
            .get_role_policy()
            .role_name(name.as_str())
            .policy_name(policy_name)
            .send()
            .await;
        match result {
            Ok(output) => {
                let decoded = percent_encoding::percent_decode_str(output.policy_document())
                    .decode_utf8()
                    .map_err(|error| {
                        super::unexpected(
                            OPERATION,
                            format!("policy document is not UTF-8: {error}"),
                        )
                    })?;
                Ok(Some(decoded.into_owned()))
            }
            Err(error) => {
                let error = classify(OPERATION, error, |e| {
                    match e {
                    aws_sdk_iam::operation::get_role_policy::GetRolePolicyError::NoSuchEntityException(_) => {
                        Some(ErrorKind::NotFound)
                    }
                    aws_sdk_iam::operation::get_role_policy::GetRolePolicyError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                }
                });
                if error.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Lists the roles under `path`, each with its `tenant-id` tag.
    pub async fn list_roles_under(
        &self,
        path: &str,
    ) -> Result<Vec<crate::reconcile::FoundRole>, AwsError> {
        let mut pages = self
            .client
            .list_roles()
            .path_prefix(path)
            .into_paginator()
            .send();
        let mut roles = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| {
                classify("ListRoles", error, |e| match e {
                    aws_sdk_iam::operation::list_roles::ListRolesError::ServiceFailureException(
                        _,
                    ) => Some(ErrorKind::ServiceUnavailable),
                    _ => None,
                })
            })?;
            for role in page.roles() {
                // ListRoles leaves tags out, so each role's tags are read separately.
                let tags = self
                    .client
                    .list_role_tags()
                    .role_name(role.role_name())
                    .send()
                    .await
                    .map_err(|error| classify("ListRoleTags", error, |_| None))?;
                roles.push(crate::reconcile::FoundRole {
                    name: role.role_name().to_owned(),
                    arn: role.arn().to_owned(),
                    tenant_tag: tags
                        .tags()
                        .iter()
                        .find(|tag| tag.key() == crate::domain::TENANT_TAG_KEY)
                        .map(|tag| tag.value().to_owned()),
                });
            }
        }
        Ok(roles)
    }

    async fn inline_policy_names(&self, name: &RoleName) -> Result<Vec<String>, AwsError> {
        const OPERATION: &str = "ListRolePolicies";
        let mut pages = self
            .client
            .list_role_policies()
            .role_name(name.as_str())
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    ListRolePoliciesError::NoSuchEntityException(_) => Some(ErrorKind::NotFound),
                    ListRolePoliciesError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                })
            })?;
            names.extend(page.policy_names().iter().cloned());
        }
        Ok(names)
    }
}

impl RoleProvisioner for IamRoles {
    async fn create_role(&self, spec: &RoleSpec) -> Result<String, AwsError> {
        const OPERATION: &str = "CreateRole";
        debug!(role_name = %spec.name, path = %spec.path, "creating tenant role");
        let tags = spec
            .tags
            .iter()
            .map(|tag| {
                aws_sdk_iam::types::Tag::builder()
                    .key(&tag.key)
                    .value(&tag.value)
                    .build()
                    .map_err(|error| super::unexpected(OPERATION, error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .create_role()
            .role_name(spec.name.as_str())
            .path(&spec.path)
            .assume_role_policy_document(&spec.trust_policy)
            .permissions_boundary(&spec.boundary_policy_arn)
            .description(&spec.description)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    CreateRoleError::EntityAlreadyExistsException(_) => {
                        Some(ErrorKind::AlreadyExists)
                    }
                    CreateRoleError::ConcurrentModificationException(_) => {
                        Some(ErrorKind::ConcurrentUpdate)
                    }
                    CreateRoleError::InvalidInputException(_)
                    | CreateRoleError::MalformedPolicyDocumentException(_) => {
                        Some(ErrorKind::Invalid)
                    }
                    CreateRoleError::LimitExceededException(_) => Some(ErrorKind::QuotaExceeded),
                    CreateRoleError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                })
            })?;
        output
            .role()
            .map(|role| role.arn().to_owned())
            .ok_or_else(|| super::unexpected(OPERATION, "CreateRole returned no role"))
    }

    async fn describe_role(&self, name: &RoleName) -> Result<Option<RoleDescription>, AwsError> {
        const OPERATION: &str = "GetRole";
        let result = self.client.get_role().role_name(name.as_str()).send().await;
        let output = match result {
            Ok(output) => output,
            Err(error) => {
                let error = classify(OPERATION, error, |e| match e {
                    GetRoleError::NoSuchEntityException(_) => Some(ErrorKind::NotFound),
                    GetRoleError::ServiceFailureException(_) => Some(ErrorKind::ServiceUnavailable),
                    _ => None,
                });
                return if error.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(error)
                };
            }
        };
        let Some(role) = output.role() else {
            return Err(super::unexpected(OPERATION, "GetRole returned no role"));
        };
        Ok(Some(RoleDescription {
            arn: role.arn().to_owned(),
            path: role.path().to_owned(),
            boundary_policy_arn: role
                .permissions_boundary()
                .and_then(|boundary| boundary.permissions_boundary_arn())
                .map(str::to_owned),
            tags: role
                .tags()
                .iter()
                .map(|tag| Tag {
                    key: tag.key().to_owned(),
                    value: tag.value().to_owned(),
                })
                .collect(),
        }))
    }

    async fn put_role_policy(
        &self,
        name: &RoleName,
        policy_name: &str,
        document: &str,
    ) -> Result<(), AwsError> {
        const OPERATION: &str = "PutRolePolicy";
        debug!(role_name = %name, policy_name, "putting tenant role policy");
        self.client
            .put_role_policy()
            .role_name(name.as_str())
            .policy_name(policy_name)
            .policy_document(document)
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    PutRolePolicyError::NoSuchEntityException(_) => Some(ErrorKind::NotFound),
                    PutRolePolicyError::MalformedPolicyDocumentException(_) => {
                        Some(ErrorKind::Invalid)
                    }
                    PutRolePolicyError::LimitExceededException(_) => Some(ErrorKind::QuotaExceeded),
                    PutRolePolicyError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                })
            })?;
        Ok(())
    }

    async fn delete_role(&self, name: &RoleName) -> Result<(), AwsError> {
        debug!(role_name = %name, "deleting tenant role");
        let policy_names = match self.inline_policy_names(name).await {
            Ok(names) => names,
            Err(error) if error.kind == ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        for policy_name in policy_names {
            let result = self
                .client
                .delete_role_policy()
                .role_name(name.as_str())
                .policy_name(&policy_name)
                .send()
                .await;
            if let Err(error) = result {
                let error = classify("DeleteRolePolicy", error, |e| match e {
                    DeleteRolePolicyError::NoSuchEntityException(_) => Some(ErrorKind::NotFound),
                    DeleteRolePolicyError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                });
                if error.kind != ErrorKind::NotFound {
                    return Err(error);
                }
            }
        }
        let result = self
            .client
            .delete_role()
            .role_name(name.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = classify("DeleteRole", error, |e| match e {
                    DeleteRoleError::NoSuchEntityException(_) => Some(ErrorKind::NotFound),
                    DeleteRoleError::ConcurrentModificationException(_) => {
                        Some(ErrorKind::ConcurrentUpdate)
                    }
                    DeleteRoleError::DeleteConflictException(_) => {
                        Some(ErrorKind::ConcurrentUpdate)
                    }
                    DeleteRoleError::ServiceFailureException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    _ => None,
                });
                if error.kind == ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }
}

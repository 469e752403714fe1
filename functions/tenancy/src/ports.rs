//! The capabilities the use cases need, each implemented by an AWS adapter in [`crate::aws`].

use std::future::Future;

use crate::domain::{ClientRequestToken, ProfileArn, ProfileName, RoleName, Tag, TenantRecord};
use crate::error::AwsError;
use crate::events::OutboundEvent;

/// The DynamoDB tenant registry.
pub trait TenantRegistry: Send + Sync {
    /// Reads a tenant's item with a strongly consistent read.
    fn get(
        &self,
        tenant_id: &str,
    ) -> impl Future<Output = Result<Option<TenantRecord>, AwsError>> + Send;

    /// Writes a new item; fails with `AlreadyExists` when the tenant has one.
    fn insert(&self, record: &TenantRecord) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// Replaces an item only while its stored version is `expected_version`;
    /// fails with `ConcurrentUpdate` otherwise.
    fn replace(
        &self,
        record: &TenantRecord,
        expected_version: u64,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Parameters of one CreateInferenceProfile call.
#[derive(Debug, Clone)]
pub struct CreateProfileRequest {
    pub name: ProfileName,
    pub description: String,
    pub source_arn: String,
    pub token: ClientRequestToken,
    pub tags: Vec<Tag>,
}

/// An application inference profile as GetInferenceProfile or ListInferenceProfiles describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileDescription {
    pub arn: ProfileArn,
    pub name: String,
    pub routed_model_arns: Vec<String>,
}

/// Bedrock application inference profiles.
pub trait ProfileProvisioner: Send + Sync {
    /// Creates a profile; fails with `AlreadyExists` when the name is taken.
    fn create_profile(
        &self,
        request: &CreateProfileRequest,
    ) -> impl Future<Output = Result<ProfileArn, AwsError>> + Send;

    /// Reads a profile by ARN; `None` when it does not exist.
    fn describe_profile(
        &self,
        arn: &ProfileArn,
    ) -> impl Future<Output = Result<Option<ProfileDescription>, AwsError>> + Send;

    /// Finds an application profile by name, following every page of the listing.
    fn find_profile_by_name(
        &self,
        name: &ProfileName,
    ) -> impl Future<Output = Result<Option<ProfileDescription>, AwsError>> + Send;

    /// Lists every application profile of the region, following every page.
    fn list_application_profiles(
        &self,
    ) -> impl Future<Output = Result<Vec<ProfileDescription>, AwsError>> + Send;

    fn profile_tags(
        &self,
        arn: &ProfileArn,
    ) -> impl Future<Output = Result<Vec<Tag>, AwsError>> + Send;

    /// Deletes a profile; a profile that is already gone counts as deleted.
    fn delete_profile(&self, arn: &ProfileArn)
    -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Parameters of the tenant role.
#[derive(Debug, Clone)]
pub struct RoleSpec {
    pub name: RoleName,
    pub path: String,
    pub boundary_policy_arn: String,
    pub trust_policy: String,
    pub description: String,
    pub tags: Vec<Tag>,
}

/// Role details read back to decide whether an existing role may be adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDescription {
    pub arn: String,
    pub path: String,
    pub boundary_policy_arn: Option<String>,
    pub tags: Vec<Tag>,
}

/// IAM roles of tenants.
pub trait RoleProvisioner: Send + Sync {
    /// Creates the role; fails with `AlreadyExists` when the name is taken. Returns the role ARN.
    fn create_role(&self, spec: &RoleSpec)
    -> impl Future<Output = Result<String, AwsError>> + Send;

    fn describe_role(
        &self,
        name: &RoleName,
    ) -> impl Future<Output = Result<Option<RoleDescription>, AwsError>> + Send;

    /// Puts (creates or replaces) an inline policy; `NotFound` while a new role is not yet visible.
    fn put_role_policy(
        &self,
        name: &RoleName,
        policy_name: &str,
        document: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// Deletes the role's inline policies, then the role; a missing role counts as deleted.
    fn delete_role(&self, name: &RoleName) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Success and failure announcements on the event bus.
pub trait EventPublisher: Send + Sync {
    fn publish(&self, event: &OutboundEvent) -> impl Future<Output = Result<(), AwsError>> + Send;
}

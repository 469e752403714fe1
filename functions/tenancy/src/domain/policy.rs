//! IAM documents for a tenant role, built as serde values, never from string templates.
//!
//! Invoking through an application inference profile is authorised twice: on
//! the profile ARN, and on the foundation model in every region the profile
//! routes to. The tenant policy therefore allows the profile ARNs, and each
//! routed foundation-model ARN only under the condition
//! `bedrock:InferenceProfileArn` = that tenant's profile. A direct model call
//! carries no such key, so those statements grant nothing outside the profile.
//! (The Bedrock user guide prints the key as `aws:InferenceProfileArn`, a typo.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::record::ProfileRecord;

pub const POLICY_VERSION: &str = "2012-10-17";
/// The actions behind InvokeModel, Converse (authorised as InvokeModel) and their streaming forms.
pub const INVOKE_ACTIONS: [&str; 2] = [
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
];
pub const INFERENCE_PROFILE_ARN_KEY: &str = "bedrock:InferenceProfileArn";
/// Name of the inline policy put on every tenant role.
pub const TENANT_POLICY_NAME: &str = "invoke-bedrock-through-tenant-profiles";
/// IAM's limit for all inline policies of one role together, whitespace not counted.
pub const MAX_INLINE_POLICY_CHARS: usize = 10_240;

/// Reason a tenant policy could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the tenant has no inference profiles to allow")]
    NoProfiles,
    #[error(
        "inference profile {profile_arn} lists no routed foundation models, so no policy could let the tenant invoke it"
    )]
    NoRoutedModels { profile_arn: String },
    #[error(
        "the tenant policy has {chars} characters without whitespace; IAM allows {MAX_INLINE_POLICY_CHARS} for a role's inline policies"
    )]
    PolicyTooLarge { chars: usize },
}

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

/// Condition block: operator, then key, then value.
pub type Conditions = BTreeMap<String, BTreeMap<String, String>>;

/// One statement of a policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: String,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<BTreeMap<String, String>>,
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource", skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
}

impl PolicyDocument {
    pub fn to_json(&self) -> String {
        // Serialising plain strings, vectors and maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Builds the tenant role's inline policy from the profiles as read back from Bedrock.
///
/// Fails when a profile lists no routed model (the policy would then not let
/// the tenant invoke it) or when the document exceeds IAM's size limit.
pub fn tenant_invoke_policy<'a>(
    profiles: impl IntoIterator<Item = &'a ProfileRecord>,
) -> Result<PolicyDocument, PolicyError> {
    let profiles: Vec<&ProfileRecord> = profiles.into_iter().collect();
    if profiles.is_empty() {
        return Err(PolicyError::NoProfiles);
    }
    let mut statements = vec![Statement {
        sid: Some("InvokeThroughTenantProfiles".to_owned()),
        effect: "Allow".to_owned(),
        principal: None,
        actions: invoke_actions(),
        resources: Some(profiles.iter().map(|p| p.profile_arn.clone()).collect()),
        conditions: None,
    }];
    for profile in &profiles {
        if profile.routed_model_arns.is_empty() {
            return Err(PolicyError::NoRoutedModels {
                profile_arn: profile.profile_arn.clone(),
            });
        }
        let (regionless, regional): (Vec<&String>, Vec<&String>) = profile
            .routed_model_arns
            .iter()
            .partition(|arn| is_regionless_model_arn(arn));
        let via_profile = BTreeMap::from([(
            INFERENCE_PROFILE_ARN_KEY.to_owned(),
            profile.profile_arn.clone(),
        )]);
        if !regional.is_empty() {
            statements.push(Statement {
                sid: Some(format!(
                    "RoutedModelsVia{}",
                    sid_suffix(&profile.profile_id)
                )),
                effect: "Allow".to_owned(),
                principal: None,
                actions: invoke_actions(),
                resources: Some(regional.into_iter().cloned().collect()),
                conditions: Some(BTreeMap::from([(
                    "StringEquals".to_owned(),
                    via_profile.clone(),
                )])),
            });
        }
        if !regionless.is_empty() {
            // Global cross-region profiles also route to a region-less model ARN,
            // which IAM evaluates with aws:RequestedRegion = "unspecified".
            let mut global = via_profile;
            global.insert("aws:RequestedRegion".to_owned(), "unspecified".to_owned());
            statements.push(Statement {
                sid: Some(format!(
                    "GlobalModelsVia{}",
                    sid_suffix(&profile.profile_id)
                )),
                effect: "Allow".to_owned(),
                principal: None,
                actions: invoke_actions(),
                resources: Some(regionless.into_iter().cloned().collect()),
                conditions: Some(BTreeMap::from([("StringEquals".to_owned(), global)])),
            });
        }
    }
    let document = PolicyDocument {
        version: POLICY_VERSION.to_owned(),
        statements,
    };
    let chars = non_whitespace_chars(&document.to_json());
    if chars > MAX_INLINE_POLICY_CHARS {
        return Err(PolicyError::PolicyTooLarge { chars });
    }
    Ok(document)
}

/// Builds the trust policy that lets the configured principal assume the tenant role.
pub fn trust_policy(trusted_principal_arn: &str) -> PolicyDocument {
    PolicyDocument {
        version: POLICY_VERSION.to_owned(),
        statements: vec![Statement {
            sid: Some("TrustedApplicationRuntime".to_owned()),
            effect: "Allow".to_owned(),
            principal: Some(BTreeMap::from([(
                "AWS".to_owned(),
                trusted_principal_arn.to_owned(),
            )])),
            actions: vec!["sts:AssumeRole".to_owned(), "sts:TagSession".to_owned()],
            resources: None,
            conditions: None,
        }],
    }
}

/// Counts characters the way IAM does for its size quotas: whitespace is not counted.
pub fn non_whitespace_chars(json: &str) -> usize {
    json.chars().filter(|c| !c.is_whitespace()).count()
}

fn invoke_actions() -> Vec<String> {
    INVOKE_ACTIONS.iter().map(|a| (*a).to_owned()).collect()
}

/// `arn:aws:bedrock:::foundation-model/...` has an empty region field.
fn is_regionless_model_arn(arn: &str) -> bool {
    arn.split(':').nth(3).is_some_and(str::is_empty)
}

/// Statement ids allow only ASCII letters and digits.
fn sid_suffix(profile_id: &str) -> String {
    profile_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PROFILE: &str =
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123def456";

    fn profile(arn: &str, id: &str, routed: &[&str]) -> ProfileRecord {
        ProfileRecord {
            profile_name: "acme-01-claude-sonnet-4-0123456789ab".to_owned(),
            profile_arn: arn.to_owned(),
            profile_id: id.to_owned(),
            source_arn:
                "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"
                    .to_owned(),
            source_model_id: "us.anthropic.claude-sonnet-4-20250514-v1:0".to_owned(),
            region: "us-east-1".to_owned(),
            routed_model_arns: routed.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn policy_for_profile_routed_to_three_regions() {
        let routed = [
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
        ];

        let document =
            tenant_invoke_policy([&profile(PROFILE, "abc123def456", &routed)]).expect("valid");

        let expected = json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "InvokeThroughTenantProfiles",
                    "Effect": "Allow",
                    "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                    "Resource": [PROFILE]
                },
                {
                    "Sid": "RoutedModelsViaabc123def456",
                    "Effect": "Allow",
                    "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                    "Resource": routed,
                    "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": PROFILE}}
                }
            ]
        });
        assert_eq!(
            serde_json::to_value(&document).expect("serialises"),
            expected
        );
    }

    #[test]
    fn policy_fences_global_model_by_requested_region() {
        let routed = [
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        ];

        let document =
            tenant_invoke_policy([&profile(PROFILE, "abc123def456", &routed)]).expect("valid");

        let global = document.statements.last().expect("global statement");
        assert_eq!(global.resources, Some(vec![routed[1].to_owned()]));
        let conditions = global
            .conditions
            .as_ref()
            .and_then(|c| c.get("StringEquals"))
            .expect("conditions");
        assert_eq!(
            conditions.get("aws:RequestedRegion").map(String::as_str),
            Some("unspecified")
        );
        assert_eq!(
            conditions
                .get(INFERENCE_PROFILE_ARN_KEY)
                .map(String::as_str),
            Some(PROFILE)
        );
    }

    #[test]
    fn policy_has_no_wildcards_or_other_resource_types() {
        let routed = ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"];

        let json = tenant_invoke_policy([&profile(PROFILE, "abc123def456", &routed)])
            .expect("valid")
            .to_json();

        assert!(!json.contains('*'), "{json}");
        assert!(!json.contains(":inference-profile/"), "{json}");
    }

    #[test]
    fn policy_rejects_profile_without_routed_models() {
        let error = tenant_invoke_policy([&profile(PROFILE, "abc123def456", &[])])
            .expect_err("empty models");

        assert!(matches!(error, PolicyError::NoRoutedModels { .. }));
        assert!(error.to_string().contains(PROFILE));
    }

    #[test]
    fn policy_rejects_documents_over_iam_limit() {
        let routed: Vec<String> = (0..200)
            .map(|i| {
                format!("arn:aws:bedrock:us-east-1::foundation-model/vendor.model-{i:03}-v1:0")
            })
            .collect();
        let routed: Vec<&str> = routed.iter().map(String::as_str).collect();

        let error = tenant_invoke_policy([&profile(PROFILE, "abc123def456", &routed)])
            .expect_err("too large");

        assert!(matches!(error, PolicyError::PolicyTooLarge { .. }));
    }

    #[test]
    fn trust_policy_names_only_the_principal() {
        let document = trust_policy("arn:aws:iam::111122223333:role/saas-app");

        let value = serde_json::to_value(&document).expect("serialises");
        assert_eq!(
            value,
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "TrustedApplicationRuntime",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:role/saas-app"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"]
                }]
            })
        );
    }
}

//! Model keys, model sources and the ARN shapes Bedrock accepts for them.
//!
//! A foundation-model ARN has an *empty* account field
//! (`arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0`) and
//! Bedrock rejects one that carries an account id with ValidationException. A
//! system-defined (cross-region) inference-profile ARN carries the account
//! (`arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0`).
//! An application inference profile cannot be the source of another.

use std::fmt;

use super::InvalidValue;

/// Geography prefixes of system-defined inference profile ids, from the
/// Bedrock user guide's list of cross-region inference profiles.
pub const SYSTEM_PROFILE_GEOS: [&str; 7] = ["us", "eu", "apac", "us-gov", "jp", "au", "global"];

const MODEL_KEY_RULE: &str =
    "a model key is 1 to 20 lower-case letters and digits in groups joined by single hyphens";

/// Short configuration name of a model, such as `nova-lite`; part of profile names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelKey(String);

impl ModelKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let groups_valid = raw.split('-').all(|group| {
            !group.is_empty()
                && group
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if raw.is_empty() || raw.len() > 20 || !groups_valid {
            return Err(InvalidValue::new("model", raw, MODEL_KEY_RULE));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Source that an application inference profile copies its model from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A foundation model in one region, such as `amazon.nova-lite-v1:0`.
    FoundationModel { arn: String, model_id: String },
    /// A system-defined cross-region profile, such as `us.amazon.nova-lite-v1:0`.
    SystemProfile { arn: String, profile_id: String },
}

impl ModelSource {
    /// Builds the source ARN of a foundation model, with the empty account field Bedrock requires.
    pub fn foundation_model(
        partition: &str,
        region: &Region,
        model_id: &str,
    ) -> Result<Self, InvalidValue> {
        validate_model_id(model_id)?;
        if let Some(geo) = system_profile_geo(model_id) {
            return Err(InvalidValue::new(
                "foundationModel",
                model_id,
                format!(
                    "\"{geo}.\" marks a system-defined inference profile id; configure it as systemProfile"
                ),
            ));
        }
        Ok(Self::FoundationModel {
            arn: format!("arn:{partition}:bedrock:{region}::foundation-model/{model_id}"),
            model_id: model_id.to_owned(),
        })
    }

    /// Builds the source ARN of a system-defined inference profile, which carries the account.
    pub fn system_profile(
        partition: &str,
        region: &Region,
        account: &AccountId,
        profile_id: &str,
    ) -> Result<Self, InvalidValue> {
        validate_model_id(profile_id)?;
        if system_profile_geo(profile_id).is_none() {
            return Err(InvalidValue::new(
                "systemProfile",
                profile_id,
                format!(
                    "a system-defined inference profile id starts with one of {}, followed by a dot",
                    SYSTEM_PROFILE_GEOS.join(", ")
                ),
            ));
        }
        Ok(Self::SystemProfile {
            arn: format!(
                "arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile_id}"
            ),
            profile_id: profile_id.to_owned(),
        })
    }

    /// Parses a full source ARN and checks its account field against its resource type.
    pub fn from_arn(raw: &str) -> Result<Self, InvalidValue> {
        let arn = Arn::parse(raw).map_err(|rule| InvalidValue::new("sourceArn", raw, rule))?;
        if arn.service != "bedrock" {
            return Err(InvalidValue::new(
                "sourceArn",
                raw,
                "the ARN's service must be bedrock",
            ));
        }
        let region = Region::parse(arn.region).map_err(|e| e.at("sourceArn"))?;
        if let Some(model_id) = arn.resource.strip_prefix("foundation-model/") {
            if !arn.account.is_empty() {
                return Err(InvalidValue::new(
                    "sourceArn",
                    raw,
                    "a foundation-model ARN has an empty account field (arn:aws:bedrock:REGION::foundation-model/MODEL)",
                ));
            }
            return Self::foundation_model(arn.partition, &region, model_id)
                .map_err(|e| e.at("sourceArn"));
        }
        if let Some(profile_id) = arn.resource.strip_prefix("inference-profile/") {
            let account = AccountId::parse(arn.account).map_err(|_| {
                InvalidValue::new(
                    "sourceArn",
                    raw,
                    "a system-defined inference-profile ARN carries the 12-digit account id",
                )
            })?;
            return Self::system_profile(arn.partition, &region, &account, profile_id)
                .map_err(|e| e.at("sourceArn"));
        }
        Err(InvalidValue::new(
            "sourceArn",
            raw,
            "the source must be a foundation-model or system-defined inference-profile ARN; an application inference profile cannot be copied",
        ))
    }

    pub fn arn(&self) -> &str {
        match self {
            Self::FoundationModel { arn, .. } | Self::SystemProfile { arn, .. } => arn,
        }
    }

    /// Returns the model id a caller would name without the profile, such as
    /// `amazon.nova-lite-v1:0` or `us.amazon.nova-lite-v1:0`.
    pub fn model_id(&self) -> &str {
        match self {
            Self::FoundationModel { model_id, .. } => model_id,
            Self::SystemProfile { profile_id, .. } => profile_id,
        }
    }
}

/// The ARN of an application inference profile,
/// `arn:{partition}:bedrock:{region}:{account}:application-inference-profile/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileArn {
    arn: String,
    id_start: usize,
}

impl ProfileArn {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        const RULE: &str =
            "expected arn:PARTITION:bedrock:REGION:ACCOUNT:application-inference-profile/ID";
        let arn =
            Arn::parse(raw).map_err(|_| InvalidValue::new("inferenceProfileArn", raw, RULE))?;
        let id = arn
            .resource
            .strip_prefix("application-inference-profile/")
            .unwrap_or_default();
        let id_valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
        if arn.service != "bedrock" || AccountId::parse(arn.account).is_err() || !id_valid {
            return Err(InvalidValue::new("inferenceProfileArn", raw, RULE));
        }
        Region::parse(arn.region)
            .map_err(|_| InvalidValue::new("inferenceProfileArn", raw, RULE))?;
        Ok(Self {
            arn: raw.to_owned(),
            id_start: raw.len() - id.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// Returns the profile id, the last ARN segment (12 lower-case alphanumerics on AWS).
    pub fn id(&self) -> &str {
        &self.arn[self.id_start..]
    }

    pub fn region(&self) -> &str {
        self.arn.split(':').nth(3).unwrap_or_default()
    }
}

impl fmt::Display for ProfileArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// An AWS region code such as `us-east-1` or `us-gov-west-1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(String);

impl Region {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let parts: Vec<&str> = raw.split('-').collect();
        let valid = parts.len() >= 3
            && parts
                .first()
                .is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase()))
            && parts
                .last()
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            && parts[1..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()));
        if !valid {
            return Err(InvalidValue::new(
                "region",
                raw,
                "expected a region code such as us-east-1",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the partition of the region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
    pub fn partition(&self) -> &'static str {
        if self.0.starts_with("cn-") {
            "aws-cn"
        } else if self.0.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.len() != 12 || !raw.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidValue::new(
                "account",
                raw,
                "an AWS account id is 12 digits",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The six colon-separated fields of an ARN; the resource keeps any further colons.
struct Arn<'a> {
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    fn parse(raw: &'a str) -> Result<Self, &'static str> {
        let mut fields = raw.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        )
        else {
            return Err(
                "expected an ARN of the form arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
            );
        };
        if !["aws", "aws-cn", "aws-us-gov"].contains(&partition) {
            return Err("the ARN's partition must be aws, aws-cn or aws-us-gov");
        }
        Ok(Self {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

fn validate_model_id(model_id: &str) -> Result<(), InvalidValue> {
    let valid = !model_id.is_empty()
        && model_id.len() <= 140
        && model_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "modelId",
            model_id,
            "a model id is 1 to 140 characters of ASCII letters, digits and . _ : -",
        ))
    }
}

fn system_profile_geo(id: &str) -> Option<&'static str> {
    SYSTEM_PROFILE_GEOS
        .into_iter()
        .filter(|geo| {
            id.strip_prefix(geo)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|geo| geo.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> Region {
        Region::parse("us-east-1").expect("valid region")
    }

    fn account() -> AccountId {
        AccountId::parse("111122223333").expect("valid account")
    }

    #[test]
    fn foundation_model_arn_has_empty_account() {
        let source = ModelSource::foundation_model("aws", &region(), "amazon.nova-lite-v1:0")
            .expect("valid");

        assert_eq!(
            source.arn(),
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
        );
        assert_eq!(source.model_id(), "amazon.nova-lite-v1:0");
    }

    #[test]
    fn system_profile_arn_carries_account() {
        let source =
            ModelSource::system_profile("aws", &region(), &account(), "us.amazon.nova-lite-v1:0")
                .expect("valid");

        assert_eq!(
            source.arn(),
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0"
        );
    }

    #[test]
    fn bare_system_profile_id_is_not_a_foundation_model() {
        let error = ModelSource::foundation_model("aws", &region(), "us.amazon.nova-lite-v1:0")
            .expect_err("geo prefix");

        assert!(error.rule.contains("systemProfile"), "{error}");
    }

    #[test]
    fn system_profile_needs_geo_prefix() {
        let error =
            ModelSource::system_profile("aws", &region(), &account(), "amazon.nova-lite-v1:0")
                .expect_err("no geo prefix");

        assert!(error.rule.contains("us, eu, apac"), "{error}");
    }

    #[test]
    fn us_gov_prefix_wins_over_us() {
        assert_eq!(
            system_profile_geo("us-gov.anthropic.claude-3-haiku-20240307-v1:0"),
            Some("us-gov")
        );
        assert_eq!(
            system_profile_geo("us.anthropic.claude-3-haiku-20240307-v1:0"),
            Some("us")
        );
        assert_eq!(system_profile_geo("user.model"), None);
    }

    #[test]
    fn from_arn_rejects_wrong_account_fields() {
        let cases = [
            (
                "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0",
                "empty account field",
            ),
            (
                "arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-lite-v1:0",
                "carries the 12-digit account id",
            ),
            (
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123def456",
                "cannot be copied",
            ),
            ("us.amazon.nova-lite-v1:0", "expected an ARN"),
            (
                "arn:aws:s3:us-east-1::foundation-model/x",
                "service must be bedrock",
            ),
            (
                "arn:aws:bedrock:mars::foundation-model/amazon.nova-lite-v1:0",
                "region code",
            ),
        ];

        for (raw, expected) in cases {
            let error = ModelSource::from_arn(raw).expect_err(raw);

            assert_eq!(error.field, "sourceArn", "{raw}");
            assert!(error.rule.contains(expected), "{raw}: {error}");
        }
    }

    #[test]
    fn from_arn_accepts_both_source_kinds() {
        let model = ModelSource::from_arn(
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        )
        .expect("foundation model");
        let profile = ModelSource::from_arn(
            "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-lite-v1:0",
        )
        .expect("system profile");

        assert!(matches!(model, ModelSource::FoundationModel { .. }));
        assert!(matches!(profile, ModelSource::SystemProfile { .. }));
    }

    #[test]
    fn profile_arn_exposes_id_and_region() {
        let arn = ProfileArn::parse(
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123def456",
        )
        .expect("valid");

        assert_eq!(arn.id(), "abc123def456");
        assert_eq!(arn.region(), "us-east-1");
    }

    #[test]
    fn profile_arn_rejects_other_resource_types() {
        for raw in [
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1::application-inference-profile/abc123def456",
            "arn:aws:bedrock:us-east-1:*:application-inference-profile/abc123def456",
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/",
        ] {
            assert!(ProfileArn::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn region_partitions() {
        assert_eq!(region().partition(), "aws");
        assert_eq!(
            Region::parse("cn-north-1").expect("valid").partition(),
            "aws-cn"
        );
        assert_eq!(
            Region::parse("us-gov-west-1").expect("valid").partition(),
            "aws-us-gov"
        );
        assert!(Region::parse("us-east").is_err());
        assert!(Region::parse("").is_err());
    }

    #[test]
    fn model_key_rules() {
        assert!(ModelKey::parse("nova-lite").is_ok());
        assert!(ModelKey::parse("claude-sonnet-4").is_ok());
        for raw in [
            "",
            "Nova",
            "nova--lite",
            "-nova",
            "nova-",
            "a".repeat(21).as_str(),
            "nova.lite",
        ] {
            assert!(ModelKey::parse(raw).is_err(), "{raw}");
        }
    }
}

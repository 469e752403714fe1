//! Seeded foundation models and system-defined (cross-region) inference profiles.
//!
//! Ids, names and routing follow what the real service lists, and the dates
//! are plausible fixed values. A system profile is offered in each of its source
//! regions and routes to one foundation model per destination region.

use time::OffsetDateTime;
use time::macros::datetime;

/// A foundation model and the regions that serve it on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundationModel {
    /// Model id, e.g. `amazon.nova-lite-v1:0`.
    pub model_id: &'static str,
    /// Regions where the model exists.
    pub regions: &'static [&'static str],
}

/// A system-defined inference profile of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemProfile {
    /// Profile id, `{geo}.{model_id}`.
    pub id: &'static str,
    /// Foundation model the profile routes to.
    pub model_id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Description as the service words it (commas included, which user
    /// descriptions may not contain).
    pub description: &'static str,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last update time.
    pub updated_at: OffsetDateTime,
    /// Regions that offer the profile. Its ARN carries the caller's region.
    pub source_regions: &'static [&'static str],
    /// Regions the profile routes requests to.
    pub destination_regions: &'static [&'static str],
    /// Whether `models` also lists the region-less foundation-model ARN, as
    /// `global.*` profiles do.
    pub lists_regionless_model: bool,
}

impl SystemProfile {
    /// Model ARNs of the profile: one per destination region, then the
    /// region-less ARN for `global.*` profiles.
    pub fn model_arns(&self) -> Vec<String> {
        let mut arns: Vec<String> = self
            .destination_regions
            .iter()
            .map(|region| foundation_model_arn(region, self.model_id))
            .collect();
        if self.lists_regionless_model {
            arns.push(foundation_model_arn("", self.model_id));
        }
        arns
    }

    /// Returns whether `region` offers this profile.
    pub fn is_offered_in(&self, region: &str) -> bool {
        self.source_regions.contains(&region)
    }
}

/// ARN of a foundation model: its account field is always empty.
pub fn foundation_model_arn(region: &str, model_id: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/{model_id}")
}

const US: &[&str] = &["us-east-1", "us-east-2", "us-west-2"];
const EU: &[&str] = &["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-3"];
const APAC: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
];
const NOVA_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-3",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
];
const GLOBAL_SOURCES: &[&str] = NOVA_REGIONS;

/// Foundation models that `copyFrom` may name.
pub static FOUNDATION_MODELS: &[FoundationModel] = &[
    FoundationModel {
        model_id: "amazon.nova-micro-v1:0",
        regions: NOVA_REGIONS,
    },
    FoundationModel {
        model_id: "amazon.nova-lite-v1:0",
        regions: NOVA_REGIONS,
    },
    FoundationModel {
        model_id: "amazon.nova-pro-v1:0",
        regions: NOVA_REGIONS,
    },
    FoundationModel {
        model_id: "anthropic.claude-3-haiku-20240307-v1:0",
        regions: &[
            "us-east-1",
            "us-east-2",
            "us-west-2",
            "eu-central-1",
            "eu-west-1",
            "eu-west-3",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
        ],
    },
    FoundationModel {
        model_id: "anthropic.claude-3-5-haiku-20241022-v1:0",
        regions: US,
    },
    FoundationModel {
        model_id: "anthropic.claude-sonnet-4-20250514-v1:0",
        regions: NOVA_REGIONS,
    },
];

/// System-defined profiles, in the order ListInferenceProfiles returns them.
pub static SYSTEM_PROFILES: &[SystemProfile] = &[
    SystemProfile {
        id: "us.anthropic.claude-3-haiku-20240307-v1:0",
        model_id: "anthropic.claude-3-haiku-20240307-v1:0",
        name: "US Anthropic Claude 3 Haiku",
        description: "Routes requests to Anthropic Claude 3 Haiku in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2024-09-30 00:00 UTC),
        updated_at: datetime!(2024-09-30 00:00 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        model_id: "anthropic.claude-3-5-haiku-20241022-v1:0",
        name: "US Anthropic Claude 3.5 Haiku",
        description: "Routes requests to Anthropic Claude 3.5 Haiku in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2024-11-04 00:00 UTC),
        updated_at: datetime!(2024-11-04 17:49:37.317261 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "us.amazon.nova-micro-v1:0",
        model_id: "amazon.nova-micro-v1:0",
        name: "US Nova Micro",
        description: "Routes requests to Nova Micro in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2024-12-03 00:00 UTC),
        updated_at: datetime!(2024-12-03 00:00 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "us.amazon.nova-lite-v1:0",
        model_id: "amazon.nova-lite-v1:0",
        name: "US Nova Lite",
        description: "Routes requests to Nova Lite in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2024-12-03 00:00 UTC),
        updated_at: datetime!(2024-12-03 00:00 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "us.amazon.nova-pro-v1:0",
        model_id: "amazon.nova-pro-v1:0",
        name: "US Nova Pro",
        description: "Routes requests to Nova Pro in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2024-12-03 00:00 UTC),
        updated_at: datetime!(2024-12-03 00:00 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "us.anthropic.claude-sonnet-4-20250514-v1:0",
        model_id: "anthropic.claude-sonnet-4-20250514-v1:0",
        name: "US Claude Sonnet 4",
        description: "Routes requests to Claude Sonnet 4 in us-east-1, us-east-2 and us-west-2.",
        created_at: datetime!(2025-05-22 00:00 UTC),
        updated_at: datetime!(2025-05-22 00:00 UTC),
        source_regions: US,
        destination_regions: US,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "eu.anthropic.claude-3-haiku-20240307-v1:0",
        model_id: "anthropic.claude-3-haiku-20240307-v1:0",
        name: "EU Anthropic Claude 3 Haiku",
        description: "Routes requests to Anthropic Claude 3 Haiku in eu-central-1, eu-west-1 and eu-west-3.",
        created_at: datetime!(2024-09-30 00:00 UTC),
        updated_at: datetime!(2024-09-30 00:00 UTC),
        source_regions: &["eu-central-1", "eu-west-1", "eu-west-3"],
        destination_regions: &["eu-central-1", "eu-west-1", "eu-west-3"],
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "eu.amazon.nova-lite-v1:0",
        model_id: "amazon.nova-lite-v1:0",
        name: "EU Nova Lite",
        description: "Routes requests to Nova Lite in eu-central-1, eu-north-1, eu-west-1 and eu-west-3.",
        created_at: datetime!(2024-12-03 00:00 UTC),
        updated_at: datetime!(2024-12-03 00:00 UTC),
        source_regions: EU,
        destination_regions: EU,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "apac.anthropic.claude-sonnet-4-20250514-v1:0",
        model_id: "anthropic.claude-sonnet-4-20250514-v1:0",
        name: "APAC Claude Sonnet 4",
        description: "Routes requests to Claude Sonnet 4 in ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-southeast-1 and ap-southeast-2.",
        created_at: datetime!(2025-05-22 00:00 UTC),
        updated_at: datetime!(2025-05-22 00:00 UTC),
        source_regions: APAC,
        destination_regions: APAC,
        lists_regionless_model: false,
    },
    SystemProfile {
        id: "global.anthropic.claude-sonnet-4-20250514-v1:0",
        model_id: "anthropic.claude-sonnet-4-20250514-v1:0",
        name: "Global Claude Sonnet 4",
        description: "Routes requests to Claude Sonnet 4 globally across all supported AWS Regions.",
        created_at: datetime!(2025-09-15 00:00 UTC),
        updated_at: datetime!(2025-09-15 00:00 UTC),
        source_regions: GLOBAL_SOURCES,
        destination_regions: &[
            "us-east-1",
            "us-east-2",
            "us-west-2",
            "eu-west-1",
            "ap-northeast-1",
        ],
        lists_regionless_model: true,
    },
];

/// Finds the foundation model `model_id` if `region` serves it.
pub fn foundation_model(model_id: &str, region: &str) -> Option<&'static FoundationModel> {
    FOUNDATION_MODELS
        .iter()
        .find(|model| model.model_id == model_id && model.regions.contains(&region))
}

/// Finds the system profile `id` if `region` offers it, with its catalogue
/// position (the pagination key).
pub fn system_profile(id: &str, region: &str) -> Option<(usize, &'static SystemProfile)> {
    system_profiles_in(region).find(|(_, profile)| profile.id == id)
}

/// System profiles that `region` offers, with their catalogue positions.
pub fn system_profiles_in(
    region: &str,
) -> impl Iterator<Item = (usize, &'static SystemProfile)> + '_ {
    SYSTEM_PROFILES
        .iter()
        .enumerate()
        .filter(move |(_, profile)| profile.is_offered_in(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_serve_the_profile_model() {
        for profile in SYSTEM_PROFILES {
            for region in profile.destination_regions {
                assert!(
                    foundation_model(profile.model_id, region).is_some(),
                    "{} routes to {region}, which lacks {}",
                    profile.id,
                    profile.model_id
                );
            }
        }
    }

    #[test]
    fn profile_id_is_geo_prefix_and_model_id() {
        for profile in SYSTEM_PROFILES {
            let model_id = profile.id.split_once('.').map(|(_, model_id)| model_id);

            assert_eq!(model_id, Some(profile.model_id), "{}", profile.id);
        }
    }

    #[test]
    fn global_profile_lists_regionless_arn() {
        let profile = system_profile(
            "global.anthropic.claude-sonnet-4-20250514-v1:0",
            "us-east-1",
        );

        let arns = profile
            .map(|(_, profile)| profile.model_arns())
            .unwrap_or_default();

        assert!(
            arns.contains(
                &"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
                    .to_owned()
            )
        );
        assert!(arns.len() > 1);
    }

    #[test]
    fn apac_profile_routes_to_six_regions() {
        let profile = system_profile("apac.anthropic.claude-sonnet-4-20250514-v1:0", "ap-south-1");

        let arns = profile
            .map(|(_, profile)| profile.model_arns())
            .unwrap_or_default();

        assert_eq!(arns.len(), 6);
    }

    #[test]
    fn us_profile_is_not_offered_in_europe() {
        let profile = system_profile("us.amazon.nova-lite-v1:0", "eu-west-1");

        assert!(profile.is_none());
    }
}

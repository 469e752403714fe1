//! The model catalogue: which models each tier grants, and where each model's
//! profile is copied from.
//!
//! Configured as JSON, for example:
//! ```json
//! {
//!   "models": {
//!     "nova-lite": {"foundationModel": "amazon.nova-lite-v1:0"},
//!     "claude-sonnet-4": {"systemProfile": "us.anthropic.claude-sonnet-4-20250514-v1:0"}
//!   },
//!   "tiers": {"basic": ["nova-lite"], "premium": ["nova-lite", "claude-sonnet-4"]}
//! }
//! ```
//! Newer models can be invoked on demand only through a cross-region system
//! profile; configure those with `systemProfile` so their tenant profiles are
//! copied from it. `sourceArn` takes a full ARN instead, checked the same way.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::{AccountId, InvalidValue, ModelKey, ModelSource, Region};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogDocument {
    models: BTreeMap<String, ModelEntry>,
    tiers: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ModelEntry {
    foundation_model: Option<String>,
    system_profile: Option<String>,
    source_arn: Option<String>,
}

/// The parsed and checked catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCatalog {
    models: BTreeMap<ModelKey, ModelSource>,
    tiers: BTreeMap<String, Vec<ModelKey>>,
}

impl ModelCatalog {
    /// Parses the JSON catalogue and builds every source ARN for `region` and `account`.
    pub fn from_json(
        json: &str,
        region: &Region,
        account: &AccountId,
    ) -> Result<Self, InvalidValue> {
        let document: CatalogDocument = serde_json::from_str(json).map_err(|error| {
            InvalidValue::new(
                "model catalogue",
                &error.to_string(),
                "expected the documented JSON shape",
            )
        })?;

        let mut models = BTreeMap::new();
        for (raw_key, entry) in &document.models {
            let key = ModelKey::parse(raw_key).map_err(|e| e.at(format!("models.{raw_key}")))?;
            let field = format!("models.{raw_key}");
            let source = match (
                &entry.foundation_model,
                &entry.system_profile,
                &entry.source_arn,
            ) {
                (Some(model_id), None, None) => {
                    ModelSource::foundation_model(region.partition(), region, model_id)
                }
                (None, Some(profile_id), None) => {
                    ModelSource::system_profile(region.partition(), region, account, profile_id)
                }
                (None, None, Some(arn)) => ModelSource::from_arn(arn),
                _ => Err(InvalidValue::new(
                    field.clone(),
                    "",
                    "set exactly one of foundationModel, systemProfile or sourceArn",
                )),
            }
            .map_err(|e| InvalidValue {
                field: format!("{field}.{}", e.field),
                ..e
            })?;
            models.insert(key, source);
        }

        let mut tiers = BTreeMap::new();
        for (tier, keys) in &document.tiers {
            let valid_name = !tier.is_empty()
                && tier.len() <= 64
                && tier
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            if !valid_name {
                return Err(InvalidValue::new(
                    "tiers",
                    tier,
                    "a tier name is 1 to 64 characters of ASCII letters, digits, - and _",
                ));
            }
            if keys.is_empty() {
                return Err(InvalidValue::new(
                    format!("tiers.{tier}"),
                    "[]",
                    "a tier grants at least one model",
                ));
            }
            let mut granted = Vec::with_capacity(keys.len());
            for raw in keys {
                let key = ModelKey::parse(raw).map_err(|e| e.at(format!("tiers.{tier}")))?;
                if !models.contains_key(&key) {
                    return Err(InvalidValue::new(
                        format!("tiers.{tier}"),
                        raw,
                        "the model is not defined under models",
                    ));
                }
                if !granted.contains(&key) {
                    granted.push(key);
                }
            }
            tiers.insert(tier.clone(), granted);
        }
        if tiers.is_empty() {
            return Err(InvalidValue::new("tiers", "{}", "define at least one tier"));
        }
        Ok(Self { models, tiers })
    }

    pub fn models_for_tier(&self, tier: &str) -> Option<&[ModelKey]> {
        self.tiers.get(tier).map(Vec::as_slice)
    }

    pub fn source(&self, model: &ModelKey) -> Option<&ModelSource> {
        self.models.get(model)
    }

    pub fn tiers(&self) -> impl Iterator<Item = &str> {
        self.tiers.keys().map(String::as_str)
    }

    pub fn sources(&self) -> impl Iterator<Item = (&ModelKey, &ModelSource)> {
        self.models.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<ModelCatalog, InvalidValue> {
        let region = Region::parse("us-east-1").expect("valid region");
        let account = AccountId::parse("111122223333").expect("valid account");
        ModelCatalog::from_json(json, &region, &account)
    }

    #[test]
    fn builds_sources_with_right_account_fields() {
        let catalog = parse(
            r#"{"models": {
                  "nova-lite": {"foundationModel": "amazon.nova-lite-v1:0"},
                  "claude-sonnet-4": {"systemProfile": "us.anthropic.claude-sonnet-4-20250514-v1:0"}},
                "tiers": {"standard": ["nova-lite", "claude-sonnet-4"]}}"#,
        )
        .expect("valid catalogue");

        let nova = ModelKey::parse("nova-lite").expect("key");
        let claude = ModelKey::parse("claude-sonnet-4").expect("key");
        assert_eq!(
            catalog.source(&nova).map(ModelSource::arn),
            Some("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0")
        );
        assert_eq!(
            catalog.source(&claude).map(ModelSource::arn),
            Some(
                "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"
            )
        );
        assert_eq!(
            catalog.models_for_tier("standard").map(<[ModelKey]>::len),
            Some(2)
        );
    }

    #[test]
    fn rejects_broken_catalogues() {
        let cases = [
            (r#"{"models": {}, "tiers": {}}"#, "at least one tier"),
            (
                r#"{"models": {"nova-lite": {"foundationModel": "amazon.nova-lite-v1:0"}}, "tiers": {"basic": ["claude"]}}"#,
                "not defined under models",
            ),
            (
                r#"{"models": {"nova-lite": {"foundationModel": "us.amazon.nova-lite-v1:0"}}, "tiers": {"basic": ["nova-lite"]}}"#,
                "systemProfile",
            ),
            (
                r#"{"models": {"nova-lite": {"sourceArn": "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0"}}, "tiers": {"basic": ["nova-lite"]}}"#,
                "empty account field",
            ),
            (
                r#"{"models": {"nova-lite": {}}, "tiers": {"basic": ["nova-lite"]}}"#,
                "exactly one of",
            ),
            (
                r#"{"models": {}, "tiers": {}, "extra": 1}"#,
                "unknown field",
            ),
        ];

        for (json, expected) in cases {
            let error = parse(json).expect_err(json);

            assert!(error.to_string().contains(expected), "{json}: {error}");
        }
    }
}

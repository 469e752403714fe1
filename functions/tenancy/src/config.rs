//! Typed configuration, read once at cold start from environment variables.

use std::time::Duration;

use crate::catalog::ModelCatalog;
use crate::domain::{AccountId, InvalidValue, MAX_TAGS_PER_RESOURCE, Region, TENANT_TAG_KEY, Tag};
use crate::events::EventContract;
use crate::events::contract::{
    DEFAULT_OUTPUT_EVENT_SOURCE, DEFAULT_SBT_CONTROL_PLANE_SOURCES, DEFAULT_TENANT_EVENT_SOURCE,
};

pub const DEFAULT_TENANT_ROLE_PATH: &str = "/tenants/";
const DEFAULT_MAX_ATTEMPTS: u32 = 5;
const DEFAULT_INITIAL_BACKOFF_MS: u64 = 500;

/// A configuration variable that is missing or invalid; the function stops at cold start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {variable} is invalid: {reason}")]
    Invalid {
        variable: &'static str,
        reason: String,
    },
}

/// SDK retry settings for throttling and 5xx answers (exponential backoff with jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Attempts per AWS call, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
}

/// Everything the functions read from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub region: Region,
    pub account_id: AccountId,
    pub table_name: String,
    pub event_bus_name: String,
    pub tenant_role_path: String,
    pub boundary_policy_arn: String,
    pub trusted_principal_arn: String,
    pub catalog: ModelCatalog,
    /// Tags added to every profile and role besides `tenant-id`.
    pub extra_tags: Vec<Tag>,
    pub contract: EventContract,
    pub retry: RetrySettings,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| lookup(name).ok_or(ConfigError::Missing(name));
        let invalid = |variable: &'static str| {
            move |error: InvalidValue| ConfigError::Invalid {
                variable,
                reason: error.to_string(),
            }
        };

        let region = Region::parse(&required("AWS_REGION")?).map_err(invalid("AWS_REGION"))?;
        let account_id =
            AccountId::parse(&required("ACCOUNT_ID")?).map_err(invalid("ACCOUNT_ID"))?;
        let catalog_json = match (lookup("MODEL_CATALOG"), lookup("MODEL_CATALOG_FILE")) {
            (Some(json), _) => json,
            (None, Some(path)) => {
                std::fs::read_to_string(&path).map_err(|error| ConfigError::Invalid {
                    variable: "MODEL_CATALOG_FILE",
                    reason: format!("cannot read {path}: {error}"),
                })?
            }
            (None, None) => return Err(ConfigError::Missing("MODEL_CATALOG")),
        };
        let catalog = ModelCatalog::from_json(&catalog_json, &region, &account_id)
            .map_err(invalid("MODEL_CATALOG"))?;

        let tenant_role_path =
            lookup("TENANT_ROLE_PATH").unwrap_or_else(|| DEFAULT_TENANT_ROLE_PATH.to_owned());
        validate_role_path(&tenant_role_path)?;
        let boundary_policy_arn = required("TENANT_BOUNDARY_POLICY_ARN")?;
        validate_iam_arn(
            "TENANT_BOUNDARY_POLICY_ARN",
            &boundary_policy_arn,
            ":policy/",
        )?;
        let trusted_principal_arn = required("TENANT_TRUSTED_PRINCIPAL_ARN")?;
        validate_iam_arn("TENANT_TRUSTED_PRINCIPAL_ARN", &trusted_principal_arn, ":")?;

        let extra_tags = parse_extra_tags(lookup("EXTRA_TAGS").as_deref())?;
        let sbt_control_plane_sources = match lookup("SBT_CONTROL_PLANE_SOURCES") {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            None => DEFAULT_SBT_CONTROL_PLANE_SOURCES
                .map(str::to_owned)
                .to_vec(),
        };
        let contract = EventContract {
            tenant_event_source: lookup("TENANT_EVENT_SOURCE")
                .unwrap_or_else(|| DEFAULT_TENANT_EVENT_SOURCE.to_owned()),
            sbt_control_plane_sources,
            output_event_source: lookup("OUTPUT_EVENT_SOURCE")
                .unwrap_or_else(|| DEFAULT_OUTPUT_EVENT_SOURCE.to_owned()),
        };

        let retry = RetrySettings {
            max_attempts: parse_number(&lookup, "SDK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1..=20)?,
            initial_backoff: Duration::from_millis(parse_number(
                &lookup,
                "SDK_INITIAL_BACKOFF_MS",
                DEFAULT_INITIAL_BACKOFF_MS,
                1..=60_000,
            )?),
        };

        Ok(Self {
            region,
            account_id,
            table_name: required("TENANT_TABLE_NAME")?,
            event_bus_name: required("EVENT_BUS_NAME")?,
            tenant_role_path,
            boundary_policy_arn,
            trusted_principal_arn,
            catalog,
            extra_tags,
            contract,
            retry,
        })
    }
}

/// IAM paths are `/` or `/segment/.../`, at most 512 characters.
fn validate_role_path(path: &str) -> Result<(), ConfigError> {
    let valid = path.starts_with('/')
        && path.ends_with('/')
        && path.len() <= 512
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=,.@-".contains(c));
    if valid && path != "/" {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            variable: "TENANT_ROLE_PATH",
            reason: format!(
                "{path:?} must be a path such as /tenants/ reserved for tenant roles (not /)"
            ),
        })
    }
}

fn validate_iam_arn(
    variable: &'static str,
    arn: &str,
    resource_marker: &str,
) -> Result<(), ConfigError> {
    let mut fields = arn.splitn(6, ':');
    let valid = fields.next() == Some("arn")
        && fields.next().is_some_and(|p| p.starts_with("aws"))
        && fields.next() == Some("iam")
        && fields.next() == Some("")
        && fields
            .next()
            .is_some_and(|account| account.len() == 12 || account == "aws")
        && arn.contains(resource_marker);
    if valid {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            variable,
            reason: format!("{arn:?} is not an IAM ARN of the expected kind"),
        })
    }
}

fn parse_extra_tags(raw: Option<&str>) -> Result<Vec<Tag>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        variable: "EXTRA_TAGS",
        reason,
    };
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(raw)
        .map_err(|error| invalid(format!("expected a JSON object of string values: {error}")))?;
    // One place on each resource is kept for the tenant tag.
    if map.len() >= MAX_TAGS_PER_RESOURCE {
        return Err(invalid(format!(
            "{} tags given; at most {} fit beside {TENANT_TAG_KEY}",
            map.len(),
            MAX_TAGS_PER_RESOURCE - 1
        )));
    }
    map.iter()
        .map(|(key, value)| {
            if key == TENANT_TAG_KEY {
                return Err(invalid(format!(
                    "{TENANT_TAG_KEY} is set by the function itself"
                )));
            }
            Tag::new(key, value).map_err(|error| invalid(error.to_string()))
        })
        .collect()
}

fn parse_number<T>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Some(raw) = lookup(variable) else {
        return Ok(default);
    };
    match raw.parse::<T>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(ConfigError::Invalid {
            variable,
            reason: format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn base() -> HashMap<&'static str, String> {
        HashMap::from([
            ("AWS_REGION", "us-east-1".to_owned()),
            ("ACCOUNT_ID", "111122223333".to_owned()),
            ("TENANT_TABLE_NAME", "tenants".to_owned()),
            ("EVENT_BUS_NAME", "tenants".to_owned()),
            (
                "TENANT_BOUNDARY_POLICY_ARN",
                "arn:aws:iam::111122223333:policy/tenant-boundary".to_owned(),
            ),
            (
                "TENANT_TRUSTED_PRINCIPAL_ARN",
                "arn:aws:iam::111122223333:role/saas-app".to_owned(),
            ),
            (
                "MODEL_CATALOG",
                r#"{"models": {"nova-lite": {"foundationModel": "amazon.nova-lite-v1:0"}}, "tiers": {"basic": ["nova-lite"]}}"#
                    .to_owned(),
            ),
        ])
    }

    fn load(vars: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn loads_with_defaults() {
        let config = load(&base()).expect("valid configuration");

        assert_eq!(config.tenant_role_path, "/tenants/");
        assert!(config.extra_tags.is_empty());
        assert_eq!(config.retry.max_attempts, 5);
        assert_eq!(config.contract.tenant_event_source, "saas.tenants");
    }

    #[test]
    fn names_the_missing_variable() {
        for variable in [
            "AWS_REGION",
            "ACCOUNT_ID",
            "TENANT_TABLE_NAME",
            "EVENT_BUS_NAME",
            "MODEL_CATALOG",
        ] {
            let mut vars = base();
            vars.remove(variable);

            let error = load(&vars).expect_err(variable);

            assert_eq!(error, ConfigError::Missing(variable));
        }
    }

    #[test]
    fn rejects_invalid_values() {
        let cases = [
            ("TENANT_ROLE_PATH", "/", "TENANT_ROLE_PATH"),
            ("TENANT_ROLE_PATH", "tenants", "TENANT_ROLE_PATH"),
            ("EXTRA_TAGS", r#"{"aws:project": "x"}"#, "reserved"),
            ("EXTRA_TAGS", r#"{"tenant-id": "x"}"#, "set by the function"),
            ("EXTRA_TAGS", "[1]", "JSON object"),
            ("SDK_MAX_ATTEMPTS", "0", "whole number"),
            ("TENANT_TRUSTED_PRINCIPAL_ARN", "saas-app", "IAM ARN"),
            (
                "TENANT_BOUNDARY_POLICY_ARN",
                "arn:aws:iam::111122223333:role/x",
                "IAM ARN",
            ),
        ];

        for (variable, value, expected) in cases {
            let mut vars = base();
            vars.insert(variable, value.to_owned());

            let error = load(&vars).expect_err(variable);

            assert!(
                error.to_string().contains(expected),
                "{variable}={value}: {error}"
            );
        }
    }

    #[test]
    fn reads_extra_tags() {
        let mut vars = base();
        vars.insert(
            "EXTRA_TAGS",
            r#"{"project": "saas", "cost-center": "cc-1"}"#.to_owned(),
        );

        let config = load(&vars).expect("valid configuration");

        assert_eq!(config.extra_tags.len(), 2);
    }
}

//! Settings of an emulator instance.

use axum::http::Uri;
use serde::Serialize;

use crate::validation::{is_account_id, is_region_name};

/// Account id used when none is configured (the AWS documentation's example account).
pub const DEFAULT_ACCOUNT_ID: &str = "111122223333";
/// Region used for requests without a SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Application inference profiles per region, the service's default quota
/// (Service Quotas code `L-40EC9882`).
pub const DEFAULT_PROFILE_QUOTA: usize = 1000;

/// Settings of an emulator instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmulatorConfig {
    /// Account id in every ARN the emulator issues.
    pub account_id: String,
    /// Region for requests whose `Authorization` header names none.
    pub default_region: String,
    /// Maximum number of application profiles per region. Create returns
    /// ServiceQuotaExceededException beyond it.
    pub profile_quota: usize,
    /// Base URL of a CloudWatch endpoint, such as moto's
    /// `http://127.0.0.1:5000`, that receives the usage metrics of each
    /// successful Converse call. Without it the emulator keeps usage only
    /// in memory.
    pub cloudwatch_endpoint: Option<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            default_region: DEFAULT_REGION.to_owned(),
            profile_quota: DEFAULT_PROFILE_QUOTA,
            cloudwatch_endpoint: None,
        }
    }
}

/// A setting that the emulator cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The account id is not 12 digits.
    #[error("invalid account id '{0}': expected 12 digits, such as 111122223333")]
    InvalidAccountId(String),
    /// The region is not shaped like an AWS region name.
    #[error("invalid region '{0}': expected a region name such as us-east-1")]
    InvalidRegion(String),
    /// The CloudWatch endpoint is not an http or https URL with a host.
    #[error("invalid CloudWatch endpoint '{0}': expected a URL such as http://127.0.0.1:5000")]
    InvalidCloudWatchEndpoint(String),
}

impl EmulatorConfig {
    /// Checks the account id, default region and CloudWatch endpoint.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !is_account_id(&self.account_id) {
            return Err(ConfigError::InvalidAccountId(self.account_id.clone()));
        }
        if !is_region_name(&self.default_region) {
            return Err(ConfigError::InvalidRegion(self.default_region.clone()));
        }
        if let Some(endpoint) = &self.cloudwatch_endpoint
            && !is_http_url(endpoint)
        {
            return Err(ConfigError::InvalidCloudWatchEndpoint(endpoint.clone()));
        }
        Ok(())
    }
}

fn is_http_url(text: &str) -> bool {
    let Ok(uri) = text.parse::<Uri>() else {
        return false;
    };
    let is_http = matches!(uri.scheme_str(), Some("http" | "https"));
    let has_host = uri.host().is_some_and(|host| !host.is_empty());
    is_http && has_host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        let config = EmulatorConfig::default();

        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_bad_account_and_region() {
        let bad_account = EmulatorConfig {
            account_id: "1234".to_owned(),
            ..EmulatorConfig::default()
        };
        let bad_region = EmulatorConfig {
            default_region: "moon".to_owned(),
            ..EmulatorConfig::default()
        };

        assert!(matches!(
            bad_account.validate(),
            Err(ConfigError::InvalidAccountId(_))
        ));
        assert!(matches!(
            bad_region.validate(),
            Err(ConfigError::InvalidRegion(_))
        ));
    }

    #[test]
    fn validate_checks_cloudwatch_endpoint() {
        let cases = [
            ("http://127.0.0.1:5000", true),
            ("https://monitoring.us-east-1.amazonaws.com", true),
            ("127.0.0.1:5000", false),
            ("ftp://127.0.0.1", false),
            ("http://", false),
            ("", false),
        ];

        for (endpoint, valid) in cases {
            let config = EmulatorConfig {
                cloudwatch_endpoint: Some(endpoint.to_owned()),
                ..EmulatorConfig::default()
            };

            assert_eq!(config.validate().is_ok(), valid, "{endpoint}");
        }
    }
}

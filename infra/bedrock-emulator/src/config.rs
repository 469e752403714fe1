//! Settings of an emulator instance.

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
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            default_region: DEFAULT_REGION.to_owned(),
            profile_quota: DEFAULT_PROFILE_QUOTA,
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
}

impl EmulatorConfig {
    /// Checks the account id and default region.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !is_account_id(&self.account_id) {
            return Err(ConfigError::InvalidAccountId(self.account_id.clone()));
        }
        if !is_region_name(&self.default_region) {
            return Err(ConfigError::InvalidRegion(self.default_region.clone()));
        }
        Ok(())
    }
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
}

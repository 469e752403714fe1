//! `tenantctl tags`: activate the tenant tag as a cost allocation tag, and
//! show whether it is active.

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::types::{CostAllocationTagStatus, CostAllocationTagStatusEntry};

use crate::error::{CliError, aws_error};

/// UpdateCostAllocationTagsStatus takes 1 to 20 tag keys per call.
pub const MAX_KEYS_PER_CALL: usize = 20;

/// ListCostAllocationTags filters on at most 100 tag keys per call.
const MAX_LISTED_KEYS_PER_CALL: usize = 100;

/// Caveats a user must know before expecting tenant costs in Cost Explorer.
pub const CAVEATS: &str = "\
Before tenant cost appears in Cost Explorer:
- Only the management (payer) account can activate cost allocation tags; a
  standalone account is its own payer.
- A key can be activated only after billing data has seen it on a resource,
  up to 24 hours after the first tagged usage.
- Activation is not retroactive: costs from before it stay untagged unless a
  backfill is requested (StartCostAllocationTagBackfill, for example
  `aws ce start-cost-allocation-tag-backfill --backfill-from ...`).
- Only calls through a tenant's application inference profile carry its
  tenant-id tag; calls to a model id or a system profile carry none.";

/// A key that UpdateCostAllocationTagsStatus reported in `Errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub key: String,
    pub code: String,
    pub message: String,
}

/// Result of `tags activate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activation {
    /// Keys the service accepted, in request order.
    pub activated: Vec<String>,
    /// Keys the service rejected, in response order.
    pub errors: Vec<KeyError>,
}

/// Requests status `Active` for `keys`, 20 per call, and collects the
/// per-key errors of each response. Fails only when a call itself fails.
pub async fn activate(client: &Client, keys: &[String]) -> Result<Activation, CliError> {
    let keys = distinct_keys(keys)?;
    let mut activation = Activation::default();
    for chunk in keys.chunks(MAX_KEYS_PER_CALL) {
        let mut entries = Vec::with_capacity(chunk.len());
        for key in chunk {
            entries.push(
                CostAllocationTagStatusEntry::builder()
                    .tag_key(key.as_str())
                    .status(CostAllocationTagStatus::Active)
                    .build()
                    .map_err(|error| CliError::InvalidArgument(error.to_string()))?,
            );
        }
        let output = client
            .update_cost_allocation_tags_status()
            .set_cost_allocation_tags_status(Some(entries))
            .send()
            .await
            .map_err(|error| with_payer_hint(aws_error("UpdateCostAllocationTagsStatus", error)))?;
        let errors: Vec<KeyError> = output
            .errors()
            .iter()
            .map(|error| KeyError {
                key: error.tag_key().unwrap_or_default().to_owned(),
                code: error.code().unwrap_or("Unknown").to_owned(),
                message: error.message().unwrap_or_default().to_owned(),
            })
            .collect();
        activation.activated.extend(
            chunk
                .iter()
                .filter(|key| !errors.iter().any(|error| &error.key == *key))
                .cloned(),
        );
        activation.errors.extend(errors);
    }
    Ok(activation)
}

/// Formats one line per key, then the caveats.
pub fn render_activation(activation: &Activation) -> String {
    let mut text = String::new();
    for key in &activation.activated {
        text.push_str(&format!("{key}: activation requested (status Active)\n"));
    }
    for error in &activation.errors {
        text.push_str(&format!(
            "{}: not activated: {}: {}\n",
            error.key, error.code, error.message
        ));
    }
    text.push('\n');
    text.push_str(CAVEATS);
    text.push('\n');
    text
}

/// A tag key as ListCostAllocationTags describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    pub key: String,
    /// `None` when billing lists no such key.
    pub listing: Option<KeyListing>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyListing {
    pub status: CostAllocationTagStatus,
    /// `UserDefined` or `AWSGenerated`.
    pub tag_type: String,
    pub last_updated: Option<String>,
    pub last_used: Option<String>,
}

impl KeyStatus {
    pub fn is_active(&self) -> bool {
        self.listing
            .as_ref()
            .is_some_and(|listing| listing.status == CostAllocationTagStatus::Active)
    }
}

/// Reads the cost allocation status of `keys`, following every page.
pub async fn status(client: &Client, keys: &[String]) -> Result<Vec<KeyStatus>, CliError> {
    let keys = distinct_keys(keys)?;
    let mut statuses: Vec<KeyStatus> = keys
        .iter()
        .map(|key| KeyStatus {
            key: key.clone(),
            listing: None,
        })
        .collect();
    for chunk in keys.chunks(MAX_LISTED_KEYS_PER_CALL) {
        let mut next_token: Option<String> = None;
        loop {
            let output = client
                .list_cost_allocation_tags()
                .set_tag_keys(Some(chunk.to_vec()))
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|error| with_payer_hint(aws_error("ListCostAllocationTags", error)))?;
            for tag in output.cost_allocation_tags() {
                if let Some(entry) = statuses.iter_mut().find(|entry| entry.key == tag.tag_key()) {
                    entry.listing = Some(KeyListing {
                        status: tag.status().clone(),
                        tag_type: tag.r#type().as_str().to_owned(),
                        last_updated: tag.last_updated_date().map(str::to_owned),
                        last_used: tag.last_used_date().map(str::to_owned),
                    });
                }
            }
            next_token = output.next_token().map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
    }
    Ok(statuses)
}

/// Formats one paragraph per key. An inactive or unknown key gets the place to activate it.
pub fn render_status(statuses: &[KeyStatus]) -> String {
    let mut text = String::new();
    for status in statuses {
        text.push_str(&status_line(status));
        text.push('\n');
        if !status.is_active() {
            text.push_str(&format!(
                "  Activate it in the management (payer) account: Billing and Cost Management console > Cost allocation tags, or `tenantctl tags activate --key {}`.\n",
                status.key
            ));
        }
    }
    if statuses.iter().any(|status| !status.is_active()) {
        text.push('\n');
        text.push_str(CAVEATS);
        text.push('\n');
    }
    text
}

/// Explains why a key is not active, or returns `None` when it is.
pub fn inactive_reason(status: &KeyStatus) -> Option<String> {
    match &status.listing {
        None => Some(
            "billing lists no such key yet (it appears up to 24 hours after the first tagged usage), or this is not the management account".to_owned(),
        ),
        Some(listing) if listing.status != CostAllocationTagStatus::Active => {
            Some(format!("its status is {}", listing.status.as_str()))
        }
        Some(_) => None,
    }
}

/// Formats a one-line summary, such as `tenant-id: not active (status Inactive, ...)`.
pub fn status_line(status: &KeyStatus) -> String {
    match &status.listing {
        None => format!(
            "{}: not active: billing lists no such key yet (it appears up to 24 hours after the first tagged usage), or this is not the management account",
            status.key
        ),
        Some(listing) => {
            let state = if status.is_active() {
                "active"
            } else {
                "not active"
            };
            format!(
                "{}: {state} (status {}, type {}, last updated {}, last used {})",
                status.key,
                listing.status.as_str(),
                listing.tag_type,
                listing.last_updated.as_deref().unwrap_or("unknown"),
                listing.last_used.as_deref().unwrap_or("unknown"),
            )
        }
    }
}

/// Keys in first-seen order without repeats; fails on an empty list or key.
fn distinct_keys(keys: &[String]) -> Result<Vec<String>, CliError> {
    let mut distinct: Vec<String> = Vec::new();
    for key in keys {
        if key.is_empty() {
            return Err(CliError::InvalidArgument("invalid tag key: empty".into()));
        }
        if !distinct.contains(key) {
            distinct.push(key.clone());
        }
    }
    if distinct.is_empty() {
        return Err(CliError::InvalidArgument(
            "no tag key: pass --key at least once".into(),
        ));
    }
    Ok(distinct)
}

/// Adds the likely cause to an access denial, because Cost Explorer's tag
/// operations succeed only in the management account.
fn with_payer_hint(error: CliError) -> CliError {
    match error {
        CliError::Aws {
            operation,
            code,
            message,
        } if matches!(
            code.as_deref(),
            Some("AccessDeniedException" | "AccessDenied")
        ) =>
        {
            CliError::Aws {
                operation,
                code,
                message: format!(
                    "{message}; cost allocation tags are managed only from the management (payer) account, with ce:{operation} allowed"
                ),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn distinct_keys_drops_repeats() {
        let distinct = distinct_keys(&keys(&["tenant-id", "tier", "tenant-id"])).unwrap();

        assert_eq!(distinct, keys(&["tenant-id", "tier"]));
    }

    #[test]
    fn distinct_keys_rejects_empty_input() {
        assert!(distinct_keys(&[]).is_err());
        assert!(distinct_keys(&keys(&["tenant-id", ""])).is_err());
    }

    #[test]
    fn render_activation_lists_errors_and_caveats() {
        let activation = Activation {
            activated: keys(&["tenant-id"]),
            errors: vec![KeyError {
                key: "tier".to_owned(),
                code: "TagKeysNotFoundException".to_owned(),
                message: "not found".to_owned(),
            }],
        };

        let text = render_activation(&activation);

        assert!(text.contains("tenant-id: activation requested"), "{text}");
        assert!(
            text.contains("tier: not activated: TagKeysNotFoundException: not found"),
            "{text}"
        );
        assert!(text.contains("management (payer) account"), "{text}");
        assert!(text.contains("24 hours"), "{text}");
        assert!(text.contains("StartCostAllocationTagBackfill"), "{text}");
    }

    #[test]
    fn render_status_explains_missing_key() {
        let statuses = [KeyStatus {
            key: "tenant-id".to_owned(),
            listing: None,
        }];

        let text = render_status(&statuses);

        assert!(text.starts_with("tenant-id: not active"), "{text}");
        assert!(text.contains("Cost allocation tags"), "{text}");
        assert!(
            text.contains("tenantctl tags activate --key tenant-id"),
            "{text}"
        );
    }

    #[test]
    fn render_status_is_short_when_active() {
        let statuses = [KeyStatus {
            key: "tenant-id".to_owned(),
            listing: Some(KeyListing {
                status: CostAllocationTagStatus::Active,
                tag_type: "UserDefined".to_owned(),
                last_updated: Some("2025-06-01T00:00:00Z".to_owned()),
                last_used: None,
            }),
        }];

        let text = render_status(&statuses);

        assert_eq!(
            text,
            "tenant-id: active (status Active, type UserDefined, last updated 2025-06-01T00:00:00Z, last used unknown)\n"
        );
    }
}

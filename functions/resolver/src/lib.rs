//! Runtime lookup of a tenant's Bedrock application inference profile.
//!
//! The SaaS application calls [`Resolver::resolve`] on its request path with
//! the tenant id (for example from a verified JWT claim) and, when the tenant
//! has several models, the model key. The result comes from the tenant
//! registry, cached for a bounded time, and never from the Bedrock control
//! plane: GetInferenceProfile has no published rate quota and throttles when
//! called per request.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tenancy::aws::{DynamoRegistry, load_sdk_config};
//! use tenancy::config::RetrySettings;
//! use tenant_resolver::Resolver;
//!
//! let sdk = load_sdk_config(RetrySettings { max_attempts: 3, initial_backoff: Duration::from_millis(100) }).await;
//! let registry = DynamoRegistry::new(aws_sdk_dynamodb::Client::new(&sdk), "tenants");
//! let resolver = Resolver::new(registry, Duration::from_secs(60));
//!
//! let profile = resolver.resolve("acme-01", Some("nova-lite")).await?;
//! // Call bedrock-runtime in `profile.region` with `profile.profile_arn` as the model id.
//! println!("{} via {}", profile.source_model_id, profile.profile_arn);
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tenancy::domain::{ProfileRecord, TenantRecord, TenantStatus};
use tenancy::error::AwsError;
use tenancy::ports::TenantRegistry;
use tokio::time::Instant;
use tracing::debug;

/// Most tenants kept in the cache; the oldest entry is evicted beyond it.
const DEFAULT_MAX_ENTRIES: usize = 10_000;

/// Profile details the runtime needs to invoke Bedrock for a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedProfile {
    pub tenant_id: String,
    /// Model key from the model catalogue, such as `nova-lite`.
    pub model: String,
    /// Pass this as `modelId` to InvokeModel or Converse.
    pub profile_arn: String,
    pub profile_id: String,
    /// The model behind the profile, for callers that pick request formats by model family.
    pub source_model_id: String,
    /// Region to call; it comes from the registry, not from the caller's environment.
    pub region: String,
    /// The tenant's role, for callers that invoke with the tenant's scoped credentials.
    pub role_arn: Option<String>,
}

/// Reason a tenant could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("tenant {0} is not in the tenant registry")]
    UnknownTenant(String),
    #[error("tenant {tenant_id} is {status}, not ACTIVE; it must not invoke Bedrock")]
    NotActive { tenant_id: String, status: String },
    #[error("tenant {tenant_id} has no profile for model {model}; it has {available}")]
    UnknownModel {
        tenant_id: String,
        model: String,
        available: String,
    },
    #[error("tenant {tenant_id} has several models ({available}); name one")]
    ModelRequired {
        tenant_id: String,
        available: String,
    },
    #[error("reading the tenant registry failed: {0}")]
    Registry(#[from] AwsError),
}

fn resolved(record: &TenantRecord, model: &str, profile: &ProfileRecord) -> ResolvedProfile {
    ResolvedProfile {
        tenant_id: record.tenant_id.clone(),
        model: model.to_owned(),
        profile_arn: profile.profile_arn.clone(),
        profile_id: profile.profile_id.clone(),
        source_model_id: profile.source_model_id.clone(),
        region: profile.region.clone(),
        role_arn: record.role_arn.clone(),
    }
}

struct Entry {
    fetched_at: Instant,
    record: Option<Arc<TenantRecord>>,
}

/// Resolves tenants through the registry with a time-to-live cache.
///
/// Offboarding or a failure reaches callers at most `ttl` after the registry
/// changes, so choose the TTL as the longest acceptable delay.
pub struct Resolver<R> {
    registry: R,
    ttl: Duration,
    max_entries: usize,
    cache: Mutex<HashMap<String, Entry>>,
}

impl<R: TenantRegistry> Resolver<R> {
    pub fn new(registry: R, ttl: Duration) -> Self {
        Self {
            registry,
            ttl,
            max_entries: DEFAULT_MAX_ENTRIES,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Sets the most tenants kept in the cache.
    pub fn with_max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries.max(1);
        self
    }

    /// Resolves a tenant's profile for `model`, or for its only model when `model` is `None`.
    pub async fn resolve(
        &self,
        tenant_id: &str,
        model: Option<&str>,
    ) -> Result<ResolvedProfile, ResolveError> {
        let record = self.active_record(tenant_id).await?;
        let available = || {
            record
                .profiles
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (model, profile) =
            match model {
                Some(model) => record.profiles.get_key_value(model).ok_or_else(|| {
                    ResolveError::UnknownModel {
                        tenant_id: tenant_id.to_owned(),
                        model: model.to_owned(),
                        available: available(),
                    }
                })?,
                None => {
                    let mut profiles = record.profiles.iter();
                    match (profiles.next(), profiles.next()) {
                        (Some(only), None) => only,
                        _ => {
                            return Err(ResolveError::ModelRequired {
                                tenant_id: tenant_id.to_owned(),
                                available: available(),
                            });
                        }
                    }
                }
            };
        Ok(resolved(&record, model, profile))
    }

    /// Resolves the tenant's profile whose ARN is `profile_arn`. Any other
    /// value, such as a foundation-model id, a system profile or another
    /// tenant's profile, is [`ResolveError::UnknownModel`].
    pub async fn resolve_by_arn(
        &self,
        tenant_id: &str,
        profile_arn: &str,
    ) -> Result<ResolvedProfile, ResolveError> {
        let record = self.active_record(tenant_id).await?;
        record
            .profiles
            .iter()
            .find(|(_, profile)| profile.profile_arn == profile_arn)
            .map(|(model, profile)| resolved(&record, model, profile))
            .ok_or_else(|| ResolveError::UnknownModel {
                tenant_id: tenant_id.to_owned(),
                model: profile_arn.to_owned(),
                available: record
                    .profiles
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    async fn active_record(&self, tenant_id: &str) -> Result<Arc<TenantRecord>, ResolveError> {
        let Some(record) = self.record(tenant_id).await? else {
            return Err(ResolveError::UnknownTenant(tenant_id.to_owned()));
        };
        if record.status != TenantStatus::Active {
            return Err(ResolveError::NotActive {
                tenant_id: tenant_id.to_owned(),
                status: format!("{:?}", record.status).to_uppercase(),
            });
        }
        Ok(record)
    }

    /// Drops a tenant from the cache, for callers that learn of a change first.
    pub fn invalidate(&self, tenant_id: &str) {
        self.lock().remove(tenant_id);
    }

    async fn record(&self, tenant_id: &str) -> Result<Option<Arc<TenantRecord>>, ResolveError> {
        if let Some(entry) = self.lock().get(tenant_id)
            && entry.fetched_at.elapsed() < self.ttl
        {
            return Ok(entry.record.clone());
        }
        debug!(tenant_id, "reading tenant from the registry");
        let record = self.registry.get(tenant_id).await?.map(Arc::new);
        let mut cache = self.lock();
        if cache.len() >= self.max_entries && !cache.contains_key(tenant_id) {
            let oldest = cache
                .iter()
                .min_by_key(|(_, entry)| entry.fetched_at)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            tenant_id.to_owned(),
            Entry {
                fetched_at: Instant::now(),
                record: record.clone(),
            },
        );
        Ok(record)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave an entry half-written, so a poisoned cache is still valid.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

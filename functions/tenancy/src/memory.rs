//! An in-memory tenant registry with the same conditional-write rules as
//! the DynamoDB adapter, for tests and local experiments.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::domain::{ProfileRecord, TenantRecord, TenantStatus};
use crate::error::{AwsError, ErrorKind};
use crate::ports::TenantRegistry;

/// Tenant registry kept in a map; counts reads so tests can see cache hits.
#[derive(Debug, Default)]
pub struct InMemoryRegistry {
    items: Mutex<HashMap<String, TenantRecord>>,
    reads: AtomicUsize,
}

impl InMemoryRegistry {
    /// Stores a record unconditionally.
    pub fn put(&self, record: TenantRecord) {
        self.lock().insert(record.tenant_id.clone(), record);
    }

    /// Number of `get` calls so far.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TenantRecord>> {
        self.items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TenantRegistry for &InMemoryRegistry {
    async fn get(&self, tenant_id: &str) -> Result<Option<TenantRecord>, AwsError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.lock().get(tenant_id).cloned())
    }

    async fn insert(&self, record: &TenantRecord) -> Result<(), AwsError> {
        let mut items = self.lock();
        if items.contains_key(&record.tenant_id) {
            return Err(AwsError::new(
                "PutItem",
                ErrorKind::AlreadyExists,
                "the tenant already has an item",
            ));
        }
        items.insert(record.tenant_id.clone(), record.clone());
        Ok(())
    }

    async fn replace(&self, record: &TenantRecord, expected_version: u64) -> Result<(), AwsError> {
        let mut items = self.lock();
        match items.get(&record.tenant_id) {
            Some(stored) if stored.version == expected_version => {
                items.insert(record.tenant_id.clone(), record.clone());
                Ok(())
            }
            _ => Err(AwsError::new(
                "PutItem",
                ErrorKind::ConcurrentUpdate,
                format!("the stored version is not {expected_version}"),
            )),
        }
    }
}

/// Builds a minimal registry item for tests and examples: one foundation-model
/// profile per model key in `eu-west-1`, with ids `000000000000`, `000000000001`, ...
pub fn sample_record(tenant: &str, status: TenantStatus, models: &[&str]) -> TenantRecord {
    let profiles = models
        .iter()
        .enumerate()
        .map(|(index, model)| {
            let id = format!("{index:0>12}");
            let profile = ProfileRecord {
                profile_name: format!("{tenant}-{model}"),
                profile_arn: format!(
                    "arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/{id}"
                ),
                profile_id: id,
                source_arn: format!("arn:aws:bedrock:eu-west-1::foundation-model/{model}-v1:0"),
                source_model_id: format!("{model}-v1:0"),
                region: "eu-west-1".to_owned(),
                routed_model_arns: vec![format!(
                    "arn:aws:bedrock:eu-west-1::foundation-model/{model}-v1:0"
                )],
            };
            ((*model).to_owned(), profile)
        })
        .collect();
    TenantRecord {
        tenant_id: tenant.to_owned(),
        status,
        tier: "standard".to_owned(),
        models: models.iter().map(|m| (*m).to_owned()).collect(),
        generation: 1,
        version: 1,
        event_id: "6f1c1f0e-0000-4000-8000-000000000001".to_owned(),
        created_at: "2026-01-01T00:00:00Z".to_owned(),
        updated_at: "2026-01-01T00:00:00Z".to_owned(),
        role_name: format!("tenant-{tenant}"),
        role_arn: Some(format!(
            "arn:aws:iam::111122223333:role/tenants/tenant-{tenant}"
        )),
        profiles,
        failure: None,
        tenant_registration_id: None,
        offboarded_at: None,
        offboard_event_id: None,
        offboard_event_time: None,
    }
}

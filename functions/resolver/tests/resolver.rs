//! The resolver over an in-memory registry that counts reads.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tenancy::domain::{ProfileRecord, TenantRecord, TenantStatus};
use tenancy::error::AwsError;
use tenancy::ports::TenantRegistry;
use tenant_resolver::{ResolveError, Resolver};

#[derive(Default)]
struct MemoryRegistry {
    items: Mutex<HashMap<String, TenantRecord>>,
    reads: AtomicUsize,
}

impl MemoryRegistry {
    fn put(&self, record: TenantRecord) {
        self.items
            .lock()
            .expect("lock")
            .insert(record.tenant_id.clone(), record);
    }
}

impl TenantRegistry for &MemoryRegistry {
    async fn get(&self, tenant_id: &str) -> Result<Option<TenantRecord>, AwsError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.items.lock().expect("lock").get(tenant_id).cloned())
    }

    async fn insert(&self, record: &TenantRecord) -> Result<(), AwsError> {
        self.put(record.clone());
        Ok(())
    }

    async fn replace(&self, record: &TenantRecord, _expected_version: u64) -> Result<(), AwsError> {
        self.put(record.clone());
        Ok(())
    }
}

fn record(tenant: &str, status: TenantStatus, models: &[&str]) -> TenantRecord {
    let profiles: BTreeMap<String, ProfileRecord> = models
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
                routed_model_arns: vec![],
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
        event_id: "event".to_owned(),
        created_at: String::new(),
        updated_at: String::new(),
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

#[tokio::test(start_paused = true)]
async fn cache_hit_skips_registry() {
    let registry = MemoryRegistry::default();
    registry.put(record("acme", TenantStatus::Active, &["nova-lite"]));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));

    let first = resolver
        .resolve("acme", Some("nova-lite"))
        .await
        .expect("resolves");
    let second = resolver
        .resolve("acme", Some("nova-lite"))
        .await
        .expect("resolves");

    assert_eq!(first, second);
    assert_eq!(registry.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn cache_expires_after_ttl() {
    let registry = MemoryRegistry::default();
    registry.put(record("acme", TenantStatus::Active, &["nova-lite"]));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));
    resolver.resolve("acme", None).await.expect("resolves");

    registry.put(record("acme", TenantStatus::Offboarded, &["nova-lite"]));
    tokio::time::advance(Duration::from_secs(59)).await;
    let before_expiry = resolver.resolve("acme", None).await;
    tokio::time::advance(Duration::from_secs(2)).await;
    let after_expiry = resolver.resolve("acme", None).await;

    assert!(before_expiry.is_ok(), "still cached: {before_expiry:?}");
    assert!(
        matches!(after_expiry, Err(ResolveError::NotActive { .. })),
        "{after_expiry:?}"
    );
    assert_eq!(registry.reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unknown_and_inactive_tenants_are_errors() {
    let registry = MemoryRegistry::default();
    registry.put(record("gone", TenantStatus::Offboarded, &["nova-lite"]));
    registry.put(record("half", TenantStatus::Provisioning, &["nova-lite"]));
    registry.put(record("broken", TenantStatus::Failed, &[]));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));

    let unknown = resolver.resolve("nobody", None).await;
    let offboarded = resolver.resolve("gone", None).await;
    let provisioning = resolver.resolve("half", None).await;
    let failed = resolver.resolve("broken", None).await;

    assert_eq!(
        unknown,
        Err(ResolveError::UnknownTenant("nobody".to_owned()))
    );
    assert!(
        matches!(offboarded, Err(ResolveError::NotActive { ref status, .. }) if status == "OFFBOARDED")
    );
    assert!(
        matches!(provisioning, Err(ResolveError::NotActive { ref status, .. }) if status == "PROVISIONING")
    );
    assert!(
        matches!(failed, Err(ResolveError::NotActive { ref status, .. }) if status == "FAILED")
    );
}

#[tokio::test]
async fn model_choice_rules() {
    let registry = MemoryRegistry::default();
    registry.put(record(
        "acme",
        TenantStatus::Active,
        &["nova-lite", "claude-haiku"],
    ));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));

    let named = resolver
        .resolve("acme", Some("claude-haiku"))
        .await
        .expect("resolves");
    let unnamed = resolver.resolve("acme", None).await;
    let foreign = resolver.resolve("acme", Some("claude-sonnet-4")).await;

    assert_eq!(named.model, "claude-haiku");
    assert_eq!(named.source_model_id, "claude-haiku-v1:0");
    assert!(
        matches!(unnamed, Err(ResolveError::ModelRequired { .. })),
        "{unnamed:?}"
    );
    assert!(
        matches!(foreign, Err(ResolveError::UnknownModel { .. })),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn region_comes_from_registry() {
    let registry = MemoryRegistry::default();
    registry.put(record("acme", TenantStatus::Active, &["nova-lite"]));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));
    // SAFETY: this test binary's other tests do not read AWS_REGION.
    unsafe { std::env::set_var("AWS_REGION", "us-east-1") };

    let resolved = resolver.resolve("acme", None).await.expect("resolves");

    assert_eq!(resolved.region, "eu-west-1");
    assert!(resolved.profile_arn.contains(":eu-west-1:"));
}

#[tokio::test]
async fn cache_evicts_oldest_beyond_limit() {
    let registry = MemoryRegistry::default();
    for tenant in ["a", "b", "c"] {
        registry.put(record(tenant, TenantStatus::Active, &["nova-lite"]));
    }
    let resolver = Resolver::new(&registry, Duration::from_secs(60)).with_max_entries(2);

    for tenant in ["a", "b", "c", "c", "b"] {
        resolver.resolve(tenant, None).await.expect("resolves");
    }
    resolver.resolve("a", None).await.expect("resolves");

    assert_eq!(
        registry.reads.load(Ordering::SeqCst),
        4,
        "a was evicted and read again"
    );
}

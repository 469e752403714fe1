//! The resolver over the in-memory registry, which counts reads.

use std::time::Duration;

use tenancy::domain::TenantStatus;
use tenancy::memory::{InMemoryRegistry as MemoryRegistry, sample_record as record};
use tenant_resolver::{ResolveError, Resolver};

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
    assert_eq!(registry.reads(), 1);
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
    assert_eq!(registry.reads(), 2);
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

    assert_eq!(registry.reads(), 4, "a was evicted and read again");
}

#[tokio::test]
async fn resolve_by_arn_accepts_only_own_profiles() {
    let registry = MemoryRegistry::default();
    registry.put(record(
        "acme",
        TenantStatus::Active,
        &["nova-lite", "claude-haiku"],
    ));
    registry.put(record("globex", TenantStatus::Active, &["nova-lite"]));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));
    let own = resolver
        .resolve("acme", Some("claude-haiku"))
        .await
        .expect("resolves");

    let by_arn = resolver.resolve_by_arn("acme", &own.profile_arn).await;
    let foreign = [
        "amazon.nova-lite-v1:0",
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "arn:aws:bedrock:eu-west-1::foundation-model/nova-lite-v1:0",
        "arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/999999999999",
    ];

    assert_eq!(by_arn, Ok(own));
    for model_id in foreign {
        let refused = resolver.resolve_by_arn("acme", model_id).await;
        assert!(
            matches!(refused, Err(ResolveError::UnknownModel { .. })),
            "{model_id}: {refused:?}"
        );
    }
}

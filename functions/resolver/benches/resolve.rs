//! Time of one cached `Resolver::resolve` call, the lookup the SaaS
//! application makes on every model invocation. `make bench` reads the
//! estimates criterion writes for `resolver/cached_hit`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tenancy::domain::TenantStatus;
use tenancy::memory::{InMemoryRegistry, sample_record};
use tenant_resolver::Resolver;

fn resolve(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime builds");
    let registry = InMemoryRegistry::default();
    registry.put(sample_record(
        "acme",
        TenantStatus::Active,
        &["nova-lite", "claude-haiku"],
    ));
    let resolver = Resolver::new(&registry, Duration::from_secs(60));
    runtime
        .block_on(resolver.resolve("acme", Some("nova-lite")))
        .expect("the sample tenant resolves");

    let mut group = c.benchmark_group("resolver");
    group.bench_function("cached_hit", |b| {
        b.to_async(&runtime)
            .iter(|| resolver.resolve(black_box("acme"), black_box(Some("nova-lite"))));
    });
    group.finish();
    assert_eq!(registry.reads(), 1, "every timed call was a cache hit");
}

criterion_group!(benches, resolve);
criterion_main!(benches);

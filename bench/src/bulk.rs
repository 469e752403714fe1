//! Bulk onboarding through the release binary with Bedrock throttling, then a
//! check of the end state in the registry, Bedrock and IAM.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tenancy::domain::TenantStatus;
use tenancy::reconcile::{Finding, collect, reconcile};
use tenancy::{AwsAdapters, Config};
use tokio::task::JoinSet;

use crate::Error;
use crate::function::{Function, INVOCATION_TIMEOUT, function_env};
use crate::stack::Stack;
use integration_tests::runtime_api::{Outcome, RuntimeApi};

/// Invocations per event: the first and Lambda's two retries of a failed
/// asynchronous invocation.
const ATTEMPTS: u32 = 3;

pub struct BulkRun {
    pub elapsed: Duration,
    /// Invocations that failed and were sent again, as Lambda retries them.
    pub retried: usize,
    pub injected_throttles: u64,
    pub bedrock_calls: u64,
}

/// Onboards every tenant through `concurrency` function processes polling
/// one Runtime API, with `throttle` of CreateInferenceProfile and
/// GetInferenceProfile requests failing with ThrottlingException.
pub async fn onboard_all(
    function: &Function,
    stack: &Stack,
    events: Vec<Value>,
    concurrency: usize,
    throttle: f64,
    quota: usize,
    log: &Path,
) -> Result<BulkRun, Error> {
    let runtime = Arc::new(RuntimeApi::try_start().await?);
    let env = function_env(stack, &runtime, &[]);
    let mut children = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        children.push(function.spawn(&env, Some(log))?);
    }
    for _ in 0..concurrency {
        if runtime
            .next_arrival(Duration::from_secs(30))
            .await
            .is_none()
        {
            return Err(format!(
                "a bulk function process did not start; see {}",
                log.display()
            )
            .into());
        }
    }
    // Standard tier needs two profiles per tenant, so 1,000 tenants need a
    // raised quota, as they would in an AWS account.
    stack.set_profile_quota(quota).await?;
    for operation in ["CreateInferenceProfile", "GetInferenceProfile"] {
        stack.throttle(operation, throttle).await?;
    }
    let throttles_before = stack.bedrock_calls("injectedFailures").await?;
    let calls_before = stack.bedrock_calls("received").await?;

    let started = Instant::now();
    let mut invocations = JoinSet::new();
    for event in events {
        let runtime = runtime.clone();
        invocations.spawn(async move {
            let mut failures = Vec::new();
            for _ in 0..ATTEMPTS {
                match runtime.invoke(event.clone(), INVOCATION_TIMEOUT).await {
                    Some(Outcome::Response(response))
                        if matches!(
                            response["outcome"].as_str(),
                            Some("provisioned" | "already-active")
                        ) =>
                    {
                        return Ok(failures.len());
                    }
                    other => {
                        let mut failure = format!("{other:?}");
                        failure.truncate(400);
                        failures.push(failure);
                    }
                }
            }
            Err(format!(
                "tenant {} failed {ATTEMPTS} invocations: {}",
                event["detail"]["tenantId"],
                failures.join("; ")
            ))
        });
    }
    let mut retried = 0;
    let mut failed = Vec::new();
    while let Some(joined) = invocations.join_next().await {
        match joined? {
            Ok(retries) => retried += retries,
            Err(message) => failed.push(message),
        }
    }
    let elapsed = started.elapsed();

    let injected_throttles = stack.bedrock_calls("injectedFailures").await? - throttles_before;
    let bedrock_calls = stack.bedrock_calls("received").await? - calls_before;
    stack.clear_faults().await?;
    for mut child in children {
        child.start_kill()?;
        child.wait().await?;
    }
    if !failed.is_empty() {
        return Err(format!(
            "{} of the bulk tenants were not onboarded; first: {}",
            failed.len(),
            failed[0]
        )
        .into());
    }
    Ok(BulkRun {
        elapsed,
        retried,
        injected_throttles,
        bedrock_calls,
    })
}

/// Contents of the registry, Bedrock and IAM after the bulk run.
pub struct EndState {
    pub tenants: usize,
    pub models: usize,
    pub active: usize,
    /// Application profiles tagged with a bulk tenant's id.
    pub profiles: usize,
    /// Profiles beyond one per (tenant, model), or sharing a name.
    pub duplicates: usize,
    /// Bulk tenants' profiles or roles that their registry item does not record.
    pub orphans: usize,
    pub findings: Vec<Finding>,
}

impl EndState {
    pub fn is_correct(&self) -> bool {
        self.active == self.tenants
            && self.profiles == self.tenants * self.models
            && self.duplicates == 0
            && self.orphans == 0
            && self.findings.is_empty()
    }
}

/// Reads everything back and runs the project's reconcile over it.
pub async fn check_end_state(
    stack: &Stack,
    tenants: &[String],
    models: usize,
) -> Result<EndState, Error> {
    let lookup = |name: &str| {
        stack
            .function_env
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    };
    let config = Config::from_lookup(lookup)?;
    let sdk = tenancy::aws::load_sdk_config(config.retry).await;
    let aws = AwsAdapters::new(&sdk, &config);
    let inventory = collect(
        &aws.registry,
        &aws.profiles,
        &aws.roles,
        &config.tenant_role_path,
        |_| {},
    )
    .await?;
    let findings = reconcile(&inventory);

    let bulk_tenants: BTreeSet<&str> = tenants.iter().map(String::as_str).collect();
    let records: BTreeMap<&str, _> = inventory
        .records
        .iter()
        .filter(|record| bulk_tenants.contains(record.tenant_id.as_str()))
        .map(|record| (record.tenant_id.as_str(), record))
        .collect();
    let active = records
        .values()
        .filter(|record| record.status == TenantStatus::Active && record.profiles.len() == models)
        .count();

    let mut per_tenant: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names = BTreeSet::new();
    let mut duplicates = 0;
    let mut orphans = 0;
    for profile in &inventory.profiles {
        let Some(tenant) = profile
            .tenant_tag
            .as_deref()
            .filter(|t| bulk_tenants.contains(t))
        else {
            continue;
        };
        *per_tenant.entry(tenant).or_default() += 1;
        if !names.insert(profile.name.as_str()) {
            duplicates += 1;
        }
        let recorded = records.get(tenant).is_some_and(|record| {
            record
                .profiles
                .values()
                .any(|recorded| recorded.profile_arn == profile.arn)
        });
        if !recorded {
            orphans += 1;
        }
    }
    duplicates += per_tenant
        .values()
        .map(|count| count.saturating_sub(models))
        .sum::<usize>();
    for role in &inventory.roles {
        let Some(tenant) = role
            .tenant_tag
            .as_deref()
            .filter(|t| bulk_tenants.contains(t))
        else {
            continue;
        };
        let recorded = records
            .get(tenant)
            .is_some_and(|record| record.role_arn.as_deref() == Some(role.arn.as_str()));
        if !recorded {
            orphans += 1;
        }
    }

    Ok(EndState {
        tenants: tenants.len(),
        models,
        active,
        profiles: per_tenant.values().sum(),
        duplicates,
        orphans,
        findings,
    })
}

/// Builds a TenantSignedUp envelope for `tenant`, with an event id unique to `index`.
pub fn signup(tenant: &str, tier: &str, index: usize) -> Value {
    json!({
        "version": "0",
        "id": format!("6f1c1f0e-0000-4000-8000-{index:012}"),
        "detail-type": "TenantSignedUp",
        "source": "saas.tenants",
        "account": "111122223333",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"tenantId": tenant, "tier": tier},
    })
}

//! The shared emulator handle: state, fault rules, usage and settings.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::cloudwatch::{MetricPublisher, PublishCounts};
use crate::config::{ConfigError, EmulatorConfig};
use crate::faults::{CallCount, FaultBook, FaultRule, FaultSpec, InvalidFault, Operation};
use crate::store::{Scope, Store};
use crate::usage::{Invocation, ModelUsage, UsageBook};

/// Handle to one emulated account. Clones share the same state, so a test
/// can keep one clone to inject faults while the server uses another.
#[derive(Debug, Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: EmulatorConfig,
    profile_quota: AtomicUsize,
    store: Mutex<Store>,
    faults: Mutex<FaultBook>,
    usage: Mutex<UsageBook>,
    /// Publisher of usage metrics, present when
    /// [`EmulatorConfig::cloudwatch_endpoint`] is set.
    metrics: Option<Arc<MetricPublisher>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code path panics while holding a lock. If one ever did, the state
    // would still be consistent because every mutation completes before unlocking.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Emulator {
    /// Creates an emulator with no application profiles, after checking `config`.
    pub fn new(config: EmulatorConfig) -> Result<Emulator, ConfigError> {
        config.validate()?;
        let metrics = config
            .cloudwatch_endpoint
            .as_deref()
            .map(|endpoint| Arc::new(MetricPublisher::new(endpoint, &config.default_region)));
        Ok(Emulator {
            inner: Arc::new(Inner {
                profile_quota: AtomicUsize::new(config.profile_quota),
                config,
                store: Mutex::new(Store::default()),
                faults: Mutex::new(FaultBook::default()),
                usage: Mutex::new(UsageBook::default()),
                metrics,
            }),
        })
    }

    /// Settings the emulator was created with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// Current application-profile quota per region.
    pub fn profile_quota(&self) -> usize {
        self.inner.profile_quota.load(Ordering::Relaxed)
    }

    /// Sets the application-profile quota per region. Existing profiles stay
    /// even when they exceed it.
    pub fn set_profile_quota(&self, quota: usize) {
        self.inner.profile_quota.store(quota, Ordering::Relaxed);
    }

    /// Adds a fault rule and returns it with its id.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<FaultRule, InvalidFault> {
        lock(&self.inner.faults).add(spec)
    }

    /// Active fault rules in the order they are checked.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.inner.faults).rules()
    }

    /// Removes the fault rule `id` and returns whether it existed.
    pub fn remove_fault(&self, id: u64) -> bool {
        lock(&self.inner.faults).remove(id)
    }

    /// Removes every fault rule and returns how many there were.
    pub fn clear_faults(&self) -> usize {
        lock(&self.inner.faults).clear_rules()
    }

    /// Request counters of every operation since start or the last reset.
    pub fn call_counts(&self) -> BTreeMap<Operation, CallCount> {
        lock(&self.inner.faults).counts()
    }

    /// Converse usage per `ModelId` since start or the last reset.
    pub fn usage(&self) -> BTreeMap<String, ModelUsage> {
        lock(&self.inner.usage).totals()
    }

    /// PutMetricData calls since start or the last reset, or `None`
    /// without a CloudWatch endpoint.
    pub fn metric_publish_counts(&self) -> Option<PublishCounts> {
        self.inner.metrics.as_ref().map(|metrics| metrics.counts())
    }

    /// Number of application profiles in `region`.
    pub fn application_profile_count(&self, region: &str) -> usize {
        self.store().profile_count(region)
    }

    /// Removes all application profiles, tags, remembered request tokens,
    /// fault rules, counters and usage totals, and restores the configured
    /// quota. The system-defined catalogue is fixed and stays. Metrics
    /// already sent to CloudWatch stay there.
    pub fn reset(&self) {
        self.store().clear();
        let mut faults = lock(&self.inner.faults);
        faults.clear_rules();
        faults.clear_counts();
        drop(faults);
        lock(&self.inner.usage).clear();
        if let Some(metrics) = &self.inner.metrics {
            metrics.clear_counts();
        }
        self.set_profile_quota(self.inner.config.profile_quota);
    }

    /// Builds the HTTP router that serves this emulator.
    pub fn router(&self) -> axum::Router {
        crate::routes::router(self.clone())
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.inner.store)
    }

    /// Adds `invocation` to the usage totals and, with a CloudWatch
    /// endpoint, sends its metrics in a background task so that a slow or
    /// failing endpoint never delays or fails the Converse response.
    /// Call it from within a tokio runtime.
    pub(crate) fn record_invocation(&self, invocation: Invocation) {
        lock(&self.inner.usage).record(&invocation);
        if let Some(metrics) = &self.inner.metrics {
            let metrics = Arc::clone(metrics);
            tokio::spawn(async move { metrics.publish(&invocation).await });
        }
    }

    pub(crate) fn fault_book(&self) -> MutexGuard<'_, FaultBook> {
        lock(&self.inner.faults)
    }

    pub(crate) fn scope(&self, region: String) -> Scope {
        Scope {
            region,
            account_id: self.inner.config.account_id.clone(),
        }
    }
}

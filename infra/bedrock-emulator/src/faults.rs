//! Fault injection and per-operation call counters.
//!
//! Rules are checked in the order they were added, before the operation
//! runs, so a failed request changes no state. On each matching request a
//! rule fires with its probability (1 when unset). A firing rule adds its
//! latency, and a rule with an error makes the request fail with it. Once a
//! rule has chosen the error, later rules with an error are skipped without
//! using their count, while latency-only rules still fire. Each firing uses
//! one of the rule's `count`, and a rule whose count is used up is removed.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorKind};

/// The emulated operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// `POST /inference-profiles`.
    CreateInferenceProfile,
    /// `GET /inference-profiles/{id}`.
    GetInferenceProfile,
    /// `GET /inference-profiles`.
    ListInferenceProfiles,
    /// `DELETE /inference-profiles/{id}`.
    DeleteInferenceProfile,
    /// `POST /tagResource`.
    TagResource,
    /// `POST /untagResource`.
    UntagResource,
    /// `POST /listTagsForResource`.
    ListTagsForResource,
    /// `POST /model/{modelId}/converse` of the runtime service `bedrock-runtime`.
    Converse,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 8] = [
        Operation::CreateInferenceProfile,
        Operation::GetInferenceProfile,
        Operation::ListInferenceProfiles,
        Operation::DeleteInferenceProfile,
        Operation::TagResource,
        Operation::UntagResource,
        Operation::ListTagsForResource,
        Operation::Converse,
    ];
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Operations a fault rule applies to: one, or all (`"*"` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum OperationSelector {
    /// Every operation.
    Any,
    /// One operation.
    Only(Operation),
}

impl OperationSelector {
    fn matches(self, operation: Operation) -> bool {
        match self {
            OperationSelector::Any => true,
            OperationSelector::Only(only) => only == operation,
        }
    }
}

impl TryFrom<String> for OperationSelector {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        if name == "*" {
            return Ok(OperationSelector::Any);
        }
        Operation::ALL
            .into_iter()
            .find(|operation| operation.to_string() == name)
            .map(OperationSelector::Only)
            .ok_or_else(|| {
                let known: Vec<String> = Operation::ALL.iter().map(ToString::to_string).collect();
                format!(
                    "unknown operation '{name}'; expected '*' or one of: {}",
                    known.join(", ")
                )
            })
    }
}

impl From<OperationSelector> for String {
    fn from(selector: OperationSelector) -> String {
        match selector {
            OperationSelector::Any => "*".to_owned(),
            OperationSelector::Only(operation) => operation.to_string(),
        }
    }
}

/// Maximum latency a rule may add (60 s), so a typo cannot hang a test run.
pub const MAX_FAULT_LATENCY_MS: u64 = 60_000;

/// A fault to inject, as `POST /_emulator/faults` accepts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// Operations the rule applies to.
    pub operation: OperationSelector,
    /// Error to return, or `None` to add only latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorKind>,
    /// Number of times the rule fires before it is removed, or `None` for
    /// no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Share of matching requests the rule fires on, 0.0 to 1.0 (1.0 when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Delay in milliseconds added before the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Error message. Without it, a default message names the injected error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Reason a [`FaultSpec`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault: {0}")]
pub struct InvalidFault(String);

impl FaultSpec {
    /// Checks the ranges of the spec's members.
    pub fn validate(&self) -> Result<(), InvalidFault> {
        if self.error.is_none() && self.latency_ms.is_none() {
            return Err(InvalidFault("set 'error', 'latencyMs' or both".to_owned()));
        }
        if self.count == Some(0) {
            return Err(InvalidFault(
                "'count' must be at least 1; omit it to fail every matching request".to_owned(),
            ));
        }
        if let Some(probability) = self.probability
            && !(0.0..=1.0).contains(&probability)
        {
            return Err(InvalidFault(format!(
                "'probability' must be between 0.0 and 1.0, not {probability}"
            )));
        }
        if let Some(latency_ms) = self.latency_ms
            && latency_ms > MAX_FAULT_LATENCY_MS
        {
            return Err(InvalidFault(format!(
                "'latencyMs' must be at most {MAX_FAULT_LATENCY_MS}, not {latency_ms}"
            )));
        }
        Ok(())
    }
}

/// An active fault rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Id for `DELETE /_emulator/faults/{id}`.
    pub id: u64,
    /// The rule as added.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Firings left before removal, or `None` for no limit.
    pub remaining: Option<u32>,
    /// Number of times the rule has fired.
    pub fired: u64,
}

/// Requests received by one operation and how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCount {
    /// Requests routed to the operation.
    pub received: u64,
    /// Requests that returned a 2xx response.
    pub succeeded: u64,
    /// Requests that returned an error, injected ones included.
    pub failed: u64,
    /// Requests failed by fault injection.
    pub injected_failures: u64,
}

/// What fault injection decided for one request.
pub(crate) struct FaultDecision {
    pub(crate) latency: Duration,
    pub(crate) error: Option<ApiError>,
}

/// Fault rules and call counters.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    rules: Vec<FaultRule>,
    next_id: u64,
    counts: BTreeMap<Operation, CallCount>,
}

impl FaultBook {
    pub(crate) fn add(&mut self, spec: FaultSpec) -> Result<FaultRule, InvalidFault> {
        spec.validate()?;
        self.next_id += 1;
        let rule = FaultRule {
            id: self.next_id,
            remaining: spec.count,
            spec,
            fired: 0,
        };
        self.rules.push(rule.clone());
        Ok(rule)
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|rule| rule.id != id);
        self.rules.len() != before
    }

    pub(crate) fn clear_rules(&mut self) -> usize {
        std::mem::take(&mut self.rules).len()
    }

    pub(crate) fn clear_counts(&mut self) {
        self.counts.clear();
    }

    pub(crate) fn counts(&self) -> BTreeMap<Operation, CallCount> {
        Operation::ALL
            .into_iter()
            .map(|operation| {
                (
                    operation,
                    self.counts.get(&operation).copied().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Counts a received request and decides its injected latency and error.
    pub(crate) fn begin(&mut self, operation: Operation) -> FaultDecision {
        self.counts.entry(operation).or_default().received += 1;

        let mut latency = Duration::ZERO;
        let mut error: Option<ApiError> = None;
        for rule in self
            .rules
            .iter_mut()
            .filter(|rule| rule.spec.operation.matches(operation))
        {
            if error.is_some() && rule.spec.error.is_some() {
                continue;
            }
            let fires = rule
                .spec
                .probability
                .is_none_or(|probability| fastrand::f64() < probability);
            if !fires {
                continue;
            }
            rule.fired += 1;
            if let Some(remaining) = rule.remaining.as_mut() {
                *remaining = remaining.saturating_sub(1);
            }
            latency += Duration::from_millis(rule.spec.latency_ms.unwrap_or(0));
            if let Some(kind) = rule.spec.error {
                let message = rule
                    .spec
                    .message
                    .clone()
                    .unwrap_or_else(|| default_message(kind));
                error = Some(ApiError {
                    kind,
                    message,
                    injected: true,
                });
            }
        }
        self.rules.retain(|rule| rule.remaining != Some(0));

        if error.is_some() {
            self.counts.entry(operation).or_default().injected_failures += 1;
        }
        FaultDecision { latency, error }
    }

    /// Counts how a request ended.
    pub(crate) fn finish(&mut self, operation: Operation, succeeded: bool) {
        let count = self.counts.entry(operation).or_default();
        if succeeded {
            count.succeeded += 1;
        } else {
            count.failed += 1;
        }
    }
}

/// Message of an injected error without its own, worded like the service's.
fn default_message(kind: ErrorKind) -> String {
    match kind {
        ErrorKind::Throttling => "Too many requests, please wait before trying again.".to_owned(),
        ErrorKind::InternalServer => {
            "The server encountered an internal error. Retry the request.".to_owned()
        }
        ErrorKind::ServiceUnavailable => {
            "The service is temporarily unavailable. Retry the request.".to_owned()
        }
        ErrorKind::AccessDenied => "You don't have access to the requested resource.".to_owned(),
        other => format!("Injected {other} from the emulator's fault rules."),
    }
}

#[cfg(test)]
#[path = "faults_tests.rs"]
mod tests;

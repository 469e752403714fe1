//! Usage totals of Converse per `ModelId`, kept in memory.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// One successful Converse call, as the usage totals and metrics record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// Region of the request, where its metrics are published.
    pub(crate) region: String,
    /// Value of the `ModelId` metric dimension.
    pub(crate) metric_model_id: String,
    /// ARN of the foundation model that served the call.
    pub(crate) model_arn: String,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    /// Value of the response's `metrics.latencyMs`.
    pub(crate) latency_ms: u64,
}

/// Converse usage of one `ModelId` since start or the last reset, summed
/// over all regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelUsage {
    /// Number of successful calls.
    pub invocations: u64,
    /// Sum of the responses' `usage.inputTokens`.
    pub input_tokens: u64,
    /// Sum of the responses' `usage.outputTokens`.
    pub output_tokens: u64,
    /// ARNs of the foundation models that served the calls.
    pub foundation_model_arns: BTreeSet<String>,
}

/// Usage totals keyed by `ModelId`.
#[derive(Debug, Default)]
pub(crate) struct UsageBook {
    models: BTreeMap<String, ModelUsage>,
}

impl UsageBook {
    pub(crate) fn record(&mut self, invocation: &Invocation) {
        let usage = self
            .models
            .entry(invocation.metric_model_id.clone())
            .or_default();
        usage.invocations += 1;
        usage.input_tokens += invocation.input_tokens;
        usage.output_tokens += invocation.output_tokens;
        usage
            .foundation_model_arns
            .insert(invocation.model_arn.clone());
    }

    pub(crate) fn totals(&self) -> BTreeMap<String, ModelUsage> {
        self.models.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.models.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(model_id: &str, input_tokens: u64, output_tokens: u64) -> Invocation {
        Invocation {
            region: "us-east-1".to_owned(),
            metric_model_id: model_id.to_owned(),
            model_arn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
                .to_owned(),
            input_tokens,
            output_tokens,
            latency_ms: 3,
        }
    }

    #[test]
    fn record_sums_per_model_id() {
        let mut book = UsageBook::default();

        book.record(&invocation("hq2of259skzs", 3, 30));
        book.record(&invocation("hq2of259skzs", 4, 31));
        book.record(&invocation("amazon.nova-lite-v1:0", 1, 29));

        let totals = book.totals();
        assert_eq!(totals.len(), 2);
        let profile = totals.get("hq2of259skzs").cloned().unwrap_or_default();
        assert_eq!(profile.invocations, 2);
        assert_eq!(profile.input_tokens, 7);
        assert_eq!(profile.output_tokens, 61);
        assert_eq!(profile.foundation_model_arns.len(), 1);
    }

    #[test]
    fn clear_removes_totals() {
        let mut book = UsageBook::default();
        book.record(&invocation("hq2of259skzs", 3, 30));

        book.clear();

        assert!(book.totals().is_empty());
    }
}

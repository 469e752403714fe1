//! Publishing of Converse usage metrics to a CloudWatch endpoint with
//! PutMetricData, in the shape Bedrock's own metrics have.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::timeout::TimeoutConfig;
use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatch::error::DisplayErrorContext;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use serde::Serialize;

use crate::usage::Invocation;

/// Namespace of Bedrock's runtime metrics.
// NOTE: the PutMetricData documentation reserves namespaces that start with
// `AWS/` for AWS services, so point the emulator only at an emulated
// CloudWatch such as moto, never at the real service.
pub const METRIC_NAMESPACE: &str = "AWS/Bedrock";

/// Dimension that Bedrock's runtime metrics are split by.
// NOTE: AWS samples query an application inference profile's metrics with
// the profile id (the last ARN segment) as `ModelId`. The official metric
// documentation does not confirm that, so the emulator assumes it.
pub const MODEL_ID_DIMENSION: &str = "ModelId";

/// Time limit of one PutMetricData call, retries included, so that an
/// endpoint that stops responding does not keep publishing tasks alive.
const PUT_TIMEOUT: Duration = Duration::from_secs(10);

/// PutMetricData calls since start or the last reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PublishCounts {
    /// Calls that CloudWatch accepted.
    pub published: u64,
    /// Calls that failed after the SDK's retries.
    pub failed: u64,
}

/// A CloudWatch client for one endpoint, with counters of its calls.
#[derive(Debug)]
pub(crate) struct MetricPublisher {
    client: Client,
    endpoint: String,
    published: AtomicU64,
    failed: AtomicU64,
}

impl MetricPublisher {
    /// Builds a client for `endpoint` with fixed test credentials. Each call
    /// signs for the region of the Converse request it reports.
    pub(crate) fn new(endpoint: &str, default_region: &str) -> MetricPublisher {
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let config = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(default_region.to_owned()))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(
                "testing", "testing", None, None, "emulator",
            ))
            .http_client(http_client)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(PUT_TIMEOUT)
                    .build(),
            )
            .build();
        MetricPublisher {
            client: Client::from_conf(config),
            endpoint: endpoint.to_owned(),
            published: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    pub(crate) fn counts(&self) -> PublishCounts {
        PublishCounts {
            published: self.published.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn clear_counts(&self) {
        self.published.store(0, Ordering::Relaxed);
        self.failed.store(0, Ordering::Relaxed);
    }

    /// Sends the metrics of `invocation` and counts the outcome. A failure
    /// is logged and otherwise ignored, because the Converse call it
    /// reports has already succeeded.
    pub(crate) async fn publish(&self, invocation: &Invocation) {
        let result = self
            .client
            .put_metric_data()
            .namespace(METRIC_NAMESPACE)
            .set_metric_data(Some(metric_data(
                invocation,
                DateTime::from(SystemTime::now()),
            )))
            .customize()
            .config_override(
                aws_sdk_cloudwatch::Config::builder()
                    .region(Region::new(invocation.region.clone())),
            )
            .send()
            .await;

        match result {
            Ok(_) => {
                self.published.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    endpoint = self.endpoint,
                    region = invocation.region,
                    model_id = invocation.metric_model_id,
                    "usage metrics published"
                );
            }
            Err(error) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    endpoint = self.endpoint,
                    region = invocation.region,
                    model_id = invocation.metric_model_id,
                    error = %DisplayErrorContext(&error),
                    "PutMetricData failed; the usage totals at /_emulator/usage still count this call"
                );
            }
        }
    }
}

/// Builds the four data points of one call: `Invocations` (1),
/// `InputTokenCount`, `OutputTokenCount` and `InvocationLatency` in
/// milliseconds, each with the `ModelId` dimension.
pub(crate) fn metric_data(invocation: &Invocation, timestamp: DateTime) -> Vec<MetricDatum> {
    let values = [
        ("Invocations", 1, StandardUnit::Count),
        (
            "InputTokenCount",
            invocation.input_tokens,
            StandardUnit::Count,
        ),
        (
            "OutputTokenCount",
            invocation.output_tokens,
            StandardUnit::Count,
        ),
        (
            "InvocationLatency",
            invocation.latency_ms,
            StandardUnit::Milliseconds,
        ),
    ];
    let dimension = Dimension::builder()
        .name(MODEL_ID_DIMENSION)
        .value(&invocation.metric_model_id)
        .build();

    values
        .into_iter()
        .map(|(name, value, unit)| {
            // Token counts and latencies stay far below 2^53, where f64
            // starts to lose integer precision.
            let value = value as f64;
            MetricDatum::builder()
                .metric_name(name)
                .dimensions(dimension.clone())
                .timestamp(timestamp)
                .value(value)
                .unit(unit)
                .build()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_data_has_four_metrics_with_model_id() {
        let invocation = Invocation {
            region: "us-east-1".to_owned(),
            metric_model_id: "hq2of259skzs".to_owned(),
            model_arn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
                .to_owned(),
            input_tokens: 12,
            output_tokens: 30,
            latency_ms: 7,
        };

        let data = metric_data(&invocation, DateTime::from_secs(1_800_000_000));

        let summary: Vec<(Option<&str>, Option<f64>, Option<&StandardUnit>)> = data
            .iter()
            .map(|datum| (datum.metric_name(), datum.value(), datum.unit()))
            .collect();
        assert_eq!(
            summary,
            [
                (Some("Invocations"), Some(1.0), Some(&StandardUnit::Count)),
                (
                    Some("InputTokenCount"),
                    Some(12.0),
                    Some(&StandardUnit::Count)
                ),
                (
                    Some("OutputTokenCount"),
                    Some(30.0),
                    Some(&StandardUnit::Count)
                ),
                (
                    Some("InvocationLatency"),
                    Some(7.0),
                    Some(&StandardUnit::Milliseconds)
                ),
            ]
        );
        for datum in &data {
            let dimensions: Vec<(Option<&str>, Option<&str>)> = datum
                .dimensions()
                .iter()
                .map(|dimension| (dimension.name(), dimension.value()))
                .collect();
            assert_eq!(dimensions, [(Some("ModelId"), Some("hq2of259skzs"))]);
        }
    }
}

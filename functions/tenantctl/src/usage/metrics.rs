//! Token and invocation counts of application inference profiles, read
//! from CloudWatch's `AWS/Bedrock` namespace.
//!
//! Bedrock publishes the metrics of an application profile with the
//! dimension `ModelId` set to the profile id (the last segment of its ARN).
//! NOTE: AWS samples query application profiles this way; the metric
//! reference does not list application profile ids as `ModelId` values.

use std::collections::{BTreeMap, HashMap};

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode,
};
use aws_smithy_types::DateTime;

use crate::dates::DateRange;
use crate::error::{CliError, aws_error};

pub const NAMESPACE: &str = "AWS/Bedrock";
pub const DIMENSION: &str = "ModelId";

/// GetMetricData takes at most 500 queries per call.
const MAX_QUERIES_PER_CALL: usize = 500;

/// The metrics the report reads, each summed over the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageMetric {
    Invocations,
    InputTokenCount,
    OutputTokenCount,
}

impl UsageMetric {
    pub const ALL: [Self; 3] = [
        Self::Invocations,
        Self::InputTokenCount,
        Self::OutputTokenCount,
    ];

    /// Returns the metric's name in `AWS/Bedrock`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Invocations => "Invocations",
            Self::InputTokenCount => "InputTokenCount",
            Self::OutputTokenCount => "OutputTokenCount",
        }
    }
}

/// One application profile to read, in the region where it was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRef {
    pub profile_id: String,
    pub region: String,
}

/// Sums of one profile's metrics over the range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileUsage {
    pub invocations: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl ProfileUsage {
    fn add(&mut self, metric: UsageMetric, value: u64) {
        let field = match metric {
            UsageMetric::Invocations => &mut self.invocations,
            UsageMetric::InputTokenCount => &mut self.input_tokens,
            UsageMetric::OutputTokenCount => &mut self.output_tokens,
        };
        *field = field.saturating_add(value);
    }
}

/// CloudWatch clients, one per region, built from one SDK configuration.
pub struct MetricsReader {
    sdk: SdkConfig,
    clients: HashMap<String, Client>,
}

impl MetricsReader {
    /// Builds clients lazily from `sdk`, so they keep its credentials,
    /// retries and endpoint (`AWS_ENDPOINT_URL_CLOUDWATCH` on a local stack).
    pub fn new(sdk: SdkConfig) -> Self {
        Self {
            sdk,
            clients: HashMap::new(),
        }
    }

    fn client(&mut self, region: &str) -> Client {
        self.clients
            .entry(region.to_owned())
            .or_insert_with(|| {
                Client::from_conf(
                    aws_sdk_cloudwatch::config::Builder::from(&self.sdk)
                        .region(Region::new(region.to_owned()))
                        .build(),
                )
            })
            .clone()
    }

    /// Sums each profile's metrics over `range` in datapoints of `period`
    /// seconds, keyed by profile id. A profile without data gets zeros.
    pub async fn read(
        &mut self,
        profiles: &[ProfileRef],
        range: &DateRange,
        period: i32,
    ) -> Result<HashMap<String, ProfileUsage>, CliError> {
        let mut usage: HashMap<String, ProfileUsage> = profiles
            .iter()
            .map(|profile| (profile.profile_id.clone(), ProfileUsage::default()))
            .collect();
        let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for profile in profiles {
            by_region
                .entry(profile.region.as_str())
                .or_default()
                .push(profile.profile_id.as_str());
        }
        let per_call = MAX_QUERIES_PER_CALL / UsageMetric::ALL.len();
        for (region, ids) in by_region {
            let client = self.client(region);
            for chunk in ids.chunks(per_call) {
                read_chunk(&client, chunk, range, period, &mut usage).await?;
            }
        }
        Ok(usage)
    }
}

/// Runs one GetMetricData request, following every page, for a chunk of
/// profiles of one region.
async fn read_chunk(
    client: &Client,
    profile_ids: &[&str],
    range: &DateRange,
    period: i32,
    usage: &mut HashMap<String, ProfileUsage>,
) -> Result<(), CliError> {
    // Query ids must match ^[a-z][a-zA-Z0-9_]*$, which profile ids need not.
    let mut queries = Vec::new();
    let mut query_targets: HashMap<String, (&str, UsageMetric)> = HashMap::new();
    for (index, profile_id) in profile_ids.iter().enumerate() {
        for metric in UsageMetric::ALL {
            let id = format!("p{index}_{}", metric.name().to_ascii_lowercase());
            queries.push(sum_query(&id, profile_id, metric, period));
            query_targets.insert(id, (profile_id, metric));
        }
    }

    let mut next_token: Option<String> = None;
    loop {
        let output = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(DateTime::from_secs(range.start_time().unix_timestamp()))
            .end_time(DateTime::from_secs(range.end_time().unix_timestamp()))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|error| aws_error("GetMetricData", error))?;
        for result in output.metric_data_results() {
            let Some((profile_id, metric)) =
                result.id().and_then(|id| query_targets.get(id)).copied()
            else {
                return Err(CliError::UnexpectedResponse {
                    operation: "GetMetricData",
                    message: format!("result for unknown query id {:?}", result.id()),
                });
            };
            if let Some(status @ (StatusCode::InternalError | StatusCode::Forbidden)) =
                result.status_code()
            {
                let messages: Vec<&str> = result
                    .messages()
                    .iter()
                    .filter_map(|message| message.value())
                    .collect();
                return Err(CliError::UnexpectedResponse {
                    operation: "GetMetricData",
                    message: format!(
                        "{} of profile {profile_id}: status {}: {}",
                        metric.name(),
                        status.as_str(),
                        messages.join("; ")
                    ),
                });
            }
            for value in result.values() {
                let count =
                    datapoint_count(*value).ok_or_else(|| CliError::UnexpectedResponse {
                        operation: "GetMetricData",
                        message: format!(
                            "{} of profile {profile_id} has sum {value}",
                            metric.name()
                        ),
                    })?;
                if let Some(entry) = usage.get_mut(profile_id) {
                    entry.add(metric, count);
                }
            }
        }
        next_token = output.next_token().map(str::to_owned);
        if next_token.is_none() {
            return Ok(());
        }
    }
}

fn sum_query(id: &str, profile_id: &str, metric: UsageMetric, period: i32) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(NAMESPACE)
                        .metric_name(metric.name())
                        .dimensions(
                            Dimension::builder()
                                .name(DIMENSION)
                                .value(profile_id)
                                .build(),
                        )
                        .build(),
                )
                .period(period)
                .stat("Sum")
                .build(),
        )
        .return_data(true)
        .build()
}

/// Converts a datapoint's sum to a count, rounded to the nearest integer.
/// CloudWatch returns doubles, which represent every integer up to 2^53
/// exactly. A negative or non-finite sum, or one past 2^53, returns `None`.
fn datapoint_count(value: f64) -> Option<u64> {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
    if !value.is_finite() || !(0.0..=MAX_EXACT).contains(&value) {
        return None;
    }
    // The range check above keeps the conversion exact.
    Some(value.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datapoint_count_accepts_whole_sums() {
        assert_eq!(datapoint_count(0.0), Some(0));
        assert_eq!(datapoint_count(1_234_567.0), Some(1_234_567));
        assert_eq!(datapoint_count(2.0000000001), Some(2));
    }

    #[test]
    fn datapoint_count_rejects_impossible_sums() {
        for value in [-1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(datapoint_count(value), None, "value {value}");
        }
    }

    #[test]
    fn usage_adds_per_metric() {
        let mut usage = ProfileUsage::default();

        usage.add(UsageMetric::InputTokenCount, 5);
        usage.add(UsageMetric::InputTokenCount, 7);
        usage.add(UsageMetric::OutputTokenCount, u64::MAX);
        usage.add(UsageMetric::OutputTokenCount, 1);

        assert_eq!(usage.input_tokens, 12);
        assert_eq!(usage.output_tokens, u64::MAX);
        assert_eq!(usage.invocations, 0);
    }
}

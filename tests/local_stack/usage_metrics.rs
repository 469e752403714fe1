//! Converse usage metrics from the Bedrock emulator, read back from moto's
//! CloudWatch and compared with the responses and `/_emulator/usage`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_bedrock::types::InferenceProfileModelSource;
use aws_sdk_bedrockruntime::operation::converse::ConverseOutput;
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use bedrock_emulator::{
    EmulatorConfig, FaultSpec, METRIC_NAMESPACE, MODEL_ID_DIMENSION, Operation, OperationSelector,
    RunningEmulator,
};
use integration_tests::{ACCOUNT_ID, REGION, moto, sdk_config};

/// How long the emulator's background PutMetricData calls may take to land.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(30);

const NOVA_LITE_US_PROFILE_ARN: &str =
    "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0";

/// An emulator that publishes to moto, with SDK clients for both.
struct MetricsStack {
    emulator: RunningEmulator,
    bedrock: aws_sdk_bedrock::Client,
    runtime: aws_sdk_bedrockruntime::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl MetricsStack {
    async fn start() -> MetricsStack {
        let moto_url = moto::endpoint().to_owned();
        let emulator = bedrock_emulator::start(EmulatorConfig {
            account_id: ACCOUNT_ID.to_owned(),
            default_region: REGION.to_owned(),
            cloudwatch_endpoint: Some(moto_url.clone()),
            ..EmulatorConfig::default()
        })
        .await
        .expect("the Bedrock emulator starts on 127.0.0.1");
        let sdk = sdk_config(&moto_url).await;
        // Both Bedrock clients use one URL, as AWS_ENDPOINT_URL_BEDROCK and
        // AWS_ENDPOINT_URL_BEDROCK_RUNTIME do in the local stack.
        let bedrock = aws_sdk_bedrock::Client::from_conf(
            aws_sdk_bedrock::config::Builder::from(&sdk)
                .endpoint_url(emulator.endpoint_url())
                .build(),
        );
        let runtime = aws_sdk_bedrockruntime::Client::from_conf(
            aws_sdk_bedrockruntime::config::Builder::from(&sdk)
                .endpoint_url(emulator.endpoint_url())
                .build(),
        );
        MetricsStack {
            bedrock,
            runtime,
            cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
            emulator,
        }
    }

    async fn create_profile(&self, name: &str) -> String {
        self.bedrock
            .create_inference_profile()
            .inference_profile_name(name)
            .model_source(InferenceProfileModelSource::CopyFrom(
                NOVA_LITE_US_PROFILE_ARN.to_owned(),
            ))
            .send()
            .await
            .expect("CreateInferenceProfile succeeds on the emulator")
            .inference_profile_arn()
            .to_owned()
    }

    async fn converse(&self, model_id: &str, text: &str) -> ConverseOutput {
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(text.to_owned()))
            .build()
            .expect("the test message is complete");
        self.runtime
            .converse()
            .model_id(model_id)
            .messages(message)
            .send()
            .await
            .unwrap_or_else(|error| panic!("Converse with {model_id} failed: {error:?}"))
    }

    /// Waits until the emulator has made `expected` PutMetricData calls
    /// and returns how many failed.
    async fn wait_for_publishing(&self, expected: u64) -> u64 {
        let deadline = Instant::now() + PUBLISH_TIMEOUT;
        loop {
            let counts = self
                .emulator
                .emulator()
                .metric_publish_counts()
                .expect("a CloudWatch endpoint is configured");
            if counts.published + counts.failed >= expected {
                return counts.failed;
            }
            assert!(
                Instant::now() < deadline,
                "only {counts:?} of {expected} PutMetricData calls finished within {PUBLISH_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sum of `metric` for `model_id` since `since`, over every datapoint
    /// moto returns.
    async fn metric_sum(&self, metric: &str, model_id: &str, since: DateTime) -> f64 {
        let until = DateTime::from_secs(now_secs() + 120);
        let output = self
            .cloudwatch
            .get_metric_statistics()
            .namespace(METRIC_NAMESPACE)
            .metric_name(metric)
            .dimensions(
                Dimension::builder()
                    .name(MODEL_ID_DIMENSION)
                    .value(model_id)
                    .build(),
            )
            .start_time(since)
            .end_time(until)
            .period(60)
            .statistics(Statistic::Sum)
            .send()
            .await
            .unwrap_or_else(|error| panic!("GetMetricStatistics {metric} failed: {error:?}"));
        output
            .datapoints()
            .iter()
            .filter_map(|datapoint| datapoint.sum())
            .sum()
    }
}

fn now_secs() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(elapsed.as_secs()).expect("the time fits in i64")
}

/// Returns `(inputTokens, outputTokens, latencyMs)` of a response.
fn usage_of(output: &ConverseOutput) -> (f64, f64, f64) {
    let usage = output.usage().expect("the response has usage");
    let latency_ms = output.metrics().map_or(0, |metrics| metrics.latency_ms());
    (
        f64::from(usage.input_tokens()),
        f64::from(usage.output_tokens()),
        // Latencies are a few milliseconds, far below f64's integer limit.
        latency_ms as f64,
    )
}

#[tokio::test]
async fn converse_metrics_reach_cloudwatch() {
    let stack = MetricsStack::start().await;
    // Whole seconds, a minute back: moto drops sub-second precision of the
    // query's start and its datapoints keep the emulator's send time.
    let since = DateTime::from_secs(now_secs() - 60);
    let suffix = format!("{:08x}", fastrand::u32(..));
    let arn = stack.create_profile(&format!("metrics-{suffix}")).await;
    let profile_id = arn.rsplit('/').next().expect("the ARN ends in the id");
    let prompts = [
        "How many invoices did tenant one receive?",
        "Summarise last month's usage.",
        "Hi",
    ];

    // One slow call, so that the latency sums compared below are not all zero.
    stack
        .emulator
        .emulator()
        .add_fault(FaultSpec {
            operation: OperationSelector::Only(Operation::Converse),
            error: None,
            count: Some(1),
            probability: None,
            latency_ms: Some(40),
            message: None,
        })
        .expect("the latency fault is valid");

    let mut outputs = Vec::new();
    for prompt in prompts {
        outputs.push(stack.converse(&arn, prompt).await);
    }
    let _ = stack
        .converse("amazon.nova-micro-v1:0", "Not a tenant call")
        .await;
    let failed = stack.wait_for_publishing(4).await;

    assert_eq!(
        failed, 0,
        "PutMetricData failed; moto reads the CBOR protocol of aws-sdk-cloudwatch only from 5.2.6 on"
    );
    let (input, output, latency) = outputs
        .iter()
        .map(usage_of)
        .fold((0.0, 0.0, 0.0), |(input, output, latency), (i, o, l)| {
            (input + i, output + o, latency + l)
        });
    let usage = stack.emulator.emulator().usage();
    let totals = usage.get(profile_id).cloned().unwrap_or_default();
    assert_eq!(totals.invocations, 3);
    assert_eq!(totals.input_tokens as f64, input);
    assert_eq!(totals.output_tokens as f64, output);

    let invocations = stack.metric_sum("Invocations", profile_id, since).await;
    let input_tokens = stack.metric_sum("InputTokenCount", profile_id, since).await;
    let output_tokens = stack
        .metric_sum("OutputTokenCount", profile_id, since)
        .await;
    let latency_ms = stack
        .metric_sum("InvocationLatency", profile_id, since)
        .await;
    let by_arn = stack.metric_sum("Invocations", &arn, since).await;
    let nova_micro = stack
        .metric_sum("Invocations", "amazon.nova-micro-v1:0", since)
        .await;
    assert_eq!(invocations, 3.0);
    assert_eq!(input_tokens, input);
    assert_eq!(output_tokens, output);
    assert_eq!(latency_ms, latency);
    assert!(latency_ms >= 40.0, "{latency_ms}");
    assert_eq!(by_arn, 0.0, "the dimension is the profile id, not the ARN");
    assert!(nova_micro >= 1.0, "{nova_micro}");
}

//! `tenantctl usage`, `chart`, `cost` and `tags`: usage from metrics put
//! into moto's CloudWatch, cost from a fixed price table, and Cost Explorer
//! calls served by a local stub.

use std::collections::HashMap;
use std::process::ExitCode;

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use clap::Parser;
use integration_tests::LocalStack;
use integration_tests::cost_explorer::{CostExplorerStub, StubResponse};
use integration_tests::events::{for_tenant, invocation, unique_tenant};
use integration_tests::repo_file;
use serde_json::{Value, json};
use tenantctl::{Cli, CliError};
use time::{Date, Duration, OffsetDateTime, Time};

/// Datapoints put for each profile: (invocations, input tokens, output tokens).
/// Costs with the fixed test prices (nova-lite 0.0001 and 0.0004, haiku
/// 0.001 and 0.005 USD per 1,000 input and output tokens):
/// - active nova-lite: 1,234,567 and 89,012 tokens, 0.1590615, shown 0.16
/// - active haiku: 5,000 input tokens, exactly 0.005, shown 0.01 (half up;
///   half-even rounding would show 0.00)
/// - offboarded nova-lite: 12,500 input tokens, 0.00125, shown 0.00
/// - offboarded haiku: 140,000 and 1,000 tokens, exactly 0.145, shown 0.15
///   (half up; half-even would show 0.14)
/// - total 0.3103115, shown 0.31, while the rounded rows add up to 0.32.
const ACTIVE_NOVA: [(u64, u64, u64); 2] = [(3, 1_000_000, 89_012), (4, 234_567, 0)];
const ACTIVE_HAIKU: [(u64, u64, u64); 1] = [(2, 5_000, 0)];
const OFFBOARDED_NOVA: [(u64, u64, u64); 1] = [(1, 12_500, 0)];
const OFFBOARDED_HAIKU: [(u64, u64, u64); 1] = [(5, 140_000, 1_000)];

/// Two tenants of the standard tier (nova-lite and claude-haiku), one of
/// them offboarded, with metrics in moto for each of their four profiles.
struct Seeded {
    stack: LocalStack,
    active: String,
    offboarded: String,
    from: Date,
    to: Date,
}

impl Seeded {
    async fn start() -> Self {
        let stack = LocalStack::start().await;
        let active = unique_tenant("usage");
        let offboarded = unique_tenant("usage");
        for tenant in [&active, &offboarded] {
            let response = stack
                .handler()
                .handle(invocation(for_tenant("tenant-signup", tenant)))
                .await
                .expect("onboarding succeeds");
            assert_eq!(response["outcome"], "provisioned");
        }
        let response = stack
            .offboard_handler()
            .handle(invocation(for_tenant("tenant-offboarding", &offboarded)))
            .await
            .expect("offboarding succeeds");
        assert_eq!(response["outcome"], "offboarded");

        let profile_ids = profile_ids(&stack).await;
        let today = OffsetDateTime::now_utc().date();
        let from = today - Duration::days(2);
        let to = today + Duration::days(1);
        let yesterday = today - Duration::days(1);
        let seeded = [
            (&active, "nova-lite", &ACTIVE_NOVA[..]),
            (&active, "claude-haiku", &ACTIVE_HAIKU[..]),
            (&offboarded, "nova-lite", &OFFBOARDED_NOVA[..]),
            (&offboarded, "claude-haiku", &OFFBOARDED_HAIKU[..]),
        ];
        for (tenant, model, datapoints) in seeded {
            let profile_id = &profile_ids[&(tenant.clone(), model.to_owned())];
            for (hour, datapoint) in (10..).zip(datapoints) {
                put_usage(&stack.sdk, profile_id, at(yesterday, hour), *datapoint).await;
            }
        }
        // Outside the range: the report must leave it out.
        let active_nova = &profile_ids[&(active.clone(), "nova-lite".to_owned())];
        put_usage(
            &stack.sdk,
            active_nova,
            at(from - Duration::days(1), 12),
            (100, 999_999, 999_999),
        )
        .await;

        Self {
            stack,
            active,
            offboarded,
            from,
            to,
        }
    }

    /// Arguments for `command` (`usage` or `chart`) over the seeded range with
    /// the test prices, followed by `extra`.
    fn args(&self, command: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            command.to_owned(),
            "--table".to_owned(),
            self.stack.table_name.clone(),
            "--from".to_owned(),
            self.from.to_string(),
            "--to".to_owned(),
            self.to.to_string(),
            "--prices".to_owned(),
            repo_file("tests/local_stack/test-prices.json")
                .display()
                .to_string(),
        ];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        args
    }
}

/// Profile ids from the registry, keyed by tenant and model key.
async fn profile_ids(stack: &LocalStack) -> HashMap<(String, String), String> {
    let mut ids = HashMap::new();
    for item in stack.registry_items().await {
        for (model, profile) in &item.profiles {
            ids.insert(
                (item.tenant_id.clone(), model.clone()),
                profile.profile_id.clone(),
            );
        }
    }
    assert_eq!(ids.len(), 4, "two tenants with two profiles each: {ids:?}");
    ids
}

fn at(day: Date, hour: u8) -> DateTime {
    let time = Time::from_hms(hour, 0, 0).expect("a valid hour");
    DateTime::from_secs(day.with_time(time).assume_utc().unix_timestamp())
}

/// Puts one datapoint of each metric, as Bedrock publishes them for an
/// application profile: namespace `AWS/Bedrock`, dimension `ModelId` = profile id.
async fn put_usage(sdk: &SdkConfig, profile_id: &str, timestamp: DateTime, usage: (u64, u64, u64)) {
    let (invocations, input_tokens, output_tokens) = usage;
    let datum = |name: &str, value: u64| {
        MetricDatum::builder()
            .metric_name(name)
            .dimensions(
                Dimension::builder()
                    .name("ModelId")
                    .value(profile_id)
                    .build(),
            )
            .timestamp(timestamp)
            .value(value as f64)
            .unit(StandardUnit::Count)
            .build()
    };
    aws_sdk_cloudwatch::Client::new(sdk)
        .put_metric_data()
        .namespace("AWS/Bedrock")
        .metric_data(datum("Invocations", invocations))
        .metric_data(datum("InputTokenCount", input_tokens))
        .metric_data(datum("OutputTokenCount", output_tokens))
        .send()
        .await
        .expect("PutMetricData succeeds on moto");
}

struct Outcome {
    code: ExitCode,
    stdout: String,
    stderr: String,
}

/// Parses `args` as the binary would and runs the command against `sdk`.
async fn tenantctl<S: AsRef<str>>(sdk: &SdkConfig, args: &[S]) -> Result<Outcome, CliError> {
    let argv = std::iter::once("tenantctl").chain(args.iter().map(AsRef::as_ref));
    let cli = Cli::try_parse_from(argv).expect("the arguments parse");
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = tenantctl::run(cli, sdk, &mut stdout, &mut stderr).await?;
    Ok(Outcome {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    })
}

/// Finds the JSON report's row of one tenant and model.
fn row<'a>(report: &'a Value, tenant: &str, model: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|row| row["tenantId"] == tenant && row["modelKey"] == model)
        .unwrap_or_else(|| panic!("no row for {tenant} {model} in {report:#}"))
}

#[tokio::test]
async fn usage_sums_metrics_per_tenant_and_model() {
    let seeded = Seeded::start().await;

    let outcome = tenantctl(
        &seeded.stack.sdk,
        &seeded.args("usage", &["--format", "json"]),
    )
    .await
    .expect("usage succeeds");

    let report: Value = serde_json::from_str(&outcome.stdout).expect("the report is JSON");
    let expected = [
        (&seeded.active, "nova-lite", (7, 1_234_567, 89_012)),
        (&seeded.active, "claude-haiku", (2, 5_000, 0)),
        (&seeded.offboarded, "nova-lite", (1, 12_500, 0)),
        (&seeded.offboarded, "claude-haiku", (5, 140_000, 1_000)),
    ];
    for (tenant, model, (invocations, input_tokens, output_tokens)) in expected {
        let row = row(&report, tenant, model);
        assert_eq!(row["invocations"], invocations, "{tenant} {model}");
        assert_eq!(row["inputTokens"], input_tokens, "{tenant} {model}");
        assert_eq!(row["outputTokens"], output_tokens, "{tenant} {model}");
    }
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        row(&report, &seeded.offboarded, "nova-lite")["status"],
        "OFFBOARDED"
    );
    assert_eq!(report["totals"]["invocations"], 15);
    assert_eq!(report["totals"]["inputTokens"], 1_392_067);
    assert_eq!(report["totals"]["outputTokens"], 90_012);
    assert_eq!(outcome.code, ExitCode::SUCCESS);
}

#[tokio::test]
async fn usage_cost_is_tokens_times_prices() {
    let seeded = Seeded::start().await;

    let outcome = tenantctl(
        &seeded.stack.sdk,
        &seeded.args("usage", &["--format", "json"]),
    )
    .await
    .expect("usage succeeds");

    let report: Value = serde_json::from_str(&outcome.stdout).expect("the report is JSON");
    let expected = [
        (&seeded.active, "nova-lite", "0.16", "0.1590615"),
        (&seeded.active, "claude-haiku", "0.01", "0.005"),
        (&seeded.offboarded, "nova-lite", "0.00", "0.00125"),
        (&seeded.offboarded, "claude-haiku", "0.15", "0.145"),
    ];
    for (tenant, model, cost, unrounded) in expected {
        let row = row(&report, tenant, model);
        assert_eq!(row["cost"], cost, "{tenant} {model}");
        assert_eq!(row["costUnrounded"], unrounded, "{tenant} {model}");
    }
    assert_eq!(
        row(&report, &seeded.active, "claude-haiku")["priceKey"],
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "the us. system profile is priced as its model"
    );
    assert_eq!(report["totals"]["cost"], "0.31");
    assert_eq!(report["totals"]["costUnrounded"], "0.3103115");
    assert_eq!(report["currency"], "USD");
}

#[tokio::test]
async fn usage_table_shows_progress_and_totals() {
    let seeded = Seeded::start().await;

    let outcome = tenantctl(&seeded.stack.sdk, &seeded.args("usage", &[]))
        .await
        .expect("usage succeeds");

    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert!(lines[0].starts_with("TENANT"), "{}", outcome.stdout);
    let total: Vec<&str> = lines[5].split_whitespace().collect();
    assert_eq!(total, ["TOTAL", "15", "1,392,067", "90,012", "0.31"]);
    assert!(
        lines[1..5]
            .iter()
            .filter(|line| line.contains("OFFBOARDED"))
            .count()
            == 2,
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("Price table note: Fixed prices"),
        "{}",
        outcome.stdout
    );
    let progress: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(progress.len(), 2, "{}", outcome.stderr);
    assert!(
        progress[0].starts_with("usage: tenant 1/2 usage-"),
        "{}",
        outcome.stderr
    );
    assert!(progress[1].ends_with("(2 profiles)"), "{}", outcome.stderr);
}

#[tokio::test]
async fn usage_csv_for_one_tenant() {
    let seeded = Seeded::start().await;

    let outcome = tenantctl(
        &seeded.stack.sdk,
        &seeded.args(
            "usage",
            &["--format", "csv", "--tenant", &seeded.offboarded],
        ),
    )
    .await
    .expect("usage succeeds");

    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", outcome.stdout);
    assert!(
        lines[0].starts_with("tenant_id,status,model_key"),
        "{}",
        outcome.stdout
    );
    assert!(
        lines[1].starts_with(&format!("{},OFFBOARDED,claude-haiku,", seeded.offboarded)),
        "{}",
        outcome.stdout
    );
    assert!(
        lines[1].ends_with(",5,140000,1000,0.15,USD"),
        "{}",
        outcome.stdout
    );
    assert_eq!(lines[3], "TOTAL,,,,,,6,152500,1000,0.15,USD");
    assert!(
        outcome.stderr.contains("note: Usage from"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn usage_unknown_tenant_fails() {
    let seeded = Seeded::start().await;

    let result = tenantctl(
        &seeded.stack.sdk,
        &seeded.args("usage", &["--tenant", "nobody"]),
    )
    .await;

    assert!(
        matches!(result, Err(CliError::TenantNotFound { ref tenant, .. }) if tenant == "nobody"),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn chart_writes_valid_svg() {
    let seeded = Seeded::start().await;
    let path = std::env::temp_dir().join(format!("tenantctl-chart-{}.svg", seeded.stack.suffix));

    let outcome = tenantctl(
        &seeded.stack.sdk,
        &seeded.args("chart", &["--output", &path.display().to_string()]),
    )
    .await
    .expect("chart succeeds");

    let svg = std::fs::read_to_string(&path).expect("the chart file exists");
    std::fs::remove_file(&path).expect("the chart file is removed");
    assert!(!svg.is_empty());
    let document = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .filter_map(|node| node.text())
        .map(str::trim)
        .collect();
    assert!(texts.contains(&seeded.active.as_str()), "{texts:?}");
    assert!(texts.contains(&seeded.offboarded.as_str()), "{texts:?}");
    assert!(texts.contains(&"0.16 USD"), "active: 0.1640615 {texts:?}");
    assert!(texts.contains(&"0.15 USD"), "offboarded: 0.14625 {texts:?}");
    assert!(outcome.stdout.starts_with("wrote "), "{}", outcome.stdout);
}

#[tokio::test]
async fn chart_rejects_other_extensions() {
    let stub_sdk = integration_tests::sdk_config("http://127.0.0.1:9").await;

    let result = tenantctl(
        &stub_sdk,
        &[
            "--table",
            "unused",
            "chart",
            "--from",
            "2025-06-01",
            "--to",
            "2025-07-01",
            "--output",
            "chart.png",
        ],
    )
    .await;

    assert!(
        matches!(result, Err(CliError::InvalidArgument(_))),
        "{:?}",
        result.err()
    );
}

/// Starts a stub whose UpdateCostAllocationTagsStatus rejects every key in `rejected`.
async fn tag_stub(rejected: &'static [&'static str]) -> CostExplorerStub {
    CostExplorerStub::start(move |operation, body| match operation {
        "UpdateCostAllocationTagsStatus" => {
            let errors: Vec<Value> = body["CostAllocationTagsStatus"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|entry| entry["TagKey"].as_str())
                .filter(|key| rejected.contains(key))
                .map(|key| {
                    json!({
                        "TagKey": key,
                        "Code": "TagKeysNotFoundException",
                        "Message": format!("The tag key {key} was not found in billing data."),
                    })
                })
                .collect();
            StubResponse::Ok(json!({"Errors": errors}))
        }
        other => StubResponse::Error {
            error_type: "UnknownOperationException".to_owned(),
            message: format!("the stub does not answer {other}"),
        },
    })
    .await
}

#[tokio::test]
async fn tags_activate_reports_per_key_error() {
    let stub = tag_stub(&["team"]).await;

    let outcome = tenantctl(
        &stub.sdk_config().await,
        &["tags", "activate", "--key", "tenant-id", "--key", "team"],
    )
    .await
    .expect("the call itself succeeds");

    assert_eq!(outcome.code, ExitCode::FAILURE);
    assert!(
        outcome
            .stdout
            .contains("tenant-id: activation requested (status Active)"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(
            "team: not activated: TagKeysNotFoundException: The tag key team was not found in billing data."
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("management (payer) account"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("StartCostAllocationTagBackfill"),
        "{}",
        outcome.stdout
    );
    let requests = stub.requests_of("UpdateCostAllocationTagsStatus");
    assert_eq!(
        requests,
        [json!({"CostAllocationTagsStatus": [
            {"TagKey": "tenant-id", "Status": "Active"},
            {"TagKey": "team", "Status": "Active"},
        ]})]
    );
}

#[tokio::test]
async fn tags_activate_sends_twenty_keys_per_call() {
    let stub = tag_stub(&[]).await;
    let keys: Vec<String> = (0..25).map(|index| format!("key-{index:02}")).collect();
    let mut args = vec!["tags".to_owned(), "activate".to_owned()];
    for key in &keys {
        args.push("--key".to_owned());
        args.push(key.clone());
    }

    let outcome = tenantctl(&stub.sdk_config().await, &args)
        .await
        .expect("activation succeeds");

    let sizes: Vec<usize> = stub
        .requests_of("UpdateCostAllocationTagsStatus")
        .iter()
        .map(|body| {
            body["CostAllocationTagsStatus"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [20, 5]);
    assert_eq!(outcome.stdout.matches("activation requested").count(), 25);
    assert_eq!(outcome.code, ExitCode::SUCCESS);
}

#[tokio::test]
async fn tags_activate_access_denied_names_payer_account() {
    let stub = CostExplorerStub::start(|_, _| StubResponse::Error {
        error_type: "AccessDeniedException".to_owned(),
        message: "User is not authorized to perform: ce:UpdateCostAllocationTagsStatus".to_owned(),
    })
    .await;

    let result = tenantctl(&stub.sdk_config().await, &["tags", "activate"]).await;

    let error = result.err().expect("activation fails");
    assert_eq!(error.aws_code(), Some("AccessDeniedException"));
    assert!(
        error.to_string().contains("management (payer) account"),
        "{error}"
    );
}

#[tokio::test]
async fn tags_status_says_where_to_activate() {
    let stub = CostExplorerStub::start(|operation, _| match operation {
        "ListCostAllocationTags" => StubResponse::Ok(json!({"CostAllocationTags": [{
            "TagKey": "tenant-id",
            "Type": "UserDefined",
            "Status": "Inactive",
            "LastUsedDate": "2025-06-02T00:00:00Z",
        }]})),
        _ => StubResponse::Ok(json!({})),
    })
    .await;

    let outcome = tenantctl(
        &stub.sdk_config().await,
        &["tags", "status", "--key", "tenant-id", "--key", "team"],
    )
    .await
    .expect("status succeeds");

    assert_eq!(outcome.code, ExitCode::FAILURE);
    assert!(
        outcome
            .stdout
            .contains("tenant-id: not active (status Inactive, type UserDefined"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("team: not active: billing lists no such key"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("Billing and Cost Management console > Cost allocation tags"),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        stub.requests_of("ListCostAllocationTags"),
        [json!({"TagKeys": ["tenant-id", "team"]})]
    );
}

/// Starts a stub with the tag `status` and two pages of GetCostAndUsage results.
async fn cost_stub(status: Option<&'static str>) -> CostExplorerStub {
    CostExplorerStub::start(move |operation, body| match operation {
        "ListCostAllocationTags" => {
            let tags: Vec<Value> = status
                .map(|status| json!({"TagKey": "tenant-id", "Type": "UserDefined", "Status": status}))
                .into_iter()
                .collect();
            StubResponse::Ok(json!({"CostAllocationTags": tags}))
        }
        "GetCostAndUsage" if body.get("NextPageToken").is_none() => StubResponse::Ok(json!({
            "ResultsByTime": [{
                "TimePeriod": {"Start": "2025-06-01", "End": "2025-07-01"},
                "Total": {},
                "Groups": [
                    {"Keys": ["tenant-id$acme"], "Metrics": {"UnblendedCost": {"Amount": "12.3449999", "Unit": "USD"}}},
                    {"Keys": ["tenant-id$"], "Metrics": {"UnblendedCost": {"Amount": "0.005", "Unit": "USD"}}},
                ],
                "Estimated": false,
            }],
            "NextPageToken": "page-2",
            "GroupDefinitions": [{"Type": "TAG", "Key": "tenant-id"}],
        })),
        "GetCostAndUsage" => StubResponse::Ok(json!({
            "ResultsByTime": [{
                "TimePeriod": {"Start": "2025-07-01", "End": "2025-08-01"},
                "Total": {},
                "Groups": [
                    {"Keys": ["tenant-id$beta"], "Metrics": {"UnblendedCost": {"Amount": "1E-2", "Unit": "USD"}}},
                ],
                "Estimated": true,
            }],
        })),
        other => StubResponse::Error {
            error_type: "UnknownOperationException".to_owned(),
            message: format!("the stub does not answer {other}"),
        },
    })
    .await
}

#[tokio::test]
async fn cost_groups_bedrock_cost_by_tenant_tag() {
    let stub = cost_stub(Some("Active")).await;

    let outcome = tenantctl(
        &stub.sdk_config().await,
        &[
            "cost",
            "--from",
            "2025-06-01",
            "--to",
            "2025-08-01",
            "--format",
            "json",
        ],
    )
    .await
    .expect("cost succeeds");

    let report: Value = serde_json::from_str(&outcome.stdout).expect("the report is JSON");
    let rows: Vec<(Value, Value, Value)> = report["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            (
                row["periodStart"].clone(),
                row["tenantId"].clone(),
                row["amount"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (json!("2025-06-01"), json!("acme"), json!("12.34")),
            (json!("2025-06-01"), Value::Null, json!("0.01")),
            (json!("2025-07-01"), json!("beta"), json!("0.01")),
        ]
    );
    assert_eq!(report["totals"]["USD"], "12.36");
    assert_eq!(report["tagActive"], true);
    let requests = stub.requests_of("GetCostAndUsage");
    assert_eq!(requests.len(), 2, "both pages are read");
    let first = &requests[0];
    assert_eq!(
        first["TimePeriod"],
        json!({"Start": "2025-06-01", "End": "2025-08-01"})
    );
    assert_eq!(first["Granularity"], "MONTHLY");
    assert_eq!(first["Metrics"], json!(["UnblendedCost"]));
    assert_eq!(
        first["Filter"],
        json!({"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}})
    );
    assert_eq!(
        first["GroupBy"],
        json!([{"Type": "TAG", "Key": "tenant-id"}])
    );
    assert_eq!(requests[1]["NextPageToken"], "page-2");
}

#[tokio::test]
async fn cost_says_tag_not_active() {
    let stub = cost_stub(None).await;

    let outcome = tenantctl(
        &stub.sdk_config().await,
        &[
            "cost",
            "--from",
            "2025-06-01",
            "--to",
            "2025-08-01",
            "--granularity",
            "daily",
        ],
    )
    .await
    .expect("cost succeeds");

    assert!(
        outcome.stdout.contains(
            "The cost allocation tag tenant-id is not active (billing lists no such key yet"
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("tenantctl tags activate --key tenant-id"),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("(untagged)"), "{}", outcome.stdout);
    assert_eq!(
        stub.requests_of("GetCostAndUsage")[0]["Granularity"],
        "DAILY"
    );
}

#[tokio::test]
async fn cost_reports_service_error() {
    let stub = CostExplorerStub::start(|operation, _| match operation {
        "GetCostAndUsage" => StubResponse::Error {
            error_type: "DataUnavailableException".to_owned(),
            message: "Data is not available.".to_owned(),
        },
        _ => StubResponse::Ok(json!({"CostAllocationTags": []})),
    })
    .await;

    let result = tenantctl(
        &stub.sdk_config().await,
        &["cost", "--from", "2025-06-01", "--to", "2025-07-01"],
    )
    .await;

    let error = result.err().expect("cost fails");
    assert_eq!(error.aws_code(), Some("DataUnavailableException"));
    assert!(
        error.to_string().starts_with("GetCostAndUsage failed"),
        "{error}"
    );
}

/// Returns the input and output token counts of a Converse response.
fn converse_tokens(
    output: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput,
) -> (u64, u64) {
    let usage = output.usage().expect("the response has usage");
    let tokens = |count: i32| u64::try_from(count).expect("token counts are not negative");
    (tokens(usage.input_tokens()), tokens(usage.output_tokens()))
}

#[tokio::test]
async fn usage_matches_converse_through_emulator() {
    let stack = LocalStack::start().await;
    // A second emulator that publishes Converse metrics to moto, as Bedrock
    // publishes them to CloudWatch.
    let publishing = bedrock_emulator::start(bedrock_emulator::EmulatorConfig {
        account_id: integration_tests::ACCOUNT_ID.to_owned(),
        default_region: integration_tests::REGION.to_owned(),
        cloudwatch_endpoint: Some(integration_tests::moto::endpoint().to_owned()),
        ..bedrock_emulator::EmulatorConfig::default()
    })
    .await
    .expect("the publishing emulator starts on 127.0.0.1");
    let config = stack.config();
    let mut aws = stack.adapters(&config);
    aws.profiles = tenancy::aws::BedrockProfiles::new(aws_sdk_bedrock::Client::from_conf(
        aws_sdk_bedrock::config::Builder::from(&stack.sdk)
            .endpoint_url(publishing.endpoint_url())
            .build(),
    ));
    let handler = tenancy::handler::OnboardHandler::new(
        tenancy::onboarding::Onboarding::new(
            aws.registry,
            aws.profiles,
            aws.roles,
            std::sync::Arc::new(config),
        ),
        aws.events,
    );
    let tenant = unique_tenant("converse");
    handler
        .handle(invocation(for_tenant("tenant-signup", &tenant)))
        .await
        .expect("onboarding succeeds");
    let runtime = aws_sdk_bedrockruntime::Client::from_conf(
        aws_sdk_bedrockruntime::config::Builder::from(&stack.sdk)
            .endpoint_url(publishing.endpoint_url())
            .build(),
    );
    let item = stack
        .registry_items()
        .await
        .pop()
        .expect("the tenant is registered");
    let mut expected: HashMap<String, (u64, u64, u64)> = HashMap::new();
    let prompts = [
        "Summarise the invoice.",
        "Hi",
        "List three colours of the sky at dusk.",
    ];
    for (model, profile) in &item.profiles {
        for prompt in prompts {
            let message = aws_sdk_bedrockruntime::types::Message::builder()
                .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
                .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(
                    prompt.to_owned(),
                ))
                .build()
                .expect("the message is complete");
            let output = runtime
                .converse()
                .model_id(&profile.profile_arn)
                .messages(message)
                .send()
                .await
                .expect("Converse through the profile succeeds");
            let (input, output) = converse_tokens(&output);
            let entry = expected.entry(model.clone()).or_default();
            *entry = (entry.0 + 1, entry.1 + input, entry.2 + output);
        }
    }
    let calls = (item.profiles.len() * prompts.len()) as u64;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let counts = publishing
            .emulator()
            .metric_publish_counts()
            .expect("a CloudWatch endpoint is configured");
        assert_eq!(counts.failed, 0, "PutMetricData failed: {counts:?}");
        if counts.published >= calls {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {counts:?} of {calls} published"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let today = OffsetDateTime::now_utc().date();

    let outcome = tenantctl(
        &stack.sdk,
        &[
            "usage",
            "--table",
            &stack.table_name,
            "--from",
            &(today - Duration::days(1)).to_string(),
            "--to",
            &(today + Duration::days(1)).to_string(),
            "--prices",
            &repo_file("tests/local_stack/test-prices.json")
                .display()
                .to_string(),
            "--format",
            "json",
        ],
    )
    .await
    .expect("usage succeeds");

    let report: Value = serde_json::from_str(&outcome.stdout).expect("the report is JSON");
    assert_eq!(expected.len(), 2, "{expected:?}");
    for (model, (invocations, input_tokens, output_tokens)) in &expected {
        let row = row(&report, &tenant, model);
        assert_eq!(row["invocations"], *invocations, "{model}");
        assert_eq!(row["inputTokens"], *input_tokens, "{model}");
        assert_eq!(row["outputTokens"], *output_tokens, "{model}");
    }
}

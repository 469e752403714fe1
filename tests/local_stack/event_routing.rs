//! The rules of `template.yaml`, created on moto's EventBridge with an SQS
//! queue standing in for each function, route every sample event in
//! `events/` to its function and drop near misses.
//!
//! moto 5.2.5 does not implement TestEventPattern (its server returns an
//! empty body), so events go through PutEvents and the rule targets. Its
//! matcher evaluates `exists` (true only for a leaf, as in EventBridge) and
//! lists of alternatives, which these rules depend on. It also delivers to
//! SQS targets inside the PutEvents call, so a receive right after it
//! returns every delivered event.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use integration_tests::template::Template;
use integration_tests::{ACCOUNT_ID, REGION, moto, repo_file, sdk_config};
use serde_json::{Value, json};
use tenancy::events::EventContract;

use crate::rule_contract::{FUNCTIONS, serving_function};

/// A private bus with the template's rules, each targeting its function's queue.
struct Routing {
    events: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
    bus_name: String,
    /// Queue URL by function logical id.
    queues: BTreeMap<String, String>,
}

impl Routing {
    async fn start() -> Self {
        let sdk = sdk_config(moto::endpoint()).await;
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let suffix = format!("{:08x}", fastrand::u32(..));
        let bus_name = format!("routing-{suffix}");
        events
            .create_event_bus()
            .name(&bus_name)
            .send()
            .await
            .expect("CreateEventBus succeeds on moto");

        let template = Template::load().unwrap_or_else(|message| panic!("{message}"));
        let parameters = template.parameter_defaults().expect("defaults resolve");
        let rules = template
            .event_rules(&parameters)
            .unwrap_or_else(|message| panic!("{message}"));
        assert!(
            !rules.is_empty(),
            "template.yaml declares no EventBridge rule"
        );

        let mut queues = BTreeMap::new();
        for rule in &rules {
            let queue_name = format!("{}-{suffix}", rule.function);
            if !queues.contains_key(&rule.function) {
                let queue = sqs
                    .create_queue()
                    .queue_name(&queue_name)
                    .send()
                    .await
                    .expect("CreateQueue succeeds on moto");
                let url = queue.queue_url().expect("CreateQueue returns a URL");
                queues.insert(rule.function.clone(), url.to_owned());
            }
            let rule_name = format!("{}-{suffix}", rule.logical_id());
            events
                .put_rule()
                .name(&rule_name)
                .event_bus_name(&bus_name)
                .event_pattern(rule.pattern.to_string())
                .send()
                .await
                .unwrap_or_else(|error| panic!("PutRule {rule_name}: {error:?}"));
            events
                .put_targets()
                .rule(&rule_name)
                .event_bus_name(&bus_name)
                .targets(
                    Target::builder()
                        .id("function")
                        .arn(format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}"))
                        .build()
                        .expect("target is complete"),
                )
                .send()
                .await
                .unwrap_or_else(|error| panic!("PutTargets {rule_name}: {error:?}"));
        }

        Self {
            events,
            sqs,
            bus_name,
            queues,
        }
    }

    /// Puts `envelope` on the bus and returns the functions whose queues received it.
    async fn deliver(&self, envelope: &Value) -> BTreeSet<String> {
        let source = envelope["source"]
            .as_str()
            .expect("the envelope has a source");
        let detail_type = envelope["detail-type"]
            .as_str()
            .expect("the envelope has a detail-type");
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(source)
            .detail_type(detail_type)
            .detail(envelope["detail"].to_string())
            .build();

        let output = self
            .events
            .put_events()
            .entries(entry)
            .send()
            .await
            .expect("PutEvents succeeds on moto");

        assert_eq!(
            output.failed_entry_count(),
            0,
            "PutEvents rejected {envelope}"
        );
        let mut reached = BTreeSet::new();
        for (function, queue_url) in &self.queues {
            for body in self.drain(queue_url).await {
                let received: Value = serde_json::from_str(&body).expect("the message is JSON");
                assert_eq!(
                    received["detail"], envelope["detail"],
                    "{function} got another event"
                );
                assert_eq!(received["source"], envelope["source"]);
                assert_eq!(received["detail-type"], envelope["detail-type"]);
                reached.insert(function.clone());
            }
        }
        reached
    }

    async fn drain(&self, queue_url: &str) -> Vec<String> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("ReceiveMessage succeeds on moto");
        let mut bodies = Vec::new();
        for message in output.messages() {
            bodies.push(message.body().unwrap_or_default().to_owned());
            if let Some(handle) = message.receipt_handle() {
                self.sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("DeleteMessage succeeds on moto");
            }
        }
        bodies
    }
}

/// Reads every `*.json` file directly in `dir`, keyed by file name.
fn json_files(dir: &Path) -> BTreeMap<String, Value> {
    let mut files = BTreeMap::new();
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("the directory entry is readable").path();
        if path.extension().and_then(|extension| extension.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()));
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("the file name is UTF-8")
            .to_owned();
        files.insert(name, value);
    }
    files
}

fn only(function: &str) -> BTreeSet<String> {
    BTreeSet::from([function.to_owned()])
}

#[tokio::test]
async fn samples_reach_their_function() {
    let routing = Routing::start().await;
    let contract = EventContract::default();
    let samples = json_files(&repo_file("events"));
    let mut served = BTreeSet::new();

    for (name, envelope) in &samples {
        let Some(function) = serving_function(&contract, envelope) else {
            panic!(
                "{name}: no handler accepts {} / {}",
                envelope["source"], envelope["detail-type"]
            );
        };

        let reached = routing.deliver(envelope).await;

        assert_eq!(reached, only(function), "{name}");
        served.insert(function);
    }

    for (function, _) in FUNCTIONS {
        assert!(
            served.contains(function),
            "no sample in events/ is for {function}"
        );
    }
}

#[tokio::test]
async fn every_accepted_pair_is_routed() {
    let routing = Routing::start().await;
    let contract = EventContract::default();

    for (function, kind) in FUNCTIONS {
        for (source, detail_type) in contract.accepted(kind) {
            let envelope = json!({
                "source": source,
                "detail-type": detail_type,
                "detail": {"tenantId": "acme-01"},
            });

            let reached = routing.deliver(&envelope).await;

            assert_eq!(reached, only(function), "{source} / {detail_type}");
        }
    }
}

/// How each file in `events/invalid/` meets the rules. Invalid content in a
/// valid envelope reaches the function, which rejects it naming the field.
const INVALID_SAMPLES: [(&str, Option<&str>); 4] = [
    ("bad-tenant-id.json", Some("OnboardFunction")),
    ("unknown-tier.json", Some("OnboardFunction")),
    ("missing-tenant-id.json", None),
    // Not an envelope at all: PutEvents cannot carry it, checked below.
    ("no-envelope.json", None),
];

#[tokio::test]
async fn invalid_samples_route_as_listed() {
    let routing = Routing::start().await;
    let samples = json_files(&repo_file("events/invalid"));

    let listed: BTreeSet<&str> = INVALID_SAMPLES.iter().map(|(name, _)| *name).collect();
    let present: BTreeSet<&str> = samples.keys().map(String::as_str).collect();
    assert_eq!(
        listed, present,
        "every file in events/invalid/ needs an entry here"
    );

    for (name, expected) in INVALID_SAMPLES {
        let envelope = &samples[name];
        if envelope.get("source").is_none() && envelope.get("detail-type").is_none() {
            assert_eq!(expected, None, "{name} cannot be put on a bus");
            continue;
        }

        let reached = routing.deliver(envelope).await;

        let expected: BTreeSet<String> = expected.into_iter().map(str::to_owned).collect();
        assert_eq!(reached, expected, "{name}");
    }
}

/// Returns a sample with one top-level field replaced.
fn altered(sample: &str, field: &str, value: Value) -> Value {
    let mut envelope = integration_tests::events::sample(sample);
    envelope[field] = value;
    envelope
}

#[tokio::test]
async fn near_misses_reach_nothing() {
    let routing = Routing::start().await;
    let cases = [
        // Detail-types match case-sensitively.
        altered("tenant-signup", "detail-type", json!("tenantSignedUp")),
        altered("tenant-signup", "detail-type", json!("TENANTSIGNEDUP")),
        altered(
            "tenant-offboarding",
            "detail-type",
            json!("tenantOffboardingRequested"),
        ),
        altered(
            "sbt-onboarding-request-v08",
            "detail-type",
            json!("OnboardingRequest"),
        ),
        altered(
            "sbt-onboarding-request",
            "detail-type",
            json!("sbt_aws_OnboardingRequest"),
        ),
        altered(
            "sbt-offboarding-request",
            "detail-type",
            json!("sbt_aws_OffboardingRequest"),
        ),
        // Wrong or swapped sources.
        altered("tenant-signup", "source", json!("saas.tenant")),
        altered("tenant-signup", "source", json!("Saas.Tenants")),
        altered("tenant-signup", "source", json!("sbt.control.plane")),
        altered("sbt-onboarding-request", "source", json!("saas.tenants")),
        // The application plane's sources carry the functions' own replies to
        // the toolkit; matching them would loop.
        altered(
            "sbt-onboarding-request",
            "source",
            json!("sbt.application.plane"),
        ),
        altered(
            "sbt-onboarding-request-v08",
            "source",
            json!("applicationPlaneEventSource"),
        ),
        altered(
            "sbt-offboarding-request",
            "source",
            json!("sbt.application.plane"),
        ),
        // The functions' own announcements.
        json!({
            "source": "tenant-profiles",
            "detail-type": "TenantProvisioned",
            "detail": {"tenantId": "acme-01"},
        }),
        // A tenant id that is an object is not a leaf, so `exists` is false.
        altered(
            "tenant-signup",
            "detail",
            json!({"tenantId": {"value": "acme-01"}}),
        ),
        altered(
            "tenant-signup",
            "detail",
            json!({"tenantID": "acme-01", "tier": "standard"}),
        ),
    ];

    for envelope in &cases {
        let reached = routing.deliver(envelope).await;

        assert!(reached.is_empty(), "{envelope} reached {reached:?}");
    }
}

#[tokio::test]
async fn samples_without_tenant_id_reach_nothing() {
    let routing = Routing::start().await;
    let samples = json_files(&repo_file("events"));

    for (name, sample) in &samples {
        let mut envelope = sample.clone();
        let removed = envelope["detail"]
            .as_object_mut()
            .and_then(|detail| detail.remove("tenantId"));
        assert!(removed.is_some(), "{name} has no detail.tenantId to remove");

        let reached = routing.deliver(&envelope).await;

        assert!(
            reached.is_empty(),
            "{name} without tenantId reached {reached:?}"
        );
    }
}

//! The EventBridge rules in `template.yaml` match exactly the requests the
//! handlers accept (`EventContract::accepted`), with the parameter defaults
//! and with overridden sources, where the handler reads its sources from the
//! environment variables the template gives the function.

use std::collections::BTreeSet;

use integration_tests::template::{EventRule, Parameters, Template};
use integration_tests::{ACCOUNT_ID, REGION, repo_file};
use serde_json::{Value, json};
use tenancy::Config;
use tenancy::events::{EventContract, RequestKind};

/// The function that serves each request kind, by logical id in the template.
pub const FUNCTIONS: [(&str, RequestKind); 2] = [
    ("OnboardFunction", RequestKind::Onboard),
    ("OffboardFunction", RequestKind::Offboard),
];

/// Variables that tell a handler which sources it accepts.
const SOURCE_VARIABLES: [&str; 2] = ["TENANT_EVENT_SOURCE", "SBT_CONTROL_PLANE_SOURCES"];

type Pairs = BTreeSet<(String, String)>;

fn template() -> Template {
    Template::load().unwrap_or_else(|message| panic!("{message}"))
}

fn rules(template: &Template, parameters: &Parameters) -> Vec<EventRule> {
    template
        .event_rules(parameters)
        .unwrap_or_else(|message| panic!("{message}"))
}

/// Returns the strings of a pattern field, which EventBridge requires to be a list.
fn string_list(rule: &EventRule, field: &str) -> Vec<String> {
    let Some(items) = rule.pattern[field].as_array() else {
        panic!(
            "{} {field} is not a list: {}",
            rule.logical_id(),
            rule.pattern
        );
    };
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(text) => text.to_owned(),
            None => panic!("{} {field} holds a non-string {item}", rule.logical_id()),
        })
        .collect()
}

/// Collects every (source, detail-type) pair that `function`'s rules match.
/// A rule matches each of its sources with each of its detail-types.
fn matched_pairs(rules: &[EventRule], function: &str) -> Pairs {
    let mut pairs = Pairs::new();
    for rule in rules.iter().filter(|rule| rule.function == function) {
        for source in string_list(rule, "source") {
            for detail_type in string_list(rule, "detail-type") {
                pairs.insert((source.clone(), detail_type));
            }
        }
    }
    pairs
}

fn accepted_pairs(contract: &EventContract, kind: RequestKind) -> Pairs {
    contract.accepted(kind).into_iter().collect()
}

/// Builds the configuration a function reads at cold start, with its source
/// variables taken from the template and the rest from fixed test values.
fn function_config(template: &Template, function: &str, parameters: &Parameters) -> Config {
    let mut from_template = Vec::new();
    for variable in SOURCE_VARIABLES {
        let value = template
            .function_variable(function, variable, parameters)
            .unwrap_or_else(|message| panic!("{message}"));
        from_template.push((variable, value));
    }
    let catalog = repo_file("infra/model-catalog.json").display().to_string();
    let lookup = |name: &str| {
        if let Some((_, value)) = from_template.iter().find(|(variable, _)| *variable == name) {
            return Some(value.clone());
        }
        let fixed = match name {
            "AWS_REGION" => REGION.to_owned(),
            "ACCOUNT_ID" => ACCOUNT_ID.to_owned(),
            "MODEL_CATALOG_FILE" => catalog.clone(),
            "TENANT_TABLE_NAME" | "EVENT_BUS_NAME" => "tenants".to_owned(),
            "TENANT_BOUNDARY_POLICY_ARN" => format!("arn:aws:iam::{ACCOUNT_ID}:policy/boundary"),
            "TENANT_TRUSTED_PRINCIPAL_ARN" => format!("arn:aws:iam::{ACCOUNT_ID}:role/app"),
            _ => return None,
        };
        Some(fixed)
    };
    Config::from_lookup(lookup).unwrap_or_else(|error| panic!("{function}: {error}"))
}

#[test]
fn rules_match_contract_by_default() {
    let template = template();
    let parameters = template.parameter_defaults().expect("defaults resolve");
    let rules = rules(&template, &parameters);
    let contract = EventContract::default();

    for (function, kind) in FUNCTIONS {
        let matched = matched_pairs(&rules, function);
        let accepted = accepted_pairs(&contract, kind);

        assert!(
            !accepted.is_empty(),
            "the contract accepts nothing for {kind:?}"
        );
        assert_eq!(matched, accepted, "{function} rules versus the contract");
    }
}

#[test]
fn rules_follow_overridden_sources() {
    let template = template();
    let parameters = template
        .parameters_with(&[
            ("TenantEventSource", "acme.signups"),
            ("SbtControlPlaneSources", "sbt.one,sbt.two"),
        ])
        .expect("both parameters exist");
    let rules = rules(&template, &parameters);

    for (function, kind) in FUNCTIONS {
        let config = function_config(&template, function, &parameters);
        let matched = matched_pairs(&rules, function);
        let accepted = accepted_pairs(&config.contract, kind);

        assert_eq!(
            config.contract.tenant_event_source, "acme.signups",
            "{function}"
        );
        assert_eq!(
            config.contract.sbt_control_plane_sources,
            ["sbt.one", "sbt.two"],
            "{function}"
        );
        assert_eq!(matched, accepted, "{function} rules versus its handler");
    }
}

#[test]
fn rules_require_tenant_id() {
    let template = template();
    let parameters = template.parameter_defaults().expect("defaults resolve");
    let expected_keys = BTreeSet::from(["detail", "detail-type", "source"]);

    for rule in rules(&template, &parameters) {
        let keys: BTreeSet<&str> = rule
            .pattern
            .as_object()
            .map(|object| object.keys().map(String::as_str).collect())
            .unwrap_or_default();

        assert_eq!(keys, expected_keys, "{} pattern fields", rule.logical_id());
        assert_eq!(
            rule.pattern["detail"],
            json!({"tenantId": [{"exists": true}]}),
            "{} detail filter",
            rule.logical_id()
        );
    }
}

#[test]
fn rules_target_only_known_functions() {
    let template = template();
    let parameters = template.parameter_defaults().expect("defaults resolve");

    let targeted: BTreeSet<String> = rules(&template, &parameters)
        .into_iter()
        .map(|rule| rule.function)
        .collect();

    let known: BTreeSet<String> = FUNCTIONS
        .iter()
        .map(|(function, _)| (*function).to_owned())
        .collect();
    assert_eq!(targeted, known);
}

/// Returns the function that serves an envelope, by the contract's classification.
pub fn serving_function(contract: &EventContract, envelope: &Value) -> Option<&'static str> {
    let source = envelope["source"].as_str()?;
    let detail_type = envelope["detail-type"].as_str()?;
    let (kind, _) = contract.classify(source, detail_type)?;
    FUNCTIONS
        .iter()
        .find(|(_, served)| *served == kind)
        .map(|(function, _)| *function)
}

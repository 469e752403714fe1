//! Hostile input through the crate's public API: no panic on any JSON, and
//! every rejection names the field it rejects.

use std::sync::LazyLock;

use proptest::prelude::*;
use regex::Regex;
use serde_json::{Map, Value, json};
use tenancy::catalog::ModelCatalog;
use tenancy::domain::{AccountId, ModelKey, ProfileName, Region, RoleName, Tag, TenantId};
use tenancy::events::{EnvelopeError, EventContract, RequestKind, onboard_request, parse_event};

/// Fields of an EventBridge envelope, as `EnvelopeError` messages name them.
const ENVELOPE_FIELDS: [&str; 9] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
];

/// The service patterns, from the Bedrock and IAM API references.
static PROFILE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9a-zA-Z][ _-]?)+$").expect("pattern compiles"));
static ROLE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w+=,.@-]{1,64}$").expect("pattern compiles"));

static CATALOG: LazyLock<ModelCatalog> = LazyLock::new(|| {
    ModelCatalog::from_json(
        include_str!("../../../infra/model-catalog.json"),
        &Region::parse("us-east-1").expect("valid region"),
        &AccountId::parse("111122223333").expect("valid account"),
    )
    .expect("infra/model-catalog.json is valid")
});

/// Strings an attacker or a broken control plane might send: any Unicode
/// (NUL, newlines, emoji), near-valid ids, and long runs.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9._:/=+@,# \n\t-]{0,140}",
        "[a-z]{1,10}",
        Just("acme\u{0}01".to_owned()),
        Just("acme\n01".to_owned()),
        Just("acme🚀".to_owned()),
        Just("admin@acme.example".to_owned()),
        Just(String::new()),
        (1usize..400).prop_map(|n| "a".repeat(n)),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(hostile_string(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Generates a value for one field: usually well-formed, often hostile, sometimes absent.
fn field(valid: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => prop::sample::select(valid).prop_map(Some),
        2 => hostile_string().prop_map(|s| Some(Value::String(s))),
        1 => any_json().prop_map(Some),
        1 => Just(None),
    ]
}

fn strings(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| json!(v)).collect()
}

/// Signup envelopes close to valid ones, so that most cases reach the
/// detail's validation, with hostile values in every field.
fn signup_envelope() -> impl Strategy<Value = Value> {
    let detail = (
        field(strings(&[
            "acme-01",
            "ACME-01",
            "globex/eu-west-1",
            "a.b:c=d+e@f",
        ])),
        field(strings(&["basic", "standard", "premium", "platinum"])),
        field(vec![
            json!(["nova-lite"]),
            json!(["claude-sonnet-4", "nova-lite"]),
            json!([]),
            json!("nova-lite"),
        ]),
        field(strings(&["9a7d2c4e-1b3f-4e5a-8c6d-7e8f9a0b1c2d"])),
        field(strings(&["admin@acme.example"])),
    )
        .prop_map(|(tenant_id, tier, models, registration, email)| {
            let mut detail = Map::new();
            for (name, value) in [
                ("tenantId", tenant_id),
                ("tier", tier),
                ("models", models),
                ("tenantRegistrationId", registration),
                ("email", email),
            ] {
                if let Some(value) = value {
                    detail.insert(name.to_owned(), value);
                }
            }
            Value::Object(detail)
        });
    let kinds = strings(&[
        "saas.tenants|TenantSignedUp",
        "sbt.control.plane|sbt_aws_onboardingRequest",
        "controlPlaneEventSource|onboardingRequest",
        "saas.tenants|TenantOffboardingRequested",
    ]);
    (
        prop::sample::select(kinds),
        field(strings(&["6f1c1f0e-0000-4000-8000-000000000001"])),
        field(strings(&["2026-01-01T00:00:00Z"])),
        prop_oneof![4 => detail.prop_map(Some), 1 => any_json().prop_map(Some), 1 => Just(None)],
        prop::option::of((prop::sample::select(ENVELOPE_FIELDS.to_vec()), any_json())),
    )
        .prop_map(|(kind, id, time, detail, replaced)| {
            let kind = kind.as_str().unwrap_or_default().to_owned();
            let (source, detail_type) = kind.split_once('|').unwrap_or_default();
            let mut envelope = Map::new();
            envelope.insert("version".to_owned(), json!("0"));
            envelope.insert("detail-type".to_owned(), json!(detail_type));
            envelope.insert("source".to_owned(), json!(source));
            envelope.insert("account".to_owned(), json!("111122223333"));
            envelope.insert("region".to_owned(), json!("us-east-1"));
            envelope.insert("resources".to_owned(), json!([]));
            for (name, value) in [("id", id), ("time", time), ("detail", detail)] {
                if let Some(value) = value {
                    envelope.insert(name.to_owned(), value);
                }
            }
            if let Some((name, value)) = replaced {
                envelope.insert(name.to_owned(), value);
            }
            Value::Object(envelope)
        })
}

/// Checks that an envelope rejection names the envelope field at fault.
fn assert_names_envelope_field(error: &EnvelopeError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    match error {
        EnvelopeError::MissingEnvelope(field) => {
            prop_assert!(message.contains(&format!("`{field}`")), "{}", message);
        }
        EnvelopeError::Malformed(_) => {
            prop_assert!(
                ENVELOPE_FIELDS
                    .iter()
                    .any(|field| message.contains(&format!("`{field}`")))
                    || message.contains("expected a JSON object"),
                "names no envelope field: {}",
                message
            );
        }
        EnvelopeError::Unsupported { .. } => {
            prop_assert!(
                message.contains("source") && message.contains("detail-type"),
                "{}",
                message
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_event_never_panics(payload in any_json()) {
        let result = parse_event(payload, &EventContract::default(), RequestKind::Onboard);

        if let Err(error) = result {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn signup_never_panics(envelope in signup_envelope()) {
        let contract = EventContract::default();

        if let Ok(event) = parse_event(envelope, &contract, RequestKind::Onboard) {
            let _ = onboard_request(&event, &CATALOG);
        }
    }

    #[test]
    fn detail_rejections_name_the_field(envelope in signup_envelope()) {
        let detail = envelope["detail"].clone();
        let Ok(event) = parse_event(envelope, &EventContract::default(), RequestKind::Onboard) else {
            return Ok(());
        };

        match onboard_request(&event, &CATALOG) {
            Ok(request) => {
                prop_assert_eq!(detail["tenantId"].as_str(), Some(request.tenant_id.as_str()));
                let granted = CATALOG
                    .models_for_tier(&request.tier)
                    .expect("an accepted tier is in the catalogue");
                prop_assert!(!request.models.is_empty());
                prop_assert!(request.models.iter().all(|m| granted.contains(m)));
            }
            Err(rejection) => {
                let message = rejection.error.to_string();
                let field = &rejection.error.field;
                prop_assert!(field == "detail" || field.starts_with("detail."), "{}", field);
                prop_assert!(message.starts_with(field.as_str()), "{}", message);
                prop_assert!(message.len() < 600, "message of {} bytes", message.len());
            }
        }
    }

    #[test]
    fn tenant_id_parse_is_total(raw in hostile_string()) {
        match TenantId::parse(&raw) {
            Ok(id) => {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert!((1..=128).contains(&raw.chars().count()));
                prop_assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || "._:/=+@-".contains(c)));
            }
            Err(error) => {
                prop_assert_eq!(error.field.as_str(), "tenantId");
                prop_assert!(error.to_string().starts_with("tenantId: invalid value"));
            }
        }
    }

    #[test]
    fn names_match_service_patterns(raw in hostile_string(), key in "[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}") {
        prop_assume!(key.len() <= 20);
        let Ok(tenant) = TenantId::parse(&raw) else {
            return Ok(());
        };
        let model = ModelKey::parse(&key).expect("the generator yields valid keys");

        let profile = ProfileName::derive(&tenant, &model);
        let role = RoleName::derive(&tenant);

        prop_assert!(PROFILE_NAME.is_match(profile.as_str()), "{}", profile);
        prop_assert!(profile.as_str().len() <= 64, "{}", profile);
        prop_assert!(ROLE_NAME.is_match(role.as_str()), "{}", role);
    }

    #[test]
    fn ids_differing_by_case_get_distinct_names(raw in "[a-z][a-z0-9-]{0,40}") {
        let lower = TenantId::parse(&raw).expect("valid id");
        let upper = TenantId::parse(&raw.to_uppercase()).expect("valid id");
        let model = ModelKey::parse("nova-lite").expect("valid key");

        let roles = (RoleName::derive(&lower), RoleName::derive(&upper));
        let profiles = (ProfileName::derive(&lower, &model), ProfileName::derive(&upper, &model));

        // IAM role names are unique ignoring case, so the names must differ ignoring case.
        prop_assert_ne!(roles.0.as_str().to_lowercase(), roles.1.as_str().to_lowercase());
        prop_assert_ne!(profiles.0.as_str().to_lowercase(), profiles.1.as_str().to_lowercase());
    }

    #[test]
    fn distinct_ids_get_distinct_names(a in "[a-zA-Z0-9._:/=+@-]{1,40}", b in "[a-zA-Z0-9._:/=+@-]{1,40}") {
        prop_assume!(a != b);
        let (a, b) = (TenantId::parse(&a).expect("valid id"), TenantId::parse(&b).expect("valid id"));
        let model = ModelKey::parse("nova-lite").expect("valid key");

        prop_assert_ne!(RoleName::derive(&a).as_str().to_lowercase(), RoleName::derive(&b).as_str().to_lowercase());
        prop_assert_ne!(ProfileName::derive(&a, &model), ProfileName::derive(&b, &model));
    }

    #[test]
    fn tag_new_is_total(key in hostile_string(), value in hostile_string()) {
        match Tag::new(&key, &value) {
            Ok(tag) => {
                let allowed = |c: char| c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || "._:/=+@-".contains(c);
                prop_assert!((1..=128).contains(&tag.key.chars().count()));
                prop_assert!(tag.value.chars().count() <= 256);
                prop_assert!(tag.key.chars().all(allowed) && tag.value.chars().all(allowed));
                prop_assert!(!tag.key.to_ascii_lowercase().starts_with("aws:"));
            }
            Err(error) => {
                prop_assert!(error.field == "tag key" || error.field == format!("tag {key}"), "{}", error.field);
                prop_assert!(error.to_string().starts_with(error.field.as_str()));
            }
        }
    }

    #[test]
    fn model_key_parse_is_total(raw in hostile_string()) {
        if let Err(error) = ModelKey::parse(&raw) {
            prop_assert_eq!(error.field.as_str(), "model");
        }
    }

    #[test]
    fn catalog_rejections_name_a_field(document in any_json()) {
        let region = Region::parse("us-east-1").expect("valid region");
        let account = AccountId::parse("111122223333").expect("valid account");

        if let Err(error) = ModelCatalog::from_json(&document.to_string(), &region, &account) {
            prop_assert!(!error.field.is_empty());
            prop_assert!(error.to_string().starts_with(error.field.as_str()));
        }
    }
}

// A mistyped envelope field must be named, not only described by serde's
// message ("invalid type: boolean `false`, expected a string").
#[test]
fn envelope_type_errors_name_the_field() {
    let cases = [
        ("version", json!(false)),
        ("id", json!(7)),
        ("detail-type", Value::Null),
        ("source", json!(42)),
        ("account", json!(111122223333_u64)),
        ("time", json!("yesterday")),
        ("region", json!([])),
        ("resources", json!("none")),
    ];
    let mut unnamed = Vec::new();

    for (field, value) in cases {
        let mut envelope = json!({
            "version": "0", "id": "6f1c1f0e-0000-4000-8000-000000000001",
            "detail-type": "TenantSignedUp", "source": "saas.tenants",
            "account": "111122223333", "time": "2026-01-01T00:00:00Z",
            "region": "us-east-1", "resources": [],
            "detail": {"tenantId": "acme-01", "tier": "standard"}
        });
        envelope[field] = value;

        let error = parse_event(envelope, &EventContract::default(), RequestKind::Onboard)
            .expect_err("a mistyped envelope field is rejected");

        if !error.to_string().contains(&format!("`{field}`")) {
            unnamed.push(format!("{field}: {error}"));
        }
    }

    assert!(unnamed.is_empty(), "{}", unnamed.join("\n"));
}

#[test]
fn envelope_rejections_name_the_field() {
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(512)
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);

    let result = runner.run(&signup_envelope(), |envelope| {
        match parse_event(envelope, &EventContract::default(), RequestKind::Onboard) {
            Ok(_) => Ok(()),
            Err(error) => assert_names_envelope_field(&error),
        }
    });

    assert!(result.is_ok(), "{result:?}");
}

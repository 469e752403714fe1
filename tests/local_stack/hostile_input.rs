//! Hostile signup events through the onboarding handler on the local stack:
//! oversized fields, control characters, emoji and ids that differ only by
//! case. A rejected event creates nothing, and an accepted one does not copy
//! an oversized unknown field into its response, announcement or registry
//! item.

use integration_tests::LocalStack;
use integration_tests::events::{for_tenant, invocation, unique_tenant};
use serde_json::{Value, json};

/// EventBridge's limit for one PutEvents entry.
const MAX_EVENT_BYTES: usize = 256 * 1024;
const ONE_MEBIBYTE: usize = 1024 * 1024;

fn signup(tenant: &str, detail: &[(&str, Value)]) -> Value {
    let mut event = for_tenant("tenant-signup", tenant);
    for (name, value) in detail {
        event["detail"][*name] = value.clone();
    }
    event
}

#[tokio::test]
async fn hostile_signups_create_nothing() {
    let stack = LocalStack::start().await;
    let huge = "a".repeat(ONE_MEBIBYTE);
    let cases = [
        (
            signup(&huge, &[]),
            "detail.tenantId: invalid value",
            "1 MB tenant id",
        ),
        (
            signup(&unique_tenant("acme"), &[("tier", json!(huge))]),
            "detail.tier: invalid value",
            "1 MB tier",
        ),
        (
            signup(&unique_tenant("acme"), &[("models", json!([huge]))]),
            "detail.models[0]: invalid value",
            "1 MB model key",
        ),
        (
            signup("acme\u{0}01", &[]),
            "detail.tenantId: invalid value \"acme\\0",
            "NUL byte in the tenant id",
        ),
        (
            signup("acme\n01", &[]),
            "detail.tenantId: invalid value \"acme\\n",
            "newline in the tenant id",
        ),
        (
            signup("acme🚀", &[]),
            "detail.tenantId: invalid value \"acme🚀\"",
            "emoji in the tenant id",
        ),
        (
            signup(&unique_tenant("acme"), &[("tier", json!("standard\u{0}"))]),
            "detail.tier: invalid value \"standard\\0\"",
            "NUL byte in the tier",
        ),
        (
            signup(
                &unique_tenant("acme"),
                &[("models", json!(["nova-lite\n"]))],
            ),
            "detail.models[0]: invalid value \"nova-lite\\n\"",
            "newline in a model key",
        ),
        (
            signup(&unique_tenant("acme"), &[("tier", json!({"$ne": ""}))]),
            "detail.tier: invalid value",
            "object where a string belongs",
        ),
    ];
    let case_count = cases.len();

    for (event, expected, case) in cases {
        let response = stack
            .handler()
            .handle(invocation(event))
            .await
            .expect("a rejection is a normal return");

        assert_eq!(response["outcome"], "rejected", "{case}");
        let message = response["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(expected), "{case}: {message}");
        assert!(
            message.len() < 1_024,
            "{case}: the message has {} bytes",
            message.len()
        );
    }

    let calls = stack.emulator.emulator().call_counts();
    assert!(
        calls.values().all(|count| count.received == 0),
        "no Bedrock call: {calls:?}"
    );
    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
    assert!(stack.registry_items().await.is_empty());
    let published = stack.published_events().await;
    assert_eq!(published.len(), case_count, "one failure event per case");
    for event in &published {
        assert_eq!(event["detail-type"], "TenantProvisioningFailed");
        let size = event.to_string().len();
        assert!(size < MAX_EVENT_BYTES / 64, "failure event of {size} bytes");
    }
}

#[tokio::test]
async fn oversized_ignored_field_is_not_echoed() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let huge = "x".repeat(ONE_MEBIBYTE);
    let event = signup(&tenant, &[("tenantName", json!(huge))]);

    let response = stack
        .handler()
        .handle(invocation(event))
        .await
        .expect("an unknown large field does not stop onboarding");

    assert_eq!(response["outcome"], "provisioned", "{response}");
    assert!(response.to_string().len() < MAX_EVENT_BYTES / 16);
    let published = stack.published_events().await;
    assert_eq!(published.len(), 1);
    assert!(!published[0].to_string().contains("xxxxxxxx"));
    let items = stack.registry_items().await;
    assert_eq!(items.len(), 1);
    let stored = serde_json::to_string(&items[0]).expect("the item serialises");
    assert!(!stored.contains("xxxxxxxx"), "the registry keeps no copy");
}

#[tokio::test]
async fn ids_differing_by_case_onboard_separately() {
    let stack = LocalStack::start().await;
    let lower = unique_tenant("acme");
    let upper = lower.to_uppercase();

    for tenant in [&lower, &upper] {
        let response = stack
            .handler()
            .handle(invocation(for_tenant("tenant-signup", tenant)))
            .await
            .expect("onboarding succeeds");

        assert_eq!(response["outcome"], "provisioned", "{tenant}: {response}");
    }

    let items = stack.registry_items().await;
    assert_eq!(items.len(), 2);
    let item = |id: &str| {
        items
            .iter()
            .find(|item| item.tenant_id == id)
            .unwrap_or_else(|| panic!("{id} is in the registry"))
    };
    let (a, b) = (item(&lower), item(&upper));
    assert_ne!(
        a.role_name.to_lowercase(),
        b.role_name.to_lowercase(),
        "IAM role names are unique ignoring case"
    );
    assert_ne!(a.role_arn, b.role_arn);
    let roles = stack.tenant_roles().await;
    assert_eq!(roles.len(), 2);
    for (model, profile) in &a.profiles {
        let other = b.profiles.get(model).expect("both tenants have each model");
        assert_ne!(profile.profile_arn, other.profile_arn, "{model}");
        assert_ne!(
            profile.profile_name.to_lowercase(),
            other.profile_name.to_lowercase(),
            "{model}"
        );
    }
    let profiles = stack.application_profiles().await;
    assert_eq!(profiles.len(), a.profiles.len() + b.profiles.len());
    for id in [&lower, &upper] {
        let tagged = profiles
            .iter()
            .filter(|(_, tags)| {
                tags.iter()
                    .any(|(key, value)| key == "tenant-id" && value == id.as_str())
            })
            .count();
        assert_eq!(tagged, 2, "profiles tagged tenant-id={id}");
    }
}

//! Onboarding end to end through the handler, on the local stack.

use std::time::Duration;

use bedrock_emulator::FaultSpec;
use integration_tests::events::{for_tenant, invocation, sample, unique_tenant};
use integration_tests::{ACCOUNT_ID, LocalStack};
use serde_json::{Value, json};
use tenancy::domain::TenantStatus;
use tenancy::domain::policy::TENANT_POLICY_NAME;

fn tag<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn signup_creates_profiles_role_and_item() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let event = for_tenant("tenant-signup", &tenant);

    let response = stack
        .handler()
        .handle(invocation(event.clone()))
        .await
        .expect("onboarding succeeds");

    assert_eq!(response["outcome"], "provisioned");
    let profiles = stack.application_profiles().await;
    assert_eq!(
        profiles.len(),
        2,
        "standard tier grants two models: {profiles:?}"
    );
    for (arn, tags) in &profiles {
        assert!(
            arn.starts_with(&format!(
                "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/"
            )),
            "{arn}"
        );
        assert_eq!(tag(tags, "tenant-id"), Some(tenant.as_str()), "{arn}");
        assert_eq!(tag(tags, "project"), Some("tenant-profiles-tests"), "{arn}");
    }

    let roles = stack.tenant_roles().await;
    assert_eq!(roles.len(), 1);
    let role = &roles[0];
    assert_eq!(role.path(), stack.role_path);
    let boundary = stack
        .iam
        .get_role()
        .role_name(role.role_name())
        .send()
        .await
        .expect("GetRole succeeds");
    assert_eq!(
        boundary
            .role()
            .and_then(|r| r.permissions_boundary())
            .and_then(|b| b.permissions_boundary_arn()),
        Some(stack.boundary_policy_arn.as_str())
    );

    let items = stack.registry_items().await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.tenant_id, tenant);
    assert_eq!(item.status, TenantStatus::Active);
    assert_eq!(item.tier, "standard");
    assert_eq!(item.event_id, event["id"].as_str().unwrap_or_default());
    assert_eq!(item.role_arn.as_deref(), Some(role.arn()));
    assert_eq!(item.generation, 1);
    assert!(!item.created_at.is_empty() && !item.updated_at.is_empty());
    let nova = item
        .profiles
        .get("nova-lite")
        .expect("nova-lite profile recorded");
    assert_eq!(nova.source_model_id, "amazon.nova-lite-v1:0");
    assert_eq!(
        nova.source_arn,
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
    );
    assert_eq!(nova.region, "us-east-1");
    assert!(nova.profile_arn.ends_with(&nova.profile_id));
    assert_eq!(nova.routed_model_arns, vec![nova.source_arn.clone()]);
    let haiku = item
        .profiles
        .get("claude-haiku")
        .expect("claude-haiku profile recorded");
    assert_eq!(
        haiku.source_arn,
        format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
        )
    );
    assert!(
        haiku.routed_model_arns.len() > 1,
        "cross-region profile routes to several regions"
    );

    let published = stack.published_events().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["detail-type"], "TenantProvisioned");
    assert_eq!(published[0]["detail"]["tenantId"], tenant.as_str());
    assert_eq!(
        published[0]["detail"]["profiles"]["nova-lite"]["profileArn"],
        nova.profile_arn.as_str()
    );
}

#[tokio::test]
async fn role_policy_allows_only_tenant_profiles() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("globex");
    let event = for_tenant("tenant-signup-premium", &tenant);

    stack
        .handler()
        .handle(invocation(event))
        .await
        .expect("onboarding succeeds");

    let item = stack.registry_items().await.pop().expect("one item");
    let policy = stack.role_policy(&item.role_name, TENANT_POLICY_NAME).await;
    let statements = policy["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 1 + item.profiles.len(), "{policy}");
    let mut profile_arns: Vec<&str> = item
        .profiles
        .values()
        .map(|p| p.profile_arn.as_str())
        .collect();
    profile_arns.sort_unstable();
    let mut allowed: Vec<&str> = statements[0]["Resource"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    allowed.sort_unstable();
    assert_eq!(allowed, profile_arns);
    assert!(statements[0].get("Condition").is_none());
    for profile in item.profiles.values() {
        let statement = statements
            .iter()
            .find(|s| {
                s["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
                    == profile.profile_arn.as_str()
            })
            .unwrap_or_else(|| panic!("no statement for {}", profile.profile_arn));
        assert_eq!(statement["Resource"], json!(profile.routed_model_arns));
        assert_eq!(
            statement["Action"],
            json!([
                "bedrock:InvokeModel",
                "bedrock:InvokeModelWithResponseStream"
            ])
        );
    }
    let sonnet = item
        .profiles
        .get("claude-sonnet-4")
        .expect("premium grants claude-sonnet-4");
    let regions: Vec<&str> = sonnet
        .routed_model_arns
        .iter()
        .filter_map(|arn| arn.split(':').nth(3))
        .collect();
    assert_eq!(regions, ["us-east-1", "us-east-2", "us-west-2"]);
}

#[tokio::test]
async fn sbt_requests_are_answered_in_sbt_shape() {
    let cases = [
        (
            "sbt-onboarding-request",
            "sbt_aws_provisionSuccess",
            "sbt.application.plane",
        ),
        (
            "sbt-onboarding-request-v08",
            "provisionSuccess",
            "applicationPlaneEventSource",
        ),
    ];
    for (sample_name, detail_type, source) in cases {
        let stack = LocalStack::start().await;
        let tenant = unique_tenant("sbt");
        let event = for_tenant(sample_name, &tenant);

        let response = stack
            .handler()
            .handle(invocation(event.clone()))
            .await
            .expect("onboarding succeeds");

        assert_eq!(response["outcome"], "provisioned", "{sample_name}");
        let published = stack.published_events().await;
        assert_eq!(published.len(), 1, "{sample_name}");
        let reply = &published[0];
        assert_eq!(reply["detail-type"], detail_type);
        assert_eq!(reply["source"], source);
        assert_eq!(
            reply["detail"]["tenantRegistrationId"],
            event["detail"]["tenantRegistrationId"]
        );
        let tenant_data = &reply["detail"]["jobOutput"]["tenantData"];
        let item = stack.registry_items().await.pop().expect("one item");
        assert_eq!(tenant_data["bedrockTenantRoleArn"], json!(item.role_arn));
        for (model, profile) in &item.profiles {
            assert_eq!(
                tenant_data["bedrockInferenceProfileArns"][model],
                profile.profile_arn.as_str()
            );
        }
        assert_eq!(
            item.tenant_registration_id.as_deref(),
            event["detail"]["tenantRegistrationId"].as_str()
        );
    }
}

#[tokio::test]
async fn invalid_signups_create_nothing() {
    let stack = LocalStack::start().await;
    let mut foreign_model = for_tenant("tenant-signup", &unique_tenant("acme"));
    foreign_model["detail"]["tier"] = json!("basic");
    foreign_model["detail"]["models"] = json!(["claude-sonnet-4"]);
    let mut numeric_tenant = sample("tenant-signup");
    numeric_tenant["detail"]["tenantId"] = json!(42);
    let mut sbt_without_registration = for_tenant("sbt-onboarding-request", &unique_tenant("sbt"));
    if let Some(detail) = sbt_without_registration["detail"].as_object_mut() {
        detail.remove("tenantRegistrationId");
    }
    let cases = [
        (
            sample("invalid/missing-tenant-id"),
            "detail.tenantId: missing required field",
        ),
        (
            sample("invalid/bad-tenant-id"),
            "detail.tenantId: invalid value \"acme,inc\"",
        ),
        (
            sample("invalid/unknown-tier"),
            "detail.tier: invalid value \"platinum\": unknown tier",
        ),
        (
            numeric_tenant,
            "detail.tenantId: invalid value \"42\": expected a string, found a number",
        ),
        (
            foreign_model,
            "detail.models[0]: invalid value \"claude-sonnet-4\": tier basic does not grant",
        ),
        (
            sbt_without_registration,
            "detail.tenantRegistrationId: missing required field",
        ),
    ];

    for (event, expected) in cases {
        let response = stack
            .handler()
            .handle(invocation(event))
            .await
            .expect("a rejection is a normal return");

        assert_eq!(response["outcome"], "rejected", "{expected}");
        assert_eq!(response["errorType"], "InvalidRequest");
        let message = response["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(expected), "{message}");
    }

    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
    assert!(stack.registry_items().await.is_empty());
    let published = stack.published_events().await;
    assert_eq!(
        published.len(),
        6,
        "one failure announcement per rejected event"
    );
    assert!(
        published
            .iter()
            .all(|e| e["detail-type"] == "TenantProvisioningFailed"
                || e["detail-type"] == "sbt_aws_provisionFailure")
    );
}

#[tokio::test]
async fn payload_without_envelope_fails_invocation() {
    let stack = LocalStack::start().await;

    let error = stack
        .handler()
        .handle(invocation(sample("invalid/no-envelope")))
        .await
        .expect_err("not an EventBridge event");

    let diagnostic = lambda_runtime::Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "InvalidEnvelope");
    assert!(
        diagnostic
            .error_message
            .contains("missing field `detail-type`"),
        "{}",
        diagnostic.error_message
    );
    assert!(
        diagnostic.error_message.contains("InputTransformer"),
        "{}",
        diagnostic.error_message
    );
    let calls = stack.emulator.emulator().call_counts();
    assert!(
        calls.values().all(|count| count.received == 0),
        "no Bedrock call: {calls:?}"
    );
    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.registry_items().await.is_empty());
    assert!(stack.published_events().await.is_empty());
}

#[tokio::test]
async fn redelivered_signup_changes_nothing() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let event = for_tenant("tenant-signup", &tenant);

    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let response = stack
            .handler()
            .handle(invocation(event.clone()))
            .await
            .expect("each delivery succeeds");
        outcomes.push(response["outcome"].as_str().unwrap_or_default().to_owned());
    }

    assert_eq!(
        outcomes,
        ["provisioned", "already-active", "already-active"]
    );
    assert_eq!(stack.application_profiles().await.len(), 2);
    assert_eq!(stack.tenant_roles().await.len(), 1);
    assert_eq!(stack.registry_items().await.len(), 1);
}

#[tokio::test]
async fn quota_exceeded_fails_permanently_and_leaves_nothing() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    // The first profile is created; the second hits the account quota.
    stack.emulator.emulator().set_profile_quota(1);

    let response = stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup", &tenant)))
        .await
        .expect("a permanent failure is a normal return");

    assert_eq!(response["outcome"], "failed");
    assert_eq!(response["errorType"], "QuotaExceeded");
    assert!(
        stack.application_profiles().await.is_empty(),
        "the first profile is rolled back"
    );
    assert!(stack.tenant_roles().await.is_empty());
    let item = stack
        .registry_items()
        .await
        .pop()
        .expect("the failure is recorded");
    assert_eq!(item.status, TenantStatus::Failed);
    let failure = item.failure.expect("failure recorded");
    assert_eq!(failure.error_type, "QuotaExceeded");
    assert!(!failure.retryable);
    assert!(
        failure.reason.contains("Service Quotas"),
        "{}",
        failure.reason
    );
    let published = stack.published_events().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["detail"]["errorType"], "QuotaExceeded");
    assert_eq!(published[0]["detail"]["retryable"], false);
}

#[tokio::test]
async fn throttling_within_retry_bound_succeeds() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    stack
        .emulator
        .emulator()
        .add_fault(throttle_create(2))
        .expect("valid fault");

    let response = stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup", &tenant)))
        .await
        .expect("SDK retries absorb two throttles");

    assert_eq!(response["outcome"], "provisioned");
    assert_eq!(stack.application_profiles().await.len(), 2);
}

#[tokio::test]
async fn throttling_beyond_bound_fails_as_transient() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    stack
        .emulator
        .emulator()
        .add_fault(throttle_create(100))
        .expect("valid fault");

    let error = stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup", &tenant)))
        .await
        .expect_err("throttling outlasts three attempts");

    let diagnostic = lambda_runtime::Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "Throttled");
    assert!(
        diagnostic.error_message.contains(&tenant),
        "{}",
        diagnostic.error_message
    );
    assert!(stack.application_profiles().await.is_empty());
    let item = stack
        .registry_items()
        .await
        .pop()
        .expect("progress is recorded");
    assert_eq!(
        item.status,
        TenantStatus::Provisioning,
        "left for Lambda's retry"
    );
    assert!(
        stack.published_events().await.is_empty(),
        "no announcement before the outcome is final"
    );
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn throttle_create(count: u64) -> FaultSpec {
    serde_json::from_value(json!({
        "operation": "CreateInferenceProfile",
        "error": "ThrottlingException",
        "count": count
    }))
    .expect("valid fault specification")
}

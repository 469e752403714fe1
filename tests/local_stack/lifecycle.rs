//! Offboarding, redelivery, late and concurrent events: the lifecycle ends
//! with exactly one of each resource, or with nothing left and a tombstone.

use integration_tests::LocalStack;
use integration_tests::events::{for_tenant, invocation, unique_tenant};
use integration_tests::lambda::deliver;
use serde_json::{Value, json};
use tenancy::domain::TenantStatus;
use tenancy::onboarding::Step;

/// Returns the offboarding sample re-addressed to `tenant`.
fn offboarding(tenant: &str) -> Value {
    for_tenant("tenant-offboarding", tenant)
}

async fn onboard(stack: &LocalStack, tenant: &str) -> Value {
    let event = for_tenant("tenant-signup", tenant);
    let response = stack
        .handler()
        .handle(invocation(event.clone()))
        .await
        .expect("onboarding succeeds");
    assert_eq!(response["outcome"], "provisioned");
    event
}

async fn tagged_profiles(stack: &LocalStack, tenant: &str) -> Vec<String> {
    stack
        .application_profiles()
        .await
        .into_iter()
        .filter(|(_, tags)| tags.iter().any(|(k, v)| k == "tenant-id" && v == tenant))
        .map(|(arn, _)| arn)
        .collect()
}

#[tokio::test]
async fn offboarding_deletes_everything_and_keeps_tombstone() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    onboard(&stack, &tenant).await;
    let recorded: Vec<String> = stack.registry_items().await[0]
        .profiles
        .values()
        .map(|p| p.profile_arn.clone())
        .collect();
    stack.published_events().await;

    let response = stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");

    assert_eq!(response["outcome"], "offboarded");
    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
    let item = stack
        .registry_items()
        .await
        .pop()
        .expect("the tombstone stays");
    assert_eq!(item.status, TenantStatus::Offboarded);
    assert!(item.offboarded_at.is_some());
    let mut kept: Vec<String> = item
        .profiles
        .values()
        .map(|p| p.profile_arn.clone())
        .collect();
    kept.sort();
    let mut expected = recorded;
    expected.sort();
    assert_eq!(kept, expected, "profile ARNs stay for cost tracing");
    let published = stack.published_events().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["detail-type"], "TenantDeprovisioned");
    assert_eq!(stack.reconcile().await, Vec::new());
}

#[tokio::test]
async fn offboarding_replayed_three_times_succeeds() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    onboard(&stack, &tenant).await;
    let event = offboarding(&tenant);

    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let response = stack
            .offboard_handler()
            .handle(invocation(event.clone()))
            .await
            .expect("each delivery succeeds");
        outcomes.push(response["outcome"].as_str().unwrap_or_default().to_owned());
    }

    assert_eq!(
        outcomes,
        ["offboarded", "already-offboarded", "already-offboarded"]
    );
    assert_eq!(stack.registry_items().await.len(), 1);
}

#[tokio::test]
async fn offboarding_after_partial_onboarding_leaves_nothing() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let signup = for_tenant("tenant-signup", &tenant);
    // The first profile exists but was never recorded: the crash hit between
    // CreateInferenceProfile and the registry write.
    let crashing = stack.handler_parts(stack.config(), Some(crash_at(Step::CreateProfile)));
    crashing
        .handle(invocation(signup.clone()))
        .await
        .expect_err("crash injected");
    assert_eq!(tagged_profiles(&stack, &tenant).await.len(), 1);

    let response = stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");
    let left_after_offboarding = stack.application_profiles().await;
    let late = stack
        .handler()
        .handle(invocation(signup))
        .await
        .expect("a stale signup returns normally");

    assert_eq!(response["outcome"], "offboarded");
    assert!(
        left_after_offboarding.is_empty(),
        "the unrecorded profile is swept: {left_after_offboarding:?}"
    );
    assert_eq!(late["outcome"], "ignored");
    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
    assert_eq!(
        stack.registry_items().await[0].status,
        TenantStatus::Offboarded
    );
}

#[tokio::test]
async fn offboarding_tolerates_resources_deleted_by_hand() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    onboard(&stack, &tenant).await;
    let item = stack.registry_items().await.pop().expect("item");
    for profile in item.profiles.values() {
        stack
            .bedrock
            .delete_inference_profile()
            .inference_profile_identifier(&profile.profile_arn)
            .send()
            .await
            .expect("deleted by hand");
    }
    for policy in stack
        .iam
        .list_role_policies()
        .role_name(&item.role_name)
        .send()
        .await
        .expect("listed")
        .policy_names()
    {
        stack
            .iam
            .delete_role_policy()
            .role_name(&item.role_name)
            .policy_name(policy)
            .send()
            .await
            .expect("deleted");
    }
    stack
        .iam
        .delete_role()
        .role_name(&item.role_name)
        .send()
        .await
        .expect("deleted by hand");

    let response = stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");

    assert_eq!(response["outcome"], "offboarded");
    assert_eq!(
        stack.registry_items().await[0].status,
        TenantStatus::Offboarded
    );
}

#[tokio::test]
async fn offboarding_spares_profile_tagged_for_another_tenant() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    onboard(&stack, &tenant).await;
    let item = stack.registry_items().await.pop().expect("item");
    let retagged = item
        .profiles
        .get("nova-lite")
        .expect("nova-lite")
        .profile_arn
        .clone();
    stack
        .bedrock
        .tag_resource()
        .resource_arn(&retagged)
        .tags(
            aws_sdk_bedrock::types::Tag::builder()
                .key("tenant-id")
                .value("globex")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("TagResource succeeds");

    let response = stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");

    assert_eq!(response["skippedProfileArns"], json!([retagged]));
    let remaining: Vec<String> = stack
        .application_profiles()
        .await
        .into_iter()
        .map(|(arn, _)| arn)
        .collect();
    assert_eq!(remaining, vec![retagged]);
}

#[tokio::test]
async fn offboarding_unknown_tenant_blocks_late_signup() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");

    let response = stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");
    // The signup sample was received a month before the offboarding sample.
    let late = stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup", &tenant)))
        .await
        .expect("returns normally");

    assert_eq!(response["outcome"], "unknown-tenant");
    assert_eq!(late["outcome"], "ignored");
    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
}

#[tokio::test]
async fn signup_after_offboarding_starts_next_generation() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    onboard(&stack, &tenant).await;
    stack
        .offboard_handler()
        .handle(invocation(offboarding(&tenant)))
        .await
        .expect("offboarding succeeds");
    let mut again = for_tenant("tenant-signup", &tenant);
    again["time"] = json!("2026-03-01T00:00:00Z");

    let response = stack
        .handler()
        .handle(invocation(again))
        .await
        .expect("onboarding succeeds");

    assert_eq!(response["outcome"], "provisioned");
    let item = stack.registry_items().await.pop().expect("item");
    assert_eq!(item.status, TenantStatus::Active);
    assert_eq!(item.generation, 2);
    assert_eq!(tagged_profiles(&stack, &tenant).await.len(), 2);
    assert_eq!(stack.reconcile().await, Vec::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_signups_end_with_one_of_each() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let first = for_tenant("tenant-signup", &tenant);
    let second = for_tenant("tenant-signup", &tenant);
    let (handler_a, handler_b) = (stack.handler(), stack.handler());

    let ((a, _), (b, _)) = tokio::join!(
        deliver(5, || handler_a.handle(invocation(first.clone()))),
        deliver(5, || handler_b.handle(invocation(second.clone()))),
    );

    let mut outcomes = vec![
        a.expect("first signup ends")["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        b.expect("second signup ends")["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ];
    outcomes.sort();
    assert!(
        outcomes
            .iter()
            .all(|o| o == "provisioned" || o == "already-active"),
        "{outcomes:?}"
    );
    assert_eq!(tagged_profiles(&stack, &tenant).await.len(), 2);
    assert_eq!(stack.tenant_roles().await.len(), 1);
    assert_eq!(stack.registry_items().await.len(), 1);
    assert_eq!(stack.reconcile().await, Vec::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboarding_racing_late_signup_leaves_nothing() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("acme");
    let signup = for_tenant("tenant-signup", &tenant);
    let offboard = offboarding(&tenant);
    let (onboarder, offboarder) = (stack.handler(), stack.offboard_handler());

    let ((onboarded, _), (offboarded, _)) = tokio::join!(
        deliver(5, || onboarder.handle(invocation(signup.clone()))),
        deliver(5, || offboarder.handle(invocation(offboard.clone()))),
    );
    onboarded.expect("the signup ends");
    offboarded.expect("the offboarding ends");
    // Lambda may deliver the signup once more after both finished.
    stack
        .handler()
        .handle(invocation(signup))
        .await
        .expect("a late redelivery returns normally");

    assert!(stack.application_profiles().await.is_empty());
    assert!(stack.tenant_roles().await.is_empty());
    assert_eq!(
        stack.registry_items().await[0].status,
        TenantStatus::Offboarded
    );
}

#[tokio::test]
async fn sbt_offboarding_answers_in_sbt_shape() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("sbt");
    let signup = for_tenant("sbt-onboarding-request", &tenant);
    stack
        .handler()
        .handle(invocation(signup.clone()))
        .await
        .expect("onboarding succeeds");
    stack.published_events().await;
    let mut request = for_tenant("sbt-offboarding-request", &tenant);
    request["detail"]["tenantRegistrationId"] = signup["detail"]["tenantRegistrationId"].clone();

    let response = stack
        .offboard_handler()
        .handle(invocation(request))
        .await
        .expect("offboarding succeeds");

    assert_eq!(response["outcome"], "offboarded");
    let published = stack.published_events().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["detail-type"], "sbt_aws_deprovisionSuccess");
    assert_eq!(published[0]["source"], "sbt.application.plane");
    assert_eq!(
        published[0]["detail"]["tenantRegistrationId"],
        signup["detail"]["tenantRegistrationId"]
    );
}

/// A step hook that fails the first time `step` completes.
pub fn crash_at(step: Step) -> tenancy::onboarding::StepHook {
    crash_at_occurrence(step, 1)
}

/// A step hook that fails when `step` completes for the `occurrence`-th time.
pub fn crash_at_occurrence(step: Step, occurrence: usize) -> tenancy::onboarding::StepHook {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::sync::Arc::new(move |reached| {
        if reached == step
            && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == occurrence
        {
            Err(format!(
                "crash injected after {reached} (occurrence {occurrence})"
            ))
        } else {
            Ok(())
        }
    })
}

//! Tenant isolation, decided by an IAM evaluator the project did not write
//! (Principal Mapper, through `tests/iam/evaluate.py`) on the policies that
//! onboarding stored in IAM.
//!
//! Invoking through an application inference profile is authorised on the
//! profile ARN and on the foundation model in each region the profile routes
//! to. The second check carries `bedrock:InferenceProfileArn`. The requests
//! below model both checks, and the profile check both with and without that
//! key, because which keys IAM sends with it is not documented. For a routed
//! model, `aws:RequestedRegion` is set to the model's region, and to
//! `unspecified` for the region-less ARN of a global profile, as the tenant
//! policy expects.

use integration_tests::events::{for_tenant, invocation, unique_tenant};
use integration_tests::iam::{Expectation, Principal, Request, unmet, unmet_all};
use integration_tests::{ACCOUNT_ID, LocalStack, REGION};
use serde_json::{Value, json};
use tenancy::domain::TenantRecord;
use tenancy::domain::policy::{INFERENCE_PROFILE_ARN_KEY, INVOKE_ACTIONS, TENANT_POLICY_NAME};

/// A tenant as onboarding left it: its registry item and the policy IAM stores for its role.
struct Onboarded {
    record: TenantRecord,
    role_arn: String,
    policy: Value,
}

async fn onboard(stack: &LocalStack, sample: &str, prefix: &str) -> Onboarded {
    onboard_with(stack, stack.handler(), sample, prefix).await
}

async fn onboard_with(
    stack: &LocalStack,
    handler: integration_tests::Handler,
    sample: &str,
    prefix: &str,
) -> Onboarded {
    let tenant = unique_tenant(prefix);
    let response = handler
        .handle(invocation(for_tenant(sample, &tenant)))
        .await
        .expect("onboarding succeeds");
    assert_eq!(response["outcome"], "provisioned", "{response}");
    let record = stack
        .registry_items()
        .await
        .into_iter()
        .find(|item| item.tenant_id == tenant)
        .expect("the tenant is in the registry");
    let role_arn = record.role_arn.clone().expect("the tenant has a role");
    let policy = stack
        .role_policy(&record.role_name, TENANT_POLICY_NAME)
        .await;
    Onboarded {
        record,
        role_arn,
        policy,
    }
}

/// Reads back from IAM the permissions boundary attached to a role.
async fn boundary_of(stack: &LocalStack, role_name: &str) -> Value {
    let role = stack
        .iam
        .get_role()
        .role_name(role_name)
        .send()
        .await
        .expect("GetRole succeeds");
    let arn = role
        .role()
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn())
        .expect("the tenant role has a permissions boundary")
        .to_owned();
    let policy = stack
        .iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("GetPolicy succeeds");
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .expect("the boundary has a default version")
        .to_owned();
    let document = stack
        .iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(version)
        .send()
        .await
        .expect("GetPolicyVersion succeeds")
        .policy_version()
        .and_then(|v| v.document())
        .expect("the version has a document")
        .to_owned();
    let decoded = percent_encoding::percent_decode_str(&document)
        .decode_utf8()
        .expect("the boundary is UTF-8");
    serde_json::from_str(&decoded).expect("the boundary is JSON")
}

fn principal(tenant: &Onboarded, boundary: Option<&Value>) -> Principal {
    Principal {
        arn: tenant.role_arn.clone(),
        policies: vec![tenant.policy.clone()],
        permissions_boundary: boundary.cloned(),
    }
}

/// Returns the `aws:RequestedRegion` of a request on `arn`, which is `unspecified` for a region-less ARN.
fn requested_region(arn: &str) -> &str {
    match arn.split(':').nth(3) {
        Some("") | None => "unspecified",
        Some(region) => region,
    }
}

fn invocations(resource: &str) -> impl Iterator<Item = Request> + '_ {
    INVOKE_ACTIONS
        .into_iter()
        .map(move |action| Request::new(action, resource))
}

/// Every request the tenant's role must be allowed, and every one it must be
/// denied, with `other` as the neighbouring tenant.
fn isolation_expectations(
    stack: &LocalStack,
    tenant: &Onboarded,
    other: &Onboarded,
) -> Vec<Expectation> {
    let mut expectations = Vec::new();
    let profiles = || tenant.record.profiles.values();
    let other_profiles = || other.record.profiles.values();

    for profile in profiles() {
        let arn = &profile.profile_arn;
        for request in invocations(arn) {
            expectations.push(Expectation::allowed(
                request.clone().with("aws:RequestedRegion", &profile.region),
                "own profile",
            ));
            expectations.push(Expectation::allowed(
                request
                    .with("aws:RequestedRegion", &profile.region)
                    .with(INFERENCE_PROFILE_ARN_KEY, arn),
                "own profile, with the profile key",
            ));
        }
        for model in &profile.routed_model_arns {
            let region = requested_region(model);
            for request in invocations(model) {
                let request = request.with("aws:RequestedRegion", region);
                expectations.push(Expectation::allowed(
                    request.clone().with(INFERENCE_PROFILE_ARN_KEY, arn),
                    "routed model through its own profile",
                ));
                expectations.push(Expectation::denied(
                    request.clone(),
                    "routed model called directly, bypassing the tagged profile",
                ));
                for foreign in other_profiles() {
                    expectations.push(Expectation::denied(
                        request
                            .clone()
                            .with(INFERENCE_PROFILE_ARN_KEY, &foreign.profile_arn),
                        "routed model through another tenant's profile",
                    ));
                }
            }
            if region != "unspecified" {
                // The same model in a region the profile does not route to.
                let elsewhere = model.replacen(&format!(":{region}:"), ":eu-west-3:", 1);
                for request in invocations(&elsewhere) {
                    expectations.push(Expectation::denied(
                        request
                            .with("aws:RequestedRegion", "eu-west-3")
                            .with(INFERENCE_PROFILE_ARN_KEY, arn),
                        "model in a region the profile does not route to",
                    ));
                }
            }
        }
        if profile.source_arn.contains(":inference-profile/") {
            for request in invocations(&profile.source_arn) {
                expectations.push(Expectation::denied(
                    request.with("aws:RequestedRegion", &profile.region),
                    "system-defined profile called directly",
                ));
            }
        }
        for action in [
            "bedrock:GetInferenceProfile",
            "bedrock:DeleteInferenceProfile",
            "bedrock:CreateInferenceProfile",
            "bedrock:TagResource",
            "bedrock:UntagResource",
            "bedrock:ListTagsForResource",
        ] {
            expectations.push(Expectation::denied(
                Request::new(action, arn),
                "control-plane action on its own profile",
            ));
        }
    }

    for foreign in other_profiles() {
        for request in invocations(&foreign.profile_arn) {
            expectations.push(Expectation::denied(
                request.clone().with("aws:RequestedRegion", &foreign.region),
                "another tenant's profile",
            ));
            expectations.push(Expectation::denied(
                request
                    .with("aws:RequestedRegion", &foreign.region)
                    .with(INFERENCE_PROFILE_ARN_KEY, &foreign.profile_arn),
                "another tenant's profile, with its profile key",
            ));
        }
    }

    let own_role = tenant.role_arn.as_str();
    let new_role = format!(
        "arn:aws:iam::{ACCOUNT_ID}:role{}tenant-intruder",
        stack.role_path
    );
    let boundary = stack.boundary_policy_arn.as_str();
    let control_plane = [
        Request::new("bedrock:ListInferenceProfiles", "*"),
        Request::new(
            "bedrock:CreateInferenceProfile",
            &format!("arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:application-inference-profile/*"),
        ),
        Request::new("iam:PassRole", own_role),
        Request::new("iam:PassRole", &other.role_arn),
        Request::new("iam:CreateRole", &new_role).with("iam:PermissionsBoundary", boundary),
        Request::new("iam:PutRolePolicy", own_role).with("iam:PermissionsBoundary", boundary),
        Request::new("iam:AttachRolePolicy", own_role).with("iam:PermissionsBoundary", boundary),
        Request::new("iam:DeleteRolePermissionsBoundary", own_role)
            .with("iam:PermissionsBoundary", boundary),
        Request::new("iam:UpdateAssumeRolePolicy", own_role),
        Request::new("iam:CreatePolicyVersion", boundary),
        Request::new("sts:AssumeRole", &other.role_arn),
        Request::new(
            "dynamodb:GetItem",
            &format!(
                "arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{}",
                stack.table_name
            ),
        ),
        Request::new(
            "events:PutEvents",
            &format!(
                "arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/{}",
                stack.bus_name
            ),
        ),
    ];
    for request in control_plane {
        expectations.push(Expectation::denied(
            request,
            "a tenant role may only invoke models",
        ));
    }
    expectations
}

#[tokio::test]
async fn tenant_policy_isolates_tenants() {
    let stack = LocalStack::start().await;
    let premium = onboard(&stack, "tenant-signup-premium", "globex").await;
    let standard = onboard(&stack, "tenant-signup", "initech").await;
    let boundary = boundary_of(&stack, &premium.record.role_name).await;
    let sonnet = premium
        .record
        .profiles
        .get("claude-sonnet-4")
        .expect("premium grants claude-sonnet-4");
    assert_eq!(
        sonnet.routed_model_arns.len(),
        3,
        "the cross-region profile routes to three regions: {sonnet:?}"
    );

    let mut labels = Vec::new();
    let mut cases = Vec::new();
    for (tenant, other) in [(&premium, &standard), (&standard, &premium)] {
        let expectations = isolation_expectations(&stack, tenant, other);
        for boundary in [None, Some(&boundary)] {
            labels.push(format!(
                "tenant {} (boundary: {}), {} expectations",
                tenant.record.tenant_id,
                boundary.is_some(),
                expectations.len()
            ));
            cases.push((principal(tenant, boundary), expectations.clone()));
        }
    }
    let borrowed: Vec<(&Principal, &[Expectation])> = cases
        .iter()
        .map(|(principal, expectations)| (principal, expectations.as_slice()))
        .collect();

    let results = unmet_all(&borrowed);

    for (label, failures) in labels.iter().zip(results) {
        assert!(
            failures.is_empty(),
            "{label}: {} decisions differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[tokio::test]
async fn global_profile_needs_unspecified_region() {
    let stack = LocalStack::start().await;
    let catalog = json!({
        "models": {
            "sonnet-global": {"systemProfile": "global.anthropic.claude-sonnet-4-20250514-v1:0"}
        },
        "tiers": {"premium": ["sonnet-global"]}
    })
    .to_string();
    let handler = stack.handler_with(stack.config_with(&[("MODEL_CATALOG", &catalog)]));
    let tenant = onboard_with(&stack, handler, "tenant-signup-premium", "umbrella").await;
    let other = onboard(&stack, "tenant-signup", "initech").await;
    let profile = tenant
        .record
        .profiles
        .get("sonnet-global")
        .expect("the global profile is recorded");
    let regionless = profile
        .routed_model_arns
        .iter()
        .find(|arn| requested_region(arn) == "unspecified")
        .expect("a global profile routes to a region-less model ARN")
        .clone();
    let mut expectations = isolation_expectations(&stack, &tenant, &other);
    for request in invocations(&regionless) {
        expectations.push(Expectation::denied(
            request
                .with("aws:RequestedRegion", REGION)
                .with(INFERENCE_PROFILE_ARN_KEY, &profile.profile_arn),
            "region-less model with a real requested region",
        ));
    }

    let failures = unmet(&principal(&tenant, None), &expectations);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn boundary_caps_broader_inline_policy() {
    let stack = LocalStack::start().await;
    let tenant = onboard(&stack, "tenant-signup", "acme").await;
    let boundary = boundary_of(&stack, &tenant.record.role_name).await;
    let everything = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    });
    let capped = Principal {
        arn: tenant.role_arn.clone(),
        policies: vec![everything],
        permissions_boundary: Some(boundary),
    };
    let profile = tenant
        .record
        .profiles
        .values()
        .next()
        .expect("the tenant has a profile");
    let mut expectations: Vec<Expectation> = invocations(&profile.profile_arn)
        .map(|request| Expectation::allowed(request, "invocation is inside the boundary"))
        .collect();
    for request in [
        Request::new("bedrock:DeleteInferenceProfile", &profile.profile_arn),
        Request::new("bedrock:CreateInferenceProfile", &profile.profile_arn),
        Request::new("bedrock:TagResource", &profile.profile_arn),
        Request::new("bedrock:ListInferenceProfiles", "*"),
        Request::new("iam:PassRole", &tenant.role_arn),
        Request::new("iam:PutRolePolicy", &tenant.role_arn)
            .with("iam:PermissionsBoundary", &stack.boundary_policy_arn),
        Request::new("iam:DeleteRolePermissionsBoundary", &tenant.role_arn)
            .with("iam:PermissionsBoundary", &stack.boundary_policy_arn),
        Request::new("iam:CreatePolicyVersion", &stack.boundary_policy_arn),
        Request::new("sts:AssumeRole", &stack.trusted_principal_arn),
        Request::new(
            "dynamodb:PutItem",
            &format!(
                "arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{}",
                stack.table_name
            ),
        ),
    ] {
        expectations.push(Expectation::denied(request, "outside the boundary"));
    }

    let failures = unmet(&capped, &expectations);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checks above must be able to fail: each loosened copy of a real
/// tenant policy has to break at least the expectation it was made to break.
#[tokio::test]
async fn isolation_checks_catch_loosened_policies() {
    let stack = LocalStack::start().await;
    let tenant = onboard(&stack, "tenant-signup-premium", "globex").await;
    let other = onboard(&stack, "tenant-signup", "initech").await;
    let expectations = isolation_expectations(&stack, &tenant, &other);
    let all_profiles =
        format!("arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:application-inference-profile/*");
    let mutations: [(&str, Loosen, &str); 4] = [
        (
            "condition dropped",
            |policy, _| {
                for statement in statements(policy) {
                    if let Some(object) = statement.as_object_mut() {
                        object.remove("Condition");
                    }
                }
            },
            "routed model called directly",
        ),
        (
            "every application profile of the account",
            |policy, all| policy["Statement"][0]["Resource"] = json!([all]),
            "another tenant's profile",
        ),
        (
            "condition widened to any profile",
            |policy, all| {
                for statement in statements(policy) {
                    if statement.get("Condition").is_some() {
                        statement["Condition"] =
                            json!({"StringLike": {INFERENCE_PROFILE_ARN_KEY: all}});
                    }
                }
            },
            "routed model through another tenant's profile",
        ),
        (
            "every Bedrock action",
            |policy, _| policy["Statement"][0]["Action"] = json!(["bedrock:*"]),
            "bedrock:DeleteInferenceProfile",
        ),
    ];

    let loosened: Vec<Principal> = mutations
        .iter()
        .map(|(_, mutate, _)| {
            let mut policy = tenant.policy.clone();
            mutate(&mut policy, &all_profiles);
            Principal {
                arn: tenant.role_arn.clone(),
                policies: vec![policy],
                permissions_boundary: None,
            }
        })
        .collect();
    let cases: Vec<(&Principal, &[Expectation])> = loosened
        .iter()
        .map(|principal| (principal, expectations.as_slice()))
        .collect();

    let results = unmet_all(&cases);

    for ((name, _, expected_failure), failures) in mutations.into_iter().zip(results) {
        assert!(
            failures.iter().any(|f| f.contains(expected_failure)),
            "{name}: expected a failure mentioning {expected_failure:?}, got:\n{}",
            failures.join("\n")
        );
    }
}

/// Loosens a tenant policy. The second argument is the ARN pattern of every application profile.
type Loosen = fn(&mut Value, &str);

fn statements(policy: &mut Value) -> impl Iterator<Item = &mut Value> {
    policy["Statement"]
        .as_array_mut()
        .into_iter()
        .flat_map(|statements| statements.iter_mut())
}

/// An organisation's service control policy that denies a call is
/// reported as such and not retried, and nothing is created that a later
/// "fix" could widen.
#[tokio::test]
async fn organization_policy_denial_is_permanent() {
    let stack = LocalStack::start().await;
    let tenant = unique_tenant("globex");
    let denial = "User: arn:aws:sts::111122223333:assumed-role/onboard/function is not authorized to perform: bedrock:CreateInferenceProfile on resource: arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0 with an explicit deny in a service control policy";
    let fault = serde_json::from_value(json!({
        "operation": "CreateInferenceProfile",
        "error": "AccessDeniedException",
        "message": denial,
    }))
    .expect("valid fault specification");
    stack
        .emulator
        .emulator()
        .add_fault(fault)
        .expect("the emulator accepts the fault");

    let response = stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup-premium", &tenant)))
        .await
        .expect("a permanent failure is a normal return");

    assert_eq!(response["outcome"], "failed", "{response}");
    assert_eq!(response["errorType"], "OrganizationPolicyDenied");
    assert_eq!(response["retryable"], false);
    let message = response["message"].as_str().unwrap_or_default();
    assert!(message.contains("service control policy"), "{message}");
    assert!(
        message.contains("Widening the tenant policy cannot help"),
        "{message}"
    );
    let calls = stack.emulator.emulator().call_counts();
    let creates: u64 = calls
        .iter()
        .filter(|(operation, _)| operation.to_string() == "CreateInferenceProfile")
        .map(|(_, count)| count.received)
        .sum();
    assert_eq!(
        creates, 1,
        "an organisation denial is not retried: {calls:?}"
    );
    assert!(stack.application_profiles().await.is_empty());
    assert!(
        stack.tenant_roles().await.is_empty(),
        "no role, so no policy to widen"
    );
    let item = stack
        .registry_items()
        .await
        .pop()
        .expect("the failure is recorded");
    let failure = item.failure.expect("failure recorded");
    assert_eq!(failure.error_type, "OrganizationPolicyDenied");
    assert!(!failure.retryable);
}

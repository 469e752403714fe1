//! The functions' own permissions, as `template.yaml` deploys them, decided by
//! Principal Mapper.
//!
//! `tests/iam/template_policies.py` transforms the SAM template the way
//! `sam deploy` does and resolves it with account 111122223333, region
//! us-east-1 and partition aws. Each function's role is therefore evaluated
//! with every policy it would carry, including the AWS managed policy and
//! the dead-letter policy that SAM adds. Every function in the template is
//! checked: one without an entry in [`expected_actions`] fails the tests.

use std::collections::BTreeSet;

use integration_tests::iam::{
    Decision, Expectation, Principal, Request, evaluate_all, template_policies, unmet_all,
};
use integration_tests::repo_file;
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const OTHER_ACCOUNT: &str = "444455556666";

/// The actions each function may be allowed, lower-case. A function missing
/// here, or allowed anything else, fails [`functions_allow_only_listed_actions`].
fn expected_actions(function: &str) -> Option<&'static [&'static str]> {
    const LOGS: [&str; 3] = [
        "logs:createloggroup",
        "logs:createlogstream",
        "logs:putlogevents",
    ];
    match function {
        "OnboardFunction" => Some(&[
            "bedrock:createinferenceprofile",
            "bedrock:getinferenceprofile",
            "bedrock:deleteinferenceprofile",
            "bedrock:tagresource",
            "bedrock:listtagsforresource",
            "bedrock:listinferenceprofiles",
            "iam:createrole",
            "iam:putrolepolicy",
            "iam:tagrole",
            "iam:getrole",
            "iam:listrolepolicies",
            "iam:deleterolepolicy",
            "iam:deleterole",
            "dynamodb:getitem",
            "dynamodb:putitem",
            "events:putevents",
            "sqs:sendmessage",
            LOGS[0],
            LOGS[1],
            LOGS[2],
        ]),
        "OffboardFunction" => Some(&[
            "bedrock:getinferenceprofile",
            "bedrock:deleteinferenceprofile",
            "bedrock:listtagsforresource",
            "bedrock:listinferenceprofiles",
            "iam:getrole",
            "iam:listrolepolicies",
            "iam:deleterolepolicy",
            "iam:deleterole",
            "dynamodb:getitem",
            "dynamodb:putitem",
            "events:putevents",
            "sqs:sendmessage",
            LOGS[0],
            LOGS[1],
            LOGS[2],
        ]),
        _ => None,
    }
}

/// Parameter sets the template is checked with: the defaults (the stack
/// creates its event bus) and an existing bus.
const DEPLOYMENTS: [&[(&str, &str)]; 2] = [&[], &[("EventBusName", "shared-tenants")]];

/// The template resolved for one set of parameters.
struct Deployment {
    resolved: Value,
}

impl Deployment {
    fn load(overrides: &[(&str, &str)]) -> Self {
        Self {
            resolved: template_policies(overrides),
        }
    }

    fn functions(&self) -> Vec<String> {
        self.resolved["functions"]
            .as_object()
            .expect("functions by logical id")
            .keys()
            .cloned()
            .collect()
    }

    fn function(&self, name: &str) -> &Value {
        &self.resolved["functions"][name]
    }

    fn principal(&self, name: &str) -> Principal {
        let function = self.function(name);
        Principal {
            arn: text(&function["roleArn"]),
            policies: function["policies"]
                .as_array()
                .expect("policies")
                .iter()
                .map(|policy| policy["document"].clone())
                .collect(),
            permissions_boundary: match &function["permissionsBoundary"] {
                Value::Null => None,
                boundary => Some(boundary.clone()),
            },
        }
    }

    fn boundary_arn(&self) -> String {
        text(&self.resolved["managedPolicies"]["TenantBoundaryPolicy"]["arn"])
    }

    fn tenant_role(&self, name: &str) -> String {
        format!(
            "arn:aws:iam::{ACCOUNT}:role{}{name}",
            text(&self.resolved["parameters"]["TenantRolePath"])
        )
    }

    fn table_arn(&self) -> String {
        text(&self.resolved["resources"]["TenantTable"]["arn"])
    }

    fn bus_arn(&self, function: &str) -> String {
        let name = text(&self.function(function)["environment"]["EVENT_BUS_NAME"]);
        format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}")
    }

    fn dead_letter_queue_arn(&self, function: &str) -> String {
        text(&self.function(function)["deadLetterTargetArn"])
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, found {value}"))
        .to_owned()
}

fn profile_arn(region: &str, account: &str) -> String {
    format!("arn:aws:bedrock:{region}:{account}:application-inference-profile/abc123def456")
}

const FOUNDATION_MODEL: &str =
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
const SYSTEM_PROFILE: &str = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0";

/// What each function needs for its work, all of which must be allowed.
fn grants(deployment: &Deployment, function: &str) -> Vec<Expectation> {
    let profile = profile_arn(REGION, ACCOUNT);
    let tenant_role = deployment.tenant_role("tenant-acme-01-0123456789ab");
    let boundary = deployment.boundary_arn();
    let with_boundary = |action: &str| {
        Request::new(action, &tenant_role).with("iam:PermissionsBoundary", &boundary)
    };
    let common = [
        Request::new("dynamodb:GetItem", &deployment.table_arn()),
        Request::new("dynamodb:PutItem", &deployment.table_arn()),
        Request::new("events:PutEvents", &deployment.bus_arn(function)),
        Request::new(
            "sqs:SendMessage",
            &deployment.dead_letter_queue_arn(function),
        ),
        Request::new(
            "logs:PutLogEvents",
            &format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/x:log-stream:y"),
        ),
    ];
    let specific = match function {
        "OnboardFunction" => vec![
            Request::new("bedrock:CreateInferenceProfile", &profile),
            Request::new("bedrock:CreateInferenceProfile", FOUNDATION_MODEL),
            Request::new("bedrock:CreateInferenceProfile", SYSTEM_PROFILE),
            Request::new("bedrock:GetInferenceProfile", &profile),
            Request::new("bedrock:DeleteInferenceProfile", &profile),
            Request::new("bedrock:TagResource", &profile),
            Request::new("bedrock:ListTagsForResource", &profile),
            Request::new("bedrock:ListInferenceProfiles", "*"),
            with_boundary("iam:CreateRole"),
            // IAM authorises the tags of CreateRole as iam:TagRole, which
            // carries no iam:PermissionsBoundary key.
            Request::new("iam:TagRole", &tenant_role),
            with_boundary("iam:PutRolePolicy"),
            Request::new("iam:GetRole", &tenant_role),
            Request::new("iam:ListRolePolicies", &tenant_role),
            with_boundary("iam:DeleteRolePolicy"),
            Request::new("iam:DeleteRole", &tenant_role),
        ],
        "OffboardFunction" => vec![
            Request::new("bedrock:GetInferenceProfile", &profile),
            Request::new("bedrock:DeleteInferenceProfile", &profile),
            Request::new("bedrock:ListTagsForResource", &profile),
            // The sweep for profiles an interrupted onboarding never recorded.
            Request::new("bedrock:ListInferenceProfiles", "*"),
            Request::new("iam:GetRole", &tenant_role),
            Request::new("iam:ListRolePolicies", &tenant_role),
            with_boundary("iam:DeleteRolePolicy"),
            Request::new("iam:DeleteRole", &tenant_role),
        ],
        other => panic!("no grants listed for {other}; add them to this test"),
    };
    common
        .into_iter()
        .chain(specific)
        .map(|request| Expectation::allowed(request, "needed for the function's work"))
        .collect()
}

/// Requests no function may make, whatever its job.
fn denials(deployment: &Deployment, function: &str) -> Vec<Expectation> {
    let own_role = text(&deployment.function(function)["roleArn"]);
    let tenant_role = deployment.tenant_role("tenant-acme-01-0123456789ab");
    let boundary = deployment.boundary_arn();
    let other_boundary = format!("arn:aws:iam::{ACCOUNT}:policy/other-boundary");
    let admin_role = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    let path = text(&deployment.resolved["parameters"]["TenantRolePath"]);
    let sibling_path_role = format!(
        "arn:aws:iam::{ACCOUNT}:role{}-evil/tenant-x",
        path.trim_end_matches('/')
    );
    let other_table = format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/other-table");
    let table = deployment.table_arn();
    let queue = deployment.dead_letter_queue_arn(function);
    let profile = profile_arn(REGION, ACCOUNT);

    let cases: Vec<(Request, &str)> = vec![
        (Request::new("iam:PassRole", &tenant_role), "no PassRole"),
        (Request::new("iam:PassRole", &own_role), "no PassRole"),
        (Request::new("iam:PassRole", &admin_role), "no PassRole"),
        (
            Request::new("iam:CreateRole", &tenant_role),
            "role without the boundary",
        ),
        (
            Request::new("iam:CreateRole", &tenant_role)
                .with("iam:PermissionsBoundary", &other_boundary),
            "role with another boundary",
        ),
        (
            Request::new("iam:CreateRole", &tenant_role).with(
                "iam:PermissionsBoundary",
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ),
            "role with an administrator boundary",
        ),
        (
            Request::new("iam:CreateRole", &admin_role).with("iam:PermissionsBoundary", &boundary),
            "role outside the tenant path",
        ),
        (
            Request::new("iam:CreateRole", &sibling_path_role)
                .with("iam:PermissionsBoundary", &boundary),
            "role on a path that only starts like the tenant path",
        ),
        (
            Request::new("iam:PutRolePolicy", &tenant_role),
            "policy on a role without the boundary",
        ),
        (
            Request::new("iam:PutRolePolicy", &tenant_role)
                .with("iam:PermissionsBoundary", &other_boundary),
            "policy on a role with another boundary",
        ),
        (
            Request::new("iam:PutRolePolicy", &admin_role)
                .with("iam:PermissionsBoundary", &boundary),
            "policy on a role outside the tenant path",
        ),
        (
            Request::new("iam:PutRolePolicy", &own_role),
            "policy on its own role",
        ),
        (
            Request::new("iam:AttachRolePolicy", &tenant_role)
                .with("iam:PermissionsBoundary", &boundary),
            "managed policy on a tenant role",
        ),
        (
            Request::new("iam:AttachRolePolicy", &own_role),
            "managed policy on its own role",
        ),
        (
            Request::new("iam:DeleteRolePermissionsBoundary", &tenant_role)
                .with("iam:PermissionsBoundary", &boundary),
            "removing the boundary",
        ),
        (
            Request::new("iam:PutRolePermissionsBoundary", &tenant_role)
                .with("iam:PermissionsBoundary", &other_boundary),
            "replacing the boundary",
        ),
        (
            Request::new("iam:UpdateAssumeRolePolicy", &tenant_role),
            "changing who may assume a tenant role",
        ),
        (
            Request::new("iam:CreatePolicyVersion", &boundary),
            "editing the boundary policy",
        ),
        (
            Request::new("iam:SetDefaultPolicyVersion", &boundary),
            "editing the boundary policy",
        ),
        (
            Request::new("iam:DeletePolicyVersion", &boundary),
            "editing the boundary policy",
        ),
        (
            Request::new("iam:DeletePolicy", &boundary),
            "deleting the boundary policy",
        ),
        (
            Request::new(
                "iam:CreatePolicy",
                &format!("arn:aws:iam::{ACCOUNT}:policy/x"),
            ),
            "creating managed policies",
        ),
        (
            Request::new("iam:DeleteRole", &admin_role),
            "deleting a role outside the path",
        ),
        (
            Request::new("iam:DeleteRole", &own_role),
            "deleting its own role",
        ),
        (
            Request::new("iam:DeleteRolePolicy", &admin_role),
            "editing a role outside the path",
        ),
        (
            Request::new("iam:TagRole", &admin_role),
            "tagging a role outside the path",
        ),
        (
            Request::new("sts:AssumeRole", &tenant_role),
            "acting as a tenant",
        ),
        (
            Request::new("bedrock:InvokeModel", &profile),
            "invoking models",
        ),
        (
            Request::new("bedrock:InvokeModel", FOUNDATION_MODEL),
            "invoking models",
        ),
        (
            Request::new("bedrock:InvokeModelWithResponseStream", &profile),
            "invoking models",
        ),
        (
            Request::new("bedrock:DeleteInferenceProfile", SYSTEM_PROFILE),
            "a system-defined profile",
        ),
        (
            Request::new(
                "bedrock:DeleteInferenceProfile",
                &profile_arn("eu-west-1", ACCOUNT),
            ),
            "a profile in another region",
        ),
        (
            Request::new(
                "bedrock:DeleteInferenceProfile",
                &profile_arn(REGION, OTHER_ACCOUNT),
            ),
            "a profile in another account",
        ),
        (
            Request::new(
                "bedrock:CreateInferenceProfile",
                &profile_arn("eu-west-1", ACCOUNT),
            ),
            "a profile in another region",
        ),
        (
            Request::new(
                "bedrock:TagResource",
                &format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/ABCDEFGHIJ"),
            ),
            "tagging other Bedrock resources",
        ),
        (
            Request::new("dynamodb:GetItem", &other_table),
            "another table",
        ),
        (
            Request::new("dynamodb:PutItem", &other_table),
            "another table",
        ),
        (
            Request::new("dynamodb:UpdateItem", &other_table),
            "another table",
        ),
        (
            Request::new("dynamodb:DeleteItem", &other_table),
            "another table",
        ),
        (
            Request::new("dynamodb:Query", &other_table),
            "another table",
        ),
        (Request::new("dynamodb:Scan", &other_table), "another table"),
        (
            Request::new("dynamodb:DeleteTable", &table),
            "dropping the registry",
        ),
        (
            Request::new("dynamodb:UpdateTable", &table),
            "changing the registry table",
        ),
        (
            Request::new("dynamodb:DeleteItem", &table),
            "erasing registry tombstones",
        ),
        (
            Request::new(
                "events:PutEvents",
                &format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"),
            ),
            "another event bus",
        ),
        (
            Request::new(
                "sqs:SendMessage",
                &format!("arn:aws:sqs:{REGION}:{ACCOUNT}:other-queue"),
            ),
            "another queue",
        ),
        (
            Request::new("sqs:ReceiveMessage", &queue),
            "reading its dead letters",
        ),
        (
            Request::new("sqs:PurgeQueue", &queue),
            "purging its dead letters",
        ),
    ];
    cases
        .into_iter()
        .map(|(request, case)| Expectation::denied(request, case))
        .collect()
}

/// Lower-case actions of every Allow statement of `principal`'s policies.
fn allowed_actions(principal: &Principal) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for policy in &principal.policies {
        let statements = match &policy["Statement"] {
            Value::Array(statements) => statements.clone(),
            statement => vec![statement.clone()],
        };
        for statement in statements.iter().filter(|s| s["Effect"] == "Allow") {
            assert!(
                statement.get("NotAction").is_none(),
                "NotAction in an Allow statement grants every other action: {statement}"
            );
            match &statement["Action"] {
                Value::String(action) => {
                    actions.insert(action.to_lowercase());
                }
                Value::Array(list) => {
                    actions.extend(list.iter().map(|a| text(a).to_lowercase()));
                }
                other => panic!("statement without Action: {other}"),
            }
        }
    }
    actions
}

/// The functions allowed to change a tenant role in any way.
fn tenant_role_writers(deployment: &Deployment) -> Vec<String> {
    let tenant_role = deployment.tenant_role("tenant-acme-01-0123456789ab");
    let boundary = deployment.boundary_arn();
    let writes: Vec<Request> = [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
    ]
    .into_iter()
    .map(|action| Request::new(action, &tenant_role).with("iam:PermissionsBoundary", &boundary))
    .chain([Request::new("iam:DeleteRole", &tenant_role)])
    .collect();
    let functions = deployment.functions();
    let principals: Vec<Principal> = functions.iter().map(|f| deployment.principal(f)).collect();
    let evaluations: Vec<(&Principal, &[Request])> = principals
        .iter()
        .map(|principal| (principal, writes.as_slice()))
        .collect();
    functions
        .into_iter()
        .zip(evaluate_all(&evaluations))
        .filter(|(_, outcomes)| outcomes.iter().any(|o| o.decision == Decision::Allowed))
        .map(|(function, _)| function)
        .collect()
}

/// Requests that must stay denied for a function that can change tenant
/// roles even if another policy allowed everything, so they need explicit
/// Deny statements.
fn explicit_denials(deployment: &Deployment) -> Vec<Expectation> {
    let tenant_role = deployment.tenant_role("tenant-acme-01-0123456789ab");
    let boundary = deployment.boundary_arn();
    let other_boundary = format!("arn:aws:iam::{ACCOUNT}:policy/other-boundary");
    [
        Request::new("iam:DeleteRolePermissionsBoundary", &tenant_role)
            .with("iam:PermissionsBoundary", &boundary),
        Request::new("iam:PutRolePermissionsBoundary", &tenant_role)
            .with("iam:PermissionsBoundary", &other_boundary),
        Request::new("iam:CreatePolicyVersion", &boundary),
        Request::new("iam:SetDefaultPolicyVersion", &boundary),
        Request::new("iam:DeletePolicyVersion", &boundary),
        Request::new("iam:DeletePolicy", &boundary),
    ]
    .into_iter()
    .map(|request| Expectation::denied(request, "explicit deny protecting the boundary"))
    .collect()
}

fn allow_everything() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    })
}

#[test]
fn every_function_has_expectations() {
    let deployment = Deployment::load(&[]);

    let functions = deployment.functions();

    assert!(
        functions.iter().any(|f| f == "OnboardFunction"),
        "{functions:?}"
    );
    for function in &functions {
        assert!(
            expected_actions(function).is_some(),
            "{function} has no expected permissions in this test; list its actions in expected_actions and its needs in grants"
        );
    }
}

#[test]
fn functions_allow_only_listed_actions() {
    let deployment = Deployment::load(&[]);

    for function in deployment.functions() {
        let expected: BTreeSet<String> = expected_actions(&function)
            .unwrap_or_default()
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        let allowed = allowed_actions(&deployment.principal(&function));

        let unexpected: Vec<&String> = allowed.difference(&expected).collect();
        assert!(
            unexpected.is_empty(),
            "{function} is allowed actions this test does not expect: {unexpected:?}"
        );
    }
}

/// Evaluates `expectations` for every function of every deployment in one
/// run of the evaluator, and lists the unmet ones per function.
fn unmet_for_every_function(
    expectations: fn(&Deployment, &str) -> Vec<Expectation>,
) -> Vec<(String, Vec<String>)> {
    let mut labels = Vec::new();
    let mut cases = Vec::new();
    for overrides in DEPLOYMENTS {
        let deployment = Deployment::load(overrides);
        for function in deployment.functions() {
            labels.push(format!("{function} with {overrides:?}"));
            cases.push((
                deployment.principal(&function),
                expectations(&deployment, &function),
            ));
        }
    }
    let borrowed: Vec<(&Principal, &[Expectation])> = cases
        .iter()
        .map(|(principal, expectations)| (principal, expectations.as_slice()))
        .collect();
    labels.into_iter().zip(unmet_all(&borrowed)).collect()
}

#[test]
fn functions_get_what_they_need() {
    let results = unmet_for_every_function(grants);

    for (function, failures) in results {
        assert!(failures.is_empty(), "{function}:\n{}", failures.join("\n"));
    }
}

#[test]
fn functions_stay_in_their_scope() {
    let results = unmet_for_every_function(denials);

    for (function, failures) in results {
        assert!(failures.is_empty(), "{function}:\n{}", failures.join("\n"));
    }
}

#[test]
fn role_writers_deny_boundary_changes() {
    let deployment = Deployment::load(&[]);
    let writers = tenant_role_writers(&deployment);
    assert!(
        writers.iter().any(|f| f == "OnboardFunction"),
        "onboarding creates tenant roles: {writers:?}"
    );
    let widened: Vec<Principal> = writers
        .iter()
        .map(|function| {
            let mut principal = deployment.principal(function);
            principal.policies.push(allow_everything());
            principal
        })
        .collect();
    let denials = explicit_denials(&deployment);
    let cases: Vec<(&Principal, &[Expectation])> = widened
        .iter()
        .map(|principal| (principal, denials.as_slice()))
        .collect();

    let results = unmet_all(&cases);

    for (function, failures) in writers.iter().zip(results) {
        assert!(failures.is_empty(), "{function}:\n{}", failures.join("\n"));
    }
}

#[test]
fn boundary_file_matches_template() {
    let deployment = Deployment::load(&[]);
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("infra/iam/tenant-boundary-policy.json"))
            .expect("the boundary file is readable"),
    )
    .expect("the boundary file is JSON");

    let template = &deployment.resolved["managedPolicies"]["TenantBoundaryPolicy"]["document"];

    assert_eq!(template, &file);
}

/// The checks above must be able to fail: each loosened copy of the
/// onboarding function's policies has to break the check it was made to break.
#[test]
fn permission_checks_catch_loosened_template() {
    let deployment = Deployment::load(&[]);
    let function = "OnboardFunction";
    let mut checks = grants(&deployment, function);
    checks.extend(denials(&deployment, function));
    let mutations: [(&str, Loosen, &str); 4] = [
        (
            "boundary condition dropped",
            |statement| {
                if let Some(object) = statement.as_object_mut() {
                    object.remove("Condition");
                }
            },
            "role without the boundary",
        ),
        (
            "any role path",
            |statement| {
                if statement["Action"].to_string().contains("iam:CreateRole") {
                    statement["Resource"] = json!("arn:aws:iam::111122223333:role/*");
                }
            },
            "role outside the tenant path",
        ),
        (
            "PassRole added",
            |statement| {
                if statement["Action"].to_string().contains("iam:GetRole") {
                    statement["Action"] = json!(["iam:GetRole", "iam:PassRole"]);
                }
            },
            "no PassRole",
        ),
        (
            "any table",
            |statement| {
                if statement["Action"].to_string().contains("dynamodb:") {
                    statement["Resource"] = json!("*");
                }
            },
            "another table",
        ),
    ];

    let loosened: Vec<Principal> = mutations
        .iter()
        .map(|(_, mutate, _)| {
            let mut principal = deployment.principal(function);
            for policy in &mut principal.policies {
                if let Some(statements) = policy["Statement"].as_array_mut() {
                    statements.iter_mut().for_each(mutate);
                }
            }
            principal
        })
        .collect();
    let cases: Vec<(&Principal, &[Expectation])> = loosened
        .iter()
        .map(|principal| (principal, checks.as_slice()))
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

/// Loosens one statement of a function policy.
type Loosen = fn(&mut Value);

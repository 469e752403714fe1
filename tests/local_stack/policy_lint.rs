//! Every IAM document the project deploys or generates, linted by parliament
//! (`tests/iam/lint_policies.py`). The findings that script accepts are
//! listed there with the reason for each.

use integration_tests::events::{for_tenant, invocation, unique_tenant};
use integration_tests::iam::{DocumentKind, lint, template_policies};
use integration_tests::{LocalStack, repo_file};
use serde_json::{Value, json};
use tenancy::domain::policy::TENANT_POLICY_NAME;

fn decode(document: &str) -> Value {
    let decoded = percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .expect("the document is UTF-8");
    serde_json::from_str(&decoded).expect("the document is JSON")
}

#[tokio::test]
async fn generated_tenant_documents_lint_clean() {
    let stack = LocalStack::start().await;
    let global_catalog = json!({
        "models": {
            "nova-lite": {"foundationModel": "amazon.nova-lite-v1:0"},
            "sonnet-global": {"systemProfile": "global.anthropic.claude-sonnet-4-20250514-v1:0"},
            "claude-sonnet-4": {"systemProfile": "us.anthropic.claude-sonnet-4-20250514-v1:0"}
        },
        "tiers": {"premium": ["nova-lite", "sonnet-global", "claude-sonnet-4"]}
    })
    .to_string();
    let handler = stack.handler_with(stack.config_with(&[("MODEL_CATALOG", &global_catalog)]));
    let tenant = unique_tenant("globex");
    let response = handler
        .handle(invocation(for_tenant("tenant-signup-premium", &tenant)))
        .await
        .expect("onboarding succeeds");
    assert_eq!(response["outcome"], "provisioned", "{response}");
    let item = stack.registry_items().await.pop().expect("one item");
    let policy = stack.role_policy(&item.role_name, TENANT_POLICY_NAME).await;
    let role = stack
        .iam
        .get_role()
        .role_name(&item.role_name)
        .send()
        .await
        .expect("GetRole succeeds");
    let trust = decode(
        role.role()
            .and_then(|r| r.assume_role_policy_document())
            .expect("the role has a trust policy"),
    );

    let findings = lint(&[
        ("tenant policy".to_owned(), DocumentKind::Identity, policy),
        ("tenant trust policy".to_owned(), DocumentKind::Trust, trust),
    ]);

    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

#[test]
fn deployed_documents_lint_clean() {
    let boundary: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("infra/iam/tenant-boundary-policy.json"))
            .expect("the boundary file is readable"),
    )
    .expect("the boundary file is JSON");
    let mut documents = vec![(
        "tenant-boundary-policy".to_owned(),
        DocumentKind::Identity,
        boundary,
    )];
    for overrides in [&[][..], &[("EventBusName", "shared-tenants")][..]] {
        let resolved = template_policies(overrides);
        for (function, description) in resolved["functions"]
            .as_object()
            .expect("functions by logical id")
        {
            for policy in description["policies"].as_array().expect("policies") {
                let name = policy["name"].as_str().unwrap_or_default();
                documents.push((
                    format!("{function}:{name}"),
                    DocumentKind::Identity,
                    policy["document"].clone(),
                ));
            }
        }
    }

    let findings = lint(&documents);

    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

#[test]
fn lint_reports_broken_documents() {
    let cases = [
        (
            "condition key the action does not support",
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "iam:TagRole",
                "Resource": "arn:aws:iam::111122223333:role/tenants/*",
                "Condition": {"StringEquals": {
                    "iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/boundary"
                }}
            }]}),
            "UNKNOWN_CONDITION_FOR_ACTION",
        ),
        (
            "system-profile ARN where an application profile was meant",
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "bedrock:DeleteInferenceProfile",
                "Resource": "arn:aws:bedrock:us-east-1:111122223333:inference-profile/*"
            }]}),
            "RESOURCE_MISMATCH",
        ),
        (
            "foundation-model ARN with an account",
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "bedrock:InvokeModel",
                "Resource": "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0"
            }]}),
            "RESOURCE_MISMATCH",
        ),
        (
            "misspelt action",
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "bedrock:InvokeModelStream",
                "Resource": "*"
            }]}),
            "UNKNOWN_ACTION",
        ),
        (
            "resource wildcard outside the accepted documents",
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*"
            }]}),
            "RESOURCE_STAR",
        ),
    ];

    let documents: Vec<(String, DocumentKind, Value)> = cases
        .iter()
        .map(|(case, document, _)| ((*case).to_owned(), DocumentKind::Identity, document.clone()))
        .collect();

    let findings = lint(&documents);

    for (case, _, issue) in cases {
        let named = format!("\"document\":\"{case}\"");
        assert!(
            findings
                .iter()
                .any(|f| f.contains(&named) && f.contains(issue)),
            "{case}: expected {issue}, got {findings:?}"
        );
    }
}

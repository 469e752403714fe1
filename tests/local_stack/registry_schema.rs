//! The local registry table and `template.yaml` declare the same key schema.

use integration_tests::repo_file;
use serde_json::Value;

#[test]
fn local_table_matches_template() {
    let local: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("infra/registry-table.json")).expect("readable"),
    )
    .expect("JSON");
    let template =
        std::fs::read_to_string(repo_file("template.yaml")).expect("template.yaml is readable");

    let key = &local["KeySchema"][0];
    assert_eq!(key["AttributeName"], tenancy::aws::TENANT_KEY_ATTRIBUTE);
    assert_eq!(key["KeyType"], "HASH");
    assert_eq!(local["KeySchema"].as_array().map(Vec::len), Some(1));
    let declared = template_table_section(&template);
    assert!(declared.contains("AttributeName: tenantId"), "{declared}");
    assert!(declared.contains("KeyType: HASH"), "{declared}");
    assert!(declared.contains("AttributeType: S"), "{declared}");
    assert!(!declared.contains("KeyType: RANGE"), "{declared}");
}

/// The lines of the `TenantTable` resource in the template.
fn template_table_section(template: &str) -> String {
    template
        .lines()
        .skip_while(|line| line.trim() != "TenantTable:")
        .skip(1)
        .take_while(|line| line.starts_with("    ") || line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

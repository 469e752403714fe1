//! Keeps the READMEs honest: every Make target, environment variable, event
//! field and `tenantctl` subcommand they name exists, and every target of the
//! Makefile's own command list is in the README.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use integration_tests::repo_file;
use regex::Regex;

const READMES: [&str; 2] = ["README.md", "README.ja.md"];

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_file(relative))
        .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

fn captures(pattern: &str, text: &str) -> BTreeSet<String> {
    let regex = Regex::new(pattern).expect("pattern compiles");
    regex.captures_iter(text).map(|c| c[1].to_owned()).collect()
}

/// Concatenates every file under `dir` with extension `rs`.
fn rust_sources(dir: &str) -> String {
    let mut text = String::new();
    let mut pending = vec![repo_file(dir)];
    while let Some(path) = pending.pop() {
        for entry in std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", path.display()))
        {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                text.push_str(&std::fs::read_to_string(&path).expect("readable source"));
            }
        }
    }
    text
}

fn makefile_targets() -> BTreeSet<String> {
    captures(r"(?m)^([a-z][a-z0-9-]*):", &read("Makefile"))
}

#[test]
fn make_targets_in_readmes_exist() {
    let targets = makefile_targets();

    for readme in READMES {
        let named = captures(r"\bmake ([a-z][a-z0-9-]*)", &read(readme));

        assert!(!named.is_empty(), "{readme} names no make target");
        for target in named {
            assert!(
                targets.contains(&target),
                "{readme} names `make {target}`, which the Makefile lacks"
            );
        }
    }
}

#[test]
fn makefile_command_list_is_in_readme() {
    let makefile = read("Makefile");
    let listed = captures(r"(?m)^#\s+make ([a-z][a-z0-9-]*)", &makefile);
    let readme = read("README.md");

    assert!(
        listed.len() >= 5,
        "the Makefile header lists its commands: {listed:?}"
    );
    for target in listed {
        assert!(
            readme.contains(&format!("make {target}")),
            "README.md does not mention `make {target}`"
        );
    }
}

#[test]
fn environment_variables_in_readmes_exist() {
    let sources = rust_sources("functions");
    let scripts = read("Makefile") + &read("infra/local/stack.sh");

    for readme in READMES {
        let named = captures(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", &read(readme));

        assert!(
            named.len() >= 10,
            "{readme} documents the configuration: {named:?}"
        );
        for variable in named {
            let quoted = format!("\"{variable}\"");
            assert!(
                sources.contains(&quoted)
                    || scripts.contains(&variable)
                    || variable.starts_with("AWS_ENDPOINT_URL"),
                "{readme} names {variable}, which no function or script reads"
            );
        }
    }
}

#[test]
fn every_configuration_variable_is_documented() {
    let config = read("functions/tenancy/src/config.rs");
    let read_vars = captures(r#"(?:required|lookup)\("([A-Z][A-Z0-9_]+)"\)"#, &config)
        .into_iter()
        .chain(captures(r#"&lookup,\s*"([A-Z][A-Z0-9_]+)""#, &config))
        .collect::<BTreeSet<_>>();
    let readme = read("README.md");

    assert!(
        read_vars.len() >= 10,
        "config.rs reads its variables: {read_vars:?}"
    );
    for variable in read_vars {
        assert!(
            readme.contains(&format!("`{variable}`")),
            "README.md does not document {variable}"
        );
    }
}

#[test]
fn event_fields_in_readmes_are_parsed() {
    let inbound = read("functions/tenancy/src/events/inbound.rs");

    for readme in READMES {
        let text = read(readme);
        let fields = ["tenantId", "tier", "models", "tenantRegistrationId"];
        for field in fields {
            assert!(
                text.contains(&format!("`{field}`")),
                "{readme} does not document detail.{field}"
            );
            assert!(
                inbound.contains(&format!("\"{field}\"")),
                "the parser does not read {field}"
            );
        }
        for detail_type in captures(r"`((?:sbt_aws_)?[a-z]+Request|Tenant[A-Za-z]+)`", &text) {
            let sources = rust_sources("functions/tenancy/src/events");
            let base = detail_type.trim_start_matches("sbt_aws_");
            assert!(
                sources.contains(base),
                "{readme} names detail-type {detail_type}, unknown to the event contract"
            );
        }
    }
}

#[test]
fn tenantctl_subcommands_in_readmes_exist() {
    let binary = built_binary("tenantctl");
    let help = Command::new(&binary)
        .arg("--help")
        .env("TENANT_TABLE_NAME", "unused")
        .output();
    let help = help.unwrap_or_else(|error| panic!("cannot run {}: {error}", binary.display()));
    let help = String::from_utf8_lossy(&help.stdout).to_string();

    for readme in READMES {
        let named = captures(r"tenantctl ([a-z][a-z-]*)", &read(readme));

        assert!(!named.is_empty(), "{readme} names no tenantctl subcommand");
        for subcommand in named {
            assert!(
                help.lines()
                    .any(|line| line.trim_start().starts_with(&subcommand)),
                "{readme} names `tenantctl {subcommand}`, which tenantctl --help does not list:\n{help}"
            );
        }
    }
}

/// Finds a workspace binary built beside this test (`make test` builds them first).
fn built_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile directory");
    let binary = dir.join(name);
    assert!(
        binary.is_file(),
        "{} is missing; build the workspace binaries first (`cargo build --workspace --bins`, which `make test` runs)",
        binary.display()
    );
    binary
}

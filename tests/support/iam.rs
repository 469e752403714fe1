//! IAM checks by tools the project did not write, run from the pinned tool
//! virtualenv: Principal Mapper decides requests (`tests/iam/evaluate.py`),
//! aws-sam-translator and a resolver read the functions' policies from
//! `template.yaml` (`tests/iam/template_policies.py`), and parliament lints
//! policy documents (`tests/iam/lint_policies.py`).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{LazyLock, Mutex, PoisonError};

use serde_json::{Map, Value, json};

use crate::repo_file;

/// Finds the Python of the tool virtualenv, `$VENV/bin/python`, with `VENV`
/// defaulting to `$HOME/.cache/tenant-profiles/venv` as in the Makefile.
///
/// Panics when it is missing: these checks must fail, never pass unnoticed,
/// on a machine without the tools.
pub fn tools_python() -> PathBuf {
    let venv = std::env::var_os("VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/tenant-profiles/venv"))
        })
        .unwrap_or_else(|| PathBuf::from(".cache/tenant-profiles/venv"));
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} not found: the IAM checks need the pinned Python tools; run `make test` (or `make tools`), or set VENV to the tool virtualenv",
        python.display()
    );
    python
}

/// Runs `tests/iam/{script}` with `arguments`, writes `input` to its standard
/// input and parses its standard output as JSON. Panics with the script's
/// error output when it fails.
pub fn run_script(script: &str, arguments: &[String], input: &Value) -> Value {
    let python = tools_python();
    let path = repo_file(&format!("tests/iam/{script}"));
    let mut child = Command::new(&python)
        .arg(&path)
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {} {}: {error}",
                python.display(),
                path.display()
            )
        });
    child
        .stdin
        .take()
        .expect("the child's standard input is piped")
        .write_all(input.to_string().as_bytes())
        .expect("the script reads its input");
    let output = child.wait_with_output().expect("the script finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed ({}); if a module is missing, run `make tools` to install the pinned tools:\n{stderr}",
        output.status
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{script} printed no JSON: {error}\n{stderr}"))
}

/// A role and the policies IAM evaluates for it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub arn: String,
    /// Identity-based policy documents (inline and managed alike).
    pub policies: Vec<Value>,
    pub permissions_boundary: Option<Value>,
}

/// One API request: an action on a resource, with the condition keys IAM would send.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub action: String,
    pub resource: String,
    pub context: Vec<(String, String)>,
}

impl Request {
    pub fn new(action: &str, resource: &str) -> Self {
        Self {
            action: action.to_owned(),
            resource: resource.to_owned(),
            context: Vec::new(),
        }
    }

    /// Adds one condition key to the request.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.context.push((key.to_owned(), value.to_owned()));
        self
    }

    fn to_json(&self) -> Value {
        let context: Map<String, Value> = self
            .context
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect();
        json!({"action": self.action, "resource": self.resource, "context": context})
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.action, self.resource)?;
        if self.context.is_empty() {
            write!(f, " with no condition keys")
        } else {
            let keys: Vec<String> = self
                .context
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            write!(f, " with {}", keys.join(", "))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    Denied,
}

/// What the evaluator decided for one request, and the reason it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    pub reason: String,
}

/// Evaluates `requests` for `principal` with Principal Mapper.
pub fn evaluate(principal: &Principal, requests: &[Request]) -> Vec<Outcome> {
    evaluate_all(&[(principal, requests)]).remove(0)
}

/// Evaluates several principals' requests in one run of the evaluator, which
/// saves its start-up time (about half a second) per principal.
pub fn evaluate_all(evaluations: &[(&Principal, &[Request])]) -> Vec<Vec<Outcome>> {
    let input = json!({"evaluations": evaluations
        .iter()
        .map(|(principal, requests)| json!({
            "principal": {
                "arn": principal.arn,
                "policies": principal.policies,
                "permissionsBoundary": principal.permissions_boundary,
            },
            "requests": requests.iter().map(Request::to_json).collect::<Vec<_>>(),
        }))
        .collect::<Vec<_>>()});
    let output = run_script("evaluate.py", &[], &input);
    let lists = output["evaluations"]
        .as_array()
        .expect("one list of decisions per evaluation");
    assert_eq!(lists.len(), evaluations.len(), "one list per evaluation");
    lists
        .iter()
        .zip(evaluations)
        .map(|(list, (_, requests))| {
            let outcomes: Vec<Outcome> = list
                .as_array()
                .expect("a list of decisions")
                .iter()
                .map(|outcome| Outcome {
                    decision: match outcome["decision"].as_str() {
                        Some("allowed") => Decision::Allowed,
                        Some("denied") => Decision::Denied,
                        other => panic!("evaluate.py returned an unknown decision {other:?}"),
                    },
                    reason: outcome["reason"].as_str().unwrap_or_default().to_owned(),
                })
                .collect();
            assert_eq!(outcomes.len(), requests.len(), "one decision per request");
            outcomes
        })
        .collect()
}

/// A request and the decision IAM must reach for it.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub request: Request,
    pub expected: Decision,
    /// The case the request represents, shown when the decision differs.
    pub case: String,
}

impl Expectation {
    pub fn allowed(request: Request, case: impl Into<String>) -> Self {
        Self {
            request,
            expected: Decision::Allowed,
            case: case.into(),
        }
    }

    pub fn denied(request: Request, case: impl Into<String>) -> Self {
        Self {
            request,
            expected: Decision::Denied,
            case: case.into(),
        }
    }
}

/// Evaluates every expectation and describes each one the evaluator does not meet.
pub fn unmet(principal: &Principal, expectations: &[Expectation]) -> Vec<String> {
    unmet_all(&[(principal, expectations)]).remove(0)
}

/// Runs [`unmet`] for several principals in one run of the evaluator.
pub fn unmet_all(cases: &[(&Principal, &[Expectation])]) -> Vec<Vec<String>> {
    let requests: Vec<Vec<Request>> = cases
        .iter()
        .map(|(_, expectations)| expectations.iter().map(|e| e.request.clone()).collect())
        .collect();
    let evaluations: Vec<(&Principal, &[Request])> = cases
        .iter()
        .zip(&requests)
        .map(|((principal, _), requests)| (*principal, requests.as_slice()))
        .collect();
    evaluate_all(&evaluations)
        .into_iter()
        .zip(cases)
        .map(|(outcomes, (_, expectations))| {
            expectations
                .iter()
                .zip(outcomes)
                .filter(|(expectation, outcome)| outcome.decision != expectation.expected)
                .map(|(expectation, outcome)| {
                    format!(
                        "expected {:?} but {:?} ({}): {} [{}]",
                        expectation.expected,
                        outcome.decision,
                        outcome.reason,
                        expectation.request,
                        expectation.case
                    )
                })
                .collect()
        })
        .collect()
}

/// Fixed values the template's policies are resolved with.
pub const TEMPLATE_TRUSTED_PRINCIPAL_ARN: &str = "arn:aws:iam::111122223333:role/saas-app";

/// The functions' policies from `template.yaml`, transformed by SAM and
/// resolved with the fixed test account, region and partition, the
/// parameter defaults and `overrides`. See `tests/iam/template_policies.py`
/// for the shape. The result is computed once per set of overrides and
/// shared by the tests of one process.
pub fn template_policies(overrides: &[(&str, &str)]) -> Value {
    static RESOLVED: LazyLock<Mutex<BTreeMap<Overrides, Value>>> = LazyLock::new(Mutex::default);
    let key: Overrides = overrides
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    // A test that panicked while holding the lock left no entry behind, so
    // the map is still consistent.
    let mut resolved = RESOLVED.lock().unwrap_or_else(PoisonError::into_inner);
    resolved
        .entry(key)
        .or_insert_with(|| resolve_template(overrides))
        .clone()
}

/// Template parameter overrides, as (name, value) pairs.
type Overrides = Vec<(String, String)>;

fn resolve_template(overrides: &[(&str, &str)]) -> Value {
    let mut arguments = vec![repo_file("template.yaml").display().to_string()];
    let required = [
        ("TrustedPrincipalArn", TEMPLATE_TRUSTED_PRINCIPAL_ARN),
        ("ModelCatalog", "{}"),
    ];
    for (name, value) in required.iter().chain(overrides) {
        arguments.push("--parameter".to_owned());
        arguments.push(format!("{name}={value}"));
    }
    run_script("template_policies.py", &arguments, &Value::Null)
}

/// The kind of document parliament is asked to lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Identity,
    Trust,
}

/// Lints documents with parliament; returns one description per finding
/// that `tests/iam/lint_policies.py` does not explicitly accept.
pub fn lint(documents: &[(String, DocumentKind, Value)]) -> Vec<String> {
    let input = json!({"documents": documents
        .iter()
        .map(|(name, kind, document)| json!({
            "name": name,
            "kind": match kind {
                DocumentKind::Identity => "identity",
                DocumentKind::Trust => "trust",
            },
            "document": document,
        }))
        .collect::<Vec<_>>()});
    let output = run_script("lint_policies.py", &[], &input);
    output["findings"]
        .as_array()
        .expect("a list of findings")
        .iter()
        .map(Value::to_string)
        .collect()
}

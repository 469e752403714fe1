//! The fault matrix: the function dies after each step (or AWS fails it),
//! then the event is delivered again; the end state must equal a clean run
//! and reconcile must find nothing. `make fault-matrix` prints the table.

use bedrock_emulator::FaultSpec;
use integration_tests::LocalStack;
use integration_tests::events::{for_tenant, invocation, unique_tenant};
use serde_json::{Value, json};
use tenancy::domain::TenantStatus;
use tenancy::handler::HandlerError;
use tenancy::onboarding::Step;
use tenancy::ports::TenantRegistry;

use crate::lifecycle::crash_at_occurrence;

/// Every point after which onboarding can stop, with the occurrence of the
/// step (the standard tier creates two profiles, so profile steps run twice).
const ONBOARDING_CRASH_POINTS: [(Step, usize); 8] = [
    (Step::Claim, 1),
    (Step::CreateProfile, 1),
    (Step::RecordProfile, 1),
    (Step::CreateProfile, 2),
    (Step::RecordProfile, 2),
    (Step::CreateRole, 1),
    (Step::PutRolePolicy, 1),
    (Step::Activate, 1),
];

const OFFBOARDING_CRASH_POINTS: [Step; 5] = [
    Step::MarkOffboarding,
    Step::DeleteRole,
    Step::DeleteProfiles,
    Step::SweepProfiles,
    Step::Tombstone,
];

/// Faults injected in the Bedrock emulator for one delivery, beyond what SDK retries absorb.
fn injected_faults() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        (
            "GetInferenceProfile 500 x4",
            vec![
                json!({"operation": "GetInferenceProfile", "error": "InternalServerException", "count": 4}),
            ],
        ),
        (
            "CreateInferenceProfile conflict, then ListInferenceProfiles throttled x4",
            vec![
                json!({"operation": "CreateInferenceProfile", "error": "ConflictException", "count": 1}),
                json!({"operation": "ListInferenceProfiles", "error": "ThrottlingException", "count": 4}),
            ],
        ),
        (
            "CreateInferenceProfile throttled x4",
            vec![
                json!({"operation": "CreateInferenceProfile", "error": "ThrottlingException", "count": 4}),
            ],
        ),
    ]
}

struct Row {
    point: String,
    first: String,
    redelivery: String,
    end_state: &'static str,
}

fn outcome(result: &Result<Value, HandlerError>) -> String {
    match result {
        Ok(response) => format!("ok: {}", response["outcome"].as_str().unwrap_or("?")),
        Err(HandlerError::Step(failure)) => {
            format!("fails: {} ({})", failure.error_type, failure.class)
        }
        Err(HandlerError::Envelope(error)) => format!("fails: {error}"),
    }
}

fn print_matrix(title: &str, rows: &[Row]) {
    println!("\n{title}\n");
    println!("| crash or fault point | first delivery | redelivery | end state |");
    println!("|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} |",
            row.point, row.first, row.redelivery, row.end_state
        );
    }
}

#[tokio::test]
async fn onboarding_converges_after_every_crash_point() {
    let stack = LocalStack::start().await;
    let clean_tenant = unique_tenant("clean");
    stack
        .handler()
        .handle(invocation(for_tenant("tenant-signup", &clean_tenant)))
        .await
        .expect("the clean run succeeds");
    let reference = stack.snapshot(&clean_tenant).await;
    let mut rows = Vec::new();

    for (step, occurrence) in ONBOARDING_CRASH_POINTS {
        let tenant = unique_tenant("crash");
        let event = for_tenant("tenant-signup", &tenant);
        let crashing =
            stack.handler_parts(stack.config(), Some(crash_at_occurrence(step, occurrence)));

        let first = crashing.handle(invocation(event.clone())).await;
        let again = stack.handler().handle(invocation(event)).await;

        let equal = stack.snapshot(&tenant).await == reference;
        rows.push(Row {
            point: format!("after {step} #{occurrence}"),
            first: outcome(&first),
            redelivery: outcome(&again),
            end_state: if equal { "equals clean run" } else { "DIFFERS" },
        });
    }
    for (name, faults) in injected_faults() {
        let tenant = unique_tenant("fault");
        let event = for_tenant("tenant-signup", &tenant);
        for fault in faults {
            let fault: FaultSpec = serde_json::from_value(fault).expect("valid fault");
            stack
                .emulator
                .emulator()
                .add_fault(fault)
                .expect("fault accepted");
        }

        let first = stack.handler().handle(invocation(event.clone())).await;
        stack.emulator.emulator().clear_faults();
        let again = stack.handler().handle(invocation(event)).await;

        let equal = stack.snapshot(&tenant).await == reference;
        rows.push(Row {
            point: name.to_owned(),
            first: outcome(&first),
            redelivery: outcome(&again),
            end_state: if equal { "equals clean run" } else { "DIFFERS" },
        });
    }
    print_matrix("Onboarding (standard tier, two profiles)", &rows);

    for row in &rows {
        assert!(
            row.first.starts_with("fails"),
            "{}: the first delivery must fail, got {}",
            row.point,
            row.first
        );
        assert!(
            row.redelivery.starts_with("ok"),
            "{}: the redelivery must succeed, got {}",
            row.point,
            row.redelivery
        );
        assert_eq!(row.end_state, "equals clean run", "{}", row.point);
    }
    assert_eq!(stack.reconcile().await, Vec::new());
}

#[tokio::test]
async fn offboarding_converges_after_every_crash_point() {
    let stack = LocalStack::start().await;
    let mut rows = Vec::new();

    for step in OFFBOARDING_CRASH_POINTS {
        let tenant = unique_tenant("crash");
        stack
            .handler()
            .handle(invocation(for_tenant("tenant-signup", &tenant)))
            .await
            .expect("onboarding succeeds");
        let event = for_tenant("tenant-offboarding", &tenant);
        let crashing =
            stack.offboard_handler_parts(stack.config(), Some(crash_at_occurrence(step, 1)));

        let first = crashing.handle(invocation(event.clone())).await;
        let again = stack.offboard_handler().handle(invocation(event)).await;

        let item = stack
            .registry()
            .get(&tenant)
            .await
            .expect("GetItem succeeds");
        let snapshot = stack.snapshot(&tenant).await;
        let clean = item.as_ref().map(|i| i.status) == Some(TenantStatus::Offboarded)
            && snapshot["profiles"] == json!([])
            && snapshot["roles"] == json!([]);
        rows.push(Row {
            point: format!("after {step}"),
            first: outcome(&first),
            redelivery: outcome(&again),
            end_state: if clean {
                "tombstone, nothing left"
            } else {
                "LEFTOVERS"
            },
        });
    }
    print_matrix("Offboarding", &rows);

    for row in &rows {
        assert!(
            row.first.starts_with("fails"),
            "{}: got {}",
            row.point,
            row.first
        );
        assert!(
            row.redelivery.starts_with("ok"),
            "{}: got {}",
            row.point,
            row.redelivery
        );
        assert_eq!(row.end_state, "tombstone, nothing left", "{}", row.point);
    }
    assert_eq!(stack.reconcile().await, Vec::new());
}

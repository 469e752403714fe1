use super::*;

fn spec(operation: OperationSelector, error: Option<ErrorKind>) -> FaultSpec {
    FaultSpec {
        operation,
        error,
        count: None,
        probability: None,
        latency_ms: None,
        message: None,
    }
}

fn injected_kind(decision: &FaultDecision) -> Option<ErrorKind> {
    decision.error.as_ref().map(|error| error.kind)
}

#[test]
fn counted_rule_fails_that_many_requests() {
    let mut book = FaultBook::default();
    let mut throttle = spec(
        OperationSelector::Only(Operation::CreateInferenceProfile),
        Some(ErrorKind::Throttling),
    );
    throttle.count = Some(2);
    let _ = book.add(throttle);

    let kinds: Vec<Option<ErrorKind>> = (0..3)
        .map(|_| injected_kind(&book.begin(Operation::CreateInferenceProfile)))
        .collect();

    assert_eq!(
        kinds,
        [
            Some(ErrorKind::Throttling),
            Some(ErrorKind::Throttling),
            None
        ]
    );
    assert!(book.rules().is_empty());
}

#[test]
fn rule_ignores_other_operations() {
    let mut book = FaultBook::default();
    let _ = book.add(spec(
        OperationSelector::Only(Operation::TagResource),
        Some(ErrorKind::InternalServer),
    ));

    let decision = book.begin(Operation::GetInferenceProfile);

    assert_eq!(injected_kind(&decision), None);
}

#[test]
fn wildcard_rule_matches_every_operation() {
    let mut book = FaultBook::default();
    let _ = book.add(spec(OperationSelector::Any, Some(ErrorKind::AccessDenied)));

    for operation in Operation::ALL {
        let decision = book.begin(operation);

        assert_eq!(
            injected_kind(&decision),
            Some(ErrorKind::AccessDenied),
            "{operation}"
        );
    }
}

#[test]
fn zero_probability_never_fires() {
    let mut book = FaultBook::default();
    let mut rule = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    rule.probability = Some(0.0);
    let _ = book.add(rule);

    let failures = (0..100)
        .filter(|_| book.begin(Operation::ListInferenceProfiles).error.is_some())
        .count();

    assert_eq!(failures, 0);
}

#[test]
fn latency_adds_up_and_first_error_wins() {
    let mut book = FaultBook::default();
    let mut slow = spec(OperationSelector::Any, None);
    slow.latency_ms = Some(5);
    let mut throttle = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    throttle.latency_ms = Some(7);
    throttle.count = Some(1);
    let mut internal = spec(OperationSelector::Any, Some(ErrorKind::InternalServer));
    internal.count = Some(1);
    let _ = book.add(slow);
    let _ = book.add(throttle);
    let _ = book.add(internal);

    let first = book.begin(Operation::GetInferenceProfile);
    let second = book.begin(Operation::GetInferenceProfile);

    assert_eq!(first.latency, Duration::from_millis(12));
    assert_eq!(injected_kind(&first), Some(ErrorKind::Throttling));
    assert_eq!(injected_kind(&second), Some(ErrorKind::InternalServer));
}

#[test]
fn counts_track_outcomes() {
    let mut book = FaultBook::default();
    let mut rule = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    rule.count = Some(1);
    let _ = book.add(rule);

    let _ = book.begin(Operation::CreateInferenceProfile);
    book.finish(Operation::CreateInferenceProfile, false);
    let _ = book.begin(Operation::CreateInferenceProfile);
    book.finish(Operation::CreateInferenceProfile, true);

    let counts = book.counts();
    let create = counts
        .get(&Operation::CreateInferenceProfile)
        .copied()
        .unwrap_or_default();
    assert_eq!(
        create,
        CallCount {
            received: 2,
            succeeded: 1,
            failed: 1,
            injected_failures: 1,
        }
    );
    assert_eq!(counts.len(), Operation::ALL.len());
}

#[test]
fn invalid_specs_are_rejected() {
    let mut zero_count = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    zero_count.count = Some(0);
    let mut bad_probability = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    bad_probability.probability = Some(1.5);
    let mut nan_probability = spec(OperationSelector::Any, Some(ErrorKind::Throttling));
    nan_probability.probability = Some(f64::NAN);
    let mut slow = spec(OperationSelector::Any, None);
    slow.latency_ms = Some(MAX_FAULT_LATENCY_MS + 1);
    let cases = [
        spec(OperationSelector::Any, None),
        zero_count,
        bad_probability,
        nan_probability,
        slow,
    ];

    for case in cases {
        assert!(case.validate().is_err(), "{case:?}");
    }
}

#[test]
fn spec_parses_wire_json() {
    let json = r#"{"operation":"CreateInferenceProfile","error":"ThrottlingException","count":2,"latencyMs":10}"#;

    let parsed: Result<FaultSpec, _> = serde_json::from_str(json);

    let expected = FaultSpec {
        operation: OperationSelector::Only(Operation::CreateInferenceProfile),
        error: Some(ErrorKind::Throttling),
        count: Some(2),
        probability: None,
        latency_ms: Some(10),
        message: None,
    };
    assert_eq!(parsed.ok(), Some(expected));
}

#[test]
fn spec_rejects_unknown_names() {
    let cases = [
        r#"{"operation":"CreateProfile","error":"ThrottlingException"}"#,
        r#"{"operation":"*","error":"Throttled"}"#,
        r#"{"operation":"*","error":"ThrottlingException","latency":5}"#,
    ];

    for json in cases {
        assert!(serde_json::from_str::<FaultSpec>(json).is_err(), "{json}");
    }
}

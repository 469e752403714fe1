//! Converse, the one operation of the runtime service `bedrock-runtime`
//! that the emulator serves.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::request::{model_identifier, parse_json_body, request_region};
use super::run_operation;
use crate::converse::{ConverseInput, ConverseOutput, check_request, complete, validate_model_id};
use crate::emulator::Emulator;
use crate::faults::Operation;
use crate::model_target::resolve_invocation_target;
use crate::usage::Invocation;

pub(super) async fn converse(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // Measured from here, so that injected latency shows in `latencyMs`
    // and in the InvocationLatency metric, as a slow model's would.
    let started = Instant::now();

    run_operation(&emulator, Operation::Converse, || {
        let model_id = model_identifier(&uri)?;
        validate_model_id(&model_id)?;
        let input: ConverseInput = parse_json_body(body)?;
        let prompt = check_request(input)?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        let target = resolve_invocation_target(&emulator.store(), &scope, &model_id)?;

        let completion = complete(&prompt, &target.model_id);
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let invocation = Invocation {
            region: scope.region,
            metric_model_id: target.metric_model_id,
            model_arn: target.model_arn,
            input_tokens: completion.input_tokens,
            output_tokens: completion.output_tokens,
            latency_ms,
        };
        tracing::info!(
            model_id,
            region = invocation.region,
            foundation_model_arn = invocation.model_arn,
            input_tokens = invocation.input_tokens,
            output_tokens = invocation.output_tokens,
            latency_ms,
            "converse served"
        );
        emulator.record_invocation(invocation);

        Ok(Json(ConverseOutput::new(completion, latency_ms)).into_response())
    })
    .await
}

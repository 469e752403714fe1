//! CreateInferenceProfile, GetInferenceProfile, ListInferenceProfiles and
//! DeleteInferenceProfile.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::request::{
    missing_member, parse_json_body, profile_identifier, query_params, request_region,
};
use super::run_operation;
use super::tags::{TagInput, parse_tags};
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::Operation;
use crate::profile::{CreateParams, ProfileType, ProfileView, STATUS_ACTIVE};
use crate::validation::{
    validate_client_request_token, validate_description, validate_max_results,
    validate_profile_identifier, validate_profile_name,
};

/// Page size of ListInferenceProfiles without `maxResults`.
// NOTE: the service's default page size is undocumented. 100 is assumed, and
// it is small enough that callers which ignore nextToken fail in tests.
pub(crate) const DEFAULT_MAX_RESULTS: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    inference_profile_name: Option<String>,
    description: Option<String>,
    client_request_token: Option<String>,
    model_source: Option<ModelSourceInput>,
    tags: Option<Vec<TagInput>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelSourceInput {
    copy_from: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOutput {
    inference_profile_arn: String,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    inference_profile_summaries: Vec<ProfileView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Checks the members of a create request. The model source is checked when
/// it is resolved.
fn create_params(input: CreateInput) -> Result<(CreateParams, Option<String>), ApiError> {
    let name = input
        .inference_profile_name
        .ok_or_else(|| missing_member("inferenceProfileName"))?;
    validate_profile_name(&name)?;
    if let Some(description) = &input.description {
        validate_description(description)?;
    }
    if let Some(token) = &input.client_request_token {
        validate_client_request_token(token)?;
    }
    let copy_from = input
        .model_source
        .and_then(|source| source.copy_from)
        .ok_or_else(|| missing_member("modelSource.copyFrom"))?;
    let tags = parse_tags(input.tags.unwrap_or_default(), "tags")?;

    let params = CreateParams {
        name,
        description: input.description,
        copy_from,
        tags,
    };
    Ok((params, input.client_request_token))
}

pub(super) async fn create(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run_operation(&emulator, Operation::CreateInferenceProfile, || {
        let (params, token) = create_params(parse_json_body(body)?)?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));
        let name = params.name.clone();

        let created = emulator
            .store()
            .create(&scope, params, token, emulator.profile_quota())?;

        tracing::info!(
            profile_arn = created.arn,
            profile_name = name,
            replayed = created.replayed,
            "application inference profile created"
        );
        let output = CreateOutput {
            inference_profile_arn: created.arn,
            status: STATUS_ACTIVE,
        };
        Ok((StatusCode::CREATED, Json(output)).into_response())
    })
    .await
}

pub(super) async fn get(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    run_operation(&emulator, Operation::GetInferenceProfile, || {
        let identifier = profile_identifier(&uri)?;
        validate_profile_identifier(&identifier)?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        let view = emulator.store().get(&scope, &identifier)?;

        Ok(Json(view).into_response())
    })
    .await
}

pub(super) async fn list(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    run_operation(&emulator, Operation::ListInferenceProfiles, || {
        let params = query_params(uri.query())?;
        // Without `type` the service lists only system-defined profiles.
        let filter = match params.get("type") {
            None => ProfileType::SystemDefined,
            Some(text) => ProfileType::parse(text).ok_or_else(|| {
                ApiError::validation(format!(
                    "1 validation error detected: Value '{text}' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]"
                ))
            })?,
        };
        let max_results = match params.get("maxResults") {
            None => DEFAULT_MAX_RESULTS,
            Some(text) => parse_max_results(text)?,
        };
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        let page = emulator.store().list(
            &scope,
            filter,
            max_results,
            params.get("nextToken").map(String::as_str),
        )?;

        let output = ListOutput {
            inference_profile_summaries: page.profiles,
            next_token: page.next_token,
        };
        Ok(Json(output).into_response())
    })
    .await
}

fn parse_max_results(text: &str) -> Result<usize, ApiError> {
    let value: i64 = text.parse().map_err(|_| {
        ApiError::serialization(format!(
            "The query parameter maxResults='{text}' is not an integer"
        ))
    })?;
    validate_max_results(value)?;
    usize::try_from(value).map_err(|_| {
        ApiError::validation(format!(
            "The query parameter maxResults='{text}' is out of range"
        ))
    })
}

pub(super) async fn delete(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    run_operation(&emulator, Operation::DeleteInferenceProfile, || {
        let identifier = profile_identifier(&uri)?;
        validate_profile_identifier(&identifier)?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        emulator.store().delete(&scope, &identifier)?;

        tracing::info!(
            identifier,
            region = scope.region,
            "application inference profile deleted"
        );
        Ok(StatusCode::OK.into_response())
    })
    .await
}

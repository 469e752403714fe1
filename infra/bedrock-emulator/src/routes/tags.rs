//! TagResource, UntagResource and ListTagsForResource.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::request::{missing_member, parse_json_body, request_region};
use super::run_operation;
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::Operation;
use crate::profile::Tag;
use crate::validation::{MAX_UNTAG_KEYS, validate_tag_key, validate_taggable_arn, validate_tags};

/// A tag as a request carries it, before the required members are checked.
#[derive(Debug, Deserialize)]
pub(super) struct TagInput {
    key: Option<String>,
    value: Option<String>,
}

/// Checks a request's tag list, whose wire name is `member`.
pub(super) fn parse_tags(tags: Vec<TagInput>, member: &str) -> Result<Vec<Tag>, ApiError> {
    let mut parsed = Vec::with_capacity(tags.len());
    for (index, tag) in tags.into_iter().enumerate() {
        let position = index + 1;
        let key = tag
            .key
            .ok_or_else(|| missing_member(&format!("{member}.{position}.member.key")))?;
        let value = tag
            .value
            .ok_or_else(|| missing_member(&format!("{member}.{position}.member.value")))?;
        parsed.push(Tag { key, value });
    }
    validate_tags(
        parsed
            .iter()
            .map(|tag| (tag.key.as_str(), tag.value.as_str())),
        member,
    )?;
    Ok(parsed)
}

fn resource_arn(resource_arn: Option<String>) -> Result<String, ApiError> {
    let resource_arn = resource_arn.ok_or_else(|| missing_member("resourceARN"))?;
    validate_taggable_arn(&resource_arn)?;
    Ok(resource_arn)
}

#[derive(Deserialize)]
struct TagResourceInput {
    #[serde(rename = "resourceARN")]
    resource_arn: Option<String>,
    tags: Option<Vec<TagInput>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UntagResourceInput {
    #[serde(rename = "resourceARN")]
    resource_arn: Option<String>,
    tag_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ListTagsForResourceInput {
    #[serde(rename = "resourceARN")]
    resource_arn: Option<String>,
}

#[derive(Serialize)]
struct ListTagsForResourceOutput {
    tags: Vec<Tag>,
}

pub(super) async fn tag_resource(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run_operation(&emulator, Operation::TagResource, || {
        let input: TagResourceInput = parse_json_body(body)?;
        let resource_arn = resource_arn(input.resource_arn)?;
        let tags = parse_tags(input.tags.ok_or_else(|| missing_member("tags"))?, "tags")?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        emulator.store().tag(&scope, &resource_arn, tags)?;

        Ok(Json(json!({})).into_response())
    })
    .await
}

pub(super) async fn untag_resource(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run_operation(&emulator, Operation::UntagResource, || {
        let input: UntagResourceInput = parse_json_body(body)?;
        let resource_arn = resource_arn(input.resource_arn)?;
        let keys = input.tag_keys.ok_or_else(|| missing_member("tagKeys"))?;
        if keys.len() > MAX_UNTAG_KEYS {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to {MAX_UNTAG_KEYS}"
            )));
        }
        for (index, key) in keys.iter().enumerate() {
            validate_tag_key(key, &format!("tagKeys.{}.member", index + 1))?;
        }
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        emulator.store().untag(&scope, &resource_arn, &keys)?;

        Ok(Json(json!({})).into_response())
    })
    .await
}

pub(super) async fn list_tags_for_resource(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run_operation(&emulator, Operation::ListTagsForResource, || {
        let input: ListTagsForResourceInput = parse_json_body(body)?;
        let resource_arn = resource_arn(input.resource_arn)?;
        let scope = emulator.scope(request_region(&headers, &emulator.config().default_region));

        let tags = emulator.store().list_tags(&scope, &resource_arn)?;

        Ok(Json(ListTagsForResourceOutput { tags }).into_response())
    })
    .await
}

//! Parsing of the parts of a request: region, JSON body, path label, query.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri, header};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::validation::is_region_name;

/// Returns the region of the SigV4 credential scope in the `Authorization`
/// header (`Credential=AKID/20260101/us-east-1/bedrock/aws4_request`), or
/// `default_region` when the header is absent or names no valid region.
/// The signature itself is not checked.
pub(crate) fn request_region(headers: &HeaderMap, default_region: &str) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(credential_scope_region)
        .unwrap_or(default_region)
        .to_owned()
}

fn credential_scope_region(authorization: &str) -> Option<&str> {
    let credential = authorization
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    let mut scope = credential.split('/');
    let _access_key_id = scope.next()?;
    let _date = scope.next()?;
    let region = scope.next()?;
    is_region_name(region).then_some(region)
}

/// Parses a JSON request body, where an empty body counts as `{}`. Malformed JSON
/// or a member of the wrong type is a SerializationException, as restJson1
/// services return for bodies they cannot read.
pub(crate) fn parse_json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::serialization(format!("Failed to read the request body: {rejection}"))
    })?;
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    serde_json::from_slice(text).map_err(|error| {
        ApiError::serialization(format!(
            "The request body is not valid JSON for this operation: {error}"
        ))
    })
}

/// Returns the ValidationException for a missing required member.
pub(crate) fn missing_member(member: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

/// Returns the `{identifier}` label of `/inference-profiles/{identifier}`,
/// percent-decoded exactly once (the SDK encodes an ARN's `:` and `/`).
pub(crate) fn profile_identifier(uri: &Uri) -> Result<String, ApiError> {
    let raw = uri
        .path()
        .strip_prefix("/inference-profiles/")
        .unwrap_or_default();
    decode_path_label(raw, "inference profile identifier")
}

/// Returns the `{modelId}` label of `/model/{modelId}/converse`,
/// percent-decoded exactly once, so that a double-encoded ARN stays encoded
/// and matches no model.
pub(crate) fn model_identifier(uri: &Uri) -> Result<String, ApiError> {
    let raw = uri
        .path()
        .strip_prefix("/model/")
        .and_then(|rest| rest.strip_suffix("/converse"))
        .unwrap_or_default();
    decode_path_label(raw, "model identifier")
}

fn decode_path_label(raw: &str, label: &str) -> Result<String, ApiError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| {
            ApiError::validation(format!(
                "The {label} '{raw}' is not valid UTF-8 after percent-decoding"
            ))
        })
}

/// Splits a query string into decoded parameters. A parameter given twice
/// is a SerializationException, since every query member is a single value.
pub(crate) fn query_params(query: Option<&str>) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_query_part(raw_key)?;
        let value = decode_query_part(raw_value)?;
        if params.contains_key(&key) {
            return Err(ApiError::serialization(format!(
                "The query parameter '{key}' appears more than once; send it once"
            )));
        }
        params.insert(key, value);
    }
    Ok(params)
}

fn decode_query_part(raw: &str) -> Result<String, ApiError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| {
            ApiError::serialization(format!(
                "The query text '{raw}' is not valid UTF-8 after percent-decoding"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers_with(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(authorization) {
            headers.insert(header::AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn region_comes_from_credential_scope() {
        let headers = headers_with(
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        );

        let region = request_region(&headers, "us-east-1");

        assert_eq!(region, "eu-west-1");
    }

    #[test]
    fn region_falls_back_to_default() {
        let cases = [
            "",
            "Bearer token",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/../bedrock/aws4_request",
        ];

        for authorization in cases {
            let region = request_region(&headers_with(authorization), "us-east-1");

            assert_eq!(region, "us-east-1", "{authorization}");
        }
    }

    #[test]
    fn identifier_is_decoded_once() {
        let uri: Uri = "/inference-profiles/arn%3Aaws%3Abedrock%3Aus-east-1%3A111122223333%3Aapplication-inference-profile%2Fabc%2541"
            .parse()
            .unwrap_or_default();

        let identifier = profile_identifier(&uri);

        assert_eq!(
            identifier,
            Ok(
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc%41"
                    .to_owned()
            )
        );
    }

    #[test]
    fn model_identifier_is_decoded_once() {
        let cases = [
            (
                "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A111122223333%3Aapplication-inference-profile%2Fhq2of259skzs/converse",
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs",
            ),
            (
                "/model/arn%253Aaws%253Abedrock/converse",
                "arn%3Aaws%3Abedrock",
            ),
            (
                "/model/amazon.nova-lite-v1:0/converse",
                "amazon.nova-lite-v1:0",
            ),
        ];

        for (path, expected) in cases {
            let uri: Uri = path.parse().unwrap_or_default();

            assert_eq!(model_identifier(&uri), Ok(expected.to_owned()), "{path}");
        }
    }

    #[test]
    fn identifier_with_invalid_utf8_is_rejected() {
        let uri: Uri = "/inference-profiles/%FF".parse().unwrap_or_default();

        let result = profile_identifier(&uri);

        assert!(result.is_err());
    }

    #[test]
    fn query_params_decode_and_reject_repeats() {
        let params = query_params(Some("type=APPLICATION&maxResults=2&nextToken=a%2Fb"));
        let repeated = query_params(Some("type=APPLICATION&type=SYSTEM_DEFINED"));

        let params = params.unwrap_or_default();
        assert_eq!(params.get("type").map(String::as_str), Some("APPLICATION"));
        assert_eq!(params.get("nextToken").map(String::as_str), Some("a/b"));
        assert!(repeated.is_err());
    }

    #[test]
    fn empty_body_parses_as_empty_object() {
        let parsed: Result<HashMap<String, String>, ApiError> =
            parse_json_body(Ok(Bytes::from_static(b"  ")));

        assert_eq!(parsed, Ok(HashMap::new()));
    }
}

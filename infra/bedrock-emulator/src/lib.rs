//! Local emulator of the Amazon Bedrock inference-profile control plane
//! (service `bedrock`) and of the runtime's Converse operation (service
//! `bedrock-runtime`), both restJson1, for tests and local runs.
//!
//! Point SDK clients of both services at [`RunningEmulator::endpoint_url`]
//! (or set `AWS_ENDPOINT_URL_BEDROCK` and `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
//! to that URL) and the emulator behaves like the real services for these
//! operations. Their paths do not overlap, so one server serves both.
//!
//! | Operation | Request | Success |
//! |---|---|---|
//! | CreateInferenceProfile | `POST /inference-profiles` | 201 `{inferenceProfileArn, status}` |
//! | GetInferenceProfile | `GET /inference-profiles/{idOrArn}` | 200 profile |
//! | ListInferenceProfiles | `GET /inference-profiles?type=&maxResults=&nextToken=` | 200 `{inferenceProfileSummaries, nextToken}` |
//! | DeleteInferenceProfile | `DELETE /inference-profiles/{idOrArn}` | 200, empty body |
//! | TagResource | `POST /tagResource` | 200 `{}` |
//! | UntagResource | `POST /untagResource` | 200 `{}` |
//! | ListTagsForResource | `POST /listTagsForResource` | 200 `{tags}` |
//! | Converse (`bedrock-runtime`) | `POST /model/{modelId}/converse` | 200 `{output, stopReason, usage, metrics}` |
//!
//! # What is emulated
//!
//! - Member validation with the service model's patterns and lengths (name,
//!   description, clientRequestToken, tag keys and values, identifiers,
//!   `copyFrom`, `maxResults`, `nextToken`). Errors carry the type in the
//!   `X-Amzn-Errortype` header and `{"message": ...}` in the body. Every
//!   response carries a random UUID-shaped `X-Amzn-Requestid`.
//! - Application profile ARNs
//!   `arn:aws:bedrock:{region}:{account}:application-inference-profile/{id}`
//!   with 12 lower-case alphanumeric ids. The region comes from the SigV4
//!   credential scope of the `Authorization` header (the signature is not
//!   checked), else from [`EmulatorConfig::default_region`]. Profiles, tags
//!   and tokens are kept per region.
//! - `createdAt` and `updatedAt` as RFC 3339 strings such as
//!   `2024-11-04T17:49:37.317261+00:00`.
//! - A fixed catalogue of foundation models and system-defined profiles
//!   ([`catalogue`]). A system profile is listed in its source regions, its
//!   ARN carries the account, and its `models` hold one foundation-model ARN
//!   per destination region. `global.*` profiles also list the region-less
//!   `arn:aws:bedrock:::foundation-model/{model}`. A profile copied from a
//!   system profile gets those `models`, and one copied from a foundation
//!   model gets that model's ARN.
//! - ListInferenceProfiles without `type` lists only system-defined profiles,
//!   as the service does. Pages follow creation order (catalogue order for
//!   system profiles) and `nextToken` is opaque.
//! - More than 50 tags on a resource, counting existing ones, is
//!   TooManyTagsException. A
//!   per-region quota of application profiles ([`EmulatorConfig::profile_quota`],
//!   1000 by default, as the service's default) is ServiceQuotaExceededException.
//!
//! ## Converse
//!
//! - `modelId` is a foundation model id or ARN, a system-defined profile id
//!   or ARN, or an application profile ARN, percent-decoded once from the
//!   path. A double-encoded ARN therefore matches nothing.
//! - The completion comes from the foundation model behind `modelId`: a system
//!   profile's model in the request's region (else its first destination),
//!   or an application profile's first model ARN in the request's region
//!   (else its first one). The completion is one fixed sentence that names that
//!   model, with `stopReason` `end_turn`.
//! - Token counts are deterministic ([`estimate_tokens`]): `inputTokens` is
//!   the number of characters (Unicode scalar values) in every `text` block
//!   of `system` and `messages`, divided by [`CHARACTERS_PER_TOKEN`] (4) and
//!   rounded up, and at least 1. Images, documents and tool blocks count 0.
//!   `outputTokens` follows the same rule for the completion, and
//!   `totalTokens` is their sum. With `inferenceConfig.maxTokens` below the
//!   completion's tokens, the completion is cut to `maxTokens * 4` characters,
//!   `outputTokens` is `maxTokens` and `stopReason` is `max_tokens`.
//! - `metrics.latencyMs` is the measured time of the request, injected
//!   latency included.
//! - Checks: `messages` must be present and not empty, start with a `user`
//!   message and alternate roles, and every message needs content
//!   (ValidationException). `maxTokens` must be at least 1, `temperature`
//!   and `topP` between 0 and 1 (ValidationException). A content block
//!   that is not a union with exactly one member, or a `text` that is not
//!   a string, is SerializationException. Members such as `toolConfig` are
//!   accepted and ignored.
//! - An unknown or deleted model or profile, and a profile ARN of another
//!   region or account, is ResourceNotFoundException (404).
//!
//! ## Usage metrics
//!
//! After each successful Converse call the emulator adds the call to its
//! usage totals per `ModelId` and, when
//! [`EmulatorConfig::cloudwatch_endpoint`] is set, sends PutMetricData to
//! that endpoint in the request's region: namespace [`METRIC_NAMESPACE`]
//! (`AWS/Bedrock`), metrics `Invocations` (Count, 1), `InputTokenCount` and
//! `OutputTokenCount` (Count) and `InvocationLatency` (Milliseconds), with
//! the dimension `ModelId`. Its value is the caller's `modelId`, except
//! that an application profile ARN gives the profile id (the last ARN
//! segment). The call runs in the background with test credentials, so a
//! failing endpoint only logs a warning and never fails Converse.
//!
//! # Admin API (not part of AWS)
//!
//! - `POST /_emulator/faults` adds a [`FaultSpec`]:
//!   `{"operation": "CreateInferenceProfile" | ... | "*", "error": "ThrottlingException",
//!   "count": 2, "probability": 0.5, "latencyMs": 100, "message": "..."}`.
//!   `error` or `latencyMs` is required, the rest is optional. It returns 201
//!   with the rule and its `id`. Faults are checked before the operation runs,
//!   so a failed request changes nothing, and an injected error looks exactly
//!   like a real one. An error that the operation does not model (such as
//!   ConflictException on GetInferenceProfile) reaches the SDK as an
//!   unhandled error.
//! - `GET /_emulator/faults` lists the rules, `DELETE /_emulator/faults`
//!   removes all of them, `DELETE /_emulator/faults/{id}` removes one.
//! - `GET /_emulator/calls` returns `{"operations": {"CreateInferenceProfile":
//!   {"received", "succeeded", "failed", "injectedFailures"}, ...}}`.
//! - `GET /_emulator/usage` returns the Converse usage totals per `ModelId`,
//!   summed over regions, and the PutMetricData outcomes:
//!   `{"models": {"hq2of259skzs": {"invocations", "inputTokens",
//!   "outputTokens", "foundationModelArns"}, ...}, "cloudWatch": {"endpoint",
//!   "putMetricData": {"published", "failed"}}}`. Without a CloudWatch
//!   endpoint, `endpoint` and `putMetricData` are null.
//! - `POST /_emulator/reset` removes application profiles, tags, remembered
//!   tokens, fault rules, counters and usage totals, and restores the
//!   configured quota. The system-defined catalogue stays, and so do metrics
//!   already sent to CloudWatch.
//! - `GET /_emulator/config` returns `{accountId, defaultRegion, profileQuota,
//!   cloudwatchEndpoint}`,
//!   and `PUT /_emulator/config {"profileQuota": N}` changes the quota.
//! - `GET /_emulator/health` returns `{"status": "ok"}`.
//!
//! The same controls exist in-process on [`Emulator`].
//!
//! # Assumptions where the service's behaviour is undocumented
//!
//! - A replayed `clientRequestToken` with the same name, description,
//!   `copyFrom` and tags returns 201 with the original ARN and creates
//!   nothing, even after that profile was deleted. Tokens are remembered per
//!   region for the server's lifetime, until a reset. The same token with
//!   different parameters is ConflictException.
//! - Profile names are unique per region, compared case-sensitively, and a
//!   duplicate name is ConflictException.
//! - `copyFrom` is ValidationException when it is malformed, is an
//!   application-profile ARN, has an account id in a foundation-model ARN,
//!   lacks the account or names another account in a system-profile ARN, or
//!   names another partition or a region other than the request's. A
//!   well-formed source that the catalogue lacks in the request's region is
//!   ResourceNotFoundException.
//! - Tag keys starting with `aws:` in any letter case are ValidationException
//!   (the generic AWS rule), and so is a key given twice in one request.
//!   ListTagsForResource returns tags in the order their keys were first set.
//! - System profiles cannot be deleted (ValidationException) or tagged
//!   (TagResource and UntagResource return ValidationException), and
//!   ListTagsForResource returns no tags for them.
//! - ARNs of other regions or accounts, and of other Bedrock resource types,
//!   are ResourceNotFoundException. A bare id is looked up among
//!   application profiles first, then system profiles.
//! - ListInferenceProfiles returns 100 profiles per page without `maxResults`.
//!   A token from another `type` filter or not issued by the emulator is
//!   ValidationException. Deleting profiles between pages neither repeats nor
//!   skips the remaining ones.
//! - An unreadable body, a member of the wrong JSON type or a non-integer
//!   `maxResults` is 400 SerializationException, as restJson1 services
//!   return for requests they cannot parse. A missing required member is
//!   ValidationException, and an empty body counts as `{}`.
//! - UntagResource accepts at most 200 keys and ignores keys the resource lacks.
//! - Unknown paths and methods are 404 UnknownOperationException.
//! - A request without a usable SigV4 credential scope acts in the default region.
//!   The scope's service name (`bedrock` or `bedrock-runtime`) is not checked.
//! - Converse accepts an application profile only by ARN, as AWS documents
//!   it. A bare application profile id is ResourceNotFoundException.
//! - Users of the real runtime report 400 ValidationException "The provided
//!   model identifier is invalid." for model ids it does not know. The
//!   emulator returns ResourceNotFoundException for every model or profile
//!   it cannot find, so callers should handle both. Its error messages are
//!   its own wording.
//! - `ModelId` of an application profile's metrics is the profile id, as AWS
//!   samples query it. The official metric documentation does not confirm it.

mod arn;
pub mod catalogue;
mod cloudwatch;
mod config;
mod converse;
mod emulator;
mod error;
mod faults;
mod model_source;
mod model_target;
mod pagination;
mod profile;
mod routes;
mod server;
mod store;
mod usage;
mod validation;

pub use cloudwatch::{METRIC_NAMESPACE, MODEL_ID_DIMENSION, PublishCounts};
pub use config::{
    ConfigError, DEFAULT_ACCOUNT_ID, DEFAULT_PROFILE_QUOTA, DEFAULT_REGION, EmulatorConfig,
};
pub use converse::{CHARACTERS_PER_TOKEN, estimate_tokens};
pub use emulator::Emulator;
pub use error::{ApiError, ERROR_TYPE_HEADER, ErrorKind};
pub use faults::{
    CallCount, FaultRule, FaultSpec, InvalidFault, MAX_FAULT_LATENCY_MS, Operation,
    OperationSelector,
};
pub use routes::REQUEST_ID_HEADER;
pub use server::{RunningEmulator, serve, start, start_on};
pub use usage::ModelUsage;

/// Builds the HTTP router for `emulator`, for callers that run their own server.
pub fn router(emulator: &Emulator) -> axum::Router {
    emulator.router()
}

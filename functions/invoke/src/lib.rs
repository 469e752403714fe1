//! An example of the request path: an API Gateway HTTP API Lambda that takes
//! the tenant id from a verified JWT, resolves the tenant's application
//! inference profile from the registry, and calls Bedrock Converse with the
//! profile ARN as the model id, in the profile's region.
//!
//! A caller may name a model key (`"model": "nova-lite"`) or pass a `modelId`;
//! any `modelId` other than one of the tenant's own profile ARNs is refused
//! before Bedrock is called, so no request can bypass the tagged profile.

mod jwt;

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::SdkConfig;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use serde_json::{Value, json};
use tenancy::ports::TenantRegistry;
use tenant_resolver::{ResolveError, ResolvedProfile, Resolver};
use tracing::{info, warn};

pub use jwt::{JwtVerifier, TokenError};

/// Maximum prompt length accepted, in characters; a guard for the example, not a Bedrock limit.
const MAX_PROMPT_CHARS: usize = 20_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvokeRequest {
    prompt: String,
    model: Option<String>,
    model_id: Option<String>,
}

/// The Lambda's state: verifier, resolver and one runtime client per region.
pub struct InvokeHandler<R> {
    verifier: JwtVerifier,
    resolver: Resolver<R>,
    sdk: SdkConfig,
    clients: Mutex<HashMap<String, aws_sdk_bedrockruntime::Client>>,
}

impl<R: TenantRegistry> InvokeHandler<R> {
    pub fn new(verifier: JwtVerifier, resolver: Resolver<R>, sdk: SdkConfig) -> Self {
        Self {
            verifier,
            resolver,
            sdk,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Handles one HTTP request; every outcome is an HTTP response.
    pub async fn handle(
        &self,
        event: LambdaEvent<ApiGatewayV2httpRequest>,
    ) -> Result<ApiGatewayV2httpResponse, lambda_runtime::Error> {
        Ok(match self.respond(event.payload).await {
            Ok(body) => response(200, &body),
            Err((status, message)) => response(status, &json!({"message": message})),
        })
    }

    async fn respond(&self, request: ApiGatewayV2httpRequest) -> Result<Value, (i64, String)> {
        let authorization = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        let tenant_id = self.verifier.tenant_id(authorization).map_err(|error| {
            warn!(error = %error, "rejected request token");
            (401, error.to_string())
        })?;
        let body = request.body.as_deref().unwrap_or_default();
        let body: InvokeRequest = serde_json::from_str(body)
            .map_err(|error| (400, format!("invalid request body: {error}")))?;
        if body.prompt.is_empty() || body.prompt.chars().count() > MAX_PROMPT_CHARS {
            return Err((
                400,
                format!("prompt must be 1 to {MAX_PROMPT_CHARS} characters"),
            ));
        }

        let profile = self.resolve(&tenant_id, &body).await?;
        let client = self.client_for(&profile.region);
        let output = client
            .converse()
            .model_id(&profile.profile_arn)
            .messages(
                Message::builder()
                    .role(ConversationRole::User)
                    .content(ContentBlock::Text(body.prompt))
                    .build()
                    .map_err(|error| (500, error.to_string()))?,
            )
            .send()
            .await
            .map_err(|error| {
                let error = aws_sdk_bedrockruntime::error::DisplayErrorContext(&error).to_string();
                warn!(tenant_id = %tenant_id, profile_arn = %profile.profile_arn, error = %error, "Converse failed");
                (502, format!("Bedrock Converse failed: {error}"))
            })?;

        let answer: String = output
            .output()
            .and_then(|o| o.as_message().ok())
            .map(|message| {
                message
                    .content()
                    .iter()
                    .filter_map(|block| block.as_text().ok().cloned())
                    .collect::<Vec<_>>()
                    .join("")
            })
            .unwrap_or_default();
        let usage = output.usage().map(|u| {
            json!({"inputTokens": u.input_tokens(), "outputTokens": u.output_tokens(), "totalTokens": u.total_tokens()})
        });
        info!(tenant_id = %tenant_id, profile_arn = %profile.profile_arn, "converse through tenant profile");
        Ok(json!({
            "tenantId": tenant_id,
            "model": profile.model,
            "profileArn": profile.profile_arn,
            "answer": answer,
            "usage": usage,
        }))
    }

    /// Resolves the profile and refuses any model id that is not one of the tenant's profiles.
    async fn resolve(
        &self,
        tenant_id: &str,
        body: &InvokeRequest,
    ) -> Result<ResolvedProfile, (i64, String)> {
        let result = match &body.model_id {
            Some(model_id) => self.resolver.resolve_by_arn(tenant_id, model_id).await,
            None => {
                self.resolver
                    .resolve(tenant_id, body.model.as_deref())
                    .await
            }
        };
        result.map_err(|error| {
            let status = match (&error, &body.model_id) {
                (ResolveError::UnknownModel { .. }, Some(_)) => 403,
                (ResolveError::UnknownTenant(_) | ResolveError::NotActive { .. }, _) => 403,
                (ResolveError::UnknownModel { .. } | ResolveError::ModelRequired { .. }, _) => 400,
                (ResolveError::Registry(_), _) => 503,
            };
            warn!(tenant_id, error = %error, status, "request rejected");
            let message = match (&error, &body.model_id) {
                (ResolveError::UnknownModel { .. }, Some(model_id)) => format!(
                    "modelId {model_id} is not one of tenant {tenant_id}'s inference profile ARNs; \
                     pass one of its profile ARNs or name a model"
                ),
                _ => error.to_string(),
            };
            (status, message)
        })
    }

    fn client_for(&self, region: &str) -> aws_sdk_bedrockruntime::Client {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .entry(region.to_owned())
            .or_insert_with(|| {
                let config = aws_sdk_bedrockruntime::config::Builder::from(&self.sdk)
                    .region(aws_sdk_bedrockruntime::config::Region::new(
                        region.to_owned(),
                    ))
                    .build();
                aws_sdk_bedrockruntime::Client::from_conf(config)
            })
            .clone()
    }
}

fn response(status: i64, body: &Value) -> ApiGatewayV2httpResponse {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = status;
    if let Ok(value) = "application/json".parse() {
        response.headers.insert("content-type", value);
    }
    response.body = Some(Body::Text(body.to_string()));
    response
}

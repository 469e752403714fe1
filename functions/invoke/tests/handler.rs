//! The example handler's checks that run before Bedrock is called: the token,
//! the body and the model id. Bedrock points at a closed port, so any call
//! would answer 502, never 401, 400 or 403.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region};
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use invoke::{InvokeHandler, JwtVerifier};
use jsonwebtoken::{EncodingKey, Header, encode};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use tenancy::domain::TenantStatus;
use tenancy::memory::{InMemoryRegistry, sample_record};
use tenant_resolver::Resolver;

const SECRET: &[u8] = b"test-secret-of-enough-length-for-hs256";
const ISSUER: &str = "https://auth.example";
const AUDIENCE: &str = "saas-api";

fn token(claims: Value, secret: &[u8]) -> String {
    let key = EncodingKey::from_secret(secret).expect("HMAC key");
    encode(&Header::default(), &claims, &key).expect("token encodes")
}

fn valid_claims(tenant: &str) -> Value {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 600;
    json!({"tenant_id": tenant, "iss": ISSUER, "aud": AUDIENCE, "exp": exp})
}

fn request(token: Option<&str>, body: Value) -> LambdaEvent<ApiGatewayV2httpRequest> {
    let mut request = ApiGatewayV2httpRequest::default();
    if let Some(token) = token {
        request.headers.insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header value"),
        );
    }
    request.body = Some(body.to_string());
    LambdaEvent::new(request, Context::default())
}

async fn call(
    registry: &InMemoryRegistry,
    event: LambdaEvent<ApiGatewayV2httpRequest>,
) -> (i64, Value) {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(aws_credential_types::Credentials::new(
            "a", "b", None, None, "test",
        ))
        .load()
        .await;
    let verifier = JwtVerifier::hs256(SECRET, ISSUER, AUDIENCE, "tenant_id").expect("verifier");
    let handler = InvokeHandler::new(
        verifier,
        Resolver::new(registry, Duration::from_secs(60)),
        sdk,
    );
    let response = handler
        .handle(event)
        .await
        .expect("always an HTTP response");
    let body = match response.body {
        Some(Body::Text(text)) => serde_json::from_str(&text).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    };
    (response.status_code, body)
}

#[tokio::test]
async fn token_problems_are_401() {
    let registry = InMemoryRegistry::default();
    let expired =
        json!({"tenant_id": "acme", "iss": ISSUER, "aud": AUDIENCE, "exp": 1_000_000_000});
    let wrong_audience =
        json!({"tenant_id": "acme", "iss": ISSUER, "aud": "other", "exp": 9_999_999_999u64});
    let no_claim = json!({"iss": ISSUER, "aud": AUDIENCE, "exp": 9_999_999_999u64});
    let cases = [
        (None, "missing bearer token"),
        (
            Some(token(
                valid_claims("acme"),
                b"another-secret-of-enough-length-here",
            )),
            "invalid token",
        ),
        (Some(token(expired, SECRET)), "invalid token"),
        (Some(token(wrong_audience, SECRET)), "invalid token"),
        (Some(token(no_claim, SECRET)), "no string claim tenant_id"),
    ];

    for (token, expected) in cases {
        let (status, body) = call(
            &registry,
            request(token.as_deref(), json!({"prompt": "hi"})),
        )
        .await;

        assert_eq!(status, 401, "{expected}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(expected),
            "{body}"
        );
    }
    assert_eq!(
        registry.reads(),
        0,
        "no registry read without a valid token"
    );
}

#[tokio::test]
async fn foreign_model_ids_are_refused() {
    let registry = InMemoryRegistry::default();
    registry.put(sample_record("acme", TenantStatus::Active, &["nova-lite"]));
    registry.put(sample_record(
        "globex",
        TenantStatus::Active,
        &["nova-lite"],
    ));
    let token = token(valid_claims("acme"), SECRET);
    let foreign = [
        "amazon.nova-lite-v1:0",
        "arn:aws:bedrock:eu-west-1::foundation-model/nova-lite-v1:0",
        "eu.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/999999999999",
    ];

    for model_id in foreign {
        let body = json!({"prompt": "hi", "modelId": model_id});

        let (status, response) = call(&registry, request(Some(&token), body)).await;

        assert_eq!(status, 403, "{model_id}: {response}");
        let message = response["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("is not one of tenant acme's inference profile ARNs"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn inactive_tenant_and_bad_body_are_refused() {
    let registry = InMemoryRegistry::default();
    registry.put(sample_record(
        "gone",
        TenantStatus::Offboarded,
        &["nova-lite"],
    ));
    registry.put(sample_record(
        "acme",
        TenantStatus::Active,
        &["nova-lite", "claude-haiku"],
    ));

    let (offboarded, _) = call(
        &registry,
        request(
            Some(&token(valid_claims("gone"), SECRET)),
            json!({"prompt": "hi"}),
        ),
    )
    .await;
    let acme = token(valid_claims("acme"), SECRET);
    let (no_prompt, _) = call(
        &registry,
        request(Some(&acme), json!({"model": "nova-lite"})),
    )
    .await;
    let (no_model, _) = call(&registry, request(Some(&acme), json!({"prompt": "hi"}))).await;

    assert_eq!(offboarded, 403);
    assert_eq!(no_prompt, 400);
    assert_eq!(no_model, 400, "two models and none named");
}

#[tokio::test]
async fn own_profile_reaches_bedrock() {
    let registry = InMemoryRegistry::default();
    registry.put(sample_record("acme", TenantStatus::Active, &["nova-lite"]));
    let token = token(valid_claims("acme"), SECRET);

    let (status, body) = call(&registry, request(Some(&token), json!({"prompt": "hi"}))).await;

    assert_eq!(
        status, 502,
        "the closed Bedrock port fails the call: {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Converse failed"),
        "{body}"
    );
}

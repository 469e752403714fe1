//! Success paths of the profile operations through the SDK.

use aws_config::retry::RetryConfig;
use aws_sdk_bedrock::operation::get_inference_profile::GetInferenceProfileError;
use aws_sdk_bedrock::primitives::DateTime;
use aws_sdk_bedrock::types::{InferenceProfileStatus, InferenceProfileType};

use crate::helpers::{
    ACCOUNT_ID, NOVA_LITE_ARN, SONNET_4_US_PROFILE_ARN, TestApp, copy_from, profile_id, sdk_client,
};

fn model_arns(models: &[aws_sdk_bedrock::types::InferenceProfileModel]) -> Vec<&str> {
    models
        .iter()
        .filter_map(|model| model.model_arn())
        .collect()
}

#[tokio::test]
async fn create_returns_application_profile_arn() {
    let app = TestApp::start().await;

    let output = app
        .client
        .create_inference_profile()
        .inference_profile_name("tenant-0042")
        .description("Tenant 42 profile")
        .model_source(copy_from(NOVA_LITE_ARN))
        .send()
        .await;

    let output = output.unwrap_or_else(|error| panic!("create failed: {error:?}"));
    let arn = output.inference_profile_arn();
    let prefix = format!("arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/");
    assert!(arn.starts_with(&prefix), "{arn}");
    let id = profile_id(arn);
    assert_eq!(id.len(), 12, "{arn}");
    assert!(
        id.bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()),
        "{arn}"
    );
    assert_eq!(output.status(), Some(&InferenceProfileStatus::Active));
}

#[tokio::test]
async fn get_accepts_id_and_arn() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;

    let by_id = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(profile_id(&arn))
        .send()
        .await;
    let by_arn = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;

    let by_id = by_id.unwrap_or_else(|error| panic!("get by id failed: {error:?}"));
    let by_arn = by_arn.unwrap_or_else(|error| panic!("get by ARN failed: {error:?}"));
    assert_eq!(by_id.inference_profile_arn(), arn);
    assert_eq!(by_arn.inference_profile_arn(), arn);
    assert_eq!(by_arn.inference_profile_id(), profile_id(&arn));
    assert_eq!(by_arn.inference_profile_name(), "tenant-1");
    assert_eq!(by_arn.r#type(), &InferenceProfileType::Application);
    assert_eq!(by_arn.status(), &InferenceProfileStatus::Active);
    assert_eq!(by_arn.description(), None);
    assert_eq!(model_arns(by_arn.models()), [NOVA_LITE_ARN]);
}

#[tokio::test]
async fn created_at_parses_as_recent_date_time() {
    let app = TestApp::start().await;
    let before = DateTime::from(std::time::SystemTime::now()).secs();
    let arn = app.create_profile("tenant-1").await;

    let output = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;

    let output = output.unwrap_or_else(|error| panic!("get failed: {error:?}"));
    let created_at = output.created_at().map(DateTime::secs);
    let updated_at = output.updated_at().map(DateTime::secs);
    assert!(
        created_at.is_some_and(|secs| (before - 1..=before + 60).contains(&secs)),
        "{created_at:?}"
    );
    assert_eq!(updated_at, created_at);
}

#[tokio::test]
async fn copy_from_system_profile_lists_its_regions() {
    let app = TestApp::start().await;
    let created = app
        .client
        .create_inference_profile()
        .inference_profile_name("tenant-sonnet")
        .model_source(copy_from(SONNET_4_US_PROFILE_ARN))
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));

    let output = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(created.inference_profile_arn())
        .send()
        .await;

    let output = output.unwrap_or_else(|error| panic!("get failed: {error:?}"));
    assert_eq!(
        model_arns(output.models()),
        [
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
        ]
    );
}

#[tokio::test]
async fn copy_from_global_profile_lists_regionless_model() {
    let app = TestApp::start().await;
    let source = format!(
        "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0"
    );
    let created = app
        .client
        .create_inference_profile()
        .inference_profile_name("tenant-global")
        .model_source(copy_from(&source))
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));

    let output = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(created.inference_profile_arn())
        .send()
        .await;

    let output = output.unwrap_or_else(|error| panic!("get failed: {error:?}"));
    let arns = model_arns(output.models());
    assert!(
        arns.contains(
            &"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
        ),
        "{arns:?}"
    );
    assert!(
        arns.contains(
            &"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
        ),
        "{arns:?}"
    );
}

#[tokio::test]
async fn get_system_profile_by_id_and_arn() {
    let app = TestApp::start().await;
    let id = "us.anthropic.claude-sonnet-4-20250514-v1:0";

    let by_id = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(id)
        .send()
        .await;
    let by_arn = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(SONNET_4_US_PROFILE_ARN)
        .send()
        .await;

    let by_id = by_id.unwrap_or_else(|error| panic!("get by id failed: {error:?}"));
    let by_arn = by_arn.unwrap_or_else(|error| panic!("get by ARN failed: {error:?}"));
    assert_eq!(by_id.inference_profile_arn(), SONNET_4_US_PROFILE_ARN);
    assert_eq!(by_arn.inference_profile_id(), id);
    assert_eq!(by_arn.r#type(), &InferenceProfileType::SystemDefined);
    assert_eq!(by_arn.models().len(), 3);
}

#[tokio::test]
async fn list_without_type_returns_only_system_profiles() {
    let app = TestApp::start().await;
    let _ = app.create_profile("tenant-1").await;

    let output = app.client.list_inference_profiles().send().await;

    let output = output.unwrap_or_else(|error| panic!("list failed: {error:?}"));
    let summaries = output.inference_profile_summaries();
    assert!(!summaries.is_empty());
    assert!(
        summaries
            .iter()
            .all(|summary| summary.r#type() == &InferenceProfileType::SystemDefined)
    );
    assert!(
        summaries
            .iter()
            .any(|summary| summary.inference_profile_id() == "us.amazon.nova-lite-v1:0")
    );
    assert!(
        summaries
            .iter()
            .all(|summary| !summary.inference_profile_id().starts_with("eu."))
    );
    assert_eq!(output.next_token(), None);
}

#[tokio::test]
async fn list_application_returns_created_profiles() {
    let app = TestApp::start().await;
    let first = app.create_profile("tenant-1").await;
    let second = app.create_profile("tenant-2").await;

    let output = app
        .client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::Application)
        .send()
        .await;

    let output = output.unwrap_or_else(|error| panic!("list failed: {error:?}"));
    let arns: Vec<&str> = output
        .inference_profile_summaries()
        .iter()
        .map(|summary| summary.inference_profile_arn())
        .collect();
    assert_eq!(arns, [first.as_str(), second.as_str()]);
    assert!(
        output
            .inference_profile_summaries()
            .iter()
            .all(|summary| summary.created_at().is_some())
    );
}

#[tokio::test]
async fn list_pages_with_max_results_two() {
    let app = TestApp::start().await;
    let mut created = Vec::new();
    for index in 1..=5 {
        created.push(app.create_profile(&format!("tenant-{index}")).await);
    }

    let mut pages = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let output = app
            .client
            .list_inference_profiles()
            .type_equals(InferenceProfileType::Application)
            .max_results(2)
            .set_next_token(next_token.clone())
            .send()
            .await
            .unwrap_or_else(|error| panic!("list failed: {error:?}"));
        let arns: Vec<String> = output
            .inference_profile_summaries()
            .iter()
            .map(|summary| summary.inference_profile_arn().to_owned())
            .collect();
        pages.push(arns);
        next_token = output.next_token().map(str::to_owned);
        if next_token.is_none() || pages.len() > 5 {
            break;
        }
    }

    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(pages.concat(), created);
}

#[tokio::test]
async fn paginator_collects_system_profiles() {
    let app = TestApp::start().await;
    let all = app.client.list_inference_profiles().send().await;

    let paged: Result<Vec<_>, _> = app
        .client
        .list_inference_profiles()
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;

    let all = all.unwrap_or_else(|error| panic!("list failed: {error:?}"));
    let paged = paged.unwrap_or_else(|error| panic!("paged list failed: {error:?}"));
    assert_eq!(paged, all.inference_profile_summaries());
}

#[tokio::test]
async fn delete_then_get_is_not_found() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;

    let deleted = app
        .client
        .delete_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;
    let get = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;

    assert!(deleted.is_ok(), "{deleted:?}");
    let error = get.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            error,
            Some(GetInferenceProfileError::ResourceNotFoundException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn region_comes_from_request_signature() {
    let app = TestApp::start().await;
    let eu_client = sdk_client(
        &app.server.endpoint_url(),
        "eu-west-1",
        RetryConfig::disabled(),
    )
    .await;
    let created = eu_client
        .create_inference_profile()
        .inference_profile_name("tenant-eu")
        .model_source(copy_from(
            "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0",
        ))
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));
    let arn = created.inference_profile_arn();

    let from_us = app
        .client
        .get_inference_profile()
        .inference_profile_identifier(arn)
        .send()
        .await;
    let eu_systems = eu_client.list_inference_profiles().send().await;

    assert!(
        arn.starts_with("arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/"),
        "{arn}"
    );
    let error = from_us.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            error,
            Some(GetInferenceProfileError::ResourceNotFoundException(_))
        ),
        "{error:?}"
    );
    let eu_systems = eu_systems.unwrap_or_else(|error| panic!("list failed: {error:?}"));
    assert!(
        eu_systems
            .inference_profile_summaries()
            .iter()
            .any(|summary| summary.inference_profile_arn()
                == "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-lite-v1:0")
    );
}

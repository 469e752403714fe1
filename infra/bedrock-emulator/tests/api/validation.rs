//! Rejected requests, checked through the SDK's modeled error variants.

use aws_sdk_bedrock::operation::create_inference_profile::CreateInferenceProfileError;
use aws_sdk_bedrock::operation::delete_inference_profile::DeleteInferenceProfileError;
use aws_sdk_bedrock::operation::get_inference_profile::GetInferenceProfileError;
use aws_sdk_bedrock::operation::list_inference_profiles::ListInferenceProfilesError;
use aws_sdk_bedrock::types::{InferenceProfileType, Tag};
use bedrock_emulator::EmulatorConfig;

use crate::helpers::{ACCOUNT_ID, NOVA_LITE_ARN, SONNET_4_US_PROFILE_ARN, TestApp, copy_from, tag};

/// Members of one CreateInferenceProfile call, with valid defaults.
struct CreateCase {
    name: &'static str,
    profile_name: String,
    description: Option<String>,
    token: Option<String>,
    copy_from: String,
    tags: Vec<Tag>,
}

impl CreateCase {
    fn new(name: &'static str) -> CreateCase {
        CreateCase {
            name,
            profile_name: "tenant-1".to_owned(),
            description: None,
            token: None,
            copy_from: NOVA_LITE_ARN.to_owned(),
            tags: Vec::new(),
        }
    }

    fn profile_name(mut self, value: impl Into<String>) -> Self {
        self.profile_name = value.into();
        self
    }

    fn description(mut self, value: impl Into<String>) -> Self {
        self.description = Some(value.into());
        self
    }

    fn token(mut self, value: impl Into<String>) -> Self {
        self.token = Some(value.into());
        self
    }

    fn copy_from(mut self, value: impl Into<String>) -> Self {
        self.copy_from = value.into();
        self
    }

    fn tags(mut self, tags: Vec<Tag>) -> Self {
        self.tags = tags;
        self
    }
}

async fn create_error(app: &TestApp, case: &CreateCase) -> Option<CreateInferenceProfileError> {
    app.client
        .create_inference_profile()
        .inference_profile_name(&case.profile_name)
        .set_description(case.description.clone())
        .set_client_request_token(case.token.clone())
        .model_source(copy_from(&case.copy_from))
        .set_tags(Some(case.tags.clone()))
        .send()
        .await
        .err()
        .map(|error| error.into_service_error())
}

#[tokio::test]
async fn create_rejects_invalid_members() {
    let app = TestApp::start().await;
    let cases = [
        CreateCase::new("name with dot").profile_name("tenant.1"),
        CreateCase::new("name with slash").profile_name("tenant/1"),
        CreateCase::new("name with colon").profile_name("tenant:1"),
        CreateCase::new("name with double separator").profile_name("tenant--1"),
        CreateCase::new("name with leading separator").profile_name("-tenant"),
        CreateCase::new("name of 65 characters").profile_name("a".repeat(65)),
        CreateCase::new("empty name").profile_name(""),
        CreateCase::new("description with comma").description("tenant 1, premium"),
        CreateCase::new("description of 201 characters").description("d".repeat(201)),
        CreateCase::new("token with underscore").token("tenant_1"),
        CreateCase::new("token with trailing hyphen").token("tenant-1-"),
        CreateCase::new("token of 257 characters").token("t".repeat(257)),
        CreateCase::new("foundation model with account").copy_from(format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:foundation-model/amazon.nova-lite-v1:0"
        )),
        CreateCase::new("application profile as source").copy_from(format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/hq2of259skzs"
        )),
        CreateCase::new("system profile without account")
            .copy_from("arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-lite-v1:0"),
        CreateCase::new("model id instead of ARN").copy_from("amazon.nova-lite-v1:0"),
        CreateCase::new("source in other region")
            .copy_from("arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0"),
        CreateCase::new("tag value with comma").tags(vec![tag("team", "a,b")]),
        CreateCase::new("tag value with non-ASCII letter").tags(vec![tag("team", "café")]),
        CreateCase::new("tag key with aws prefix").tags(vec![tag("aws:team", "a")]),
        CreateCase::new("empty tag key").tags(vec![tag("", "a")]),
        CreateCase::new("duplicate tag key").tags(vec![tag("team", "a"), tag("team", "b")]),
    ];

    for case in &cases {
        let error = create_error(&app, case).await;

        assert!(
            matches!(
                error,
                Some(CreateInferenceProfileError::ValidationException(_))
            ),
            "{}: {error:?}",
            case.name
        );
    }
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 0);
}

#[tokio::test]
async fn create_rejects_unknown_sources_as_not_found() {
    let app = TestApp::start().await;
    let cases = [
        CreateCase::new("unknown foundation model")
            .copy_from("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-giga-v9:0"),
        CreateCase::new("system profile of other geography").copy_from(format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:inference-profile/eu.amazon.nova-lite-v1:0"
        )),
    ];

    for case in &cases {
        let error = create_error(&app, case).await;

        assert!(
            matches!(
                error,
                Some(CreateInferenceProfileError::ResourceNotFoundException(_))
            ),
            "{}: {error:?}",
            case.name
        );
    }
}

#[tokio::test]
async fn create_accepts_boundary_values() {
    let app = TestApp::start().await;
    let fifty_tags: Vec<Tag> = (0..50)
        .map(|index| tag(&format!("key-{index}"), ""))
        .collect();
    let cases = [
        CreateCase::new("name of 64 characters").profile_name("a".repeat(64)),
        CreateCase::new("name with single separators").profile_name("Tenant 1_a-b"),
        CreateCase::new("description with dots and colons")
            .profile_name("t2")
            .description("v1.2: tenant 2"),
        CreateCase::new("token of 256 characters")
            .profile_name("t3")
            .token("t".repeat(256)),
        CreateCase::new("system profile source")
            .profile_name("t4")
            .copy_from(SONNET_4_US_PROFILE_ARN),
        CreateCase::new("fifty tags with empty values")
            .profile_name("t5")
            .tags(fifty_tags),
    ];

    for case in &cases {
        let error = create_error(&app, case).await;

        assert!(error.is_none(), "{}: {error:?}", case.name);
    }
}

#[tokio::test]
async fn create_rejects_fifty_one_tags() {
    let app = TestApp::start().await;
    let tags: Vec<Tag> = (0..51)
        .map(|index| tag(&format!("key-{index}"), "v"))
        .collect();
    let case = CreateCase::new("51 tags").tags(tags);

    let error = create_error(&app, &case).await;

    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::TooManyTagsException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_rejects_duplicate_name() {
    let app = TestApp::start().await;
    let _ = app.create_profile("tenant-1").await;

    let error = create_error(&app, &CreateCase::new("duplicate name")).await;

    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::ConflictException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_replays_token_with_same_arn() {
    let app = TestApp::start().await;
    let request = || {
        app.client
            .create_inference_profile()
            .inference_profile_name("tenant-1")
            .client_request_token("onboard-tenant-1")
            .model_source(copy_from(NOVA_LITE_ARN))
            .tags(tag("tenant", "1"))
    };
    let first = request()
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));

    let replay = request().send().await;

    let replay = replay.unwrap_or_else(|error| panic!("replay failed: {error:?}"));
    assert_eq!(
        replay.inference_profile_arn(),
        first.inference_profile_arn()
    );
    assert_eq!(app.emulator().application_profile_count("us-east-1"), 1);
}

#[tokio::test]
async fn create_rejects_token_reused_with_other_name() {
    let app = TestApp::start().await;
    let token = "onboard-tenant-1";
    let first = CreateCase::new("first").token(token);
    let second = CreateCase::new("second")
        .token(token)
        .profile_name("tenant-2");
    let _ = create_error(&app, &first).await;

    let error = create_error(&app, &second).await;

    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::ConflictException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_stops_at_profile_quota() {
    let config = EmulatorConfig {
        profile_quota: 2,
        ..EmulatorConfig::default()
    };
    let app = TestApp::start_with(config).await;
    let _ = app.create_profile("tenant-1").await;
    let _ = app.create_profile("tenant-2").await;

    let error = create_error(&app, &CreateCase::new("third").profile_name("tenant-3")).await;

    assert!(
        matches!(
            error,
            Some(CreateInferenceProfileError::ServiceQuotaExceededException(
                _
            ))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn list_rejects_invalid_paging() {
    let app = TestApp::start().await;
    let cases: [(&str, Option<i32>, Option<&str>); 4] = [
        ("max results zero", Some(0), None),
        ("max results 1001", Some(1001), None),
        ("token never issued", None, Some("bm90LWEtdG9rZW4")),
        ("token with whitespace", None, Some("a b")),
    ];

    for (name, max_results, next_token) in cases {
        let error = app
            .client
            .list_inference_profiles()
            .type_equals(InferenceProfileType::Application)
            .set_max_results(max_results)
            .set_next_token(next_token.map(str::to_owned))
            .send()
            .await
            .err()
            .map(|error| error.into_service_error());

        assert!(
            matches!(
                error,
                Some(ListInferenceProfilesError::ValidationException(_))
            ),
            "{name}: {error:?}"
        );
    }
}

#[tokio::test]
async fn list_rejects_token_of_other_filter() {
    let app = TestApp::start().await;
    let system_page = app
        .client
        .list_inference_profiles()
        .max_results(1)
        .send()
        .await
        .unwrap_or_else(|error| panic!("list failed: {error:?}"));
    let token = system_page.next_token().map(str::to_owned);

    let error = app
        .client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::Application)
        .set_next_token(token.clone())
        .send()
        .await
        .err()
        .map(|error| error.into_service_error());

    assert!(token.is_some());
    assert!(
        matches!(
            error,
            Some(ListInferenceProfilesError::ValidationException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn get_rejects_invalid_identifier() {
    let app = TestApp::start().await;

    let error = app
        .client
        .get_inference_profile()
        .inference_profile_identifier("tenant 1")
        .send()
        .await
        .err()
        .map(|error| error.into_service_error());

    assert!(
        matches!(
            error,
            Some(GetInferenceProfileError::ValidationException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn get_unknown_profile_is_not_found() {
    let app = TestApp::start().await;
    let cases = [
        "zzzzzzzzzzzz".to_owned(),
        format!(
            "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/zzzzzzzzzzzz"
        ),
        "arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.amazon.nova-lite-v1:0"
            .to_owned(),
    ];

    for identifier in &cases {
        let error = app
            .client
            .get_inference_profile()
            .inference_profile_identifier(identifier)
            .send()
            .await
            .err()
            .map(|error| error.into_service_error());

        assert!(
            matches!(
                error,
                Some(GetInferenceProfileError::ResourceNotFoundException(_))
            ),
            "{identifier}: {error:?}"
        );
    }
}

#[tokio::test]
async fn delete_rejects_system_profile() {
    let app = TestApp::start().await;

    let error = app
        .client
        .delete_inference_profile()
        .inference_profile_identifier(SONNET_4_US_PROFILE_ARN)
        .send()
        .await
        .err()
        .map(|error| error.into_service_error());

    assert!(
        matches!(
            error,
            Some(DeleteInferenceProfileError::ValidationException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn delete_unknown_profile_is_not_found() {
    let app = TestApp::start().await;

    let error = app
        .client
        .delete_inference_profile()
        .inference_profile_identifier("zzzzzzzzzzzz")
        .send()
        .await
        .err()
        .map(|error| error.into_service_error());

    assert!(
        matches!(
            error,
            Some(DeleteInferenceProfileError::ResourceNotFoundException(_))
        ),
        "{error:?}"
    );
}

//! TagResource, UntagResource and ListTagsForResource through the SDK.

use aws_sdk_bedrock::operation::list_tags_for_resource::ListTagsForResourceError;
use aws_sdk_bedrock::operation::tag_resource::TagResourceError;
use aws_sdk_bedrock::operation::untag_resource::UntagResourceError;
use aws_sdk_bedrock::types::Tag;

use crate::helpers::{ACCOUNT_ID, NOVA_LITE_ARN, SONNET_4_US_PROFILE_ARN, TestApp, copy_from, tag};

async fn tag_pairs(app: &TestApp, arn: &str) -> Vec<(String, String)> {
    let output = app
        .client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap_or_else(|error| panic!("list tags failed: {error:?}"));
    output
        .tags()
        .iter()
        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
        .collect()
}

async fn tag_error(app: &TestApp, arn: &str, tags: Vec<Tag>) -> Option<TagResourceError> {
    app.client
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(tags))
        .send()
        .await
        .err()
        .map(|error| error.into_service_error())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn create_tags_are_listed() {
    let app = TestApp::start().await;
    let created = app
        .client
        .create_inference_profile()
        .inference_profile_name("tenant-1")
        .model_source(copy_from(NOVA_LITE_ARN))
        .tags(tag("tenant", "1"))
        .tags(tag("tier", "basic"))
        .send()
        .await
        .unwrap_or_else(|error| panic!("create failed: {error:?}"));

    let tags = tag_pairs(&app, created.inference_profile_arn()).await;

    assert_eq!(tags, pairs(&[("tenant", "1"), ("tier", "basic")]));
}

#[tokio::test]
async fn tag_adds_and_overwrites() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let _ = tag_error(&app, &arn, vec![tag("tier", "basic")]).await;

    let error = tag_error(
        &app,
        &arn,
        vec![tag("tier", "premium"), tag("cost-center", "cc 42/a")],
    )
    .await;

    assert!(error.is_none(), "{error:?}");
    let tags = tag_pairs(&app, &arn).await;
    assert_eq!(
        tags,
        pairs(&[("tier", "premium"), ("cost-center", "cc 42/a")])
    );
}

#[tokio::test]
async fn untag_removes_keys_and_ignores_absent_ones() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let _ = tag_error(
        &app,
        &arn,
        vec![tag("a", "1"), tag("b", "2"), tag("c", "3")],
    )
    .await;

    let result = app
        .client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("a")
        .tag_keys("c")
        .tag_keys("never-set")
        .send()
        .await;

    assert!(result.is_ok(), "{result:?}");
    let tags = tag_pairs(&app, &arn).await;
    assert_eq!(tags, pairs(&[("b", "2")]));
}

#[tokio::test]
async fn tag_keys_are_case_sensitive() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;

    let _ = tag_error(&app, &arn, vec![tag("Team", "a"), tag("team", "b")]).await;

    let tags = tag_pairs(&app, &arn).await;
    assert_eq!(tags, pairs(&[("Team", "a"), ("team", "b")]));
}

#[tokio::test]
async fn tag_rejects_invalid_tags() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let cases = [
        ("value with comma", tag("team", "a,b")),
        ("value with non-ASCII letter", tag("team", "naïve")),
        ("value of 257 characters", tag("team", &"v".repeat(257))),
        ("key of 129 characters", tag(&"k".repeat(129), "v")),
        (
            "key with aws prefix",
            tag("aws:cloudformation:stack-name", "v"),
        ),
    ];

    for (name, invalid) in cases {
        let error = tag_error(&app, &arn, vec![invalid]).await;

        assert!(
            matches!(error, Some(TagResourceError::ValidationException(_))),
            "{name}: {error:?}"
        );
    }
    assert!(tag_pairs(&app, &arn).await.is_empty());
}

#[tokio::test]
async fn tag_counts_existing_tags_toward_fifty() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let first: Vec<Tag> = (0..50)
        .map(|index| tag(&format!("key-{index}"), "v"))
        .collect();
    let _ = tag_error(&app, &arn, first).await;

    let overwrite = tag_error(&app, &arn, vec![tag("key-0", "w")]).await;
    let extra = tag_error(&app, &arn, vec![tag("key-50", "v")]).await;

    assert!(overwrite.is_none(), "{overwrite:?}");
    assert!(
        matches!(extra, Some(TagResourceError::TooManyTagsException(_))),
        "{extra:?}"
    );
    assert_eq!(tag_pairs(&app, &arn).await.len(), 50);
}

#[tokio::test]
async fn tag_operations_on_unknown_arn_are_not_found() {
    let app = TestApp::start().await;
    let arn = format!(
        "arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:application-inference-profile/zzzzzzzzzzzz"
    );

    let tag_result = tag_error(&app, &arn, vec![tag("a", "b")]).await;
    let untag_result = app
        .client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("a")
        .send()
        .await;
    let list_result = app
        .client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await;

    assert!(
        matches!(
            tag_result,
            Some(TagResourceError::ResourceNotFoundException(_))
        ),
        "{tag_result:?}"
    );
    let untag_error = untag_result.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            untag_error,
            Some(UntagResourceError::ResourceNotFoundException(_))
        ),
        "{untag_error:?}"
    );
    let list_error = list_result.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            list_error,
            Some(ListTagsForResourceError::ResourceNotFoundException(_))
        ),
        "{list_error:?}"
    );
}

#[tokio::test]
async fn tags_of_deleted_profile_are_gone() {
    let app = TestApp::start().await;
    let arn = app.create_profile("tenant-1").await;
    let _ = tag_error(&app, &arn, vec![tag("a", "b")]).await;
    let _ = app
        .client
        .delete_inference_profile()
        .inference_profile_identifier(&arn)
        .send()
        .await;

    let result = app
        .client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await;

    let error = result.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            error,
            Some(ListTagsForResourceError::ResourceNotFoundException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn system_profile_has_no_tags_and_rejects_tagging() {
    let app = TestApp::start().await;

    let tag_result = tag_error(&app, SONNET_4_US_PROFILE_ARN, vec![tag("a", "b")]).await;

    assert!(
        matches!(tag_result, Some(TagResourceError::ValidationException(_))),
        "{tag_result:?}"
    );
    assert!(tag_pairs(&app, SONNET_4_US_PROFILE_ARN).await.is_empty());
}

#[tokio::test]
async fn list_tags_rejects_short_arn() {
    let app = TestApp::start().await;

    let result = app
        .client
        .list_tags_for_resource()
        .resource_arn("abc")
        .send()
        .await;

    let error = result.err().map(|error| error.into_service_error());
    assert!(
        matches!(
            error,
            Some(ListTagsForResourceError::ValidationException(_))
        ),
        "{error:?}"
    );
}

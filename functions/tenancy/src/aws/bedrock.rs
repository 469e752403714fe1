//! Bedrock control-plane adapter: application inference profiles and their tags.

use aws_sdk_bedrock::Client;
use aws_sdk_bedrock::operation::create_inference_profile::CreateInferenceProfileError;
use aws_sdk_bedrock::operation::delete_inference_profile::DeleteInferenceProfileError;
use aws_sdk_bedrock::operation::get_inference_profile::{
    GetInferenceProfileError, GetInferenceProfileOutput,
};
use aws_sdk_bedrock::operation::list_inference_profiles::ListInferenceProfilesError;
use aws_sdk_bedrock::operation::list_tags_for_resource::ListTagsForResourceError;
use aws_sdk_bedrock::types::{
    InferenceProfileModelSource, InferenceProfileSummary, InferenceProfileType,
};
use tracing::debug;

use super::{classify, unexpected};
use crate::domain::{ProfileArn, ProfileName, Tag};
use crate::error::{AwsError, ErrorKind};
use crate::ports::{CreateProfileRequest, ProfileDescription, ProfileProvisioner};

/// Application inference profiles through the Bedrock control-plane API.
#[derive(Debug, Clone)]
pub struct BedrockProfiles {
    client: Client,
}

impl BedrockProfiles {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl ProfileProvisioner for BedrockProfiles {
    async fn create_profile(&self, request: &CreateProfileRequest) -> Result<ProfileArn, AwsError> {
        const OPERATION: &str = "CreateInferenceProfile";
        debug!(profile_name = %request.name, source_arn = %request.source_arn, "creating inference profile");
        let tags = request
            .tags
            .iter()
            .map(|tag| {
                aws_sdk_bedrock::types::Tag::builder()
                    .key(&tag.key)
                    .value(&tag.value)
                    .build()
                    .map_err(|error| unexpected(OPERATION, error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .create_inference_profile()
            .inference_profile_name(request.name.as_str())
            .description(&request.description)
            .client_request_token(request.token.as_str())
            .model_source(InferenceProfileModelSource::CopyFrom(
                request.source_arn.clone(),
            ))
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    CreateInferenceProfileError::ConflictException(_) => {
                        Some(ErrorKind::AlreadyExists)
                    }
                    CreateInferenceProfileError::ValidationException(_)
                    | CreateInferenceProfileError::TooManyTagsException(_) => {
                        Some(ErrorKind::Invalid)
                    }
                    CreateInferenceProfileError::ServiceQuotaExceededException(_) => {
                        Some(ErrorKind::QuotaExceeded)
                    }
                    CreateInferenceProfileError::ThrottlingException(_) => {
                        Some(ErrorKind::Throttled)
                    }
                    CreateInferenceProfileError::InternalServerException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    CreateInferenceProfileError::AccessDeniedException(_) => {
                        Some(ErrorKind::AccessDenied)
                    }
                    CreateInferenceProfileError::ResourceNotFoundException(_) => {
                        Some(ErrorKind::Invalid)
                    }
                    _ => None,
                })
            })?;
        parse_arn(OPERATION, output.inference_profile_arn())
    }

    async fn describe_profile(
        &self,
        arn: &ProfileArn,
    ) -> Result<Option<ProfileDescription>, AwsError> {
        const OPERATION: &str = "GetInferenceProfile";
        let result = self
            .client
            .get_inference_profile()
            .inference_profile_identifier(arn.as_str())
            .send()
            .await;
        match result {
            Ok(output) => describe_output(&output).map(Some),
            Err(error) => {
                let error = classify(OPERATION, error, |e| match e {
                    GetInferenceProfileError::ResourceNotFoundException(_) => {
                        Some(ErrorKind::NotFound)
                    }
                    GetInferenceProfileError::ThrottlingException(_) => Some(ErrorKind::Throttled),
                    GetInferenceProfileError::InternalServerException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    GetInferenceProfileError::AccessDeniedException(_) => {
                        Some(ErrorKind::AccessDenied)
                    }
                    GetInferenceProfileError::ValidationException(_) => Some(ErrorKind::Invalid),
                    _ => None,
                });
                if error.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    async fn find_profile_by_name(
        &self,
        name: &ProfileName,
    ) -> Result<Option<ProfileDescription>, AwsError> {
        let profiles = self.list_application_profiles().await?;
        Ok(profiles
            .into_iter()
            .find(|profile| profile.name == name.as_str()))
    }

    // `type=APPLICATION` is required: without it Bedrock lists only system-defined profiles.
    async fn list_application_profiles(&self) -> Result<Vec<ProfileDescription>, AwsError> {
        const OPERATION: &str = "ListInferenceProfiles";
        let mut pages = self
            .client
            .list_inference_profiles()
            .type_equals(InferenceProfileType::Application)
            .into_paginator()
            .send();
        let mut profiles = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| classify(OPERATION, error, list_error_kind))?;
            for summary in page.inference_profile_summaries() {
                profiles.push(summary_description(summary)?);
            }
        }
        Ok(profiles)
    }

    async fn profile_tags(&self, arn: &ProfileArn) -> Result<Vec<Tag>, AwsError> {
        const OPERATION: &str = "ListTagsForResource";
        let output = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn.as_str())
            .send()
            .await
            .map_err(|error| {
                classify(OPERATION, error, |e| match e {
                    ListTagsForResourceError::ResourceNotFoundException(_) => {
                        Some(ErrorKind::NotFound)
                    }
                    ListTagsForResourceError::ThrottlingException(_) => Some(ErrorKind::Throttled),
                    ListTagsForResourceError::InternalServerException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    ListTagsForResourceError::AccessDeniedException(_) => {
                        Some(ErrorKind::AccessDenied)
                    }
                    ListTagsForResourceError::ValidationException(_) => Some(ErrorKind::Invalid),
                    _ => None,
                })
            })?;
        Ok(output
            .tags()
            .iter()
            .map(|tag| Tag {
                key: tag.key().to_owned(),
                value: tag.value().to_owned(),
            })
            .collect())
    }

    async fn delete_profile(&self, arn: &ProfileArn) -> Result<(), AwsError> {
        const OPERATION: &str = "DeleteInferenceProfile";
        debug!(profile_arn = %arn, "deleting inference profile");
        let result = self
            .client
            .delete_inference_profile()
            .inference_profile_identifier(arn.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = classify(OPERATION, error, |e| match e {
                    DeleteInferenceProfileError::ResourceNotFoundException(_) => {
                        Some(ErrorKind::NotFound)
                    }
                    DeleteInferenceProfileError::ConflictException(_) => {
                        Some(ErrorKind::ConcurrentUpdate)
                    }
                    DeleteInferenceProfileError::ThrottlingException(_) => {
                        Some(ErrorKind::Throttled)
                    }
                    DeleteInferenceProfileError::InternalServerException(_) => {
                        Some(ErrorKind::ServiceUnavailable)
                    }
                    DeleteInferenceProfileError::AccessDeniedException(_) => {
                        Some(ErrorKind::AccessDenied)
                    }
                    DeleteInferenceProfileError::ValidationException(_) => Some(ErrorKind::Invalid),
                    _ => None,
                });
                if error.kind == ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }
}

fn list_error_kind(error: &ListInferenceProfilesError) -> Option<ErrorKind> {
    match error {
        ListInferenceProfilesError::ThrottlingException(_) => Some(ErrorKind::Throttled),
        ListInferenceProfilesError::InternalServerException(_) => {
            Some(ErrorKind::ServiceUnavailable)
        }
        ListInferenceProfilesError::AccessDeniedException(_) => Some(ErrorKind::AccessDenied),
        ListInferenceProfilesError::ValidationException(_) => Some(ErrorKind::Invalid),
        _ => None,
    }
}

fn describe_output(output: &GetInferenceProfileOutput) -> Result<ProfileDescription, AwsError> {
    Ok(ProfileDescription {
        arn: parse_arn("GetInferenceProfile", output.inference_profile_arn())?,
        name: output.inference_profile_name().to_owned(),
        routed_model_arns: output
            .models()
            .iter()
            .filter_map(|model| model.model_arn().map(str::to_owned))
            .collect(),
    })
}

fn summary_description(summary: &InferenceProfileSummary) -> Result<ProfileDescription, AwsError> {
    Ok(ProfileDescription {
        arn: parse_arn("ListInferenceProfiles", summary.inference_profile_arn())?,
        name: summary.inference_profile_name().to_owned(),
        routed_model_arns: summary
            .models()
            .iter()
            .filter_map(|model| model.model_arn().map(str::to_owned))
            .collect(),
    })
}

fn parse_arn(operation: &'static str, raw: &str) -> Result<ProfileArn, AwsError> {
    ProfileArn::parse(raw).map_err(|error| {
        unexpected(
            operation,
            format!("Bedrock returned an unexpected ARN: {error}"),
        )
    })
}

//! Resolution of `modelSource.copyFrom` into the new profile's `models`.

use crate::arn::Arn;
use crate::catalogue;
use crate::error::ApiError;
use crate::store::Scope;
use crate::validation::validate_model_source_arn;

/// Checks `copy_from` and returns the model ARNs the new profile routes to.
///
/// A foundation-model ARN must have an empty account field and gives one
/// model. A system-profile ARN must carry the caller's account and gives the
/// system profile's models. Application-profile ARNs, other partitions and
/// sources in another region are ValidationException. A well-formed source
/// that the catalogue lacks in the caller's region is ResourceNotFoundException.
pub(crate) fn resolve_model_source(
    copy_from: &str,
    scope: &Scope,
) -> Result<Vec<String>, ApiError> {
    validate_model_source_arn(copy_from)?;
    let arn = Arn::parse(copy_from).ok_or_else(|| invalid_source(copy_from, "it is not an ARN"))?;

    // NOTE: other partitions are valid in the model, but this emulator
    // serves only `aws`.
    if arn.partition != "aws" {
        return Err(invalid_source(
            copy_from,
            "this emulator serves only the 'aws' partition",
        ));
    }
    // NOTE: the service's answer to a source in another region is
    // undocumented, so ValidationException is assumed.
    if arn.region != scope.region {
        return Err(invalid_source(
            copy_from,
            &format!("its region must be the request's region '{}'", scope.region),
        ));
    }

    match arn.resource_type {
        "foundation-model" => resolve_foundation_model(copy_from, &arn, scope),
        "inference-profile" => resolve_system_profile(copy_from, &arn, scope),
        _ => Err(invalid_source(
            copy_from,
            "it must be a foundation-model or a system-defined inference-profile ARN",
        )),
    }
}

fn resolve_foundation_model(
    copy_from: &str,
    arn: &Arn<'_>,
    scope: &Scope,
) -> Result<Vec<String>, ApiError> {
    if !arn.account.is_empty() {
        return Err(invalid_source(
            copy_from,
            "a foundation-model ARN has an empty account field, as in arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        ));
    }
    if catalogue::foundation_model(arn.resource_id, &scope.region).is_none() {
        return Err(ApiError::not_found(format!(
            "The foundation model '{}' is not available in region '{}'; check the model id and region in copyFrom",
            arn.resource_id, scope.region
        )));
    }
    Ok(vec![copy_from.to_owned()])
}

fn resolve_system_profile(
    copy_from: &str,
    arn: &Arn<'_>,
    scope: &Scope,
) -> Result<Vec<String>, ApiError> {
    if arn.account.is_empty() {
        return Err(invalid_source(
            copy_from,
            "a system-defined inference-profile ARN carries the account id",
        ));
    }
    // NOTE: the service's answer to another account's id here is
    // undocumented, so ValidationException is assumed.
    if arn.account != scope.account_id {
        return Err(invalid_source(
            copy_from,
            &format!(
                "its account must be the caller's account '{}'",
                scope.account_id
            ),
        ));
    }
    let (_, profile) =
        catalogue::system_profile(arn.resource_id, &scope.region).ok_or_else(|| {
            ApiError::not_found(format!(
                "The system-defined inference profile '{}' does not exist in region '{}'",
                arn.resource_id, scope.region
            ))
        })?;
    Ok(profile.model_arns())
}

fn invalid_source(copy_from: &str, reason: &str) -> ApiError {
    ApiError::validation(format!(
        "The model source '{copy_from}' in modelSource.copyFrom is invalid: {reason}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn scope() -> Scope {
        Scope {
            region: "us-east-1".to_owned(),
            account_id: "111122223333".to_owned(),
        }
    }

    fn error_kind(copy_from: &str) -> Option<ErrorKind> {
        resolve_model_source(copy_from, &scope())
            .err()
            .map(|error| error.kind)
    }

    #[test]
    fn foundation_model_gives_itself() {
        let copy_from = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";

        let models = resolve_model_source(copy_from, &scope());

        assert_eq!(models, Ok(vec![copy_from.to_owned()]));
    }

    #[test]
    fn system_profile_gives_its_models() {
        let copy_from = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0";

        let models = resolve_model_source(copy_from, &scope()).unwrap_or_default();

        assert_eq!(
            models,
            vec![
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
                "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
                "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            ]
        );
    }

    #[test]
    fn invalid_sources_are_validation_errors() {
        let cases = [
            "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs",
            "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0",
            "arn:aws-cn:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
            "amazon.nova-lite-v1:0",
        ];

        for copy_from in cases {
            assert_eq!(
                error_kind(copy_from),
                Some(ErrorKind::Validation),
                "{copy_from}"
            );
        }
    }

    #[test]
    fn unknown_sources_are_not_found() {
        let cases = [
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-giga-v9:0",
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/eu.amazon.nova-lite-v1:0",
        ];

        for copy_from in cases {
            assert_eq!(
                error_kind(copy_from),
                Some(ErrorKind::ResourceNotFound),
                "{copy_from}"
            );
        }
    }
}

//! Resolution of a Converse `modelId` into the foundation model that serves
//! the request and the `ModelId` dimension of its usage metrics.

use crate::arn::Arn;
use crate::catalogue::{self, foundation_model_arn};
use crate::error::ApiError;
use crate::store::{Scope, Store};

/// Foundation model and metric dimension that a Converse `modelId` resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvocationTarget {
    /// Foundation model that serves the request, such as `amazon.nova-lite-v1:0`.
    pub(crate) model_id: String,
    /// ARN of that model in the region that serves it.
    pub(crate) model_arn: String,
    /// Value of the `ModelId` metric dimension: the caller's `modelId`, or
    /// the profile id for an application inference profile ARN.
    pub(crate) metric_model_id: String,
}

/// Resolves `model_id` as the scope's region and account see it.
///
/// A foundation model is accepted by id or ARN, a system-defined profile by
/// id or ARN, and an application profile by ARN. Anything else, including
/// an ARN of another region or account, is ResourceNotFoundException.
// NOTE: AWS documents the ARN as the way to invoke an application profile.
// Whether the runtime also accepts its bare id is unconfirmed, so the
// emulator rejects it as not found.
pub(crate) fn resolve_invocation_target(
    store: &Store,
    scope: &Scope,
    model_id: &str,
) -> Result<InvocationTarget, ApiError> {
    let target = if model_id.starts_with("arn:") {
        resolve_arn(store, scope, model_id)
    } else {
        resolve_bare_id(scope, model_id)
    };
    target.ok_or_else(|| {
        ApiError::not_found(format!(
            "The model or inference profile '{model_id}' was not found in region '{}'; check the model id or ARN, its region and its account",
            scope.region
        ))
    })
}

fn resolve_bare_id(scope: &Scope, model_id: &str) -> Option<InvocationTarget> {
    if catalogue::foundation_model(model_id, &scope.region).is_some() {
        return Some(foundation_target(&scope.region, model_id, model_id));
    }
    let (_, profile) = catalogue::system_profile(model_id, &scope.region)?;
    let region = routed_region(profile.destination_regions, &scope.region)?;
    Some(foundation_target(region, profile.model_id, model_id))
}

fn resolve_arn(store: &Store, scope: &Scope, text: &str) -> Option<InvocationTarget> {
    let arn = Arn::parse(text)?;
    if arn.partition != "aws" || arn.service != "bedrock" || arn.region != scope.region {
        return None;
    }

    match arn.resource_type {
        "foundation-model" if arn.account.is_empty() => {
            catalogue::foundation_model(arn.resource_id, &scope.region)?;
            Some(foundation_target(&scope.region, arn.resource_id, text))
        }
        "inference-profile" if arn.account == scope.account_id => {
            let (_, profile) = catalogue::system_profile(arn.resource_id, &scope.region)?;
            let region = routed_region(profile.destination_regions, &scope.region)?;
            Some(foundation_target(region, profile.model_id, text))
        }
        "application-inference-profile" if arn.account == scope.account_id => {
            let profile = store.application_profile(scope, arn.resource_id)?;
            let model_arn = routed_model_arn(&profile.model_arns, &scope.region)?;
            let model_id = Arn::parse(model_arn)?.resource_id.to_owned();
            Some(InvocationTarget {
                model_id,
                model_arn: model_arn.to_owned(),
                metric_model_id: profile.id.clone(),
            })
        }
        _ => None,
    }
}

fn foundation_target(region: &str, model_id: &str, metric_model_id: &str) -> InvocationTarget {
    InvocationTarget {
        model_id: model_id.to_owned(),
        model_arn: foundation_model_arn(region, model_id),
        metric_model_id: metric_model_id.to_owned(),
    }
}

/// Picks the region that serves a system profile's request: the caller's
/// region when the profile routes there, else its first destination.
fn routed_region<'a>(destinations: &'a [&'a str], region: &'a str) -> Option<&'a str> {
    if destinations.contains(&region) {
        return Some(region);
    }
    destinations.first().copied()
}

/// Picks the model that serves an application profile's request: the first
/// of its models in the caller's region, else its first model.
fn routed_model_arn<'a>(model_arns: &'a [String], region: &str) -> Option<&'a str> {
    model_arns
        .iter()
        .find(|model_arn| Arn::parse(model_arn).is_some_and(|arn| arn.region == region))
        .or_else(|| model_arns.first())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{CreateParams, Tag};

    fn scope() -> Scope {
        Scope {
            region: "us-east-1".to_owned(),
            account_id: "111122223333".to_owned(),
        }
    }

    fn store_with_profile(copy_from: &str) -> (Store, String) {
        let mut store = Store::default();
        let params = CreateParams {
            name: "tenant-1".to_owned(),
            description: None,
            copy_from: copy_from.to_owned(),
            tags: vec![Tag {
                key: "tenant-id".to_owned(),
                value: "t1".to_owned(),
            }],
        };
        let created = store
            .create(&scope(), params, None, 10)
            .unwrap_or_else(|error| panic!("create failed: {error}"));
        (store, created.arn)
    }

    fn resolve(store: &Store, model_id: &str) -> Option<InvocationTarget> {
        resolve_invocation_target(store, &scope(), model_id).ok()
    }

    #[test]
    fn foundation_model_id_and_arn_resolve() {
        let store = Store::default();
        let arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";

        let by_id = resolve(&store, "amazon.nova-lite-v1:0");
        let by_arn = resolve(&store, arn);

        assert_eq!(
            by_id,
            Some(InvocationTarget {
                model_id: "amazon.nova-lite-v1:0".to_owned(),
                model_arn: arn.to_owned(),
                metric_model_id: "amazon.nova-lite-v1:0".to_owned(),
            })
        );
        assert_eq!(
            by_arn.map(|target| target.metric_model_id),
            Some(arn.to_owned())
        );
    }

    #[test]
    fn system_profile_routes_to_caller_region() {
        let store = Store::default();

        let target = resolve(&store, "us.anthropic.claude-sonnet-4-20250514-v1:0");

        assert_eq!(
            target.map(|target| target.model_arn),
            Some(
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
                    .to_owned()
            )
        );
    }

    #[test]
    fn application_profile_arn_uses_source_model_and_id() {
        let (store, arn) = store_with_profile(
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0",
        );
        let id = arn.rsplit('/').next().unwrap_or_default().to_owned();

        let target = resolve(&store, &arn);

        assert_eq!(
            target,
            Some(InvocationTarget {
                model_id: "amazon.nova-pro-v1:0".to_owned(),
                model_arn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
                    .to_owned(),
                metric_model_id: id,
            })
        );
    }

    #[test]
    fn application_profile_elsewhere_is_not_found() {
        let (store, arn) =
            store_with_profile("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0");
        let id = arn.rsplit('/').next().unwrap_or_default();
        let cases = [
            arn.replace(":111122223333:", ":444455556666:"),
            arn.replace(":us-east-1:", ":us-west-2:"),
            arn.replace("application-inference-profile", "inference-profile"),
            id.to_owned(),
        ];

        for model_id in cases {
            assert_eq!(resolve(&store, &model_id), None, "{model_id}");
        }
    }

    #[test]
    fn unknown_and_malformed_ids_are_not_found() {
        let store = Store::default();
        let cases = [
            "amazon.nova-giga-v9:0",
            "eu.amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-lite-v1:0",
            "arn:aws:s3:us-east-1::foundation-model/amazon.nova-lite-v1:0",
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.nova-lite-v1%3A0",
        ];

        for model_id in cases {
            let result = resolve_invocation_target(&store, &scope(), model_id);

            assert_eq!(
                result.err().map(|error| error.kind),
                Some(crate::error::ErrorKind::ResourceNotFound),
                "{model_id}"
            );
        }
    }
}

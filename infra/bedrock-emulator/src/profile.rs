//! Stored application profiles and the wire form shared by Get and List.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use crate::catalogue::SystemProfile;

/// Value of `type` on the wire and of the `type` query filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProfileType {
    SystemDefined,
    Application,
}

impl ProfileType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ProfileType::SystemDefined => "SYSTEM_DEFINED",
            ProfileType::Application => "APPLICATION",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<ProfileType> {
        match text {
            "SYSTEM_DEFINED" => Some(ProfileType::SystemDefined),
            "APPLICATION" => Some(ProfileType::Application),
            _ => None,
        }
    }
}

/// A tag as the wire carries it, with lower-case `key` and `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tag {
    pub(crate) key: String,
    pub(crate) value: String,
}

/// Request members of CreateInferenceProfile that a token replay must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CreateParams {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) copy_from: String,
    pub(crate) tags: Vec<Tag>,
}

/// An application inference profile created through the API.
#[derive(Debug, Clone)]
pub(crate) struct ApplicationProfile {
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
    pub(crate) model_arns: Vec<String>,
    /// Tags in the order their keys were first set.
    pub(crate) tags: Vec<Tag>,
}

/// One `models` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModelRef {
    pub(crate) model_arn: String,
}

/// GetInferenceProfile output and one ListInferenceProfiles summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileView {
    pub(crate) inference_profile_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) inference_profile_arn: String,
    pub(crate) models: Vec<ModelRef>,
    pub(crate) inference_profile_id: String,
    pub(crate) status: &'static str,
    #[serde(rename = "type")]
    pub(crate) profile_type: &'static str,
}

/// The only profile status the service defines.
pub(crate) const STATUS_ACTIVE: &str = "ACTIVE";

// RFC 3339 with microseconds and a numeric offset, as the service writes
// times (e.g. `2024-11-04T17:49:37.317261+00:00`).
const TIMESTAMP_FORMAT: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6][offset_hour sign:mandatory]:[offset_minute]"
);

/// Formats `time` as an RFC 3339 date-time string.
pub(crate) fn format_timestamp(time: OffsetDateTime) -> String {
    // Formatting fails only for years outside 0..=9999, which the clock and
    // the catalogue never produce. The fallback keeps the response well formed.
    time.format(TIMESTAMP_FORMAT)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000000+00:00"))
}

fn model_refs(arns: &[String]) -> Vec<ModelRef> {
    arns.iter()
        .map(|arn| ModelRef {
            model_arn: arn.clone(),
        })
        .collect()
}

impl ApplicationProfile {
    pub(crate) fn view(&self) -> ProfileView {
        ProfileView {
            inference_profile_name: self.name.clone(),
            description: self.description.clone(),
            created_at: format_timestamp(self.created_at),
            updated_at: format_timestamp(self.updated_at),
            inference_profile_arn: self.arn.clone(),
            models: model_refs(&self.model_arns),
            inference_profile_id: self.id.clone(),
            status: STATUS_ACTIVE,
            profile_type: ProfileType::Application.as_str(),
        }
    }
}

/// Builds the view of a system profile as `region` and `account` see it.
pub(crate) fn system_profile_view(
    profile: &SystemProfile,
    region: &str,
    account: &str,
) -> ProfileView {
    ProfileView {
        inference_profile_name: profile.name.to_owned(),
        description: Some(profile.description.to_owned()),
        created_at: format_timestamp(profile.created_at),
        updated_at: format_timestamp(profile.updated_at),
        inference_profile_arn: crate::arn::bedrock_arn(
            region,
            account,
            "inference-profile",
            profile.id,
        ),
        models: model_refs(&profile.model_arns()),
        inference_profile_id: profile.id.to_owned(),
        status: STATUS_ACTIVE,
        profile_type: ProfileType::SystemDefined.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::datetime;

    #[test]
    fn timestamp_is_rfc3339_with_offset() {
        let time = datetime!(2024-11-04 17:49:37.317261 UTC);

        let text = format_timestamp(time);

        assert_eq!(text, "2024-11-04T17:49:37.317261+00:00");
        assert_eq!(OffsetDateTime::parse(&text, &Rfc3339).ok(), Some(time));
    }

    #[test]
    fn view_omits_missing_description() {
        let profile = ApplicationProfile {
            id: "hq2of259skzs".to_owned(),
            arn:
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/hq2of259skzs"
                    .to_owned(),
            name: "tenant-42".to_owned(),
            description: None,
            created_at: datetime!(2026-01-01 00:00 UTC),
            updated_at: datetime!(2026-01-01 00:00 UTC),
            model_arns: vec![
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0".to_owned(),
            ],
            tags: Vec::new(),
        };

        let json = serde_json::to_value(profile.view()).unwrap_or_default();

        assert!(json.get("description").is_none());
        assert_eq!(json["type"], "APPLICATION");
        assert_eq!(json["status"], "ACTIVE");
        assert_eq!(
            json["models"][0]["modelArn"],
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
        );
    }
}

//! In-memory state of the emulated account: profiles, tags and request tokens
//! per region, and the semantics of each operation on them.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use crate::arn::{Arn, bedrock_arn};
use crate::catalogue::{self, SystemProfile};
use crate::error::{ApiError, ErrorKind};
use crate::model_source::resolve_model_source;
use crate::pagination::{decode_token, encode_token};
use crate::profile::{
    ApplicationProfile, CreateParams, ProfileType, ProfileView, Tag, system_profile_view,
};
use crate::validation::MAX_TAGS_PER_RESOURCE;

/// Region and account a request acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) region: String,
    pub(crate) account_id: String,
}

/// Result of a CreateInferenceProfile call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Created {
    pub(crate) arn: String,
    /// Whether a remembered clientRequestToken returned an earlier result.
    pub(crate) replayed: bool,
}

/// One ListInferenceProfiles page.
pub(crate) struct Page {
    pub(crate) profiles: Vec<ProfileView>,
    pub(crate) next_token: Option<String>,
}

#[derive(Debug, Clone)]
struct TokenRecord {
    params: CreateParams,
    arn: String,
}

#[derive(Debug, Default)]
struct RegionState {
    /// Application profiles keyed by creation sequence number.
    profiles: BTreeMap<u64, ApplicationProfile>,
    /// Every clientRequestToken of a successful create, kept after the
    /// profile is deleted.
    tokens: HashMap<String, TokenRecord>,
}

impl RegionState {
    fn find_by_id(&self, id: &str) -> Option<u64> {
        self.profiles
            .iter()
            .find(|(_, profile)| profile.id == id)
            .map(|(key, _)| *key)
    }
}

/// A resolved profile identifier.
enum Target {
    Application(u64),
    System(&'static SystemProfile),
}

/// State of all regions of the emulated account.
#[derive(Debug, Default)]
pub(crate) struct Store {
    regions: HashMap<String, RegionState>,
    next_key: u64,
}

/// Length of application profile ids, as seen in real ARNs.
const PROFILE_ID_LENGTH: usize = 12;

fn new_profile_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..PROFILE_ID_LENGTH)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect()
}

impl Store {
    /// Removes every application profile, tag and remembered token.
    pub(crate) fn clear(&mut self) {
        self.regions.clear();
    }

    /// Creates an application profile and returns its ARN, or the original
    /// ARN when `token` repeats an earlier create with the same parameters.
    pub(crate) fn create(
        &mut self,
        scope: &Scope,
        params: CreateParams,
        token: Option<String>,
        quota: usize,
    ) -> Result<Created, ApiError> {
        let region = self.regions.entry(scope.region.clone()).or_default();

        if let Some(token) = &token
            && let Some(record) = region.tokens.get(token)
        {
            if record.params == params {
                return Ok(Created {
                    arn: record.arn.clone(),
                    replayed: true,
                });
            }
            return Err(ApiError::conflict(format!(
                "The clientRequestToken '{token}' was already used with different parameters; use a new token for a different request"
            )));
        }
        if region
            .profiles
            .values()
            .any(|profile| profile.name == params.name)
        {
            return Err(ApiError::conflict(format!(
                "An inference profile named '{}' already exists in region '{}'",
                params.name, scope.region
            )));
        }
        let model_arns = resolve_model_source(&params.copy_from, scope)?;
        if region.profiles.len() >= quota {
            return Err(ApiError::new(
                ErrorKind::ServiceQuotaExceeded,
                format!(
                    "The quota of {quota} application inference profiles in region '{}' is reached; delete a profile or raise the quota",
                    scope.region
                ),
            ));
        }
        check_tag_count(params.tags.len())?;

        let mut id = new_profile_id();
        while region.find_by_id(&id).is_some() {
            id = new_profile_id();
        }
        let arn = bedrock_arn(
            &scope.region,
            &scope.account_id,
            "application-inference-profile",
            &id,
        );
        let now = OffsetDateTime::now_utc();
        let profile = ApplicationProfile {
            id,
            arn: arn.clone(),
            name: params.name.clone(),
            description: params.description.clone(),
            created_at: now,
            updated_at: now,
            model_arns,
            tags: params.tags.clone(),
        };
        region.profiles.insert(self.next_key, profile);
        self.next_key += 1;
        if let Some(token) = token {
            let record = TokenRecord {
                params,
                arn: arn.clone(),
            };
            region.tokens.insert(token, record);
        }
        Ok(Created {
            arn,
            replayed: false,
        })
    }

    /// Returns the profile that `identifier` (an id or ARN) names.
    pub(crate) fn get(&self, scope: &Scope, identifier: &str) -> Result<ProfileView, ApiError> {
        match self.resolve(scope, identifier) {
            Some(Target::Application(key)) => self
                .application(scope, key)
                .map(ApplicationProfile::view)
                .ok_or_else(|| profile_not_found(identifier)),
            Some(Target::System(profile)) => Ok(system_profile_view(
                profile,
                &scope.region,
                &scope.account_id,
            )),
            None => Err(profile_not_found(identifier)),
        }
    }

    /// Returns one page of the profiles of type `filter`, in creation order.
    pub(crate) fn list(
        &self,
        scope: &Scope,
        filter: ProfileType,
        max_results: usize,
        next_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let start = match next_token {
            Some(token) => decode_token(token, filter)?,
            None => 0,
        };

        let mut entries: Vec<(u64, ProfileView)> = match filter {
            ProfileType::SystemDefined => catalogue::system_profiles_in(&scope.region)
                .filter_map(|(position, profile)| {
                    let key = u64::try_from(position).ok()?;
                    (key >= start).then(|| {
                        (
                            key,
                            system_profile_view(profile, &scope.region, &scope.account_id),
                        )
                    })
                })
                .take(max_results + 1)
                .collect(),
            ProfileType::Application => self
                .regions
                .get(&scope.region)
                .map(|region| {
                    region
                        .profiles
                        .range(start..)
                        .take(max_results + 1)
                        .map(|(key, profile)| (*key, profile.view()))
                        .collect()
                })
                .unwrap_or_default(),
        };

        // The query fetched one entry past the page, and its key starts the next page.
        let next_token = if entries.len() > max_results {
            entries.pop().map(|(key, _)| encode_token(filter, key))
        } else {
            None
        };
        Ok(Page {
            profiles: entries.into_iter().map(|(_, view)| view).collect(),
            next_token,
        })
    }

    /// Deletes the application profile that `identifier` names, with its tags.
    /// Remembered request tokens stay.
    pub(crate) fn delete(&mut self, scope: &Scope, identifier: &str) -> Result<(), ApiError> {
        match self.resolve(scope, identifier) {
            Some(Target::Application(key)) => {
                let removed = self
                    .regions
                    .get_mut(&scope.region)
                    .and_then(|region| region.profiles.remove(&key));
                removed
                    .map(|_| ())
                    .ok_or_else(|| profile_not_found(identifier))
            }
            Some(Target::System(profile)) => Err(ApiError::validation(format!(
                "The inference profile '{}' is system-defined and cannot be deleted; only application inference profiles can",
                profile.id
            ))),
            None => Err(profile_not_found(identifier)),
        }
    }

    /// Adds or overwrites tags on an application profile. The result may
    /// hold at most 50 tags.
    pub(crate) fn tag(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
        tags: Vec<Tag>,
    ) -> Result<(), ApiError> {
        let profile = self.taggable_profile_mut(scope, resource_arn)?;

        let new_keys = tags
            .iter()
            .filter(|tag| !profile.tags.iter().any(|existing| existing.key == tag.key))
            .count();
        check_tag_count(profile.tags.len() + new_keys)?;

        for tag in tags {
            match profile
                .tags
                .iter_mut()
                .find(|existing| existing.key == tag.key)
            {
                Some(existing) => existing.value = tag.value,
                None => profile.tags.push(tag),
            }
        }
        Ok(())
    }

    /// Removes the tags with `keys` from an application profile and ignores
    /// keys it lacks.
    pub(crate) fn untag(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
        keys: &[String],
    ) -> Result<(), ApiError> {
        let profile = self.taggable_profile_mut(scope, resource_arn)?;

        profile.tags.retain(|tag| !keys.contains(&tag.key));
        Ok(())
    }

    /// Returns the tags of a profile. A system profile has none.
    pub(crate) fn list_tags(
        &self,
        scope: &Scope,
        resource_arn: &str,
    ) -> Result<Vec<Tag>, ApiError> {
        match self.resolve_resource_arn(scope, resource_arn) {
            Some(Target::Application(key)) => self
                .application(scope, key)
                .map(|profile| profile.tags.clone())
                .ok_or_else(|| resource_not_found(resource_arn)),
            Some(Target::System(_)) => Ok(Vec::new()),
            None => Err(resource_not_found(resource_arn)),
        }
    }

    /// Counts the application profiles in `region`.
    pub(crate) fn profile_count(&self, region: &str) -> usize {
        self.regions
            .get(region)
            .map_or(0, |region| region.profiles.len())
    }

    /// Finds the application profile with id `id` in the scope's region.
    pub(crate) fn application_profile(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Option<&ApplicationProfile> {
        let region = self.regions.get(&scope.region)?;
        region.profiles.values().find(|profile| profile.id == id)
    }

    fn application(&self, scope: &Scope, key: u64) -> Option<&ApplicationProfile> {
        self.regions.get(&scope.region)?.profiles.get(&key)
    }

    fn taggable_profile_mut(
        &mut self,
        scope: &Scope,
        resource_arn: &str,
    ) -> Result<&mut ApplicationProfile, ApiError> {
        match self.resolve_resource_arn(scope, resource_arn) {
            Some(Target::Application(key)) => self
                .regions
                .get_mut(&scope.region)
                .and_then(|region| region.profiles.get_mut(&key))
                .ok_or_else(|| resource_not_found(resource_arn)),
            // NOTE: whether the service lets a caller tag a system profile is
            // undocumented. The emulator rejects it because AWS owns the profile.
            Some(Target::System(profile)) => Err(ApiError::validation(format!(
                "The inference profile '{}' is system-defined and cannot be tagged; tag an application inference profile instead",
                profile.id
            ))),
            None => Err(resource_not_found(resource_arn)),
        }
    }

    /// Resolves a Get/Delete identifier: an ARN, or a bare id that is looked
    /// up among application profiles first, then system profiles.
    fn resolve(&self, scope: &Scope, identifier: &str) -> Option<Target> {
        if identifier.starts_with("arn:") {
            return self.resolve_resource_arn(scope, identifier);
        }
        let region = self.regions.get(&scope.region);
        if let Some(key) = region.and_then(|region| region.find_by_id(identifier)) {
            return Some(Target::Application(key));
        }
        catalogue::system_profile(identifier, &scope.region)
            .map(|(_, profile)| Target::System(profile))
    }

    /// Resolves a profile ARN in the caller's region and account.
    fn resolve_resource_arn(&self, scope: &Scope, text: &str) -> Option<Target> {
        let arn = Arn::parse(text)?;
        if arn.partition != "aws"
            || arn.service != "bedrock"
            || arn.region != scope.region
            || arn.account != scope.account_id
        {
            return None;
        }
        match arn.resource_type {
            "application-inference-profile" => self
                .regions
                .get(&scope.region)?
                .find_by_id(arn.resource_id)
                .map(Target::Application),
            "inference-profile" => catalogue::system_profile(arn.resource_id, &scope.region)
                .map(|(_, profile)| Target::System(profile)),
            _ => None,
        }
    }
}

fn check_tag_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_TAGS_PER_RESOURCE {
        return Err(ApiError::new(
            ErrorKind::TooManyTags,
            format!(
                "A resource can have at most {MAX_TAGS_PER_RESOURCE} tags, and this request would leave {count}; remove tags first"
            ),
        ));
    }
    Ok(())
}

fn profile_not_found(identifier: &str) -> ApiError {
    ApiError::not_found(format!(
        "The inference profile '{identifier}' was not found"
    ))
}

fn resource_not_found(resource_arn: &str) -> ApiError {
    ApiError::not_found(format!("The resource '{resource_arn}' was not found"))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

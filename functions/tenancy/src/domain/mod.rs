//! Validated values and pure rules: no I/O here.

mod invalid;
mod model;
pub mod names;
pub mod policy;
pub mod record;
mod tags;
mod tenant_id;

pub use invalid::InvalidValue;
pub use model::{AccountId, ModelKey, ModelSource, ProfileArn, Region, SYSTEM_PROFILE_GEOS};
pub use names::{ClientRequestToken, ProfileName, RoleName};
pub use record::{FailureRecord, ProfileRecord, TenantRecord, TenantStatus};
pub use tags::{MAX_TAGS_PER_RESOURCE, TENANT_TAG_KEY, Tag};
pub use tenant_id::{MAX_TENANT_ID_CHARS, TenantId};

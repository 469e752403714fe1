//! Timestamps as RFC 3339 strings, the format of the registry and of Bedrock's own fields.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn now_rfc3339() -> String {
    // Formatting the current UTC time as RFC 3339 fails only for years beyond 9999.
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

//! Timestamps as RFC 3339 strings, the format of the registry and of Bedrock's own fields.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn now_rfc3339() -> String {
    // Formatting the current UTC time as RFC 3339 fails only for years beyond 9999.
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Tells whether RFC 3339 time `earlier` is at or before `later`; `false` when either is missing or unreadable.
pub fn is_at_or_before(earlier: Option<&str>, later: Option<&str>) -> bool {
    let parse = |text: Option<&str>| text.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
    match (parse(earlier), parse(later)) {
        (Some(earlier), Some(later)) => earlier <= later,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_times_across_offsets() {
        assert!(is_at_or_before(
            Some("2026-01-01T00:00:00Z"),
            Some("2026-01-01T09:00:00+09:00")
        ));
        assert!(!is_at_or_before(
            Some("2026-01-01T00:00:01Z"),
            Some("2026-01-01T00:00:00Z")
        ));
        assert!(!is_at_or_before(None, Some("2026-01-01T00:00:00Z")));
        assert!(!is_at_or_before(
            Some("yesterday"),
            Some("2026-01-01T00:00:00Z")
        ));
    }
}

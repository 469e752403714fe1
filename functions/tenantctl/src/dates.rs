//! Date ranges of the report commands.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::error::CliError;

const DATE_FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Whole UTC days from `start` (inclusive) to `end` (exclusive), the way
/// Cost Explorer reads a `TimePeriod`, so `usage` and `cost` cover the same hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    start: Date,
    end: Date,
}

impl DateRange {
    /// Fails when `end` is not after `start`.
    pub fn new(start: Date, end: Date) -> Result<Self, CliError> {
        if end <= start {
            return Err(CliError::InvalidArgument(format!(
                "invalid date range: --to {} must be after --from {} (--to is exclusive)",
                format_date(end),
                format_date(start)
            )));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> Date {
        self.start
    }

    pub fn end(&self) -> Date {
        self.end
    }

    /// Midnight UTC at the start of the first day.
    pub fn start_time(&self) -> OffsetDateTime {
        self.start.midnight().assume_utc()
    }

    /// Midnight UTC at the end of the last day.
    pub fn end_time(&self) -> OffsetDateTime {
        self.end.midnight().assume_utc()
    }

    /// Length of the range in seconds; always a positive multiple of 86,400.
    pub fn seconds(&self) -> i64 {
        (self.end_time() - self.start_time()).whole_seconds()
    }
}

/// Parses a `YYYY-MM-DD` date, as `--from` and `--to` take it.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, DATE_FORMAT)
        .map_err(|error| format!("invalid date {text:?}: {error}; expected YYYY-MM-DD"))
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    // The format has only numeric components, which every `Date` can fill.
    date.format(DATE_FORMAT)
        .unwrap_or_else(|_| date.to_string())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn parse_date_reads_iso_dates() {
        assert_eq!(parse_date("2025-03-01"), Ok(date!(2025 - 03 - 01)));
    }

    #[test]
    fn parse_date_rejects_other_shapes() {
        for text in [
            "",
            "2025-3-1",
            "2025-02-30",
            "01/03/2025",
            "2025-03-01T00:00:00Z",
        ] {
            assert!(parse_date(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn range_rejects_empty_and_reversed() {
        let day = date!(2025 - 03 - 01);

        assert!(DateRange::new(day, day).is_err());
        assert!(DateRange::new(day, date!(2025 - 02 - 28)).is_err());
    }

    #[test]
    fn range_counts_whole_days() {
        let range = DateRange::new(date!(2025 - 02 - 01), date!(2025 - 03 - 01)).unwrap();

        assert_eq!(range.seconds(), 28 * 86_400);
        assert_eq!(format_date(range.end()), "2025-03-01");
    }
}

//! The CloudWatch period of a usage query.

use crate::error::CliError;

/// Most datapoints one metric may return: GetMetricStatistics' limit per
/// call. GetMetricData pages past it, but staying under it keeps each
/// query to one page per metric whichever API serves it.
pub const MAX_DATAPOINTS: i64 = 1_440;

const DAY: i64 = 86_400;
const FIFTEEN_DAYS: i64 = 15 * DAY;
const SIXTY_THREE_DAYS: i64 = 63 * DAY;

/// Chooses the shortest period, in seconds, that covers `range_seconds` (a
/// positive multiple of a day) in at most [`MAX_DATAPOINTS`] datapoints.
/// The period divides the range evenly, so no datapoint reaches past its
/// end, and is a multiple of what CloudWatch requires for data
/// `start_age_seconds` old.
///
/// CloudWatch keeps one-minute data for 15 days, five-minute data for 63
/// days and hourly data for 455 days; a query whose start is older than 15
/// or 63 days returns nothing unless its period is a multiple of 300 or 3,600
/// seconds (GetMetricData API reference, `Period`).
pub fn choose_period(range_seconds: i64, start_age_seconds: i64) -> Result<i32, CliError> {
    if range_seconds <= 0 || range_seconds % DAY != 0 {
        return Err(CliError::InvalidArgument(format!(
            "invalid range of {range_seconds} seconds: expected whole days"
        )));
    }
    let granularity = if start_age_seconds > SIXTY_THREE_DAYS {
        3_600
    } else if start_age_seconds > FIFTEEN_DAYS {
        300
    } else {
        60
    };
    let shortest = (range_seconds + MAX_DATAPOINTS - 1) / MAX_DATAPOINTS;

    // Up to a day the search ends by a day at the latest, since a day is a
    // multiple of every granularity and divides the range.
    let within_day = (1..=DAY / granularity)
        .map(|multiple| multiple * granularity)
        .find(|period| *period >= shortest && range_seconds % period == 0);
    let period = match within_day {
        Some(period) => period,
        // Longer ranges: whole days, as many as needed for the datapoint limit.
        None => {
            let days = range_seconds / DAY;
            let fewest_days = (days + MAX_DATAPOINTS - 1) / MAX_DATAPOINTS;
            let days_per_period = (fewest_days..=days)
                .find(|candidate| days % candidate == 0)
                .unwrap_or(days);
            days_per_period * DAY
        }
    };
    i32::try_from(period).map_err(|_| {
        CliError::InvalidArgument(format!(
            "the range of {} days is too long for one CloudWatch query",
            range_seconds / DAY
        ))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn recent_day_uses_one_minute() {
        assert_eq!(choose_period(DAY, 0).unwrap(), 60);
    }

    #[test]
    fn recent_week_stays_under_limit() {
        // 7 days at 60 s would be 10,080 datapoints; 420 s gives exactly 1,440.
        assert_eq!(choose_period(7 * DAY, DAY).unwrap(), 420);
    }

    #[test]
    fn old_data_uses_coarser_multiples() {
        assert_eq!(choose_period(DAY, 20 * DAY).unwrap(), 300);
        assert_eq!(choose_period(DAY, 100 * DAY).unwrap(), 3_600);
        assert_eq!(choose_period(31 * DAY, 100 * DAY).unwrap(), 3_600);
    }

    #[test]
    fn long_range_uses_whole_days() {
        // 8 hours: the shortest multiple of an hour that divides 365 days
        // into at most 1,440 datapoints (1,095).
        assert_eq!(choose_period(365 * DAY, 400 * DAY).unwrap(), 28_800);
        assert_eq!(
            choose_period(1_460 * DAY, 400 * DAY).unwrap(),
            2 * DAY as i32
        );
        // 1,447 days is prime and over the limit: one datapoint.
        assert_eq!(choose_period(1_447 * DAY, 0).unwrap(), (1_447 * DAY) as i32);
    }

    #[test]
    fn partial_days_are_rejected() {
        assert!(choose_period(0, 0).is_err());
        assert!(choose_period(DAY + 1, 0).is_err());
        assert!(choose_period(-DAY, 0).is_err());
    }

    #[test]
    fn range_beyond_i32_seconds_is_rejected() {
        // 24,859 days is prime, so its only period is the whole range,
        // and that is past 2^31 seconds (24,855 days).
        assert!(choose_period(24_859 * DAY, 0).is_err());
    }

    proptest! {
        #[test]
        fn period_meets_every_rule(days in 1i64..2_000, age_days in -30i64..500) {
            let range = days * DAY;

            let period = i64::from(choose_period(range, age_days * DAY).unwrap());

            prop_assert!(range / period <= MAX_DATAPOINTS);
            prop_assert_eq!(range % period, 0);
            let granularity = if age_days > 63 { 3_600 } else if age_days > 15 { 300 } else { 60 };
            prop_assert_eq!(period % granularity, 0);
        }
    }
}

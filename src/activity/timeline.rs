//! Rhythms of activity: working hours, weekdays and time zones.

use crate::store::records::{TICKS_PER_HOUR, Ticks};
use chrono::{Datelike, Timelike, Weekday};

/// Share of a working day's interactive sign-ins that fall in each local hour.
const WORKDAY: [f64; 24] = [
    0.002, 0.001, 0.001, 0.001, 0.002, 0.004, 0.015, 0.050, 0.120, 0.125, 0.110, 0.095, //
    0.070, 0.095, 0.105, 0.090, 0.060, 0.030, 0.012, 0.008, 0.006, 0.004, 0.003, 0.002,
];
/// Weekend activity relative to a working day.
const WEEKEND: f64 = 0.07;

/// Fraction of a working day's activity that happens in `hour` for someone
/// whose clock is `utc_offset_minutes` from UTC.
pub fn activity_share(hour: i64, utc_offset_minutes: i32) -> f64 {
    let local = crate::store::records::datetime(
        hour * TICKS_PER_HOUR + utc_offset_minutes as i64 * 60 * 10_000_000,
    );
    let share = WORKDAY[local.hour() as usize] / WORKDAY.iter().sum::<f64>();
    match local.weekday() {
        Weekday::Sat | Weekday::Sun => share * WEEKEND,
        _ => share,
    }
}

/// True during local office hours on a weekday.
pub fn office_hours(at: Ticks, utc_offset_minutes: i32) -> bool {
    let local = crate::store::records::datetime(at + utc_offset_minutes as i64 * 60 * 10_000_000);
    let weekday = !matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
    weekday && (8..18).contains(&local.hour())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::{hour_of, ticks};

    fn hour(s: &str) -> i64 {
        hour_of(ticks(s.parse().unwrap()))
    }

    #[test]
    fn a_working_day_adds_up_to_one() {
        let start = hour("2026-06-01T00:00:00Z"); // a Monday
        let total: f64 = (0..24).map(|h| activity_share(start + h, 0)).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn mornings_are_busier_than_nights_and_weekends_are_quiet() {
        assert!(
            activity_share(hour("2026-06-01T09:00:00Z"), 0)
                > 10.0 * activity_share(hour("2026-06-01T03:00:00Z"), 0)
        );
        assert!(
            activity_share(hour("2026-06-06T09:00:00Z"), 0)
                < activity_share(hour("2026-06-01T09:00:00Z"), 0) / 5.0
        );
    }

    #[test]
    fn time_zones_shift_the_working_day() {
        // 09:00 in Tokyo (UTC+9) is midnight UTC.
        assert_eq!(
            activity_share(hour("2026-06-01T00:00:00Z"), 540),
            activity_share(hour("2026-06-01T09:00:00Z"), 0)
        );
    }
}

//! Ids of records, derived from the seed and the record's key at serving time.

use crate::rng::{Seed, guid_for};

/// What an id is for; part of the derivation so ids never collide across uses.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Purpose {
    SignIn = 1,
    Correlation = 2,
    Audit = 3,
    Provisioning = 4,
    Change = 5,
    Cycle = 6,
    Token = 7,
    Session = 8,
    Request = 9,
    /// Activity Log `eventDataId`, `correlationId`, `serviceRequestId`, transient role-assignment names.
    ArmEvent = 10,
    ArmOperation = 11,
    ArmServiceRequest = 12,
    ArmAssignment = 13,
    /// Activity Log `httpRequest.clientRequestId` (one per operation).
    ArmClientRequest = 14,
}

/// The GUID for (purpose, key).
pub fn id(seed: Seed, purpose: Purpose, key: u64) -> String {
    guid_for(seed, purpose as u64, key, 0)
}

/// The GUID for (purpose, key, extra).
pub fn id2(seed: Seed, purpose: Purpose, key: u64, extra: u64) -> String {
    guid_for(seed, purpose as u64, key, extra)
}

/// Graph-style time with seven fractional digits: `2026-06-01T12:00:00.1234567Z`.
pub fn time7(at: i64) -> String {
    let fraction = at.rem_euclid(crate::store::records::TICKS_PER_SECOND);
    let mut text = String::with_capacity(28);
    seconds(&mut text, at);
    text.push('.');
    digits(&mut text, fraction as u32, 7);
    text.push('Z');
    text
}

/// Whole-second time: `2026-06-01T12:00:00Z`.
pub fn time0(at: i64) -> String {
    let mut text = String::with_capacity(20);
    seconds(&mut text, at);
    text.push('Z');
    text
}

/// `YYYY-MM-DDTHH:MM:SS`, written digit by digit: this runs for every record served.
fn seconds(text: &mut String, at: i64) {
    use chrono::{Datelike, Timelike};
    let t = crate::store::records::datetime(at);
    digits(text, t.year().clamp(0, 9999) as u32, 4);
    for (separator, value) in [('-', t.month()), ('-', t.day()), ('T', t.hour())] {
        text.push(separator);
        digits(text, value, 2);
    }
    for value in [t.minute(), t.second()] {
        text.push(':');
        digits(text, value, 2);
    }
}

/// `value` as exactly `width` decimal digits, zero-padded.
fn digits(text: &mut String, value: u32, width: u32) {
    for power in (0..width).rev() {
        text.push(char::from(b'0' + (value / 10u32.pow(power) % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct_by_purpose() {
        assert_eq!(
            id(Seed(1), Purpose::SignIn, 5),
            id(Seed(1), Purpose::SignIn, 5)
        );
        assert_ne!(
            id(Seed(1), Purpose::SignIn, 5),
            id(Seed(1), Purpose::Audit, 5)
        );
    }

    #[test]
    fn times_have_graphs_two_precisions() {
        let at = crate::store::records::ticks("2026-06-01T12:00:00.1234567Z".parse().unwrap());
        assert_eq!(time7(at), "2026-06-01T12:00:00.1234567Z");
        assert_eq!(time0(at), "2026-06-01T12:00:00Z");
        let early = crate::store::records::ticks("0987-01-02T03:04:05.0000009Z".parse().unwrap());
        assert_eq!(time7(early), "0987-01-02T03:04:05.0000009Z");
    }
}

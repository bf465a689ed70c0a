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
    format!(
        "{}.{fraction:07}Z",
        crate::store::records::datetime(at).format("%Y-%m-%dT%H:%M:%S")
    )
}

/// Whole-second time: `2026-06-01T12:00:00Z`.
pub fn time0(at: i64) -> String {
    crate::store::records::datetime(at)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
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
    }
}

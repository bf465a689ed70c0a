//! What Identity Protection sees while a user signs in: where the user is
//! (home, a trip, a VPN or an anonymiser), the real-time detections that
//! follow from it, and how a sign-in record keeps them in its `risk` byte.
//!
//! `risk` byte: bits 0–1 the sign-in's own level (`riskLevelDuringSignIn`),
//! bits 2–3 the user's level when signing in (feeds `riskLevelAggregated` and the
//! user-risk policy), bits 4–6 the real-time detections ([`REALTIME`]).

use crate::activity::Plan;
use crate::rng::Rng;
use crate::store::records::{SignIn, SignInKind, Ticks, flags};
use crate::tenant::User;
use rand::RngExt;

/// Real-time detections in bit order (bits 4, 5, 6): (riskEventType, legacy `riskEventTypes` member).
/// passwordSpray is not in the legacy enum: `unknownFutureValue` there (reference §A.9, INFERRED).
pub const REALTIME: [(&str, &str); 3] = [
    ("unfamiliarFeatures", "unfamiliarFeatures"),
    ("anonymizedIPAddress", "anonymizedIPAddress"),
    ("passwordSpray", "unknownFutureValue"),
];
/// Bit of unfamiliar sign-in properties.
pub const UNFAMILIAR: u8 = 1 << 4;
/// Bit of an anonymous IP address.
pub const ANONYMIZED: u8 = 1 << 5;
/// Bit of a successful password spray.
pub const SPRAY: u8 = 1 << 6;

/// The sign-in's own risk level (0 none … 3 high).
pub fn during(risk: u8) -> u8 {
    risk & 3
}

/// The user's risk level when the sign-in happened.
pub fn user(risk: u8) -> u8 {
    (risk >> 2) & 3
}

/// The real-time detection bits, shifted down (0–7).
pub fn kinds(risk: u8) -> u8 {
    (risk >> 4) & 7
}

/// `riskLevelAggregated`: the higher of the sign-in's and the user's.
pub fn aggregated(risk: u8) -> u8 {
    during(risk).max(user(risk))
}

/// The byte with the user's level replaced.
pub fn with_user(risk: u8, level: u8) -> u8 {
    (risk & !0b1100) | ((level & 3) << 2)
}

/// `riskEventTypes_v2` for each combination of real-time bits.
pub const V2: [&[&str]; 8] = [
    &[],
    &["unfamiliarFeatures"],
    &["anonymizedIPAddress"],
    &["unfamiliarFeatures", "anonymizedIPAddress"],
    &["passwordSpray"],
    &["unfamiliarFeatures", "passwordSpray"],
    &["anonymizedIPAddress", "passwordSpray"],
    &["unfamiliarFeatures", "anonymizedIPAddress", "passwordSpray"],
];

/// v1.0 `riskEventTypes` (legacy enum) for each combination of real-time bits.
pub const LEGACY: [&[&str]; 8] = [
    &[],
    &["unfamiliarFeatures"],
    &["anonymizedIPAddress"],
    &["unfamiliarFeatures", "anonymizedIPAddress"],
    &["unknownFutureValue"],
    &["unfamiliarFeatures", "unknownFutureValue"],
    &["anonymizedIPAddress", "unknownFutureValue"],
    &[
        "unfamiliarFeatures",
        "anonymizedIPAddress",
        "unknownFutureValue",
    ],
];

/// Whether an address is one of the anonymiser (Tor-like) exits: 185.220.100.0/22.
pub fn anonymizer(ip: [u8; 4]) -> bool {
    ip[0] == 185 && ip[1] == 220 && (100..104).contains(&ip[2])
}

/// An anonymiser exit address.
pub fn anonymizer_ip(rng: &mut Rng) -> [u8; 4] {
    [
        185,
        220,
        rng.random_range(100..104),
        rng.random_range(1..255),
    ]
}

/// Ticks per day.
pub const DAY: Ticks = 24 * crate::store::records::TICKS_PER_HOUR;

/// A trip: where the user is on the local day holding `at`, if away from home.
/// A trip starts on a day with probability `travel_rate / 2.5` and lasts 1–4
/// days (mean 2.5), so about `travel_rate` of a traveller's days are away.
/// Returns (location, third octet of the hotel/roaming address).
pub fn trip(plan: &Plan, index: u32, user: &User, at: Ticks) -> Option<(u16, u8)> {
    let offset = plan.catalog.locations[user.home as usize].utc_offset_minutes as i64;
    let day = (at + offset * 60 * crate::store::records::TICKS_PER_SECOND).div_euclid(DAY);
    let start_p = plan.preset.activity.travel_rate / 2.5;
    (day - 3..=day).rev().find_map(|start| {
        let h = plan.tenant.seed.mix(0x7419, index as u64, start as u64);
        let starts = unit(h) < start_p;
        let length = 1 + (h >> 8) % 4;
        let away = starts && start + length as i64 > day;
        let place = plan.locations.index_at(h >> 20) as u16;
        (away && place != user.home).then_some((place, (h >> 40) as u8))
    })
}

/// A value in [0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The real-time detections of an interactive sign-in, from where it comes
/// from: an anonymiser always gives anonymizedIPAddress (medium); unfamiliar
/// sign-in properties fire on some sign-ins from a trip (12%), a VPN (6%) or,
/// rarely, from home (0.08%: a new browser or device), at low or medium.
/// Returns the `risk` byte (no user level yet).
pub fn realtime(rng: &mut Rng, record: &SignIn) -> u8 {
    if record.kind != SignInKind::Interactive {
        return 0;
    }
    let anonymous = anonymizer(record.ip);
    let p = if anonymous {
        0.3
    } else if record.flags & flags::TRAVEL != 0 {
        0.12
    } else if record.flags & flags::VPN != 0 {
        0.06
    } else {
        0.0008
    };
    let mut risk = 0;
    if rng.random_bool(p) {
        risk = UNFAMILIAR | if rng.random_bool(0.45) { 2 } else { 1 };
    }
    if anonymous {
        risk = (risk & !3) | ANONYMIZED | 2;
    }
    risk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_risk_byte_keeps_levels_and_detections_apart() {
        let risk = with_user(UNFAMILIAR | ANONYMIZED | 2, 3);
        assert_eq!(during(risk), 2);
        assert_eq!(user(risk), 3);
        assert_eq!(aggregated(risk), 3);
        assert_eq!(
            V2[kinds(risk) as usize],
            ["unfamiliarFeatures", "anonymizedIPAddress"]
        );
        assert_eq!(LEGACY[(SPRAY >> 4) as usize], ["unknownFutureValue"]);
    }

    #[test]
    fn only_the_anonymiser_range_counts_as_anonymous() {
        assert!(anonymizer([185, 220, 101, 7]));
        assert!(!anonymizer([185, 219, 101, 7]));
        assert!(!anonymizer([185, 220, 104, 7]));
    }
}

//! The risk properties a sign-in record serves (`riskLevelDuringSignIn`,
//! `riskLevelAggregated`, `riskState`, `riskDetail`, `riskEventTypes(_v2)`),
//! from the detections and user risk its `risk` byte holds (reference §A.3, §A.9).

use super::signals::{self, LEGACY, V2};
use crate::activity::Plan;
use crate::config::License;
use crate::store::records::{SignIn, flags};

/// `riskLevel` spellings by score.
pub const LEVEL: [&str; 4] = ["none", "low", "medium", "high"];

fn hidden(plan: &Plan) -> bool {
    plan.tenant.license < License::P2
}

/// `riskLevelDuringSignIn`: hidden below P2.
pub fn during(plan: &Plan, r: &SignIn) -> &'static str {
    if hidden(plan) {
        "hidden"
    } else {
        LEVEL[signals::during(r.risk) as usize]
    }
}

/// `riskLevelAggregated`: the sign-in's and the user's risk together; hidden below P2.
pub fn aggregated(plan: &Plan, r: &SignIn) -> &'static str {
    if hidden(plan) {
        "hidden"
    } else {
        LEVEL[signals::aggregated(r.risk) as usize]
    }
}

/// Whether the user passed the MFA the sign-in-risk policy asked for: the
/// detections are then `remediated` (reference §A.5, S7).
pub fn remediated(r: &SignIn) -> bool {
    signals::kinds(r.risk) != 0
        && signals::during(r.risk) >= 2
        && r.error == 0
        && r.flags & flags::MFA != 0
}

/// `riskState`: none below P2 (as before), remediated after MFA, atRisk while any risk stands.
pub fn state(plan: &Plan, r: &SignIn) -> &'static str {
    if hidden(plan) || signals::aggregated(r.risk) == 0 {
        "none"
    } else if remediated(r) && signals::user(r.risk) == 0 {
        "remediated"
    } else {
        "atRisk"
    }
}

/// `riskDetail`: hidden below P2.
pub fn detail(plan: &Plan, r: &SignIn) -> &'static str {
    if hidden(plan) {
        "hidden"
    } else if state(plan, r) == "remediated" {
        "userPassedMFADrivenByRiskBasedPolicy"
    } else {
        "none"
    }
}

/// `riskEventTypes_v2` (empty below P2).
pub fn event_types(plan: &Plan, r: &SignIn) -> &'static [&'static str] {
    event_types_of(plan, signals::kinds(r.risk))
}

/// `riskEventTypes_v2` of a combination of real-time bits (empty below P2).
pub fn event_types_of(plan: &Plan, kinds: u8) -> &'static [&'static str] {
    if hidden(plan) {
        &[]
    } else {
        V2[kinds as usize & 7]
    }
}

/// v1.0 `riskEventTypes`, the legacy enum (empty below P2).
pub fn legacy_event_types(plan: &Plan, r: &SignIn) -> &'static [&'static str] {
    if hidden(plan) {
        &[]
    } else {
        LEGACY[signals::kinds(r.risk) as usize]
    }
}

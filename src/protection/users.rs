//! Risky users: one row per user with at least one risk detection, at the
//! highest level its detections give (reference §A.9, INFERRED rule), and the
//! history that raised it.

use super::detections::{LEVEL, event_type};
use crate::activity::Plan;
use crate::config::License;
use crate::model::ids::time7;
use crate::store::records::SignIn;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One user's detections (newest first, as `risky_sign_ins` gives them).
pub struct RiskyUser<'a> {
    pub subject: u32,
    pub detections: Vec<&'a SignIn>,
}

impl RiskyUser<'_> {
    /// The highest risk score among the user's detections.
    pub fn risk(&self) -> u8 {
        self.detections.iter().map(|r| r.risk).max().unwrap_or(0)
    }
}

/// Groups the risky sign-ins by user, the most recently updated user first
/// (INFERRED order: the docs give none).
pub fn risky_users<'a>(plan: &Plan, sign_ins: &'a [SignIn]) -> Vec<RiskyUser<'a>> {
    let mut by_user: BTreeMap<u32, Vec<&'a SignIn>> = BTreeMap::new();
    for r in sign_ins {
        by_user.entry(r.subject).or_default().push(r);
    }
    let mut users: Vec<RiskyUser<'a>> = by_user
        .into_iter()
        .map(|(subject, detections)| RiskyUser {
            subject,
            detections,
        })
        .filter(|u| visible(plan.tenant.license, u.risk()))
        .collect();
    users.sort_by_key(|u| std::cmp::Reverse((u.detections[0].at, u.subject)));
    users
}

/// Free and P1 tenants see only medium- and high-risk users (reference §A.3, S14).
fn visible(license: License, risk: u8) -> bool {
    license >= License::P2 || risk >= 2
}

/// The riskyUser JSON.
pub fn to_json(plan: &Plan, user: &RiskyUser<'_>) -> Value {
    let person = plan.tenant.user(user.subject);
    json!({
        "id": person.id,
        "isDeleted": false,
        "isProcessing": false,
        "riskLevel": LEVEL[user.risk() as usize & 3],
        "riskState": "atRisk",
        "riskDetail": "none",
        "riskLastUpdatedDateTime": time7(user.detections[0].at),
        "userDisplayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
    })
}

/// The user's history, oldest first: one item per detection, each raising the
/// level to the highest seen so far (INFERRED, reference §A.4).
pub fn history(plan: &Plan, user: &RiskyUser<'_>) -> Vec<Value> {
    let base = to_json(plan, user);
    let mut level = 0u8;
    user.detections
        .iter()
        .rev()
        .map(|r| {
            level = level.max(r.risk);
            let mut item = base.clone();
            item["@odata.type"] = json!("#microsoft.graph.riskyUserHistoryItem");
            item["id"] = json!(super::detections::detection_id(plan, r));
            item["riskLevel"] = json!(LEVEL[level as usize & 3]);
            item["riskLastUpdatedDateTime"] = json!(time7(r.at));
            item["userId"] = base["id"].clone();
            item["initiatedBy"] = Value::Null;
            item["activity"] = json!({"riskEventTypes": [event_type(plan, r)], "detail": "none"});
            item
        })
        .collect()
}

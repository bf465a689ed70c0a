//! Risky users: one row per user with a risk detection or an administrator's
//! action, at the risk its detections and the actions give (reference §A.4, §A.7,
//! §A.9; INFERRED rules in `risk`), and the history that led there.

use super::actions::{Action, RiskActions, Subject, Verdict};
use super::detections::event_type;
use super::risk::{self, Event, LEVEL, Risk};
use crate::activity::Plan;
use crate::config::License;
use crate::model::ids::time7;
use crate::store::records::SignIn;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One user's detections (newest first, as `risky_sign_ins` gives them) and actions.
pub struct RiskyUser<'a> {
    pub subject: u32,
    pub detections: Vec<&'a SignIn>,
    pub actions: &'a [Action],
}

impl RiskyUser<'_> {
    /// The risk after each detection and action, oldest first.
    pub fn steps(&self, plan: &Plan) -> Vec<Risk> {
        risk::walk(Subject::User, self.events(plan))
    }

    fn events(&self, plan: &Plan) -> Vec<Event<'_>> {
        let detected = self.detections.iter().map(|r| Event::Detected {
            at: r.at,
            score: r.risk,
            kind: event_type(plan, r),
        });
        detected
            .chain(self.actions.iter().map(Event::Acted))
            .collect()
    }

    /// The risk now.
    pub fn risk(&self, plan: &Plan) -> Risk {
        self.steps(plan).pop().expect("a risky user has an event")
    }
}

/// Groups the risky sign-ins by user and adds the users acted on, the most
/// recently updated first (INFERRED order: the docs give none).
pub fn risky_users<'a>(
    plan: &Plan,
    sign_ins: &'a [SignIn],
    actions: &'a RiskActions,
) -> Vec<RiskyUser<'a>> {
    let mut by_user: BTreeMap<u32, Vec<&'a SignIn>> = BTreeMap::new();
    for r in sign_ins {
        by_user.entry(r.subject).or_default().push(r);
    }
    for user in actions.users.keys() {
        by_user.entry(*user).or_default();
    }
    let mut users: Vec<RiskyUser<'a>> = by_user
        .into_iter()
        .map(|(subject, detections)| RiskyUser {
            subject,
            detections,
            actions: actions.users.get(&subject).map_or(&[], Vec::as_slice),
        })
        .filter(|u| visible(plan.tenant.license, u.risk(plan).score))
        .collect();
    users.sort_by_key(|u| std::cmp::Reverse((u.risk(plan).updated, u.subject)));
    users
}

/// Free and P1 tenants see only medium- and high-risk users (reference §A.3, S14);
/// a user whose risk was settled stays listed on P2.
fn visible(license: License, score: u8) -> bool {
    license >= License::P2 || score >= 2
}

/// The riskyUser JSON.
pub fn to_json(plan: &Plan, user: &RiskyUser<'_>) -> Value {
    state_json(plan, user.subject, &user.risk(plan))
}

fn state_json(plan: &Plan, subject: u32, risk: &Risk) -> Value {
    let person = plan.tenant.user(subject);
    json!({
        "id": person.id,
        "isDeleted": false,
        "isProcessing": false,
        "riskLevel": LEVEL[risk.score as usize & 3],
        "riskState": risk.state,
        "riskDetail": risk.detail,
        "riskLastUpdatedDateTime": time7(risk.updated),
        "userDisplayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
    })
}

/// The user's history, oldest first: one item per detection and per action. Below
/// P2 there is "no risk history" (S14): an empty collection (INFERRED).
pub fn history(plan: &Plan, user: &RiskyUser<'_>) -> Vec<Value> {
    if plan.tenant.license < License::P2 {
        return Vec::new();
    }
    let mut events = user.events(plan);
    events.sort_by_key(|e| match e {
        Event::Detected { at, .. } => *at,
        Event::Acted(a) => a.at,
    });
    let steps = risk::walk(Subject::User, events.clone());
    events
        .iter()
        .zip(steps)
        .map(|(event, step)| {
            let mut item = state_json(plan, user.subject, &step);
            let kinds: Vec<&str> = match event {
                Event::Detected { kind, .. } => vec![kind],
                Event::Acted(a) if a.verdict == Verdict::ConfirmCompromised => {
                    vec!["adminConfirmedUserCompromised"]
                }
                Event::Acted(_) => vec![],
            };
            let key = format!("history/{}/{}/{}", item["id"], step.updated, step.state);
            item["@odata.type"] = json!("#microsoft.graph.riskyUserHistoryItem");
            item["id"] = json!(hex_id(&key)[..32].to_string());
            item["userId"] = json!(plan.tenant.user(user.subject).id);
            item["initiatedBy"] = json!(step.by);
            item["activity"] = json!({"riskEventTypes": kinds, "detail": step.detail});
            item
        })
        .collect()
}

/// 64 hex characters of a key's SHA-256.
pub fn hex_id(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

//! Risky users: one row per user with a risk detection, a remediation or an
//! administrator's action, at the risk its detections and history give
//! (reference §A.4, §A.7, §A.9; INFERRED rules in `risk`).

use super::actions::{RiskActions, Subject, Verdict};
use super::detections::{Detection, hex_id};
use super::episodes::Episode;
use super::risk::{self, Event, LEVEL, Risk};
use crate::activity::Plan;
use crate::config::License;
use crate::model::ids::time7;
use crate::store::records::Ticks;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One user's risk events, oldest first.
pub struct RiskyUser<'a> {
    pub subject: u32,
    pub events: Vec<Event<'a>>,
}

impl RiskyUser<'_> {
    /// The risk after each event, oldest first.
    pub fn steps(&self) -> Vec<Risk> {
        risk::walk(Subject::User, self.events.clone())
    }

    /// The risk now.
    pub fn risk(&self) -> Risk {
        self.steps().pop().expect("a risky user has an event")
    }
}

/// The events of every user: each detection (and its in-sign-in remediation),
/// each password reset ending an episode by `now`, each action. Detections an
/// action created are the action's own event.
pub fn events<'a>(
    found: &'a [Detection],
    resets: &[Episode],
    actions: &'a RiskActions,
    now: Ticks,
) -> BTreeMap<u32, Vec<Event<'a>>> {
    let mut by_user: BTreeMap<u32, Vec<Event<'a>>> = BTreeMap::new();
    let mut ordered: Vec<&Detection> = found.iter().collect();
    ordered.sort_by_key(|d| (d.detected, d.id.clone()));
    for d in ordered
        .into_iter()
        .filter(|d| d.kind != "adminConfirmedUserCompromised")
    {
        let list = by_user.entry(d.user).or_default();
        list.push(Event::Detected {
            at: d.detected,
            score: d.level,
            kind: &d.kind,
        });
        if d.remediated {
            list.push(Event::Settled {
                at: d.detected,
                state: "remediated",
                detail: "userPassedMFADrivenByRiskBasedPolicy",
            });
        }
    }
    for e in resets.iter().filter(|e| e.until <= now) {
        by_user.entry(e.user).or_default().push(Event::Settled {
            at: e.until,
            state: "remediated",
            detail: "adminGeneratedTemporaryPassword",
        });
    }
    for (user, list) in &actions.users {
        by_user
            .entry(*user)
            .or_default()
            .extend(list.iter().map(Event::Acted));
    }
    for list in by_user.values_mut() {
        list.sort_by_key(Event::at);
    }
    by_user
}

/// The risky users, the most recently updated first (INFERRED order: the docs give none).
pub fn risky_users<'a>(
    plan: &Plan,
    found: &'a [Detection],
    resets: &[Episode],
    actions: &'a RiskActions,
    now: Ticks,
) -> Vec<RiskyUser<'a>> {
    let mut users: Vec<RiskyUser<'a>> = events(found, resets, actions, now)
        .into_iter()
        .map(|(subject, events)| RiskyUser { subject, events })
        .filter(|u| visible(plan.tenant.license, u.risk().score))
        .collect();
    users.sort_by_key(|u| std::cmp::Reverse((u.risk().updated, u.subject)));
    users
}

/// Free and P1 tenants see only medium- and high-risk users (reference §A.3, S14);
/// a user whose risk was settled stays listed on P2.
fn visible(license: License, score: u8) -> bool {
    license >= License::P2 || score >= 2
}

/// The riskyUser JSON.
pub fn to_json(plan: &Plan, user: &RiskyUser<'_>) -> Value {
    state_json(plan, user.subject, &user.risk())
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

/// The user's history, oldest first: one item per event. Below P2 there is
/// "no risk history" (S14): an empty collection (INFERRED).
pub fn history(plan: &Plan, user: &RiskyUser<'_>) -> Vec<Value> {
    if plan.tenant.license < License::P2 {
        return Vec::new();
    }
    user.events
        .iter()
        .zip(user.steps())
        .enumerate()
        .map(|(i, (event, step))| {
            let mut item = state_json(plan, user.subject, &step);
            let kinds: Vec<&str> = match event {
                Event::Detected { kind, .. } => vec![kind],
                Event::Acted(a) if a.verdict == Verdict::ConfirmCompromised => {
                    vec!["adminConfirmedUserCompromised"]
                }
                Event::Acted(_) | Event::Settled { .. } => vec![],
            };
            let key = format!("history/{}/{i}/{}/{}", item["id"], step.updated, step.state);
            item["@odata.type"] = json!("#microsoft.graph.riskyUserHistoryItem");
            item["id"] = json!(hex_id(&key)[..32].to_string());
            item["userId"] = json!(plan.tenant.user(user.subject).id);
            item["initiatedBy"] = json!(step.by);
            item["activity"] = json!({"riskEventTypes": kinds, "detail": step.detail});
            item
        })
        .collect()
}

//! Risky workload identities: a `suspiciousSignins` detection for each service
//! principal and UTC day with repeated failed client-credential sign-ins, raised
//! offline hours later (INFERRED rule, reference §A.6, S15), the risky service
//! principals they make, and their history.

use super::actions::{Action, RiskActions, Subject, Verdict};
use super::detections::hex_id;
use super::risk::{self, Event, LEVEL, Risk};
use crate::activity::Plan;
use crate::config::License;
use crate::model::ids::{Purpose, id, time7};
use crate::model::sign_in::{credential, ip_address};
use crate::store::records::{SignIn, SignInKind, TICKS_PER_HOUR, Ticks};
use crate::tenant::SpOrigin;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Failed sign-ins of one service principal in one UTC day that raise a detection.
pub const FAILURES: u32 = 2;
/// From this many failures the detection is high, else medium.
pub const HIGH_FAILURES: u32 = 5;
/// Offline detection delay after the last failure.
pub const DELAY_HOURS: i64 = 4;

/// One workload detection.
#[derive(Debug, Clone)]
pub struct SpDetection {
    pub sp: u32,
    pub failures: u32,
    /// The day's last failed sign-in.
    pub last: SignIn,
    pub detected: Ticks,
}

impl SpDetection {
    pub fn score(&self) -> u8 {
        if self.failures >= HIGH_FAILURES { 3 } else { 2 }
    }
}

/// Every workload detection detected by `now`, newest first, from the visible sign-ins (oldest first).
pub fn detections(sign_ins: &[SignIn], now: Ticks) -> Vec<SpDetection> {
    let mut days: BTreeMap<(u32, i64), (u32, SignIn)> = BTreeMap::new();
    for r in sign_ins
        .iter()
        .filter(|r| r.kind == SignInKind::ServicePrincipal && r.error != 0)
    {
        let entry = days
            .entry((r.subject, r.at.div_euclid(24 * TICKS_PER_HOUR)))
            .or_insert((0, *r));
        entry.0 += 1;
        entry.1 = *r;
    }
    let mut found: Vec<SpDetection> = days
        .into_iter()
        .filter(|(_, (n, _))| *n >= FAILURES)
        .map(|((sp, _), (failures, last))| SpDetection {
            sp,
            failures,
            last,
            detected: last.at + DELAY_HOURS * TICKS_PER_HOUR,
        })
        .filter(|d| d.detected <= now)
        .collect();
    found.sort_by_key(|d| std::cmp::Reverse((d.detected, d.sp)));
    found
}

/// Details are "only available for Workload Identities Premium customers ... returned
/// `hidden`" (S10, S11): the emulator's P2 tenant has that licence, P1 and Free do not (INFERRED).
fn premium(plan: &Plan) -> bool {
    plan.tenant.license >= License::P2
}

/// The servicePrincipalRiskDetection JSON.
pub fn to_json(plan: &Plan, d: &SpDetection, settled: Option<&Action>, beta: bool) -> Value {
    let sp = plan.tenant.sp(d.sp);
    let seed = plan.tenant.seed;
    let (state, detail, updated) = match settled {
        Some(a) => {
            let (_, state, detail) = risk::settled(Subject::ServicePrincipal, a.verdict);
            (state, detail, a.at)
        }
        None => ("atRisk", "none", d.detected),
    };
    let premium = premium(plan);
    let mut object = json!({
        "id": hex_id(&format!("spRisk/{}/{}", sp.id, d.last.key)),
        "requestId": id(seed, Purpose::SignIn, d.last.key),
        "correlationId": id(seed, Purpose::Correlation, d.last.corr),
        "riskEventType": "suspiciousSignins",
        "riskState": state,
        "riskLevel": if premium { LEVEL[d.score() as usize] } else { "hidden" },
        "riskDetail": if premium { detail } else { "hidden" },
        "source": "IdentityProtection",
        "detectionTimingType": "offline",
        "activity": "signin",
        "tokenIssuerType": "AzureAD",
        "ipAddress": ip_address(&d.last),
        "location": null,
        "activityDateTime": time7(d.last.at),
        "detectedDateTime": time7(d.detected),
        "lastUpdatedDateTime": time7(updated),
        "servicePrincipalId": sp.id,
        "servicePrincipalDisplayName": sp.display_name,
        "appId": sp.app_id,
        "keyIds": credential(plan, &d.last).0.into_iter().collect::<Vec<_>>(),
        "additionalInfo": json!([{"Key": "failedSignIns", "Value": d.failures.to_string()}]).to_string(),
    });
    if beta {
        object["mitreTechniqueId"] = Value::Null;
    }
    object
}

/// One service principal's detections (newest first) and actions.
pub struct RiskySp<'a> {
    pub sp: u32,
    pub detections: Vec<&'a SpDetection>,
    pub actions: &'a [Action],
}

impl RiskySp<'_> {
    fn events(&self) -> Vec<Event<'_>> {
        let detected = self.detections.iter().map(|d| Event::Detected {
            at: d.detected,
            score: d.score(),
            kind: "suspiciousSignins",
        });
        detected
            .chain(self.actions.iter().map(Event::Acted))
            .collect()
    }

    /// The risk now.
    pub fn risk(&self) -> Risk {
        risk::walk(Subject::ServicePrincipal, self.events())
            .pop()
            .expect("a risky service principal has an event")
    }
}

/// The risky service principals, most recently updated first.
pub fn risky<'a>(found: &'a [SpDetection], actions: &'a RiskActions) -> Vec<RiskySp<'a>> {
    let mut by_sp: BTreeMap<u32, Vec<&'a SpDetection>> = BTreeMap::new();
    for d in found {
        by_sp.entry(d.sp).or_default().push(d);
    }
    for sp in actions.service_principals.keys() {
        by_sp.entry(*sp).or_default();
    }
    let mut all: Vec<RiskySp<'a>> = by_sp
        .into_iter()
        .map(|(sp, detections)| RiskySp {
            sp,
            detections,
            actions: actions
                .service_principals
                .get(&sp)
                .map_or(&[], Vec::as_slice),
        })
        .collect();
    all.sort_by_key(|s| std::cmp::Reverse((s.risk().updated, s.sp)));
    all
}

fn state_json(plan: &Plan, sp: u32, risk: &Risk) -> Value {
    let principal = plan.tenant.sp(sp);
    let premium = premium(plan);
    json!({
        "id": principal.id,
        "appId": principal.app_id,
        "displayName": principal.display_name,
        "isEnabled": true,
        "isProcessing": false,
        "riskLastUpdatedDateTime": time7(risk.updated),
        "riskLevel": if premium { LEVEL[risk.score as usize & 3] } else { "hidden" },
        "riskState": risk.state,
        "riskDetail": if premium { risk.detail } else { "hidden" },
        "servicePrincipalType": match principal.origin {
            SpOrigin::ManagedIdentity(_) => "ManagedIdentity",
            _ => "Application",
        },
    })
}

/// The riskyServicePrincipal JSON.
pub fn risky_json(plan: &Plan, s: &RiskySp<'_>) -> Value {
    state_json(plan, s.sp, &s.risk())
}

/// The history, oldest first: one item per detection and per action.
pub fn history(plan: &Plan, s: &RiskySp<'_>) -> Vec<Value> {
    let mut events = s.events();
    events.sort_by_key(Event::at);
    let steps = risk::walk(Subject::ServicePrincipal, events.clone());
    events
        .iter()
        .zip(steps)
        .map(|(event, step)| {
            let mut item = state_json(plan, s.sp, &step);
            let kinds: Vec<&str> = match event {
                Event::Detected { kind, .. } => vec![kind],
                Event::Acted(a) if a.verdict == Verdict::ConfirmCompromised => {
                    vec!["adminConfirmedServicePrincipalCompromised"]
                }
                Event::Acted(_) | Event::Settled { .. } => vec![],
            };
            let key = format!("spHistory/{}/{}/{}", item["id"], step.updated, step.state);
            item["@odata.type"] = json!("#microsoft.graph.riskyServicePrincipalHistoryItem");
            item["id"] = json!(hex_id(&key)[..32].to_string());
            item["initiatedBy"] = json!(step.by);
            item["activity"] = json!({"riskEventTypes": kinds, "detail": step.detail});
            item
        })
        .collect()
}

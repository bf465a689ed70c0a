//! Risk detections, found in the tenant's behaviour as a query sees it at an
//! instant: the real-time ones each sign-in carries (`signals`), the offline
//! ones Identity Protection raises hours later from the log (atypical travel
//! between consecutive sign-ins of a user, sign-ins from an address that fails
//! many passwords), leaked credentials (`episodes`), an administrator's
//! confirmed compromise and injected detections (`actions`).

use super::actions::{Action, Injected, RiskActions, Subject, Verdict};
use super::episodes::{self, Cause, Episode};
use super::{risk, sign_in_risk, signals};
use crate::activity::Plan;
use crate::config::License;
use crate::model::ca::{Stage, stage};
use crate::model::ids::{Purpose, id, time7};
use crate::model::sign_in::{agent, ip_address, location};
use crate::store::TenantLogs;
use crate::store::records::{SignIn, TICKS_PER_HOUR, TICKS_PER_SECOND, Ticks, flags};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// `riskLevel` of a score.
pub const LEVEL: [&str; 4] = ["none", "low", "medium", "high"];

/// Atypical travel: farther than this (km)…
const TRAVEL_KM: f64 = 500.0;
/// …faster than this (km/h) since the user's previous sign-in.
const TRAVEL_KMH: f64 = 900.0;
/// An address failing this many passwords in the window is malicious.
const MALICIOUS_FAILURES: usize = 10;

/// How a detection is tied to the tenant.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A sign-in (requestId / correlationId are its ids).
    SignIn(SignIn),
    /// The user only (leaked credentials, an administrator's verdict).
    User,
}

/// One risk detection, before its state is settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub id: String,
    pub kind: String,
    /// `realtime` or `offline`.
    pub timing: &'static str,
    pub user: u32,
    /// 1 low, 2 medium, 3 high.
    pub level: u8,
    pub activity_at: Ticks,
    pub detected: Ticks,
    pub origin: Origin,
    /// Remediated in the sign-in itself (MFA asked by the sign-in-risk policy).
    pub remediated: bool,
    /// Extra `additionalInfo` pairs (the related sign-in of atypical travel).
    pub info: Vec<(&'static str, String)>,
}

impl Detection {
    /// The sign-in it names, if any.
    pub fn sign_in(&self) -> Option<&SignIn> {
        match &self.origin {
            Origin::SignIn(r) => Some(r),
            Origin::User => None,
        }
    }
}

/// Whether the tenant may list risk detections at all: P1 or P2 (reference §A.3, S5).
pub fn licensed(license: License) -> bool {
    license >= License::P1
}

/// 64 hex characters, as real detection ids are (reference §A.5, S7).
pub fn hex_id(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every detection visible at `now` (detected by then, its sign-in visible and
/// in retention), newest first. `sign_ins` is a walk of the log at `now`.
pub fn all(logs: &TenantLogs, sign_ins: &[SignIn], now: Ticks) -> Vec<Detection> {
    let plan = &logs.plan;
    let mut found = real_time(plan, sign_ins);
    found.extend(atypical_travel(plan, sign_ins));
    found.extend(malicious_addresses(plan, sign_ins));
    let from = now - crate::store::retention_ticks(plan);
    found.extend(leaks(&episodes::episodes(plan, from, now + 1)));
    let carried = |d: &&Injected| d.timing == "realtime" && d.sign_in.is_some();
    let extra = logs.risk_actions.detections.iter().filter(|d| !carried(d));
    found.extend(extra.filter_map(|d| injected(d, sign_ins)));
    found.extend(confirmed(&logs.risk_actions));
    found.retain(|d| d.detected <= now && d.activity_at >= from);
    found.sort_by(|a, b| (b.detected, &b.id).cmp(&(a.detected, &a.id)));
    found
}

fn request_id(plan: &Plan, r: &SignIn) -> String {
    id(plan.tenant.seed, Purpose::SignIn, r.key)
}

fn on_sign_in(plan: &Plan, r: &SignIn, kind: &str, timing: &'static str, level: u8) -> Detection {
    let detected = match timing {
        "realtime" => r.at,
        _ => r.at + offline_delay(plan, r.key, kind),
    };
    Detection {
        id: hex_id(&format!("riskDetection/{}/{kind}", request_id(plan, r))),
        kind: kind.to_string(),
        timing,
        user: r.subject,
        level,
        activity_at: r.at,
        detected,
        origin: Origin::SignIn(*r),
        remediated: timing == "realtime" && sign_in_risk::remediated(r),
        info: Vec::new(),
    }
}

/// Offline detections arrive 2–24 hours after the sign-in (the docs allow up to 48).
fn offline_delay(plan: &Plan, key: u64, kind: &str) -> Ticks {
    let h = plan.tenant.seed.mix(0x0ff1, key, kind.len() as u64);
    2 * TICKS_PER_HOUR + (h % (22 * 3600)) as i64 * TICKS_PER_SECOND
}

/// The real-time detections these sign-ins carry (also read by scenario keys).
pub fn real_time(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Detection> {
    let mut out = Vec::new();
    for r in sign_ins.iter().filter(|r| r.kind.is_user()) {
        let kinds = signals::kinds(r.risk);
        for (bit, (kind, _)) in signals::REALTIME.iter().enumerate() {
            if kinds & (1 << bit) != 0 {
                out.push(on_sign_in(
                    plan,
                    r,
                    kind,
                    "realtime",
                    signals::during(r.risk),
                ));
            }
        }
    }
    out
}

/// Whether the password was right: primary authentication passed.
fn credentials_valid(plan: &Plan, r: &SignIn) -> bool {
    r.error == 0 || stage(plan.catalog.sign_in_errors[r.error as usize - 1].code) != Stage::Primary
}

/// Great-circle distance in km.
fn distance_km(a: &crate::catalog::Location, b: &crate::catalog::Location) -> f64 {
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dla = la2 - la1;
    let dlo = (b.longitude - a.longitude).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Atypical travel: a sign-in away from home, far from the user's previous
/// sign-in, sooner than a flight could cover (VPN and anonymiser exits are known
/// and skipped; INFERRED thresholds 500 km and 900 km/h).
fn atypical_travel(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Detection> {
    let mut by_user: BTreeMap<u32, Vec<&SignIn>> = BTreeMap::new();
    for r in sign_ins {
        let known = r.location != u16::MAX && r.flags & flags::VPN == 0;
        if r.kind.is_user() && known && credentials_valid(plan, r) {
            by_user.entry(r.subject).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (user, list) in by_user {
        let home = plan.tenant.user(user).home;
        for pair in list.windows(2) {
            let (prev, cur) = (pair[0], pair[1]);
            if cur.location == home || cur.location == prev.location {
                continue;
            }
            let (Some(a), Some(b)) = (location(plan, prev), location(plan, cur)) else {
                continue;
            };
            let km = distance_km(a, b);
            let hours = (cur.at - prev.at) as f64 / TICKS_PER_HOUR as f64;
            if km > TRAVEL_KM && km / hours.max(1.0 / 60.0) > TRAVEL_KMH {
                let mut d = on_sign_in(plan, cur, "unlikelyTravel", "offline", 2);
                d.info = vec![
                    ("relatedEventTimeInUtc", time7(prev.at)),
                    (
                        "relatedLocation",
                        format!("{}, {}, {}", a.city, a.state, a.country),
                    ),
                ];
                out.push(d);
            }
        }
    }
    out
}

/// Sign-ins with the right password from an address that failed at least
/// [`MALICIOUS_FAILURES`] passwords in the window, more than it passed ("high
/// failure rates because of invalid credentials received from the IP address",
/// S13): a spraying attacker's address, not a busy office's.
fn malicious_addresses(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Detection> {
    let wrong = [plan.error_code(50126), plan.error_code(50053)];
    let mut tally: BTreeMap<[u8; 4], (usize, usize)> = BTreeMap::new();
    for r in sign_ins.iter().filter(|r| r.kind.is_user()) {
        let entry = tally.entry(r.ip).or_default();
        if wrong.contains(&r.error) {
            entry.0 += 1;
        } else if credentials_valid(plan, r) {
            entry.1 += 1;
        }
    }
    let malicious = |ip: &[u8; 4]| {
        tally
            .get(ip)
            .is_some_and(|&(failed, passed)| failed >= MALICIOUS_FAILURES && failed > passed)
    };
    sign_ins
        .iter()
        .filter(|r| r.kind.is_user() && credentials_valid(plan, r) && malicious(&r.ip))
        .map(|r| on_sign_in(plan, r, "maliciousIPAddress", "offline", 2))
        .collect()
}

fn leaks(found: &[Episode]) -> Vec<Detection> {
    found
        .iter()
        .filter(|e| e.cause == Cause::Leaked)
        .map(|e| Detection {
            id: hex_id(&format!("leakedCredentials/{}/{}", e.user, e.from)),
            kind: "leakedCredentials".into(),
            timing: "offline",
            user: e.user,
            level: 3,
            activity_at: e.from,
            detected: e.from,
            origin: Origin::User,
            remediated: false,
            info: Vec::new(),
        })
        .collect()
}

/// An injected detection (real-time ones are carried by their sign-in instead);
/// one naming a sign-in shows once that sign-in does.
fn injected(d: &Injected, sign_ins: &[SignIn]) -> Option<Detection> {
    let sign_in = match d.sign_in {
        Some(key) => Some(*sign_ins.iter().find(|r| r.key == key)?),
        None => None,
    };
    Some(from_injected(d, sign_in))
}

/// The detection an injection describes, naming `sign_in` (the record it gave) if any.
pub fn from_injected(d: &Injected, sign_in: Option<SignIn>) -> Detection {
    Detection {
        id: d.id.clone(),
        kind: d.kind.clone(),
        timing: d.timing,
        user: d.user,
        level: d.level,
        activity_at: d.activity_at,
        detected: d.detected,
        origin: sign_in.map_or(Origin::User, Origin::SignIn),
        remediated: false,
        info: Vec::new(),
    }
}

fn confirmed(actions: &RiskActions) -> Vec<Detection> {
    let mut out = Vec::new();
    for (user, list) in &actions.users {
        for a in list
            .iter()
            .filter(|a| a.verdict == Verdict::ConfirmCompromised)
        {
            out.push(Detection {
                id: hex_id(&format!("adminConfirmed/{user}/{}", a.at)),
                kind: "adminConfirmedUserCompromised".into(),
                timing: "offline",
                user: *user,
                level: 3,
                activity_at: a.at,
                detected: a.at,
                origin: Origin::User,
                remediated: false,
                info: Vec::new(),
            });
        }
    }
    out
}

/// What settled a detection after it was raised, if anything has by `now`:
/// MFA in its sign-in, the password reset ending an episode, or an action.
pub fn settlement(
    d: &Detection,
    resets: &[Episode],
    actions: &RiskActions,
    now: Ticks,
) -> Option<(Ticks, &'static str, &'static str)> {
    if d.kind == "adminConfirmedUserCompromised" {
        return None;
    }
    if d.remediated {
        return Some((
            d.detected,
            "remediated",
            "userPassedMFADrivenByRiskBasedPolicy",
        ));
    }
    let reset = resets
        .iter()
        .filter(|e| e.user == d.user && e.until >= d.detected && e.until <= now)
        .map(|e| (e.until, "remediated", "adminGeneratedTemporaryPassword"))
        .min_by_key(|s| s.0);
    let acted = actions
        .users
        .get(&d.user)
        .and_then(|list| risk::settling(list, d.detected))
        .map(|a: &Action| {
            let (_, state, detail) = risk::settled(Subject::User, a.verdict);
            (a.at, state, detail)
        });
    [reset, acted].into_iter().flatten().min_by_key(|s| s.0)
}

/// The riskEventType served: premium detections are `generic` below P2 (S13).
pub fn served_kind<'a>(plan: &Plan, kind: &'a str) -> &'a str {
    let nonpremium = matches!(
        kind,
        "anonymizedIPAddress"
            | "leakedCredentials"
            | "adminConfirmedUserCompromised"
            | "investigationsThreatIntelligence"
            | "generic"
    );
    if plan.tenant.license < License::P2 && !nonpremium {
        "generic"
    } else {
        kind
    }
}

/// The riskDetection JSON, settled as `settled` says.
pub fn to_json(
    plan: &Plan,
    d: &Detection,
    settled: Option<(Ticks, &'static str, &'static str)>,
    beta: bool,
) -> Value {
    let person = plan.tenant.user(d.user);
    let sign_in = d.sign_in();
    let kind = served_kind(plan, &d.kind);
    let place = sign_in.and_then(|r| location(plan, r)).map(|l| {
        json!({
            "city": l.city,
            "state": l.state,
            "countryOrRegion": l.country,
            "geoCoordinates": {"altitude": null, "latitude": l.latitude, "longitude": l.longitude},
        })
    });
    let mut info: Vec<Value> = sign_in
        .and_then(|r| agent(plan, r))
        .map(|a| json!({"Key": "userAgent", "Value": a.user_agent}))
        .into_iter()
        .collect();
    info.extend(d.info.iter().map(|(k, v)| json!({"Key": k, "Value": v})));
    let confirmed = d.kind == "adminConfirmedUserCompromised";
    let (state, detail) = match (confirmed, settled) {
        (true, _) => ("confirmedCompromised", "adminConfirmedUserCompromised"),
        (false, Some((_, state, detail))) => (state, detail),
        (false, None) => ("atRisk", "none"),
    };
    let updated = settled.map_or(d.detected, |s| s.0);
    let mut object = json!({
        "id": d.id,
        "requestId": sign_in.map(|r| request_id(plan, r)),
        "correlationId": sign_in.map(|r| id(plan.tenant.seed, Purpose::Correlation, r.corr)),
        "riskEventType": kind,
        "riskState": state,
        "riskLevel": LEVEL[d.level as usize & 3],
        "riskDetail": detail,
        "source": "IdentityProtection",
        "detectionTimingType": d.timing,
        "activity": if sign_in.is_some() { "signin" } else { "user" },
        "tokenIssuerType": "AzureAD",
        "ipAddress": sign_in.and_then(ip_address),
        "location": place,
        "activityDateTime": time7(d.activity_at),
        "detectedDateTime": time7(d.detected),
        "lastUpdatedDateTime": time7(updated),
        "userId": person.id,
        "userDisplayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
        "additionalInfo": Value::Array(info).to_string(),
    });
    if beta {
        // Beta keeps the deprecated `riskType` and adds `mitreTechniqueId` (reference §A.5, S2).
        object["riskType"] = json!(kind);
        object["mitreTechniqueId"] = Value::Null;
    }
    object
}

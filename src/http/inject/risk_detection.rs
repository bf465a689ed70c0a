//! `POST /_entrasim/riskDetections`: one user risk detection, checked against the
//! tenant like the other injections. A real-time detection is carried by the
//! sign-in it names (its `riskEventTypes_v2` and levels change); an offline one
//! names a sign-in or only the user. The user's risk follows, and so do the
//! sign-ins after it (a high risk is blocked by the user-risk policy).

use super::{Common, Problems, checked, text, user_ref};
use crate::activity::Plan;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::model::ids::Purpose;
use crate::protection::actions::Injected;
use crate::protection::detections::{from_injected, hex_id};
use crate::protection::signals;
use crate::store::records::SignIn;
use crate::store::{Indexed, TenantLogs};
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};
use std::sync::Arc;

const FIELDS: [&str; 6] = [
    "riskEventType",
    "riskLevel",
    "detectionTimingType",
    "requestId",
    "userId",
    "userPrincipalName",
];

/// The user and sign-in detection types of the catalogue (reference §A.5, S13),
/// with their timing when the body gives none.
const KINDS: [(&str, &str); 25] = [
    ("riskyIPAddress", "offline"),
    ("generic", "offline"),
    ("adminConfirmedUserCompromised", "offline"),
    ("anomalousToken", "offline"),
    ("anonymizedIPAddress", "realtime"),
    ("unlikelyTravel", "offline"),
    ("mcasImpossibleTravel", "offline"),
    ("maliciousIPAddress", "offline"),
    ("mcasFinSuspiciousFileAccess", "offline"),
    ("investigationsThreatIntelligence", "offline"),
    ("newCountry", "offline"),
    ("passwordSpray", "realtime"),
    ("suspiciousBrowser", "offline"),
    ("suspiciousInboxForwarding", "offline"),
    ("mcasSuspiciousInboxManipulationRules", "offline"),
    ("tokenIssuerAnomaly", "offline"),
    ("unfamiliarFeatures", "realtime"),
    ("nationStateIP", "realtime"),
    ("anomalousUserActivity", "offline"),
    ("attackerinTheMiddle", "offline"),
    ("leakedCredentials", "offline"),
    ("attemptedPrtAccess", "offline"),
    ("suspiciousAPITraffic", "offline"),
    ("suspiciousSendingPatterns", "offline"),
    ("userReportedSuspiciousActivity", "offline"),
];

/// What a checked body describes.
struct Asked {
    kind: &'static str,
    level: u8,
    timing: &'static str,
    user: u32,
    sign_in: Option<SignIn>,
}

/// `POST /_entrasim/riskDetections`: 201 with the detection as `riskDetections` serves it.
pub async fn risk_detection(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let world = state.world();
    let (common, asked) = checked(
        &body,
        &FIELDS,
        "detectedDateTime",
        &state,
        |plan, body, common, problems| {
            build(plan, &world.tenants[common.tenant], body, common, problems)
        },
    )?;
    let now = crate::store::records::ticks(state.clock.now());
    let stored = state.update(|world| {
        let logs = &mut world.tenants[common.tenant];
        if !Arc::ptr_eq(&logs.plan, &common.plan) {
            return Err(super::reset_meanwhile());
        }
        Ok(store(logs, &common, &asked))
    })?;
    let world = state.world();
    let logs = &world.tenants[common.tenant];
    // As riskDetections serves it; one whose sign-in is not visible yet, as it will be served.
    let found = crate::protection::export::risk_detections(logs, now, false)
        .into_iter()
        .find(|d| d["id"].as_str() == Some(stored.id.as_str()))
        .unwrap_or_else(|| {
            let detection = from_injected(&stored, asked.sign_in);
            crate::protection::detections::to_json(&logs.plan, &detection, None, false)
        });
    Ok(HttpResponse::Created().json(found))
}

fn build(
    plan: &Plan,
    logs: &TenantLogs,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Asked {
    let (kind, default_timing) = kind(body, problems);
    let level = match text(body, "riskLevel", problems) {
        None => default_level(kind),
        Some("low") => 1,
        Some("medium") => 2,
        Some("high") => 3,
        Some(_) => {
            problems.add("riskLevel", "must be low, medium or high");
            2
        }
    };
    let timing = match text(body, "detectionTimingType", problems) {
        None => default_timing,
        Some("realtime") => "realtime",
        Some("offline") => "offline",
        Some(_) => {
            problems.add("detectionTimingType", "must be realtime or offline");
            "offline"
        }
    };
    let sign_in = sign_in_ref(plan, logs, body, problems);
    let named = user_ref(plan, body, problems);
    let user = agree_user(sign_in, named, problems);
    let names_user = body.contains_key("userId") || body.contains_key("userPrincipalName");
    if user.is_none() && !names_user && !body.contains_key("requestId") {
        problems.add(
            "userId",
            "a user (userId or userPrincipalName) or a sign-in (requestId) is required",
        );
    }
    if timing == "realtime" {
        realtime_rules(kind, sign_in, body, problems);
    }
    if let Some(r) = sign_in
        && timing == "offline"
        && body.contains_key("detectedDateTime")
        && common.at < r.at
    {
        problems.add(
            "detectedDateTime",
            "must not be before the sign-in it names",
        );
    }
    Asked {
        kind,
        level,
        timing,
        user: user.unwrap_or(0),
        sign_in,
    }
}

fn kind(body: &Map<String, Value>, problems: &mut Problems) -> (&'static str, &'static str) {
    let Some(name) = text(body, "riskEventType", problems) else {
        problems.add("riskEventType", "is required");
        return ("generic", "offline");
    };
    if let Some(found) = KINDS.iter().find(|(k, _)| *k == name) {
        return *found;
    }
    let known: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
    problems.add(
        "riskEventType",
        format!("must be one of {}", known.join(", ")),
    );
    ("generic", "offline")
}

fn default_level(kind: &str) -> u8 {
    match kind {
        "leakedCredentials"
        | "adminConfirmedUserCompromised"
        | "passwordSpray"
        | "nationStateIP" => 3,
        _ => 2,
    }
}

/// A real-time detection is carried by its sign-in: it needs one, and a type
/// that the sign-in's `riskEventTypes_v2` holds here.
fn realtime_rules(
    kind: &str,
    sign_in: Option<SignIn>,
    body: &Map<String, Value>,
    problems: &mut Problems,
) {
    if !signals::REALTIME.iter().any(|(k, _)| *k == kind) {
        let carried: Vec<&str> = signals::REALTIME.iter().map(|k| k.0).collect();
        problems.add(
            "detectionTimingType",
            format!(
                "realtime detections here are {}; use offline",
                carried.join(", ")
            ),
        );
    }
    if sign_in.is_none() && !body.contains_key("requestId") {
        problems.add(
            "requestId",
            "a realtime detection needs the sign-in (requestId) it happened in",
        );
    }
}

fn sign_in_ref(
    plan: &Plan,
    logs: &TenantLogs,
    body: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<SignIn> {
    let id = text(body, "requestId", problems)?;
    let keys = crate::query::keys::keys_of(plan.tenant.seed, Purpose::SignIn, id, false);
    let found = keys
        .into_iter()
        .flat_map(|key| logs.find::<SignIn>(Indexed::Key(key)))
        .find(|r| r.kind.is_user());
    if found.is_none() {
        problems.refer(
            "requestId",
            format!("no user sign-in with id '{id}' in the tenant"),
        );
    }
    found
}

fn agree_user(sign_in: Option<SignIn>, named: Option<u32>, problems: &mut Problems) -> Option<u32> {
    match (sign_in.map(|r| r.subject), named) {
        (Some(a), Some(b)) if a != b => {
            problems.add(
                "userId",
                "names a different user than the sign-in (requestId)",
            );
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// Files the detection; returns it.
fn store(logs: &mut TenantLogs, common: &Common, asked: &Asked) -> Injected {
    logs.injected += 1;
    let carried = asked.timing == "realtime";
    let seed = logs.plan.tenant.seed;
    let request = asked
        .sign_in
        .map(|r| crate::model::ids::id(seed, Purpose::SignIn, r.key));
    let id = match (&request, carried) {
        (Some(request), true) => hex_id(&format!("riskDetection/{request}/{}", asked.kind)),
        _ => hex_id(&format!("injected/{}/{}", seed.0, logs.injected)),
    };
    let at = asked.sign_in.map_or(common.at, |r| r.at);
    let injected = Injected {
        id,
        user: asked.user,
        kind: asked.kind.to_string(),
        level: asked.level,
        timing: asked.timing,
        activity_at: at,
        detected: if carried { at } else { common.at },
        sign_in: asked.sign_in.map(|r| r.key),
    };
    logs.risk_actions.detections.push(injected.clone());
    if let (Some(r), true) = (asked.sign_in, carried) {
        carry(logs, r, asked);
    }
    logs.reassess_risk(if carried { at } else { common.at });
    injected
}

/// The sign-in now carries the detection: its bit, and its level if higher.
fn carry(logs: &mut TenantLogs, r: SignIn, asked: &Asked) {
    let bit = signals::REALTIME
        .iter()
        .position(|(k, _)| *k == asked.kind)
        .map_or(0, |b| 1u8 << (4 + b));
    let level = signals::during(r.risk).max(asked.level);
    let risk = (r.risk & !3) | bit | level;
    logs.replace(SignIn { risk, ..r });
}

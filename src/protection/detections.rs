//! Risk detections: one real-time detection for every risky user sign-in in the
//! store, so that each detection's `requestId` / `correlationId` is a sign-in
//! that carries it (reference §A.9).

use super::actions::{Action, Subject, Verdict};
use super::risk;
use crate::activity::Plan;
use crate::config::License;
use crate::model::ids::{Purpose, id, time7};
use crate::model::sign_in::{
    agent, ip_address, location, risk_event_types, user_display_name, user_id, user_principal_name,
};
use crate::store::TenantLogs;
use crate::store::records::{Record, SignIn, Ticks};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// `riskLevel` of a sign-in's risk score (same table as the sign-in log).
pub const LEVEL: [&str; 4] = ["none", "low", "medium", "high"];

/// The sign-in risk score from which a real-time detection is raised: the
/// sign-in log marks these `atRisk` with `riskEventTypes_v2` (model::sign_in).
pub const DETECTED_FROM: u8 = 2;

/// Every risky user sign-in visible at `now` and still in the sign-in log's
/// retention, newest first (INFERRED: detections are kept 90 days in Entra, but
/// here they last as long as the sign-in they point at; the docs give no order,
/// newest first matches the sign-in log).
pub fn risky_sign_ins(logs: &TenantLogs, now: Ticks) -> Vec<SignIn> {
    let from = now - crate::store::retention_ticks(&logs.plan);
    let mut found: Vec<SignIn> = logs
        .hours
        .values()
        .flat_map(|hour| hour.sign_ins.iter())
        .filter(|r| {
            r.risk >= DETECTED_FROM && r.kind.is_user() && r.at >= from && r.visible_at() <= now
        })
        .copied()
        .collect();
    found.sort_by_key(|r| std::cmp::Reverse((r.at, r.key)));
    found
}

/// `riskEventType` of the detection behind a risky sign-in. Below P2 the
/// detection is "Additional risk detected", riskEventType `generic` (reference §A.3, S13).
pub fn event_type(plan: &Plan, r: &SignIn) -> &'static str {
    risk_event_types(plan, r.risk)
        .first()
        .copied()
        .unwrap_or("generic")
}

/// The detection's id: 64 hex characters, as real samples are (reference §A.5, S7).
pub fn detection_id(plan: &Plan, r: &SignIn) -> String {
    let request = id(plan.tenant.seed, Purpose::SignIn, r.key);
    let digest = Sha256::digest(format!("riskDetection/{request}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The riskDetection JSON of a risky sign-in, settled by the action that came after it, if any.
pub fn to_json(plan: &Plan, r: &SignIn, settled: Option<&Action>, beta: bool) -> Value {
    let seed = plan.tenant.seed;
    let at = time7(r.at);
    let kind = event_type(plan, r);
    let place = location(plan, r).map(|l| {
        json!({
            "city": l.city,
            "state": l.state,
            "countryOrRegion": l.country,
            "geoCoordinates": {"altitude": null, "latitude": l.latitude, "longitude": l.longitude},
        })
    });
    let info = agent(plan, r).map_or_else(
        || "[]".to_string(),
        |a| json!([{"Key": "userAgent", "Value": a.user_agent}]).to_string(),
    );
    let mut object = json!({
        "id": detection_id(plan, r),
        "requestId": id(seed, Purpose::SignIn, r.key),
        "correlationId": id(seed, Purpose::Correlation, r.corr),
        "riskEventType": kind,
        "riskState": "atRisk",
        "riskLevel": LEVEL[r.risk as usize & 3],
        "riskDetail": "none",
        "source": "IdentityProtection",
        "detectionTimingType": "realtime",
        "activity": "signin",
        "tokenIssuerType": "AzureAD",
        "ipAddress": ip_address(r),
        "location": place,
        "activityDateTime": at,
        "detectedDateTime": at,
        "lastUpdatedDateTime": at,
        "userId": user_id(plan, r),
        "userDisplayName": user_display_name(plan, r),
        "userPrincipalName": user_principal_name(plan, r),
        "additionalInfo": info,
    });
    if let Some(action) = settled {
        let (_, state, detail) = risk::settled(Subject::User, action.verdict);
        object["riskState"] = json!(state);
        object["riskDetail"] = json!(detail);
        object["lastUpdatedDateTime"] = json!(time7(action.at));
    }
    if beta {
        // Beta keeps the deprecated `riskType` and adds `mitreTechniqueId` (reference §A.5, S2).
        object["riskType"] = json!(kind);
        object["mitreTechniqueId"] = Value::Null;
    }
    object
}

/// Whether the tenant may list risk detections at all: P1 or P2 (reference §A.3, S5).
pub fn licensed(license: License) -> bool {
    license >= License::P1
}

/// The `adminConfirmedUserCompromised` detection a confirmCompromised action creates
/// (offline, activity `user`, no sign-in: requestId and correlationId null, §A.5, §A.7).
pub fn admin_confirmed(plan: &Plan, user: u32, action: &Action, beta: bool) -> Option<Value> {
    if action.verdict != Verdict::ConfirmCompromised {
        return None;
    }
    let person = plan.tenant.user(user);
    let at = time7(action.at);
    let kind = "adminConfirmedUserCompromised";
    let mut object = json!({
        "id": super::users::hex_id(&format!("adminConfirmed/{}/{}", person.id, action.at)),
        "requestId": null,
        "correlationId": null,
        "riskEventType": kind,
        "riskState": "confirmedCompromised",
        "riskLevel": "high",
        "riskDetail": "adminConfirmedUserCompromised",
        "source": "IdentityProtection",
        "detectionTimingType": "offline",
        "activity": "user",
        "tokenIssuerType": "AzureAD",
        "ipAddress": null,
        "location": null,
        "activityDateTime": at,
        "detectedDateTime": at,
        "lastUpdatedDateTime": at,
        "userId": person.id,
        "userDisplayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
        "additionalInfo": "[]",
    });
    if beta {
        object["riskType"] = json!(kind);
        object["mitreTechniqueId"] = Value::Null;
    }
    Some(object)
}

//! Workload activity: `servicePrincipalSignInActivities` (the last sign-in of
//! each app as client and as resource, delegated and app-only) and
//! `appCredentialSignInActivities` (the last sign-in with each credential).

use crate::activity::Plan;
use crate::model::ids::{Purpose, id, time0};
use crate::model::sign_in::{credential, resource};
use crate::store::records::SignIn;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The four activities of [`sp_activities`], in Graph's property order.
const SLOTS: [&str; 4] = [
    "applicationAuthenticationClientSignInActivity",
    "applicationAuthenticationResourceSignInActivity",
    "delegatedClientSignInActivity",
    "delegatedResourceSignInActivity",
];

/// `signInActivity` of a sign-in: its time and request id (the sign-in's `id`).
fn sign_in_activity(plan: &Plan, r: Option<&SignIn>) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            "lastSignInDateTime": time0(r.at),
            "lastSignInRequestId": id(plan.tenant.seed, Purpose::SignIn, r.key),
        })
    })
}

/// One row per service principal that signed in or was signed in to; an activity
/// nobody had is null (INFERRED). id = base64(appId) (§B.5); most recent first.
pub fn sp_activities(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Value> {
    let mut last: BTreeMap<u32, [Option<&SignIn>; 4]> = BTreeMap::new();
    for r in sign_ins {
        let (client, target) = if r.kind.is_user() { (2, 3) } else { (0, 1) };
        // Oldest first, so each later sign-in replaces the one before.
        last.entry(r.app).or_default()[client] = Some(r);
        last.entry(r.resource).or_default()[target] = Some(r);
    }
    let mut rows: Vec<(&SignIn, u32, [Option<&SignIn>; 4])> = last
        .into_iter()
        .filter_map(|(sp, slots)| {
            let latest = slots.iter().flatten().max_by_key(|r| (r.at, r.key))?;
            Some((*latest, sp, slots))
        })
        .collect();
    rows.sort_by_key(|(latest, sp, _)| (std::cmp::Reverse((latest.at, latest.key)), *sp));
    rows.into_iter()
        .map(|(latest, sp, slots)| {
            let app_id = &plan.tenant.sp(sp).app_id;
            let mut row = json!({"id": super::base64_id(app_id), "appId": app_id});
            for (name, slot) in SLOTS.iter().zip(slots) {
                row[*name] = sign_in_activity(plan, slot);
            }
            row["lastSignInActivity"] = sign_in_activity(plan, Some(latest));
            row
        })
        .collect()
}

/// One row per credential of the tenant's applications, with the last sign-in that
/// presented it (null when unused in retention, INFERRED). id = base64(`keyId|origin`) (§B.6).
pub fn credential_activities(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Value> {
    let mut used: BTreeMap<&str, &SignIn> = BTreeMap::new();
    for r in sign_ins {
        if let (Some(key), _) = credential(plan, r) {
            used.insert(key, r);
        }
    }
    let mut rows = Vec::new();
    for app in &plan.tenant.applications {
        let certificates = app
            .certificates
            .iter()
            .map(|k| (&k.key_id, k.start, k.end, "certificate", "verify"));
        let secrets = app
            .passwords
            .iter()
            .map(|p| (&p.key_id, p.start, p.end, "clientSecret", "sign"));
        for (key_id, start, end, kind, usage) in certificates.chain(secrets) {
            let last = used.get(key_id.as_str()).copied();
            rows.push(json!({
                "id": super::base64_id(&format!("{key_id}|application")),
                "keyId": key_id,
                "keyType": kind,
                "keyUsage": usage,
                "credentialOrigin": "application",
                "appId": app.app_id,
                "appObjectId": app.id,
                "servicePrincipalObjectId": plan.tenant.sp(app.service_principal).id,
                "createdDateTime": time0(crate::store::records::ticks(start)),
                "expirationDateTime": time0(crate::store::records::ticks(end)),
                "resourceId": last.map(|r| resource(plan, r).0),
                "signInActivity": sign_in_activity(plan, last),
            }));
        }
    }
    rows
}

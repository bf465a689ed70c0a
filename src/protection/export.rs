//! The Identity Protection collections as `generate` writes them: what a query
//! without options would page through at the same instant.

use super::detections::{self, Detection};
use super::episodes::{self, Episode};
use super::{risk, users, workloads};
use crate::store::TenantLogs;
use crate::store::records::Ticks;
use serde_json::Value;

/// What Identity Protection knows about users at an instant: the detections
/// (newest first) and the episodes whose password resets settle risk.
pub struct View {
    pub found: Vec<Detection>,
    pub resets: Vec<Episode>,
}

/// The view at `now`, from one walk of the sign-in log.
pub fn view(logs: &TenantLogs, now: Ticks) -> View {
    let sign_ins = crate::reports::walk::sign_ins(logs, now);
    let from = now - crate::store::retention_ticks(&logs.plan);
    View {
        found: detections::all(logs, &sign_ins, now),
        resets: episodes::episodes(&logs.plan, from, now + 1),
    }
}

/// Every user detection, newest first, in the state its settlement gives.
pub fn risk_detections(logs: &TenantLogs, now: Ticks, beta: bool) -> Vec<Value> {
    let view = view(logs, now);
    let actions = &logs.risk_actions;
    view.found
        .iter()
        .map(|d| {
            let settled = detections::settlement(d, &view.resets, actions, now);
            detections::to_json(&logs.plan, d, settled, beta)
        })
        .collect()
}

/// The risky users, most recently updated first.
pub fn risky_users(logs: &TenantLogs, now: Ticks) -> Vec<Value> {
    let view = view(logs, now);
    users::risky_users(
        &logs.plan,
        &view.found,
        &view.resets,
        &logs.risk_actions,
        now,
    )
    .iter()
    .map(|u| users::to_json(&logs.plan, u))
    .collect()
}

/// The workload detections, newest first, settled by later actions.
pub fn sp_detections(logs: &TenantLogs, now: Ticks, beta: bool) -> Vec<Value> {
    let sign_ins = crate::reports::walk::sign_ins(logs, now);
    let acted = &logs.risk_actions.service_principals;
    workloads::detections(&sign_ins, now)
        .iter()
        .map(|d| {
            let settled = acted.get(&d.sp).and_then(|a| risk::settling(a, d.detected));
            workloads::to_json(&logs.plan, d, settled, beta)
        })
        .collect()
}

/// The risky service principals, most recently updated first.
pub fn risky_sps(logs: &TenantLogs, now: Ticks) -> Vec<Value> {
    let sign_ins = crate::reports::walk::sign_ins(logs, now);
    let found = workloads::detections(&sign_ins, now);
    workloads::risky(&found, &logs.risk_actions)
        .iter()
        .map(|s| workloads::risky_json(&logs.plan, s))
        .collect()
}

/// (file name, objects) of each collection, for `generate`.
pub fn collections(logs: &TenantLogs, now: Ticks, beta: bool) -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("riskDetections", risk_detections(logs, now, beta)),
        ("riskyUsers", risky_users(logs, now)),
        ("riskyServicePrincipals", risky_sps(logs, now)),
        (
            "servicePrincipalRiskDetections",
            sp_detections(logs, now, beta),
        ),
    ]
}

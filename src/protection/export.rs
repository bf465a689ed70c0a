//! The Identity Protection collections as `generate` writes them: what a query
//! without options would page through at the same instant.

use super::{detections, risk, users, workloads};
use crate::store::TenantLogs;
use crate::store::records::Ticks;
use serde_json::Value;

/// Every user detection, newest first: the risky sign-ins (settled by a later action)
/// and the detections confirmCompromised created.
pub fn risk_detections(logs: &TenantLogs, now: Ticks, beta: bool) -> Vec<Value> {
    let plan = &logs.plan;
    let acted = &logs.risk_actions.users;
    let mut all: Vec<(Ticks, Value)> = detections::risky_sign_ins(logs, now)
        .iter()
        .map(|r| {
            let settled = acted.get(&r.subject).and_then(|a| risk::settling(a, r.at));
            (r.at, detections::to_json(plan, r, settled, beta))
        })
        .collect();
    for (user, list) in acted {
        for action in list {
            let created = detections::admin_confirmed(plan, *user, action, beta);
            all.extend(created.map(|d| (action.at, d)));
        }
    }
    all.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    all.into_iter().map(|(_, d)| d).collect()
}

/// The risky users, most recently updated first.
pub fn risky_users(logs: &TenantLogs, now: Ticks) -> Vec<Value> {
    let found = detections::risky_sign_ins(logs, now);
    users::risky_users(&logs.plan, &found, &logs.risk_actions)
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

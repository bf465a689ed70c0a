//! PIM's current state and its requests, derived from the tenant's schedules and
//! the activation chains in the directory audit log:
//! `roleEligibilityScheduleInstances`, `roleAssignmentScheduleInstances` and
//! `roleAssignmentScheduleRequests` (read).
//!
//! An activation chain's records carry the eligibility (`detail`) and the chain's
//! correlation key; its request id is the audit records' `RequestId` detail, its
//! window [`crate::activity::pim::chain_times`]. Directory state changes at event
//! time, so instances and requests follow the records' event times, not their
//! visibility in the log (inferred). Requests reach back as far as the audit log
//! holds; Graph documents no retention for them (inferred).

use crate::activity::Plan;
use crate::activity::pim::chain_times;
use crate::model::ids::{Purpose, id, id2};
use crate::store::TenantLogs;
use crate::store::records::{Audit, TICKS_PER_HOUR, Ticks, datetime, hour_of, ticks};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time_ticks(at: Ticks) -> String {
    time(datetime(at))
}

/// Eligibilities in force at `now`.
pub fn eligibility_instances(plan: &Plan, now: DateTime<Utc>) -> Vec<Value> {
    let t = &plan.tenant;
    t.eligibility_schedules
        .iter()
        .filter(|e| e.start <= now && e.end.is_none_or(|end| end > now))
        .map(|e| {
            json!({
                "id": e.id,
                "principalId": t.users[e.principal as usize].id,
                "roleDefinitionId": t.role_definitions[e.role as usize].id,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": time(e.start),
                "endDateTime": e.end.map(time),
                "memberType": "Direct",
                "roleEligibilityScheduleId": e.id,
            })
        })
        .collect()
}

/// One activation chain seen in the audit log.
struct Chain {
    corr: u64,
    schedule: u32,
    requested: Ticks,
    active: Ticks,
    expires: Ticks,
}

/// Activation chains whose request record happened in `[from, now]`, oldest first.
fn chains(logs: &TenantLogs, from: Ticks, now: Ticks) -> Vec<Chain> {
    let plan = &logs.plan;
    let Some(requested) = plan.activity("PIM", "Add member to role requested (PIM activation)")
    else {
        return Vec::new();
    };
    let mut found: Vec<Chain> = logs
        .hours
        .range(hour_of(from) - 1..=hour_of(now))
        .flat_map(|(_, hour)| hour.audits.iter())
        .filter(|a: &&Audit| a.activity == requested && a.at >= from && a.at <= now)
        .filter_map(|a| {
            let times = chain_times(plan, a.corr, a.detail)?;
            Some(Chain {
                corr: a.corr,
                schedule: a.detail,
                requested: times.requested,
                active: times.active,
                expires: times.expires,
            })
        })
        .collect();
    found.sort_by_key(|c| (c.requested, c.corr));
    found
}

/// Role assignments in force at `now`: the permanent ones, then the activations
/// whose window contains `now`.
pub fn assignment_instances(logs: &TenantLogs, now: DateTime<Utc>) -> Vec<Value> {
    let plan = &logs.plan;
    let t = &plan.tenant;
    let mut out: Vec<Value> = t
        .assignment_schedules
        .iter()
        .enumerate()
        .filter(|(_, s)| s.start <= now && s.end.is_none_or(|end| end > now))
        .map(|(i, s)| {
            let origin = t.role_assignments.get(i).map_or(&s.id, |a| &a.id);
            json!({
                "id": origin,
                "principalId": super::super::model::directory::principal_id(t, s.principal, s.principal_is_sp),
                "roleDefinitionId": t.role_definitions[s.role as usize].id,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": time(s.start),
                "endDateTime": s.end.map(time),
                "assignmentType": "Assigned",
                "memberType": "Direct",
                "roleAssignmentOriginId": origin,
                "roleAssignmentScheduleId": s.id,
            })
        })
        .collect();
    let at = ticks(now);
    let longest = longest_activation(plan);
    for c in chains(logs, at - longest - TICKS_PER_HOUR, at) {
        if c.active <= at && at < c.expires {
            out.push(activated(plan, &c));
        }
    }
    out
}

fn longest_activation(plan: &Plan) -> Ticks {
    let hours = plan
        .tenant
        .role_definitions
        .iter()
        .map(|r| r.activation_hours as i64)
        .max()
        .unwrap_or(0);
    (hours + 1) * TICKS_PER_HOUR
}

fn activated(plan: &Plan, c: &Chain) -> Value {
    let t = &plan.tenant;
    let e = &t.eligibility_schedules[c.schedule as usize];
    let request = id(t.seed, Purpose::Request, c.corr);
    json!({
        "id": id2(t.seed, Purpose::Request, c.corr, 1),
        "principalId": t.users[e.principal as usize].id,
        "roleDefinitionId": t.role_definitions[e.role as usize].id,
        "directoryScopeId": "/",
        "appScopeId": null,
        "startDateTime": time_ticks(c.active),
        "endDateTime": time_ticks(c.expires),
        "assignmentType": "Activated",
        "memberType": "Direct",
        "roleAssignmentOriginId": id2(t.seed, Purpose::Request, c.corr, 2),
        "roleAssignmentScheduleId": request,
    })
}

/// Requests: the admin assignments that created the permanent schedules, then
/// each activation request in the audit log up to `now`, oldest first.
pub fn assignment_requests(logs: &TenantLogs, now: DateTime<Utc>) -> Vec<Value> {
    let plan = &logs.plan;
    let t = &plan.tenant;
    let mut out: Vec<Value> = t
        .assignment_schedules
        .iter()
        .filter(|s| s.created <= now)
        .map(|s| {
            let principal =
                super::super::model::directory::principal_id(t, s.principal, s.principal_is_sp);
            json!({
                "id": s.id,
                "status": "Provisioned",
                "createdDateTime": time(s.created),
                "completedDateTime": time(s.created),
                "approvalId": null,
                "customData": null,
                "action": "adminAssign",
                "principalId": principal,
                "roleDefinitionId": t.role_definitions[s.role as usize].id,
                "directoryScopeId": "/",
                "appScopeId": null,
                "isValidationOnly": false,
                "targetScheduleId": s.id,
                "justification": null,
                "createdBy": null,
                "scheduleInfo": {
                    "startDateTime": time(s.start),
                    "recurrence": null,
                    "expiration": {"type": "noExpiration", "endDateTime": null, "duration": null},
                },
                "ticketInfo": {"ticketNumber": null, "ticketSystem": null},
            })
        })
        .collect();
    let at = ticks(now);
    let from = at - crate::store::retention_ticks(plan);
    out.extend(
        chains(logs, from, at)
            .iter()
            .map(|c| self_activation(plan, c, at)),
    );
    out
}

fn self_activation(plan: &Plan, c: &Chain, now: Ticks) -> Value {
    let t = &plan.tenant;
    let e = &t.eligibility_schedules[c.schedule as usize];
    let role = &t.role_definitions[e.role as usize];
    let user = &t.users[e.principal as usize];
    let request = id(t.seed, Purpose::Request, c.corr);
    let done = c.active <= now;
    let status = match (done, role.approval_required) {
        (true, _) => "Provisioned",
        (false, true) => "PendingApproval",
        (false, false) => "Granted",
    };
    json!({
        "id": request,
        "status": status,
        "createdDateTime": time_ticks(c.requested),
        "completedDateTime": done.then(|| time_ticks(c.active)),
        "approvalId": role.approval_required.then(|| id2(t.seed, Purpose::Request, c.corr, 3)),
        "customData": null,
        "action": "selfActivate",
        "principalId": user.id,
        "roleDefinitionId": role.id,
        "directoryScopeId": "/",
        "appScopeId": null,
        "isValidationOnly": false,
        "targetScheduleId": request,
        "justification": "Routine administration",
        "createdBy": {"application": null, "device": null, "user": {"id": user.id, "displayName": user.display_name}},
        "scheduleInfo": {
            "startDateTime": time_ticks(c.active),
            "recurrence": null,
            "expiration": {"type": "afterDuration", "endDateTime": null, "duration": format!("PT{}H", role.activation_hours)},
        },
        "ticketInfo": {"ticketNumber": null, "ticketSystem": null},
    })
}

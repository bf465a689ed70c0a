//! `POST /_entrasim/activityLog`: one ARM operation (its Started and end events) on a
//! user-assigned identity or a role assignment, checked against the tenant like the
//! other injections.

use super::{Common, Problems, checked, text};
use crate::activity::Plan;
use crate::activity::latency::Log;
use crate::activity_log::generate::owners_at;
use crate::activity_log::record::{ArmEvent, Client, Grant, Op, Phase, Principal, Scope, Subject};
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::store::INJECTED_HOUR;
use crate::store::records::{Actor, make_key};
use crate::tenant::MsiType;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};
use std::sync::Arc;

const FIELDS: [&str; 7] = [
    "operationName",
    "status",
    "caller",
    "resourceId",
    "principalId",
    "roleDefinitionId",
    "scope",
];

/// `POST /_entrasim/activityLog`.
pub async fn activity_log(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let (common, (op, ok, caller, subject)) =
        checked(&body, &FIELDS, "eventTimestamp", &state, build)?;
    let plan = common.plan.clone();
    let events = state.update(|world| {
        let logs = &mut world.tenants[common.tenant];
        if !Arc::ptr_eq(&logs.plan, &common.plan) {
            return Err(super::reset_meanwhile());
        }
        let mut events = Vec::new();
        let end = if ok { Phase::Succeeded } else { Phase::Failed };
        let corr = make_key(INJECTED_HOUR, logs.injected + 1);
        // The end event at the given time (now by default), the Started event a second before.
        for (offset, phase) in [(-10_000_000, Phase::Started), (0, end)] {
            logs.injected += 1;
            let key = make_key(INJECTED_HOUR, logs.injected);
            let delay_ms = common.visible_after.unwrap_or_else(|| {
                plan.latency
                    .delay_ms(plan.tenant.seed, Log::ActivityLog, key)
            });
            let subject = match subject {
                Subject::Transient(grant) => Subject::Transient(Grant {
                    name: corr,
                    ..grant
                }),
                other => other,
            };
            let event = ArmEvent {
                at: common.at + offset,
                key,
                corr,
                delay_ms,
                op,
                phase,
                caller,
                // An injected event names no sign-in: no client address, so no httpRequest.
                client: match caller {
                    Actor::App(_) => Client::Pipeline,
                    _ => Client::Portal,
                },
                ip: [0; 4],
                subject,
            };
            logs.insert(event);
            events.push(event);
        }
        Ok(events)
    })?;
    let value: Vec<Value> = events
        .iter()
        .map(|e| crate::activity_log::json::event(&plan.tenant, e, None))
        .collect();
    Ok(HttpResponse::Created().json(json!({ "value": value })))
}

type Built = (Op, bool, Actor, Subject);

/// The operation, its outcome, caller and subject, or problems.
fn build(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Built {
    let op = match text(body, "operationName", problems) {
        None => {
            problems.add("operationName", "is required");
            Op::AssignmentWrite
        }
        Some(name) => operation(name, problems),
    };
    let ok = match text(body, "status", problems) {
        None | Some("Succeeded") => true,
        Some("Failed") => false,
        Some(_) => {
            problems.add("status", "must be Succeeded or Failed");
            true
        }
    };
    let caller = caller(plan, body, common, problems);
    let subject = match op {
        Op::IdentityWrite | Op::IdentityDelete => identity(plan, body, problems),
        _ => grant(plan, body, common, problems),
    };
    (op, ok, caller, subject)
}

fn operation(name: &str, problems: &mut Problems) -> Op {
    let all = [
        Op::IdentityWrite,
        Op::IdentityDelete,
        Op::AssignmentWrite,
        Op::AssignmentDelete,
    ];
    let found = all.into_iter().find(|op| {
        op.value().eq_ignore_ascii_case(name) || op.localized().eq_ignore_ascii_case(name)
    });
    match found {
        Some(Op::IdentityDelete) => {
            // The identity's service principal would have to leave the directory with it.
            problems.add("operationName", "deleting a user-assigned identity cannot be injected: deletions follow from the seed (the identity's service principal leaves the directory with it)");
            Op::IdentityDelete
        }
        Some(op) => op,
        None => {
            let names: Vec<&str> = all.iter().map(|o| o.value()).collect();
            problems.add(
                "operationName",
                format!("must be one of {}", names.join(", ")),
            );
            Op::AssignmentWrite
        }
    }
}

/// A user by UPN or object id, or a service principal by appId or object id; by default
/// a subscription owner (Global Administrator) at the event time.
fn caller(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Actor {
    let t = &plan.tenant;
    match text(body, "caller", problems) {
        Some(c) => t
            .user_by_upn(c)
            .or_else(|| t.user_by_id(c))
            .map(Actor::User)
            .or_else(|| t.sp_by_app_id(c).or_else(|| t.sp_by_id(c)).map(Actor::App))
            .unwrap_or_else(|| {
                problems.add(
                    "caller",
                    format!("no user or service principal '{c}' in the tenant"),
                );
                Actor::User(0)
            }),
        None => match owners_at(plan, common.at).first() {
            Some(&u) => Actor::User(u),
            None => {
                problems.add(
                    "caller",
                    "is required: no Global Administrator holds the role at that time",
                );
                Actor::User(0)
            }
        },
    }
}

fn identity(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> Subject {
    let t = &plan.tenant;
    let Some(id) = text(body, "resourceId", problems) else {
        problems.add(
            "resourceId",
            "is required: the user-assigned identity's ARM id",
        );
        return Subject::Identity(0);
    };
    match t
        .managed_identities
        .iter()
        .position(|m| m.kind == MsiType::UserAssigned && m.resource_id.eq_ignore_ascii_case(id))
    {
        Some(m) => Subject::Identity(m as u32),
        None => {
            problems.add(
                "resourceId",
                format!("no user-assigned identity '{id}' in the tenant"),
            );
            Subject::Identity(0)
        }
    }
}

fn grant(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Subject {
    let t = &plan.tenant;
    let principal = match text(body, "principalId", problems) {
        None => {
            problems.add("principalId", "is required");
            None
        }
        Some(id) => {
            let found = t
                .sp_by_id(id)
                .map(Principal::Sp)
                .or_else(|| t.user_by_id(id).map(Principal::User))
                .or_else(|| {
                    t.groups
                        .iter()
                        .position(|g| g.id.eq_ignore_ascii_case(id))
                        .map(|g| Principal::Group(g as u32))
                });
            if found.is_none() {
                problems.add(
                    "principalId",
                    format!("no service principal, user or group '{id}' in the tenant"),
                );
            }
            found
        }
    };
    let role = match text(body, "roleDefinitionId", problems) {
        None => {
            problems.add("roleDefinitionId", "is required");
            None
        }
        Some(id) => {
            let guid = id.rsplit('/').next().unwrap_or(id);
            let found = crate::arm::roles::BUILT_IN
                .iter()
                .position(|r| r.id.eq_ignore_ascii_case(guid));
            if found.is_none() {
                problems.add(
                    "roleDefinitionId",
                    format!("'{id}' is not one of the built-in roles entrasim serves"),
                );
            }
            found
        }
    };
    let scope = scope(plan, body, problems);
    Subject::Transient(Grant {
        principal: principal.unwrap_or(Principal::Sp(0)),
        role: role.unwrap_or(0) as u8,
        scope: scope.unwrap_or(Scope::Subscription(0)),
        name: 0,
        created: common.at,
    })
}

/// A subscription, or the resource group or resource of an identity-bearing resource.
fn scope(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> Option<Scope> {
    let t = &plan.tenant;
    let Some(text) = text(body, "scope", problems) else {
        problems.add("scope", "is required");
        return None;
    };
    let wanted = text.trim_end_matches('/');
    let same = |s: Option<String>| s.is_some_and(|s| s.eq_ignore_ascii_case(wanted));
    let text_of = |s: Scope| crate::activity_log::json::scope_text(t, s);
    let found = (0..t.subscriptions.len() as u16)
        .map(Scope::Subscription)
        .chain(
            (0..t.managed_identities.len() as u32)
                .flat_map(|m| [Scope::GroupOf(m), Scope::ResourceOf(m)]),
        )
        .find(|&s| same(text_of(s)));
    if found.is_none() {
        problems.add("scope", format!("'{text}' is not a subscription, resource group or identity-bearing resource of the tenant"));
    }
    found
}

//! Injection of records through the control surface: a partial record is
//! checked field by field (every field present, type first, then reference),
//! completed coherently from the tenant, and filed in the log. A rejected
//! request stores nothing; concurrent injections never share a key.

mod activity_log;
mod audit;
mod provisioning;
mod sign_in;

pub use activity_log::activity_log;
pub use audit::audit;
pub use provisioning::provisioning;
pub use sign_in::sign_in;

use super::control::{duration, object};
use super::error::GraphError;
use super::middleware::JSON;
use crate::activity::Plan;
use crate::app::AppState;
use crate::store::records::{datetime, make_key, ticks};
use crate::store::{INJECTED_HOUR, LogOf, World, retention_ticks};
use actix_web::HttpResponse;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Problems found in a body, one per bad field.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, field: &str, problem: impl std::fmt::Display) {
        self.0.push(format!("{field}: {problem}"));
    }

    fn into_result(self) -> Result<(), GraphError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(
            GraphError::bad_request(format!("The record is invalid: {}", self.0.join("; ")))
                .with_detail(self.0.join("\n")),
        )
    }
}

/// Common fields of every injection.
struct Common {
    tenant: usize,
    plan: Arc<Plan>,
    at: i64,
    visible_after: Option<u32>,
}

fn common(
    body: &Map<String, Value>,
    allowed: &[&str],
    time_field: &str,
    state: &AppState,
    world: &World,
    problems: &mut Problems,
) -> Common {
    for key in body.keys() {
        if !allowed.contains(&key.as_str())
            && !["tenantId", "visibleAfter", time_field].contains(&key.as_str())
        {
            problems.add(
                key,
                format!(
                    "unknown field (known: {}, {time_field}, visibleAfter, tenantId)",
                    allowed.join(", ")
                ),
            );
        }
    }
    let tenant = tenant_ref(body, world, problems);
    let plan = world.tenants[tenant].plan.clone();
    Common {
        tenant,
        at: event_time(body, time_field, &plan, state, problems),
        visible_after: visible_after(body, problems),
        plan,
    }
}

fn tenant_ref(body: &Map<String, Value>, world: &World, problems: &mut Problems) -> usize {
    let Some(id) = text(body, "tenantId", problems) else {
        return 0;
    };
    world
        .tenants
        .iter()
        .position(|t| t.plan.tenant.id.eq_ignore_ascii_case(id))
        .unwrap_or_else(|| {
            problems.add("tenantId", "no such tenant");
            0
        })
}

/// The event time: now if absent; never in the future nor before retention
/// (a record there could never be seen).
fn event_time(
    body: &Map<String, Value>,
    field: &str,
    plan: &Plan,
    state: &AppState,
    problems: &mut Problems,
) -> i64 {
    let now = ticks(state.clock.now());
    let Some(value) = body.get(field) else {
        return now;
    };
    let Some(at) = value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    else {
        problems.add(field, "must be an RFC 3339 date-time");
        return now;
    };
    let at = ticks(at.to_utc());
    let earliest = now - retention_ticks(plan);
    if at > now {
        problems.add(field, "must not be in the future");
    } else if at < earliest {
        problems.add(
            field,
            format!(
                "is outside the tenant's {}-day retention (earliest {}): it would never be visible",
                plan.tenant.license.retention_days(),
                datetime(earliest).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        );
    } else {
        return at;
    }
    now
}

fn visible_after(body: &Map<String, Value>, problems: &mut Problems) -> Option<u32> {
    let value = body.get("visibleAfter")?;
    let ms = duration(value).and_then(|d| u32::try_from(d.num_milliseconds()).ok());
    if ms.is_none() {
        problems.add(
            "visibleAfter",
            "must be an ISO 8601 duration such as PT0S or a number of seconds, at most P49D",
        );
    }
    ms
}

/// A string field, if present; anything else present is a problem.
fn text<'a>(body: &'a Map<String, Value>, field: &str, problems: &mut Problems) -> Option<&'a str> {
    let value = body.get(field)?;
    let text = value.as_str();
    if text.is_none() {
        problems.add(field, "must be a string");
    }
    text
}

/// Looks a string field up: a problem if it is not a string or names nothing.
fn reference<T>(
    body: &Map<String, Value>,
    field: &str,
    problems: &mut Problems,
    find: impl FnOnce(&str) -> Option<T>,
    missing: &str,
) -> Option<T> {
    let value = text(body, field, problems)?;
    let found = find(value);
    if found.is_none() {
        problems.add(field, format!("no {missing} '{value}' in the tenant"));
    }
    found
}

/// Two fields naming the same thing must agree; either alone decides.
fn agree(
    a: (&str, Option<u32>),
    b: (&str, Option<u32>),
    what: &str,
    problems: &mut Problems,
) -> Option<u32> {
    match (a.1, b.1) {
        (Some(x), Some(y)) if x != y => {
            problems.add(b.0, format!("names a different {what} than {}", a.0));
            Some(x)
        }
        (x, y) => x.or(y),
    }
}

/// The user named by `userPrincipalName` and/or `userId` (both checked).
fn user_ref(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> Option<u32> {
    let tenant = &plan.tenant;
    let by_upn = reference(
        body,
        "userPrincipalName",
        problems,
        |upn| tenant.user_by_upn(upn),
        "user",
    );
    let by_id = reference(
        body,
        "userId",
        problems,
        |id| tenant.user_by_id(id),
        "user with id",
    );
    agree(
        ("userPrincipalName", by_upn),
        ("userId", by_id),
        "user",
        problems,
    )
}

/// A service principal named by appId or object id in `field`.
fn sp_ref(
    plan: &Plan,
    body: &Map<String, Value>,
    field: &str,
    problems: &mut Problems,
) -> Option<u32> {
    let tenant = &plan.tenant;
    reference(
        body,
        field,
        problems,
        |id| tenant.sp_by_app_id(id).or_else(|| tenant.sp_by_id(id)),
        "application or service principal",
    )
}

fn first_member(plan: &Plan) -> u32 {
    (0..plan.tenant.users.len() as u32)
        .find(|&u| plan.tenant.user(u).kind == crate::tenant::UserKind::Member)
        .unwrap_or(0)
}

/// Files a record under its tenant's next injected key, assigned inside the
/// update so concurrent injections never share one. `finish` completes the
/// record from its key. Refused if the tenant was rebuilt meanwhile.
/// Reads a body: the fields every log shares, then the log's own record from
/// `build`; a 400 naming every bad field if any is wrong.
fn checked<R>(
    body: &[u8],
    allowed: &[&str],
    time_field: &str,
    state: &AppState,
    build: impl FnOnce(&Plan, &Map<String, Value>, &Common, &mut Problems) -> R,
) -> Result<(Common, R), GraphError> {
    let body = object(body)?;
    let world = state.world();
    let mut problems = Problems::default();
    let common = common(&body, allowed, time_field, state, &world, &mut problems);
    let record = build(&common.plan, &body, &common, &mut problems);
    problems.into_result()?;
    Ok((common, record))
}

fn store<R: LogOf + Copy>(
    state: &AppState,
    common: &Common,
    finish: impl FnOnce(u64) -> R,
) -> Result<R, GraphError> {
    state.update(|world| {
        let logs = &mut world.tenants[common.tenant];
        if !Arc::ptr_eq(&logs.plan, &common.plan) {
            return Err(GraphError::new(
                409,
                "Conflict",
                "The server was reset while the record was injected; send it again.",
            ));
        }
        logs.injected += 1;
        let record = finish(make_key(INJECTED_HOUR, logs.injected));
        logs.insert(record);
        Ok(record)
    })
}

fn created(plan: &Plan, write: impl FnOnce(&mut Vec<u8>, &Plan)) -> HttpResponse {
    let mut out = Vec::new();
    write(&mut out, plan);
    HttpResponse::Created().content_type(JSON).body(out)
}

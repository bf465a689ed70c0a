//! Injection of records through the control surface: a partial record is
//! checked field by field (every field present, type first, then reference),
//! completed coherently from the tenant, and filed in the log. A rejected
//! request stores nothing; concurrent injections never share a key.

mod activity_log;
mod audit;
mod batch;
mod provisioning;
mod risk_detection;
mod shape;
mod sign_in;

pub use activity_log::activity_log;
pub use audit::audit;
pub use provisioning::provisioning;
pub use risk_detection::risk_detection;
pub use sign_in::sign_in;

pub(crate) use batch::{Failed, Injected, Ready, check_all, store_all};

use super::control::duration;
use crate::activity::Plan;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::store::records::{datetime, ticks};
use crate::store::{World, retention_ticks};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Problems found in a body, one per bad field. References that name
/// nothing in the tenant are `soft`: an import keeps the supplied value and
/// completes the record from the tenant instead.
#[derive(Default)]
pub(crate) struct Problems {
    hard: Vec<String>,
    soft: Vec<String>,
}

impl Problems {
    fn add(&mut self, field: &str, problem: impl std::fmt::Display) {
        self.hard.push(format!("{field}: {problem}"));
    }

    /// A value that names nothing the tenant has.
    fn refer(&mut self, field: &str, problem: impl std::fmt::Display) {
        self.soft.push(format!("{field}: {problem}"));
    }

    /// The problems that refuse a record in this mode.
    fn into_list(self, mode: Mode) -> Vec<String> {
        match mode {
            Mode::Inject => self.hard.into_iter().chain(self.soft).collect(),
            Mode::Import => self.hard,
        }
    }
}

/// Whether records are injected (references must exist) or imported
/// (records keep what they name; the tenant completes the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Inject,
    Import,
}

/// Common fields of every injection.
pub(crate) struct Common {
    tenant: usize,
    plan: Arc<Plan>,
    at: i64,
    visible_after: Option<u32>,
}

/// Fields of the control surface that are not Graph properties.
const CONTROL_FIELDS: [&str; 2] = ["tenantId", "visibleAfter"];

/// One flat record (the Activity Log's operation) read and checked: its fields
/// are `allowed`, the time field and the control fields; every problem refuses it
/// with a 400 naming the fields, and nothing is built from a refused body.
fn checked<R>(
    body: &[u8],
    allowed: &[&str],
    time_field: &str,
    state: &AppState,
    build: impl FnOnce(&Plan, &Map<String, Value>, &Common, &mut Problems) -> R,
) -> Result<(Common, R), GraphError> {
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(GraphError::bad_request("The body must be a JSON object.")),
        Err(e) => {
            return Err(GraphError::bad_request(format!(
                "The body is not valid JSON: {e}."
            )));
        }
    };
    let world = state.world();
    let mut problems = Problems::default();
    for key in body.keys() {
        let known = allowed.contains(&key.as_str())
            || CONTROL_FIELDS.contains(&key.as_str())
            || key == time_field;
        if !known {
            let names = allowed.join(", ");
            problems.add(
                key,
                format!("unknown field (known: {names}, {time_field}, visibleAfter, tenantId)"),
            );
        }
    }
    let common = common(
        &body,
        time_field,
        state,
        &world,
        Mode::Inject,
        &mut problems,
    );
    let record = build(&common.plan, &body, &common, &mut problems);
    let list = problems.into_list(Mode::Inject);
    if list.is_empty() {
        return Ok((common, record));
    }
    Err(
        GraphError::bad_request(format!("The record is invalid: {}", list.join("; ")))
            .with_detail(list.join("\n")),
    )
}

fn common(
    body: &Map<String, Value>,
    time_field: &str,
    state: &AppState,
    world: &World,
    mode: Mode,
    problems: &mut Problems,
) -> Common {
    let tenant = match mode {
        Mode::Inject => tenant_ref(body, world, problems),
        Mode::Import => 0,
    };
    let plan = world.tenants[tenant].plan.clone();
    Common {
        tenant,
        at: event_time(body, time_field, &plan, state, problems),
        visible_after: match mode {
            Mode::Inject => visible_after(body, problems),
            Mode::Import => Some(0),
        },
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
/// A string field, if present (null and "" name nothing); anything else present is a problem.
fn text<'a>(body: &'a Map<String, Value>, field: &str, problems: &mut Problems) -> Option<&'a str> {
    let value = body.get(field).filter(|v| !v.is_null())?;
    let text = value.as_str();
    if text.is_none() {
        problems.add(field, "must be a string");
    }
    text.filter(|t| !t.is_empty())
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
        problems.refer(field, format!("no {missing} '{value}' in the tenant"));
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

/// 409: the snapshot a record was checked against was replaced by a reset
/// before it could be stored.
fn reset_meanwhile() -> GraphError {
    GraphError::new(
        409,
        "Conflict",
        "The server was reset while the record was injected; send it again.",
    )
}

//! `/identityProtection/...` (v1.0 and beta): riskDetections, riskyUsers (+history),
//! riskyServicePrincipals (+history), servicePrincipalRiskDetections, and the
//! dismiss / confirmCompromised / confirmSafe actions.

use super::actions::{self, Subject, Verdict};
use super::{detections, risk, users, workloads};
use crate::app::AppState;
use crate::http::caller::Caller;
use crate::http::error::GraphError;
use crate::http::json_pages::{self, Listing};
use crate::http::logs::decoded;
use crate::query::capability::ApiVersion;
use crate::store::TenantLogs;
use crate::store::records::{Ticks, ticks};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// "The default page size is 20 objects while the maximum with `$top` is 500"
/// (riskDetections, S5; riskyUsers: max 500 per S18, default INFERRED 20; the others INFERRED alike).
fn listing(fragment: &str) -> Listing<'_> {
    Listing {
        fragment,
        default_top: 20,
        max_top: 500,
        order: &[],
        select: true,
        // `$count` is documented for riskyServicePrincipals (S10).
        count: fragment == "riskyServicePrincipals",
    }
}

/// Whether a path (split, any case, after the version) is one of the actions, which take POST.
pub fn is_action(collection: &str, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    match collection.to_ascii_lowercase().as_str() {
        "riskyusers" => Verdict::parse(&action).is_some(),
        // v1.0 has no confirmSafe on riskyServicePrincipal (§A.1).
        "riskyserviceprincipals" => matches!(action.as_str(), "dismiss" | "confirmcompromised"),
        _ => false,
    }
}

/// One request's context.
struct Ask<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    caller: &'a Caller,
    version: ApiVersion,
    logs: &'a TenantLogs,
    now: Ticks,
    /// `Prefer: include-unknown-enum-members`.
    evolvable: bool,
}

/// Routes a lowercased path under `identityProtection`.
pub fn route(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    lower: &[&str],
    rest: &[String],
    body: &[u8],
) -> Result<HttpResponse, GraphError> {
    if req.method() == Method::POST {
        return act(state, caller, lower, body);
    }
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    let ask = Ask {
        req,
        state,
        caller,
        version,
        logs,
        now: ticks(state.clock.now()),
        evolvable: prefers_unknown_members(req),
    };
    match lower {
        ["identityprotection", "riskdetections", tail @ ..] => risk_detections(&ask, tail, rest),
        ["identityprotection", "riskyusers", tail @ ..] => risky_users(&ask, tail, rest),
        ["identityprotection", "riskyserviceprincipals", tail @ ..] => risky_sps(&ask, tail, rest),
        [
            "identityprotection",
            "serviceprincipalriskdetections",
            tail @ ..,
        ] => sp_detections(&ask, tail, rest),
        _ => Err(GraphError::no_segment(rest.get(1).unwrap_or(&rest[0]))),
    }
}

fn prefers_unknown_members(req: &HttpRequest) -> bool {
    req.headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.to_ascii_lowercase()
                .contains("include-unknown-enum-members")
        })
}

/// The riskDetail values after `unknownFutureValue` become it without the Prefer header.
fn enums(ask: &Ask<'_>, mut all: Vec<Value>) -> Vec<Value> {
    if ask.evolvable {
        return all;
    }
    for object in &mut all {
        for detail in [object.get_mut("riskDetail"), None].into_iter().flatten() {
            if detail.as_str().is_some_and(risk::evolvable) {
                *detail = Value::from("unknownFutureValue");
            }
        }
        if let Some(detail) = object.pointer_mut("/activity/detail")
            && detail.as_str().is_some_and(risk::evolvable)
        {
            *detail = Value::from("unknownFutureValue");
        }
    }
    all
}

fn list(ask: &Ask<'_>, fragment: &str, all: Vec<Value>) -> Result<HttpResponse, GraphError> {
    let all = enums(ask, all);
    json_pages::list(
        ask.req,
        ask.state,
        ask.caller,
        ask.version,
        ask.logs,
        listing(fragment),
        all,
    )
}

fn get(
    ask: &Ask<'_>,
    fragment: &str,
    all: Vec<Value>,
    id: &str,
) -> Result<HttpResponse, GraphError> {
    json_pages::get(ask.version, fragment, enums(ask, all), "id", id)
}

fn risk_detections(
    ask: &Ask<'_>,
    tail: &[&str],
    rest: &[String],
) -> Result<HttpResponse, GraphError> {
    if !detections::licensed(ask.logs.plan.tenant.license) {
        // No body is documented for an unlicensed tenant; the reporting API's
        // premium-licence 403 is the documented one (reference §A.3, S35, INFERRED).
        return Err(GraphError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    let all = user_detections(ask);
    match tail {
        [] => list(ask, "riskDetections", all),
        [_] => get(ask, "riskDetections", all, &decoded(&rest[2])),
        _ => Err(GraphError::no_segment(&rest[3])),
    }
}

fn user_detections(ask: &Ask<'_>) -> Vec<Value> {
    super::export::risk_detections(ask.logs, ask.now, ask.version == ApiVersion::Beta)
}

fn risky_users(ask: &Ask<'_>, tail: &[&str], rest: &[String]) -> Result<HttpResponse, GraphError> {
    let plan = &ask.logs.plan;
    let view = super::export::view(ask.logs, ask.now);
    let actions = &ask.logs.risk_actions;
    let risky = users::risky_users(plan, &view.found, &view.resets, actions, ask.now);
    match tail {
        [] => list(
            ask,
            "riskyUsers",
            risky.iter().map(|u| users::to_json(plan, u)).collect(),
        ),
        [_] => get(
            ask,
            "riskyUsers",
            risky.iter().map(|u| users::to_json(plan, u)).collect(),
            &decoded(&rest[2]),
        ),
        [_, "history", item @ ..] => {
            let id = decoded(&rest[2]);
            let user = risky
                .iter()
                .find(|u| plan.tenant.user(u.subject).id.eq_ignore_ascii_case(&id))
                .ok_or_else(|| GraphError::not_found(&id))?;
            let items = users::history(plan, user);
            let context = format!("riskyUsers('{id}')/history");
            match item {
                [] => list(ask, &context, items),
                [_] => get(ask, &context, items, &decoded(&rest[4])),
                _ => Err(GraphError::no_segment(&rest[5])),
            }
        }
        [_, _, ..] => Err(GraphError::no_segment(&rest[3])),
    }
}

fn workload_detections(ask: &Ask<'_>) -> Vec<workloads::SpDetection> {
    let sign_ins = crate::reports::walk::sign_ins(ask.logs, ask.now);
    workloads::detections(&sign_ins, ask.now)
}

fn sp_detections(
    ask: &Ask<'_>,
    tail: &[&str],
    rest: &[String],
) -> Result<HttpResponse, GraphError> {
    let all = super::export::sp_detections(ask.logs, ask.now, ask.version == ApiVersion::Beta);
    match tail {
        [] => list(ask, "servicePrincipalRiskDetections", all),
        [_] => get(
            ask,
            "servicePrincipalRiskDetections",
            all,
            &decoded(&rest[2]),
        ),
        _ => Err(GraphError::no_segment(&rest[3])),
    }
}

fn risky_sps(ask: &Ask<'_>, tail: &[&str], rest: &[String]) -> Result<HttpResponse, GraphError> {
    let plan = &ask.logs.plan;
    let found = workload_detections(ask);
    let risky = workloads::risky(&found, &ask.logs.risk_actions);
    let rows = || {
        risky
            .iter()
            .map(|s| workloads::risky_json(plan, s))
            .collect()
    };
    match tail {
        [] => list(ask, "riskyServicePrincipals", rows()),
        [_] => get(ask, "riskyServicePrincipals", rows(), &decoded(&rest[2])),
        [_, "history", item @ ..] => {
            let id = decoded(&rest[2]);
            let sp = risky
                .iter()
                .find(|s| plan.tenant.sp(s.sp).id.eq_ignore_ascii_case(&id))
                .ok_or_else(|| GraphError::not_found(&id))?;
            let items = workloads::history(plan, sp);
            let context = format!("riskyServicePrincipals('{id}')/history");
            match item {
                [] => list(ask, &context, items),
                [_] => get(ask, &context, items, &decoded(&rest[4])),
                _ => Err(GraphError::no_segment(&rest[5])),
            }
        }
        [_, _, ..] => Err(GraphError::no_segment(&rest[3])),
    }
}

/// POST `riskyUsers/{action}` or `riskyServicePrincipals/{action}`: 204 No Content (§A.7).
fn act(
    state: &AppState,
    caller: &Caller,
    lower: &[&str],
    body: &[u8],
) -> Result<HttpResponse, GraphError> {
    let (subject, verdict, permission) = match lower {
        ["identityprotection", "riskyusers", action] => (
            Subject::User,
            Verdict::parse(action),
            "IdentityRiskyUser.ReadWrite.All",
        ),
        ["identityprotection", "riskyserviceprincipals", action]
            if is_action("riskyserviceprincipals", action) =>
        {
            (
                Subject::ServicePrincipal,
                Verdict::parse(action),
                "IdentityRiskyServicePrincipal.ReadWrite.All",
            )
        }
        _ => (Subject::User, None, ""),
    };
    let Some(verdict) = verdict else {
        return Err(GraphError::new(
            405,
            "Request_BadRequest",
            "The HTTP method 'POST' is not supported for this resource.",
        ));
    };
    if !caller
        .roles
        .iter()
        .any(|r| r.eq_ignore_ascii_case(permission))
    {
        return Err(GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    let ids = actions::ids(body, subject).map_err(|e| GraphError::bad_request(e.to_string()))?;
    let now = ticks(state.clock.now());
    state.update(|world| {
        if let Some(logs) = world.tenants.get_mut(caller.tenant) {
            actions::record(logs, subject, verdict, &ids, &caller.app_id, now);
        }
    });
    Ok(HttpResponse::NoContent().finish())
}

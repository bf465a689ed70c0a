//! The Graph surface: `/v1.0/...` and `/beta/...`, matched case-insensitively
//! as Graph does (its own nextLinks lower-case `signins`), tolerating `//`.

use super::caller::{Caller, identify};
use super::error::GraphError;
use super::routes::{self, Route, Surface};
use super::{directory, identity, logs};
use crate::app::AppState;
use crate::model::directory::{Collection, DeletedType};
use crate::query::capability::ApiVersion;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

/// Serves any path not matched by another route: the Graph surface, and the
/// methods a control or identity route does not take.
pub async fn dispatch(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let path = req.path().to_string();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let known = routes::lookup(&segments, state.settings.control);
    if let Some(route) = known {
        if req.method() == Method::OPTIONS {
            return Ok(options(&route));
        }
        if route.surface != Surface::Graph {
            return not_graph(&req, &state, &route);
        }
        if !route.accepts(req.method().as_str()) {
            return Err(method_not_allowed(&req, &route));
        }
    }
    let version = match segments.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("v1.0") => ApiVersion::V1,
        Some("beta") => ApiVersion::Beta,
        Some("_entrasim") => {
            return Err(GraphError::new(
                404,
                "NotFound",
                format!("No control endpoint at {}.", req.path()),
            ));
        }
        Some(other) => {
            return Err(GraphError::new(
                400,
                "BadRequest",
                format!("Invalid version: {other}"),
            ));
        }
        None => {
            return Err(GraphError::new(
                404,
                "NotFound",
                "No resource at the root. Try /v1.0/auditLogs/signIns.",
            ));
        }
    };

    let caller = identify(&req, &state)?;
    crate::telemetry::note_app(&req, &caller.app_id);
    let rest: Vec<String> = segments[1..].iter().map(|s| s.to_string()).collect();
    if rest
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("identityProtection"))
        && !state
            .throttle
            .check_protection(caller.tenant, state.clock.window_ms())
    {
        // "don't return a `Retry-After` header on 429" (reference §A.11, S20).
        return Err(GraphError::new(
            429,
            "TooManyRequests",
            "Please retry again later.",
        ));
    }
    let log = audit_log(&rest);
    if let Some(log) = log
        && let Some(reply) = super::pressure::apply(&req, &state, &caller, log).await?
    {
        return Ok(reply);
    }
    let response = route(&req, &state, &caller, version, &rest, &body)?;
    if log.is_some() {
        super::pressure::served(&req, &state, &caller, &response);
    }
    Ok(response)
}

/// `OPTIONS` on a known route: 204 with the methods it takes.
fn options(route: &Route) -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header(("Allow", route.allow()))
        .finish()
}

/// A control, identity or document route reached with a method it does not take
/// (actix routed every method it does take).
fn not_graph(
    req: &HttpRequest,
    state: &AppState,
    route: &Route,
) -> Result<HttpResponse, GraphError> {
    if route.accepts(req.method().as_str()) {
        // The method is right but the path is not quite the route's (e.g. a `//`).
        return Err(GraphError::new(
            404,
            "NotFound",
            format!("No resource at {}.", req.path()),
        ));
    }
    match route.surface {
        // Entra answers a GET on the token endpoint with 400 AADSTS900561.
        Surface::Token => Ok(identity::wrong_method(req, state, route, 400)),
        Surface::Identity => Ok(identity::wrong_method(req, state, route, 405)),
        _ => Err(method_not_allowed(req, route)),
    }
}

fn method_not_allowed(req: &HttpRequest, route: &Route) -> GraphError {
    GraphError::new(
        405,
        "Request_BadRequest",
        format!(
            "The HTTP method '{}' is not supported for this resource.",
            req.method()
        ),
    )
    .with_header("Allow", route.allow())
}

/// The audit-log collection a path addresses (`signIns`, `directoryAudits`, `provisioning`).
fn audit_log(rest: &[String]) -> Option<&'static str> {
    if !rest
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("auditLogs"))
    {
        return None;
    }
    match rest.get(1).map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("signins") => Some("signIns"),
        Some("directoryaudits") => Some("directoryAudits"),
        Some("provisioning" | "directoryprovisioning") => Some("provisioning"),
        _ => None,
    }
}

fn route(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    rest: &[String],
    body: &[u8],
) -> Result<HttpResponse, GraphError> {
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    super::permissions::require(caller, &lower)?;
    if let Some(logs) = state.world().tenants.get(caller.tenant) {
        super::permissions::require_licence(logs.plan.tenant.license, &lower)?;
    }
    if req.method() == Method::POST
        && let Some(answer) = super::directory_actions::serve(state, caller, version, &lower, body)
    {
        return answer.map(|value| super::directory_keys::reply(&value));
    }
    if let Some(reply) = super::organization::serve(state, caller, version, &lower, rest) {
        return reply;
    }
    if let Some(reply) = super::directory_keys::serve(req, state, caller, version, rest, &lower) {
        return reply;
    }
    match lower.as_slice() {
        ["auditlogs", log] => list_log(log, req, state, caller, version),
        ["auditlogs", log, _] => get_log(log, &rest[2], state, caller, version),
        ["auditlogs", other, ..] => Err(GraphError::no_segment(
            &rest[1..]
                .iter()
                .find(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| other.to_string()),
        )),
        ["identityprotection", ..] => {
            crate::protection::http::route(req, state, caller, version, &lower, rest, body)
        }
        ["reports", ..] => crate::reports::http::route(req, state, caller, version, &lower, rest),
        ["directory", "deleteditems"] => Err(GraphError::new(
            400,
            "Request_UnsupportedQuery",
            "Searches against this resource are not supported. Only specific instances can be queried.",
        )),
        ["directory", "deleteditems", item] => match DeletedType::from_cast(item) {
            Some(cast) => directory::list(Collection::Deleted(cast), req, state, caller, version),
            None => directory::get(
                Collection::DeletedItems,
                &rest[2],
                req,
                state,
                caller,
                version,
            ),
        },
        ["directory", _, ..] => Err(GraphError::no_segment(&rest[1])),
        [name] => directory::list(
            collection(name).ok_or_else(|| GraphError::no_segment(&rest[0]))?,
            req,
            state,
            caller,
            version,
        ),
        [name, "$count"] => directory::count(
            collection(name).ok_or_else(|| GraphError::no_segment(&rest[0]))?,
            req,
            state,
            caller,
            version,
        ),
        [name, _] => directory::get(
            collection(name).ok_or_else(|| GraphError::no_segment(&rest[0]))?,
            &rest[1],
            req,
            state,
            caller,
            version,
        ),
        ["rolemanagement", "directory", name] => directory::list(
            role_collection(name).ok_or_else(|| GraphError::no_segment(&rest[2]))?,
            req,
            state,
            caller,
            version,
        ),
        ["rolemanagement", "directory", name, _] => directory::get(
            role_collection(name).ok_or_else(|| GraphError::no_segment(&rest[2]))?,
            &rest[3],
            req,
            state,
            caller,
            version,
        ),
        [] => Err(GraphError::new(
            404,
            "NotFound",
            "No resource at the version root.",
        )),
        _ => Err(GraphError::no_segment(&rest[0])),
    }
}

fn is_provisioning(log: &str, version: ApiVersion) -> bool {
    log == "provisioning" || (log == "directoryprovisioning" && version == ApiVersion::Beta)
}

fn list_log(
    log: &str,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    match log {
        "signins" => logs::list(&logs::SIGN_INS, req, state, caller, version),
        "directoryaudits" => logs::list(&logs::AUDITS, req, state, caller, version),
        l if is_provisioning(l, version) => {
            logs::list(&logs::PROVISIONING, req, state, caller, version)
        }
        other => Err(GraphError::no_segment(other)),
    }
}

fn get_log(
    log: &str,
    id: &str,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    match log {
        "signins" => logs::get(&logs::SIGN_INS, id, state, caller, version),
        "directoryaudits" => logs::get(&logs::AUDITS, id, state, caller, version),
        l if is_provisioning(l, version) => {
            logs::get(&logs::PROVISIONING, id, state, caller, version)
        }
        other => Err(GraphError::no_segment(other)),
    }
}

fn collection(name: &str) -> Option<Collection> {
    Some(match name {
        "users" => Collection::Users,
        "groups" => Collection::Groups,
        "applications" => Collection::Applications,
        "serviceprincipals" => Collection::ServicePrincipals,
        _ => return None,
    })
}

fn role_collection(name: &str) -> Option<Collection> {
    Some(match name {
        "roledefinitions" => Collection::RoleDefinitions,
        "roleassignments" => Collection::RoleAssignments,
        "roleeligibilityschedules" => Collection::RoleEligibilitySchedules,
        "roleassignmentschedules" => Collection::RoleAssignmentSchedules,
        "roleeligibilityscheduleinstances" => Collection::RoleEligibilityScheduleInstances,
        "roleassignmentscheduleinstances" => Collection::RoleAssignmentScheduleInstances,
        "roleassignmentschedulerequests" => Collection::RoleAssignmentScheduleRequests,
        _ => return None,
    })
}

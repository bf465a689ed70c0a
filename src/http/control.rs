//! The control surface under `/_entrasim/`: health, tenant facts and test
//! credentials, the clock, reset. (Injection lives in `inject`.)

use super::error::GraphError;
use super::middleware::JSON;
use crate::app::AppState;
use crate::clock::{Change, MAX_JUMP};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// Registers the control routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/_entrasim")
            .route("/health", web::get().to(health))
            .route("/tenant", web::get().to(tenant))
            .route("/ca.pem", web::get().to(super::ca_file::ca_pem))
            .route("/clock", web::get().to(clock))
            .route("/clock", web::post().to(set_clock))
            .route("/reset", web::post().to(reset))
            .route("/signIns", web::post().to(super::inject::sign_in))
            .route("/directoryAudits", web::post().to(super::inject::audit))
            .route("/provisioning", web::post().to(super::inject::provisioning))
            .route("/activityLog", web::post().to(super::inject::activity_log))
            .route(
                "/riskDetections",
                web::post().to(super::inject::risk_detection),
            )
            .route("/import", web::post().to(super::import::import))
            .route(
                "/throttling",
                web::get().to(super::pressure::get_throttling),
            )
            .route(
                "/throttling",
                web::put().to(super::pressure::put_throttling),
            )
            .route("/faults", web::get().to(super::pressure::get_faults))
            .route("/faults", web::put().to(super::pressure::put_faults))
            .route("/clients", web::get().to(super::pressure::clients)),
    );
}

fn ok(value: Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(value.to_string())
}

/// `GET /_entrasim/health`: readiness. With `--state`, a replica that cannot
/// reach the shared state answers 503 and says why; `?probe=liveness` only
/// says the process answers (a Kubernetes liveness probe must not restart
/// replicas because Redis is away).
async fn health(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let liveness = req.query_string() == "probe=liveness";
    let mut body = json!({"status": "ok", "now": time(state.clock.now())});
    if let Some(shared) = state.shared.as_ref().filter(|_| !liveness) {
        let shared_state =
            json!({"url": shared.url(), "journal": shared.replica().lock().await.applied});
        if let Err(error) = shared.ping().await {
            let body = json!({"status": "unavailable", "reason": error.to_string(), "state": shared_state});
            return HttpResponse::ServiceUnavailable()
                .content_type(JSON)
                .insert_header(("Retry-After", super::shared::RETRY_AFTER.to_string()))
                .body(body.to_string());
        }
        body["state"] = shared_state;
    }
    let world = state.world();
    body["records"] = json!(world.tenants.iter().map(|t| t.len()).sum::<usize>());
    body["diagnostics"] = state.routing.health();
    ok(body)
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

async fn tenant(req: actix_web::HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let world = state.world();
    let base = super::links::origin(&req);
    let tenants: Vec<Value> = world
        .tenants
        .iter()
        .enumerate()
        .map(|(i, logs)| {
            let mut out = tenant_json(&state, logs);
            let extra = super::managed_identity::listing(&base, &logs.plan.tenant, i == 0);
            if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
                out.extend(extra);
            }
            out
        })
        .collect();
    let mut first = tenants[0].clone();
    first["tenants"] = Value::Array(tenants);
    ok(first)
}

fn tenant_json(state: &AppState, logs: &crate::store::TenantLogs) -> Value {
    let t = &logs.plan.tenant;
    let counts =
        |log: fn(&crate::store::Hour) -> usize| logs.hours.values().map(|h| log(h)).sum::<usize>();
    json!({
        "tenantId": t.id,
        "organization": t.organization,
        "domain": t.default_domain(),
        "initialDomain": t.initial_domain,
        "license": t.license.as_str(),
        "seed": t.seed.0,
        "preset": logs.plan.preset.name,
        "anchor": time(t.anchor),
        "counts": {
            "users": t.users.len(), "groups": t.groups.len(), "applications": t.applications.len(),
            "servicePrincipals": t.service_principals.len(), "managedIdentities": t.managed_identities.len(),
            "devices": t.devices.len(), "roleDefinitions": t.role_definitions.len(), "roleAssignments": t.role_assignments.len(),
            "roleEligibilitySchedules": t.eligibility_schedules.len(), "conditionalAccessPolicies": t.ca_policies.len(),
            "provisioningJobs": t.provisioning_jobs.len(),
        },
        "records": {
            "signIns": counts(|h| h.sign_ins.len()), "directoryAudits": counts(|h| h.audits.len()), "provisioning": counts(|h| h.provisioning.len()),
        },
        "subscriptions": t.subscriptions,
        "clients": t.test_clients.iter().map(|c| client_json(state, t, c)).collect::<Vec<_>>(),
    })
}

fn client_json(
    state: &AppState,
    t: &crate::tenant::Tenant,
    client: &crate::tenant::TestClient,
) -> Value {
    let app = &t.applications[client.application as usize];
    let secret = &app.passwords[0];
    json!({
        "name": client.name,
        "clientId": app.app_id,
        "clientSecret": secret.secret,
        "objectId": app.id,
        "servicePrincipalId": t.sp(app.service_principal).id,
        "permissions": app.graph_permissions,
        "azureRoles": azure_roles(state, t, &t.sp(app.service_principal).id),
        "certificate": super::identity::certificate_json(state, t, client),
    })
}

/// The Azure role assignments of a principal (what ARM checks its requests against).
fn azure_roles(state: &AppState, t: &crate::tenant::Tenant, principal: &str) -> Vec<Value> {
    crate::arm::inventory::Inventory::at(t, state.clock.now())
        .assignments
        .iter()
        .filter(|a| a.principal_id.eq_ignore_ascii_case(principal))
        .map(|a| json!({"scope": a.scope, "roleDefinitionName": a.role.name, "roleDefinitionId": a.role.id}))
        .collect()
}

async fn clock(state: web::Data<AppState>) -> HttpResponse {
    ok(clock_json(&state))
}

fn clock_json(state: &AppState) -> Value {
    let status = state.clock.status();
    json!({"now": time(status.now), "frozen": status.frozen, "speed": status.speed})
}

pub(crate) async fn set_clock(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let change = clock_change(&object(&body)?)?;
    state
        .clock
        .apply(change)
        .map_err(|e| GraphError::bad_request(e.to_string()))?;
    state.world();
    Ok(ok(clock_json(&state)))
}

/// Reads a whole clock body before anything moves: a body with any bad field changes nothing.
fn clock_change(body: &Map<String, Value>) -> Result<Change, GraphError> {
    if let Some(key) = body
        .keys()
        .find(|k| !["now", "advance", "frozen"].contains(&k.as_str()))
    {
        return Err(GraphError::bad_request(format!(
            "Unknown field '{key}': expected now, advance or frozen."
        )));
    }
    let to = match body.get("now") {
        None => None,
        Some(now) => Some(
            now.as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .ok_or_else(|| GraphError::bad_request("'now' must be an RFC 3339 date-time."))?
                .to_utc(),
        ),
    };
    let advance = match body.get("advance") {
        None => None,
        Some(advance) => Some(duration(advance).ok_or_else(|| {
            GraphError::bad_request(
                "'advance' must be an ISO 8601 duration (PT10M) or a number of seconds, at most P3653D (10 years).",
            )
        })?),
    };
    let frozen = match body.get("frozen") {
        None => None,
        Some(frozen) => Some(
            frozen
                .as_bool()
                .ok_or_else(|| GraphError::bad_request("'frozen' must be true or false."))?,
        ),
    };
    Ok(Change {
        to,
        advance,
        frozen,
    })
}

/// Parses a JSON object body, or answers 400. An empty body means `{}`; any
/// other bytes must be a JSON object. Whole-number floats (`28.0`) become
/// integers, as JSON Schema counts them integers.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            map.values_mut().for_each(integral_floats);
            Ok(map)
        }
        Ok(_) => Err(GraphError::bad_request("The body must be a JSON object.")),
        Err(e) => Err(GraphError::bad_request(format!(
            "The body is not valid JSON: {e}."
        ))),
    }
}

/// Rewrites every float with no fractional part, within the range where
/// floats are exact (±2^53), as an integer, throughout `value`.
pub(crate) fn integral_floats(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x.fract() == 0.0 && x.abs() <= EXACT {
                *value = if x < 0.0 {
                    Value::from(x as i64)
                } else {
                    Value::from(x as u64)
                };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats),
        _ => {}
    }
}

/// An ISO 8601 duration (`PT10M`, `P1DT2H`, `PT0.5S`) or a number of seconds,
/// not negative and at most the clock's largest jump ([`MAX_JUMP`]).
pub fn duration(value: &Value) -> Option<Duration> {
    let seconds = match value.as_f64() {
        Some(seconds) => seconds,
        None => parse_iso_seconds(value.as_str()?)?,
    };
    let limit = MAX_JUMP.num_seconds() as f64;
    if !(seconds.is_finite() && (0.0..=limit).contains(&seconds)) {
        return None;
    }
    Duration::try_milliseconds((seconds * 1000.0).round() as i64)
}

/// Seconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds.
fn parse_iso_seconds(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('P').or_else(|| text.strip_prefix('p'))?;
    let (mut total, mut in_time, mut number) = (0f64, false, String::new());
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                total += n * match (unit, in_time) {
                    ('W', false) => 604_800.0,
                    ('D', false) => 86_400.0,
                    ('H', true) => 3600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
            }
        }
    }
    (number.is_empty() && rest.len() > 1).then_some(total)
}

pub(crate) async fn reset(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let body = object(&body)?;
    if let Some(key) = body.keys().find(|k| k.as_str() != "seed") {
        return Err(GraphError::bad_request(format!(
            "Unknown field '{key}': expected seed."
        )));
    }
    let seed = match body.get("seed") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| GraphError::bad_request("'seed' must be a non-negative integer."))?,
        ),
    };
    let world = state.reset(seed);
    let tenant = &world.tenants[0].plan.tenant;
    Ok(ok(
        json!({"seed": tenant.seed.0, "epoch": world.epoch.to_string(), "tenantId": tenant.id}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_parse() {
        let iso = |text: &str| duration(&json!(text));
        assert_eq!(iso("PT10M"), Some(Duration::minutes(10)));
        assert_eq!(iso("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(iso("PT0.5S"), Some(Duration::milliseconds(500)));
        assert_eq!(iso("PT0S"), Some(Duration::zero()));
        for bad in ["10M", "P", "PT", "PT5X", "P5M5", "PTM", "P1.2.3D"] {
            assert_eq!(iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_beyond_ten_years_are_refused_not_overflowed() {
        assert_eq!(duration(&json!("P3653D")), Some(Duration::days(3653)));
        for bad in [
            json!(1e15),
            json!("P99999999D"),
            json!("P3654D"),
            json!(f64::MAX),
        ] {
            assert_eq!(duration(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_clock_body_with_one_bad_field_is_refused_whole() {
        let body = |v: Value| v.as_object().unwrap().clone();
        assert!(
            clock_change(&body(
                json!({"now": "2026-06-01T13:00:00Z", "advance": "bogus"})
            ))
            .is_err()
        );
        assert!(clock_change(&body(json!({"advance": "PT1M", "frozen": "yes"}))).is_err());
        let change = clock_change(&body(
            json!({"now": "2026-06-01T13:00:00Z", "frozen": false}),
        ))
        .unwrap();
        assert_eq!(change.frozen, Some(false));
    }

    #[test]
    fn seconds_work_as_durations_but_negatives_do_not() {
        assert_eq!(duration(&json!(600)), Some(Duration::minutes(10)));
        assert_eq!(duration(&json!(-1)), None);
    }
}

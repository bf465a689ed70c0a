//! Throttling, faults and response delays on the audit-log routes, and their
//! control endpoints.

use super::caller::Caller;
use super::control::object;
use super::error::GraphError;
use super::middleware::JSON;
use crate::app::AppState;
use crate::state::{Ask, Counted, SharedState, StateError};
use crate::throttle::Decision;
use crate::throttle::faults::Fault;
use crate::throttle::verdicts::Verdicts;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value};

/// What the throttle and the faults decided for one request.
struct Outcome {
    throttle: Decision,
    fault: Option<(Fault, u64)>,
    delay: Option<std::time::Duration>,
}

/// Counts the request, then throttles, fails or delays it as configured.
/// Returns a reply when the request must not reach its handler.
pub async fn apply(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    log: &str,
) -> Result<Option<HttpResponse>, GraphError> {
    let now_ms = state.clock.window_ms();
    let app = caller.app_id.as_str();
    state.verdicts.request(app, now_ms);
    let page = skiptoken(req)
        .and_then(|t| state.token_key().decode(&t).ok())
        .map_or(1, |c| c.page + 1);
    let outcome = match &state.shared {
        None => counted_here(state, caller, log, page, now_ms),
        Some(shared) => counted_in(&**shared, state, caller, log, page, now_ms)
            .await
            .map_err(|e| super::shared::unavailable(&e))?,
    };
    if let Decision::Throttle(seconds) = outcome.throttle {
        state.verdicts.throttled(app, now_ms, seconds);
        let mut error = GraphError::new(429, "TooManyRequests", "Please retry again later.");
        error.retry_after = Some(seconds);
        return Err(error);
    }
    if let Some((fault, retry_after)) = outcome.fault {
        state.metrics.fault(&format!("{fault:?}"));
        if fault == Fault::ServiceUnavailable {
            let wait = retry_after.min(crate::throttle::MAX_RETRY_AFTER);
            state.verdicts.told_to_wait(app, now_ms, wait);
        }
        return fail(fault, retry_after).map(Some);
    }
    if let Some(delay) = outcome.delay {
        tokio::time::sleep(delay).await;
    }
    Ok(None)
}

/// The decision of this process's own windows and fault draws.
fn counted_here(state: &AppState, caller: &Caller, log: &str, page: u32, now_ms: i64) -> Outcome {
    let app = caller.app_id.as_str();
    let throttle = state.throttle.check(caller.tenant, app, now_ms);
    let mut outcome = Outcome {
        throttle,
        fault: None,
        delay: None,
    };
    if throttle == Decision::Allow {
        outcome.fault = state.faults.decide(state.seed(), log, app, page);
        if outcome.fault.is_none() {
            outcome.delay = state.faults.delay(state.seed(), log, app);
        }
    }
    outcome
}

/// The same decision, counted in the state replicas share.
async fn counted_in(
    shared: &dyn SharedState,
    state: &AppState,
    caller: &Caller,
    log: &str,
    page: u32,
    now_ms: i64,
) -> Result<Outcome, StateError> {
    let app = caller.app_id.to_ascii_lowercase();
    let page_rule = state.faults.page_rule(&app, page);
    let ask = Ask {
        tenant: caller.tenant,
        app: app.clone(),
        now_ms,
        limits: state.throttle.limits_for(&app),
        scripted: state.throttle.scripted_for(&app),
        page_sessions: page_rule.map(|(_, sessions)| sessions),
        draws: 1 + u64::from(state.faults.delay_draws(log, &app)),
    };
    let mut outcome = Outcome {
        throttle: Decision::Allow,
        fault: None,
        delay: None,
    };
    let seed = state.seed();
    match shared.count(ask).await? {
        Counted::Scripted(retry_after) => outcome.throttle = Decision::Throttle(retry_after),
        Counted::Over(wait_ms) => outcome.throttle = Decision::after(Some(wait_ms)),
        Counted::PageFails => outcome.fault = page_rule.map(|(fault, _)| (fault, 1)),
        Counted::Through(draw) => {
            outcome.fault = state.faults.fault_at(seed, log, &app, draw);
            if outcome.fault.is_none() {
                outcome.delay = state.faults.delay_at(seed, log, &app, || draw + 1);
            }
        }
    }
    Ok(outcome)
}

/// Notes a page served for a nextLink, once its handler answered 200.
pub fn served(req: &HttpRequest, state: &AppState, caller: &Caller, response: &HttpResponse) {
    if response.status() == actix_web::http::StatusCode::OK
        && let Some(token) = skiptoken(req)
    {
        state
            .verdicts
            .served(&caller.app_id, &token, state.clock.window_ms());
    }
}

fn skiptoken(req: &HttpRequest) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken"))
        .map(|(_, v)| v.into_owned())
}

fn fail(fault: Fault, retry_after: u64) -> Result<HttpResponse, GraphError> {
    match fault {
        Fault::ServiceUnavailable => {
            let mut error = GraphError::new(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry after a short while.",
            );
            error.retry_after = Some(retry_after.min(crate::throttle::MAX_RETRY_AFTER));
            Err(error)
        }
        Fault::GatewayTimeout => Err(GraphError::new(
            504,
            "GatewayTimeout",
            "The gateway did not receive a timely response from the upstream service.",
        )),
        Fault::InternalError => Err(GraphError::new(
            500,
            "UnknownError",
            "An internal server error occurred.",
        )),
        Fault::ConnectionReset => {
            // A body that breaks after its first bytes: the connection is dropped mid-response.
            let chunks: Vec<Result<web::Bytes, std::io::Error>> = vec![
                Ok(web::Bytes::from_static(b"{\"@odata.context\":\"")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "entrasim fault: connection reset",
                )),
            ];
            Ok(HttpResponse::Ok()
                .content_type(JSON)
                .streaming(futures_util::stream::iter(chunks)))
        }
    }
}

fn json(value: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(&value).expect("json"))
}

/// `GET /_entrasim/throttling`.
pub async fn get_throttling(state: web::Data<AppState>) -> HttpResponse {
    json(state.throttle.config())
}

/// `PUT /_entrasim/throttling`: merges the body into the settings (JSON Merge
/// Patch, RFC 7386: fields present replace, objects merge, `null` removes).
pub async fn put_throttling(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let patch = object(required(&body)?)?;
    let mut merged = serde_json::to_value(state.throttle.config()).expect("settings are JSON");
    merge_patch(&mut merged, &Value::Object(patch));
    objects_only(
        &merged,
        "throttling",
        &[
            ("perAppPerTenant", Holds::One),
            ("perAppAllTenants", Holds::One),
            ("apps", Holds::Map),
            ("throttleNext", Holds::Array),
            ("armReads", Holds::One),
        ],
    )?;
    new_apps_start_from_the_tenant_limit(&mut merged);
    let config = settings(merged, "throttling")?;
    state
        .throttle
        .set_config(config)
        .map_err(GraphError::bad_request)?;
    Ok(json(state.throttle.config()))
}

/// A PUT's body: the settings are required (`{}` is a valid empty patch).
fn required(body: &[u8]) -> Result<&[u8], GraphError> {
    if body.is_empty() {
        return Err(GraphError::bad_request(
            "The request body is missing: send the settings as a JSON object.",
        ));
    }
    Ok(body)
}

/// What a settings member holds: one object, an array of them, or a map of them.
#[derive(Clone, Copy)]
enum Holds {
    One,
    Array,
    Map,
}

/// serde reads a struct from a JSON array as well (`[5, 10]` as a limit), so
/// the objects of a settings document are checked to be objects (or null)
/// before it is read. A member of the wrong container kind is left to serde,
/// which names it.
fn objects_only(settings: &Value, what: &str, fields: &[(&str, Holds)]) -> Result<(), GraphError> {
    for &(name, holds) in fields {
        let members: Vec<(String, &Value)> = match (holds, settings.get(name)) {
            (Holds::One, Some(v)) => vec![(name.to_string(), v)],
            (Holds::Array, Some(Value::Array(items))) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{name}[{i}]"), v))
                .collect(),
            (Holds::Map, Some(Value::Object(map))) => map
                .iter()
                .map(|(key, v)| (format!("{name}.{key}"), v))
                .collect(),
            _ => continue,
        };
        if let Some((path, _)) = members
            .iter()
            .find(|(_, v)| !(v.is_object() || v.is_null()))
        {
            return Err(GraphError::bad_request(format!(
                "Invalid {what} settings: {path} must be a JSON object."
            )));
        }
    }
    Ok(())
}

/// An app given its own limit for the first time starts from the per-app-per-tenant
/// limit, so `{"apps": {"<appId>": {"requests": 2}}}` keeps Graph's 10-second window.
fn new_apps_start_from_the_tenant_limit(settings: &mut Value) {
    let Some(base) = settings
        .get("perAppPerTenant")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let Some(Value::Object(apps)) = settings.get_mut("apps") else {
        return;
    };
    for limit in apps.values_mut().filter_map(Value::as_object_mut) {
        for (key, value) in &base {
            limit.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
}

/// Settings from JSON, or a 400 naming the field that does not fit
/// (`throttleNext[0].retryAfter: invalid type: floating point `2.5`, expected u64`).
fn settings<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> Result<T, GraphError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        GraphError::bad_request(format!("Invalid {what} settings: {at}{}.", e.inner()))
    })
}

/// RFC 7386: applies `patch` to `target`.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(fields) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            fields.remove(key);
        } else {
            merge_patch(fields.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// `GET /_entrasim/faults`.
pub async fn get_faults(state: web::Data<AppState>) -> HttpResponse {
    json(state.faults.config())
}

/// `PUT /_entrasim/faults`: replaces the fault settings (`{}` turns every fault off).
pub async fn put_faults(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let body = Value::Object(object(required(&body)?)?);
    objects_only(
        &body,
        "fault",
        &[
            ("rules", Holds::Array),
            ("failPage", Holds::One),
            ("delay", Holds::One),
        ],
    )?;
    let config = settings(body, "fault")?;
    state
        .faults
        .set_config(config)
        .map_err(GraphError::bad_request)?;
    Ok(json(state.faults.config()))
}

/// `GET /_entrasim/clients`: how each calling app behaved (on every replica,
/// when they share their state).
pub async fn clients(state: web::Data<AppState>) -> Result<HttpResponse, GraphError> {
    let now_ms = state.clock.window_ms();
    let report = match &state.shared {
        None => state.verdicts.report(now_ms),
        Some(shared) => {
            let events = shared
                .events()
                .await
                .map_err(|e| super::shared::unavailable(&e))?;
            Verdicts::replayed(events).report(now_ms)
        }
    };
    Ok(json(serde_json::json!({ "value": report })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_replaces_fields_merges_objects_and_removes_nulls() {
        let mut target = json!({"enabled": true, "limit": {"requests": 5, "windowSeconds": 10}, "apps": {"a": 1}});
        merge_patch(
            &mut target,
            &json!({"enabled": false, "limit": {"requests": 2}, "apps": {"a": null, "b": 2}}),
        );
        assert_eq!(
            target,
            json!({"enabled": false, "limit": {"requests": 2, "windowSeconds": 10}, "apps": {"b": 2}})
        );
    }
}

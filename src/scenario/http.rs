//! `/_entrasim/scenarios`: place a scenario at run time (POST), list the
//! answer keys (GET) and read one (GET `/{id}`).

use super::{DefError, Request};
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::http::middleware::JSON;
use crate::store::TenantLogs;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Fields a placement body may carry.
const FIELDS: [&str; 3] = ["name", "definition", "at"];

/// Registers the routes (inside the `/_entrasim` scope's order: before it).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_entrasim/scenarios", web::get().to(list))
        .route("/_entrasim/scenarios", web::post().to(create))
        .route("/_entrasim/scenarios/{id}", web::get().to(get));
}

/// The keys of a tenant as `{"value": [...]}` (also the file `generate` writes).
pub fn listing(logs: &TenantLogs) -> Value {
    json!({ "value": super::keys(logs) })
}

async fn list(state: web::Data<AppState>) -> HttpResponse {
    let world = state.world();
    ok(200, &listing(&world.tenants[0]))
}

async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, GraphError> {
    let world = state.world();
    let key = super::keys(&world.tenants[0])
        .iter()
        .find(|k| k.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| GraphError::not_found(&id))?;
    Ok(ok(200, &json!(key)))
}

/// Places `{"name": NAME}` or `{"definition": TOML}`, at `"at"` (RFC 3339) or
/// at the scenario's offset from the clock; answers 201 with the key.
async fn create(state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, GraphError> {
    let request = request(&body)?;
    let key = state
        .update(|world| super::place_into(world, 0, &request))
        .map_err(|e| GraphError::bad_request(e.to_string()))?;
    Ok(ok(201, &json!(key)))
}

fn request(body: &[u8]) -> Result<Request, GraphError> {
    let body: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(GraphError::bad_request("The body must be a JSON object.")),
    };
    if let Some(field) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(GraphError::bad_request(format!(
            "Unknown field '{field}': expected name, definition or at."
        )));
    }
    let text = |field: &'static str| body.get(field).map(|v| v.as_str().ok_or(field));
    let def = match (text("name"), text("definition")) {
        (Some(Ok(name)), None) => super::named(name).map_err(bad)?,
        (None, Some(Ok(toml))) => Arc::new(super::def::parse("definition", toml).map_err(bad)?),
        (Some(Err(f)), _) | (_, Some(Err(f))) => {
            return Err(GraphError::bad_request(format!("'{f}' must be a string.")));
        }
        _ => {
            return Err(GraphError::bad_request(
                "Give exactly one of 'name' (a shipped scenario) or 'definition' (its TOML text).",
            ));
        }
    };
    let at = match body.get("at") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
                .map(crate::store::records::ticks)
                .ok_or_else(|| GraphError::bad_request("'at' must be an RFC 3339 instant."))?,
        ),
    };
    Ok(Request { def, at })
}

fn bad(e: DefError) -> GraphError {
    GraphError::bad_request(e.to_string())
}

fn ok(status: u16, value: &Value) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).unwrap_or_default();
    HttpResponse::build(status)
        .content_type(JSON)
        .body(value.to_string())
}

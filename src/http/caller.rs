//! Who is calling: the tenant and application a request acts for, from the
//! bearer token (or the default client when `--auth lenient` and none is sent).

use super::error::GraphError;
use super::links::origin;
use crate::app::AppState;
use crate::auth::{BearerError, token_from_header};
use crate::cli::AuthMode;
use actix_web::HttpRequest;
use base64::Engine;

/// The identified caller of a Graph request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Index of the tenant among the server's tenants.
    pub tenant: usize,
    /// appId of the calling application.
    pub app_id: String,
    /// Application permissions the caller holds.
    pub roles: Vec<String>,
}

/// Every permission, for `--auth off`.
const ALL: [&str; 2] = ["AuditLog.Read.All", "Directory.Read.All"];

/// Identifies the caller of a Graph request.
pub fn identify(req: &HttpRequest, state: &AppState) -> Result<Caller, GraphError> {
    if state.settings.auth == AuthMode::Off {
        let mut caller = default_client(state);
        caller.roles = ALL.iter().map(|r| r.to_string()).collect();
        return Ok(caller);
    }
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    match token_from_header(header).map_err(unauthorized)? {
        None if state.settings.auth == AuthMode::Lenient => Ok(default_client(state)),
        None => Err(unauthorized(BearerError::Empty)),
        Some(token) => from_token(req, state, token),
    }
}

fn unauthorized(error: BearerError) -> GraphError {
    GraphError::new(401, error.code(), error.message())
}

fn from_token(req: &HttpRequest, state: &AppState, token: &str) -> Result<Caller, GraphError> {
    let tid = unverified_tenant(token).ok_or_else(|| unauthorized(BearerError::Malformed))?;
    let world = state.world();
    let tenant = world
        .tenants
        .iter()
        .position(|t| t.plan.tenant.id == tid)
        .ok_or_else(|| unauthorized(BearerError::InvalidIssuer))?;
    let key = state.signing_key(world.tenants[tenant].plan.tenant.seed.0);
    let here = origin(req);
    let bare = here
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(here.as_str(), |(host, _)| host);
    let claims = key
        .verify_with(token, state.clock.now(), &[here.as_str(), bare])
        .map_err(unauthorized)?;
    Ok(Caller {
        tenant,
        app_id: claims.appid,
        roles: claims.roles,
    })
}

/// The `tid` claim, read before verification to pick the tenant's key.
fn unverified_tenant(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["tid"].as_str().map(str::to_string)
}

/// The tenant's default client (lenient mode without a token): the first test client.
fn default_client(state: &AppState) -> Caller {
    let world = state.world();
    let tenant = &world.tenants[0].plan.tenant;
    let app = &tenant.applications[tenant.test_clients[0].application as usize];
    Caller {
        tenant: 0,
        app_id: app.app_id.clone(),
        roles: app.graph_permissions.clone(),
    }
}

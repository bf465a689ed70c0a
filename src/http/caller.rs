//! Who is calling: the tenant and application a request acts for, from the
//! bearer token (or the default client when `--auth lenient` and none is sent).

use super::error::GraphError;
use super::links::origin;
use crate::app::AppState;
use crate::auth::{BearerError, read_token, token_from_header, www_authenticate};
use crate::cli::AuthMode;
use actix_web::HttpRequest;

/// The identified caller of a Graph request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Index of the tenant among the server's tenants.
    pub tenant: usize,
    /// appId of the calling application.
    pub app_id: String,
    /// Permissions the caller holds: application permissions (`roles`) for an app-only
    /// token, delegated ones (`scp`) for a user's token; one table judges both.
    pub roles: Vec<String>,
    /// The signed-in user's directory roles (`wids`) when the token is delegated.
    pub user_roles: Option<Vec<String>>,
}

/// Every permission, for `--auth off`.
const ALL: [&str; 6] = [
    "AuditLog.Read.All",
    "Directory.Read.All",
    "IdentityRiskyUser.ReadWrite.All",
    "IdentityRiskEvent.Read.All",
    "IdentityRiskyServicePrincipal.ReadWrite.All",
    "Reports.Read.All",
];

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
    match token_from_header(header).map_err(|e| unauthorized(req, e))? {
        None if state.settings.auth == AuthMode::Lenient => Ok(default_client(state)),
        None => Err(unauthorized(req, BearerError::Empty)),
        Some(token) => from_token(req, state, token).map_err(|e| unauthorized(req, e)),
    }
}

/// 401 InvalidAuthenticationToken with Graph's `WWW-Authenticate` challenge, whose
/// authorization_uri names this server's authority instead of login.microsoftonline.com.
fn unauthorized(req: &HttpRequest, error: BearerError) -> GraphError {
    let authority = format!("{}/common/oauth2/authorize", origin(req));
    GraphError::new(401, error.code(), error.message())
        .with_header("WWW-Authenticate", www_authenticate(&authority))
}

fn from_token(req: &HttpRequest, state: &AppState, token: &str) -> Result<Caller, BearerError> {
    let (_, payload) = read_token(token)?;
    let tid = payload["tid"].as_str().ok_or(BearerError::InvalidIssuer)?;
    let world = state.world();
    let tenant = world
        .tenants
        .iter()
        .position(|t| t.plan.tenant.id == tid)
        .ok_or(BearerError::InvalidIssuer)?;
    let key = state.signing_key(world.tenants[tenant].plan.tenant.seed.0);
    // Tokens live on the client's real clock, not the log clock (issue 12).
    let claims = key.verify_with(token, state.clock.wall_now(), &local_audiences(req, state))?;
    let delegated = claims.idtyp == "user";
    Ok(Caller {
        tenant,
        app_id: claims.appid,
        roles: match &claims.scp {
            Some(scp) if delegated => scp.split_whitespace().map(str::to_string).collect(),
            _ => claims.roles,
        },
        user_roles: delegated.then(|| claims.wids.unwrap_or_default()),
    })
}

/// This server's own origin, with and without the port, as audiences: only with
/// `--accept-local-audience` (the Python SDK asks for `https://<host>/.default` when the
/// caller passes no `scopes=`; Graph itself refuses such a token as an invalid audience).
pub fn local_audiences(req: &HttpRequest, state: &AppState) -> Vec<String> {
    if !state.settings.accept_local_audience {
        return Vec::new();
    }
    let here = origin(req);
    let bare = here
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map(|(host, _)| host.to_string());
    // With a trailing slash too: `az ad` asks for `https://127.0.0.1:P//.default` (issue 12).
    std::iter::once(here.clone())
        .chain(bare)
        .flat_map(|a| [format!("{a}/"), a])
        .collect()
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
        user_roles: None,
    }
}

//! Who is calling: the tenant and application a request acts for.

use super::error::GraphError;
use crate::app::AppState;
use actix_web::HttpRequest;

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

/// Identifies the caller of a Graph request.
pub fn identify(_req: &HttpRequest, state: &AppState) -> Result<Caller, GraphError> {
    default_client(state)
}

/// The tenant's default client (lenient mode without a token).
fn default_client(state: &AppState) -> Result<Caller, GraphError> {
    let world = state.world();
    let tenant = &world.tenants[0].plan.tenant;
    let client = &tenant.test_clients[0];
    let app = &tenant.applications[client.application as usize];
    Ok(Caller { tenant: 0, app_id: app.app_id.clone(), roles: app.graph_permissions.clone() })
}

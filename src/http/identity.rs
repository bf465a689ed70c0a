//! The identity surface: token endpoint, OpenID discovery, keys, instance
//! discovery; and the HTTPS listener.

use super::StartError;
use crate::app::ServeSettings;
use actix_web::web;
use serde_json::Value;
use std::net::TcpListener;

/// Registers the identity routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}

/// The HTTPS listener and its TLS configuration, when `--https-port` is set.
pub fn tls_listener(_settings: &ServeSettings) -> Result<Option<(TcpListener, rustls::ServerConfig)>, StartError> {
    Ok(None)
}

/// The published certificate of a test client.
pub fn certificate_json(_tenant: &crate::tenant::Tenant, _client: &crate::tenant::TestClient) -> Value {
    Value::Null
}

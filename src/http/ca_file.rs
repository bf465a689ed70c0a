//! `GET /_entrasim/ca.pem`: the local CA certificate clients must trust for the HTTPS
//! listener (and the proxy), so a client can fetch it over plain http.

use super::error::GraphError;
use crate::app::AppState;
use actix_web::{HttpResponse, web};

/// The CA in PEM (`application/x-pem-file`, the type browsers and curl expect for PEM).
/// With `--tls-cert` there is no local CA: 404, naming the flag.
pub async fn ca_pem(state: web::Data<AppState>) -> Result<HttpResponse, GraphError> {
    let settings = &state.settings;
    if settings.tls_files.is_some() {
        return Err(GraphError::new(
            404,
            "NotFound",
            "This server presents the certificate given with --tls-cert; it has no local CA.",
        ));
    }
    let dir = settings
        .data_dir
        .clone()
        .unwrap_or_else(crate::tls::default_data_dir);
    let material = crate::tls::load_or_create(&dir, &settings.tls_san, crate::clock::wall_now())
        .map_err(|e| GraphError::new(500, "InternalServerError", e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/x-pem-file")
        .body(material.ca_pem))
}

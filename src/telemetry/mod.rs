//! Telemetry: Prometheus metrics (`GET /metrics`) and one log line per request.
//!
//! Layered like a surface: [`route`] names a request's route pattern, [`metrics`]
//! holds the counters and renders them, [`access`] is the middleware that times
//! each request and feeds both.

pub mod access;
pub mod metrics;
pub mod route;

pub use metrics::Metrics;

use actix_web::{HttpMessage, HttpRequest, web};

/// The calling app, noted on the request once the caller is identified.
#[derive(Debug, Clone)]
pub struct App(pub String);

/// Notes the calling app for the metrics and the request log.
pub fn note_app(req: &HttpRequest, app_id: &str) {
    req.extensions_mut().insert(App(app_id.to_string()));
}

/// Registers `GET /metrics` when metrics are on (on the control surface's listener).
pub fn configure(cfg: &mut web::ServiceConfig, metrics: bool) {
    if metrics {
        cfg.route("/metrics", web::get().to(metrics::serve));
    }
}

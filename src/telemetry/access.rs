//! The access layer: times every request, counts it in [`super::Metrics`] and
//! writes one `info` event per request (method, route, status, app, duration,
//! request id) through `tracing`.
//!
//! Durations are measured with a monotonic `Instant`: they describe this
//! process, not the simulated timeline, and go only to histograms and logs.

use super::App;
use super::metrics::Observed;
use crate::app::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use std::time::Instant;

/// The app label of a request whose caller was never identified.
const NO_APP: &str = "none";

/// Counts and logs each request once its answer is ready.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let control = state.as_ref().is_some_and(|s| s.settings.control);
    let (route, version) = super::route::pattern(req.path(), control);
    let continuation = has_skiptoken(req.query_string());
    let response = next.call(req).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let app = response
        .request()
        .extensions()
        .get::<App>()
        .map_or_else(|| NO_APP.to_string(), |a| a.0.clone());
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header("request-id").unwrap_or_default();
    let retry_after = header("retry-after").and_then(|v| v.parse().ok());
    if let Some(state) = &state {
        state.metrics.request(&Observed {
            route: &route,
            version,
            status,
            app: &app,
            seconds,
            retry_after,
            continuation,
        });
    }
    tracing::info!(
        target: "entrasim::request",
        method = method.as_str(),
        route = route.as_str(),
        version,
        status,
        app = app.as_str(),
        duration_ms = (seconds * 1000.0 * 1000.0).round() / 1000.0,
        request_id = request_id.as_str(),
        "request"
    );
    Ok(response)
}

fn has_skiptoken(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes())
        .any(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken"))
}

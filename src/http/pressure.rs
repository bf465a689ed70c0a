//! Throttling, faults and response delays on the audit-log routes, and their
//! control endpoints.

use super::caller::Caller;
use super::error::GraphError;
use super::middleware::JSON;
use crate::app::AppState;
use crate::throttle::Decision;
use crate::throttle::faults::Fault;
use actix_web::{HttpRequest, HttpResponse, web};

/// Counts the request, then throttles, fails or delays it as configured.
/// Returns a reply when the request must not reach its handler.
pub async fn apply(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    log: &str,
) -> Result<Option<HttpResponse>, GraphError> {
    let now_ms = state.clock.window_ms();
    let token = skiptoken(req);
    state
        .verdicts
        .request(&caller.app_id, now_ms, token.as_deref());
    if let Decision::Throttle(seconds) = state.throttle.check(caller.tenant, &caller.app_id, now_ms)
    {
        state.verdicts.throttled(&caller.app_id, now_ms, seconds);
        let mut error = GraphError::new(429, "TooManyRequests", "Please retry again later.");
        error.retry_after = Some(seconds);
        return Err(error);
    }
    let page = token
        .and_then(|t| state.token_key().decode(&t).ok())
        .map_or(1, |c| c.page + 1);
    if let Some((fault, retry_after)) = state.faults.decide(state.seed(), log, &caller.app_id, page)
    {
        return fail(fault, retry_after).map(Some);
    }
    if let Some(delay) = state.faults.delay(state.seed(), log) {
        tokio::time::sleep(delay).await;
    }
    Ok(None)
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

/// `PUT /_entrasim/throttling`: replaces the throttling settings.
pub async fn put_throttling(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let config = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request(format!("Invalid throttling settings: {e}.")))?;
    state
        .throttle
        .set_config(config)
        .map_err(GraphError::bad_request)?;
    Ok(json(state.throttle.config()))
}

/// `GET /_entrasim/faults`.
pub async fn get_faults(state: web::Data<AppState>) -> HttpResponse {
    json(state.faults.config())
}

/// `PUT /_entrasim/faults`: replaces the fault settings.
pub async fn put_faults(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let config = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request(format!("Invalid fault settings: {e}.")))?;
    state
        .faults
        .set_config(config)
        .map_err(GraphError::bad_request)?;
    Ok(json(state.faults.config()))
}

/// `GET /_entrasim/clients`: how each calling app behaved.
pub async fn clients(state: web::Data<AppState>) -> HttpResponse {
    json(serde_json::json!({"value": state.verdicts.report(state.clock.window_ms())}))
}

//! Per-request plumbing: request ids, Graph's headers, the error envelope.

use super::error::{GraphError, RequestMeta, envelope};
use crate::app::AppState;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

/// Graph's JSON content type.
pub const JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// Graph's `x-ms-ags-diagnostic` header, naming this emulator.
pub const DIAGNOSTIC: &str = r#"{"ServerInfo":{"DataCenter":"entrasim","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"local"}}"#;

/// Assigns ids, echoes `client-request-id`, and renders errors in Graph's envelope.
pub async fn envelope_layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    let meta = meta(&req);
    req.extensions_mut().insert(meta.clone());
    let response = match super::limits::oversize(&req) {
        Some(error) => req.into_response(error.error_response()),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    let error = response
        .response()
        .extensions()
        .get::<GraphError>()
        .cloned();
    let mut response = match error {
        Some(error) => {
            let body = serde_json::to_vec(&envelope(&error, &meta)).expect("json");
            response.map_body(|head, _| {
                head.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
                EitherBody::right(BoxBody::new(body))
            })
        }
        None => response.map_body(|_, body| EitherBody::left(body)),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("request-id", &meta.request_id),
        ("client-request-id", &meta.client_request_id),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    headers.insert(
        HeaderName::from_static("x-ms-ags-diagnostic"),
        HeaderValue::from_static(DIAGNOSTIC),
    );
    Ok(response)
}

fn meta(req: &ServiceRequest) -> RequestMeta {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("state is registered");
    let request_id = state.next_request_id();
    let client = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(|| request_id.clone(), str::to_string);
    let date = state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string();
    RequestMeta {
        request_id,
        client_request_id: client,
        date,
    }
}

//! The one HTTP error type and Graph's error envelope.
//!
//! Handlers and extractors return [`GraphError`]; its response carries the
//! parts in an extension, and the envelope middleware renders
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
//! with the request's ids, so every failure has the same shape.

use crate::query::QueryError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// A failure answered in Graph's envelope.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct GraphError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Our explanation, in `error.details[0].message`.
    pub detail: Option<String>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Further response headers (`Allow` on a 405, `WWW-Authenticate` on a 401).
    pub headers: Vec<(&'static str, String)>,
}

impl GraphError {
    /// Any status, code and message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            detail: None,
            retry_after: None,
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> GraphError {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds our explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> GraphError {
        self.detail = Some(detail.into());
        self
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(400, "BadRequest", message)
    }

    /// Graph's answer for a path segment it does not know.
    pub fn no_segment(segment: &str) -> GraphError {
        GraphError::bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    /// 404 for an id that names nothing.
    pub fn not_found(id: &str) -> GraphError {
        GraphError::new(
            404,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }
}

impl From<QueryError> for GraphError {
    fn from(e: QueryError) -> GraphError {
        GraphError {
            status: e.status,
            code: e.code.into(),
            message: e.message,
            detail: e.detail,
            retry_after: None,
            headers: Vec::new(),
        }
    }
}

impl ResponseError for GraphError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        for (name, value) in &self.headers {
            response.insert_header((*name, value.as_str()));
        }
        let mut response = response.finish();
        response.extensions_mut().insert(self.clone());
        response
    }
}

/// Ids and time of one request, for headers and error bodies.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: String,
    pub client_request_id: String,
    /// innerError.date: `2021-09-07T07:11:46` (no zone, no fraction), as Graph writes it.
    pub date: String,
}

/// The envelope body of an error.
pub fn envelope(error: &GraphError, meta: &RequestMeta) -> serde_json::Value {
    let mut inner = json!({"date": meta.date, "request-id": meta.request_id, "client-request-id": meta.client_request_id});
    if error.status == 429 {
        inner["code"] = json!("429");
        inner["message"] = json!("Please retry after");
        inner["status"] = json!("429");
    }
    let mut body =
        json!({"error": {"code": error.code, "message": error.message, "innerError": inner}});
    if let Some(detail) = &error.detail {
        body["error"]["details"] = json!([{"code": "entrasim", "message": detail, "target": null}]);
    }
    body
}

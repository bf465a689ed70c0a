//! Request-size limits answered in Graph's envelope.
//!
//! Graph sits behind HTTP.sys, which refuses a request URL longer than its
//! `MaxFieldLength` (16 KiB by default) with "HTTP Error 414. The request URL is
//! too long."; Graph relays such front-end failures as `UnknownError`. entrasim
//! answers the same way for URLs over [`MAX_URL`] bytes.
//!
//! actix-http refuses some requests before any handler runs, with an empty
//! body that no middleware can reach: a request target over 65,534 bytes (the
//! `http` crate's ceiling for a URI) gets 400, and a request head over 128 KiB
//! or with more than 96 headers gets 431. Neither limit is configurable.

use super::error::GraphError;
use actix_web::dev::ServiceRequest;

/// Longest request URL (path and query, as sent) served, in bytes.
pub const MAX_URL: usize = 16 * 1024;

/// The error for a request whose URL is longer than [`MAX_URL`], if it is.
pub fn oversize(req: &ServiceRequest) -> Option<GraphError> {
    let uri = req.uri();
    let length = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    (length > MAX_URL).then(|| {
        GraphError::new(
            414,
            "UnknownError",
            "HTTP Error 414. The request URL is too long.",
        )
        .with_detail(format!(
            "the request URL is {length} bytes; entrasim, like HTTP.sys in front of Graph, accepts at most {MAX_URL}"
        ))
    })
}

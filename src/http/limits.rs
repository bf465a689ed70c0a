//! Request-size limits answered in Graph's envelope.
//!
//! Graph sits behind HTTP.sys, which refuses a request URL longer than its
//! `MaxFieldLength` (16 KiB by default) with "HTTP Error 414. The request URL is
//! too long."; Graph relays such front-end failures as `UnknownError`. entrasim
//! answers the same way for URLs over [`MAX_URL`] bytes.
//!
//! actix-http refuses longer URLs still (over 65,534 bytes, or a head over
//! 128 KiB) before any middleware runs; [`guard`](super::guard) rewrites those
//! answers into the same 414.

use super::error::GraphError;
use actix_web::dev::ServiceRequest;

/// Longest request URL (path and query, as sent) served, in bytes.
pub const MAX_URL: usize = 16 * 1024;

/// The error for a request whose URL is longer than [`MAX_URL`], if it is.
pub fn oversize(req: &ServiceRequest) -> Option<GraphError> {
    let uri = req.uri();
    let length = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    (length > MAX_URL).then(|| too_long(format!("the request URL is {length} bytes")))
}

/// 414 for a URL over [`MAX_URL`]; `size` says how long it was.
pub fn too_long(size: String) -> GraphError {
    GraphError::new(
        414,
        "UnknownError",
        "HTTP Error 414. The request URL is too long.",
    )
    .with_detail(format!(
        "{size}; entrasim, like HTTP.sys in front of Graph, accepts at most {MAX_URL}"
    ))
}

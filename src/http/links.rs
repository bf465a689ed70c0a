//! Absolute links back to this server: `@odata.nextLink` on the scheme and
//! host the client used (honouring `X-Forwarded-Proto`/`-Host`).

use actix_web::HttpRequest;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in query keys and values.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'$');

/// `scheme://host[:port]` of the request as the client addressed it.
pub fn origin(req: &HttpRequest) -> String {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
    };
    let info = req.connection_info();
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| info.scheme().to_string());
    let host = header("x-forwarded-host").unwrap_or_else(|| info.host().to_string());
    format!("{scheme}://{host}")
}

/// The request's own URL with its options and a new `$skiptoken`.
pub fn next_link(req: &HttpRequest, options: &[(String, String)], token: &str) -> String {
    let mut link = origin(req);
    link.push_str(&collapse(req.path()));
    let mut separator = '?';
    let pairs = options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("$skiptoken", token)]);
    for (key, value) in pairs {
        link.push(separator);
        link.extend(utf8_percent_encode(key, QUERY));
        link.push('=');
        link.extend(utf8_percent_encode(value, QUERY));
        separator = '&';
    }
    link
}

/// `/v1.0//auditLogs` → `/v1.0/auditLogs`.
pub fn collapse(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for part in path.split('/').filter(|p| !p.is_empty()) {
        out.push('/');
        out.push_str(part);
    }
    out
}

//! Absolute links back to this server: `@odata.nextLink` on the scheme and
//! host the client used.
//!
//! The scheme comes from `X-Forwarded-Proto`, `Forwarded: proto=` or the
//! connection; the host from `X-Forwarded-Host`, `Forwarded: host=`, `Host`
//! or the listening address, in that order. A value that is not `http`/`https`,
//! or not a `host[:port]`, is ignored and the next source is used, so a header
//! can never inject a path, query or other scheme into a link.

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
    let scheme = [header(req, "x-forwarded-proto"), forwarded(req, "proto")]
        .into_iter()
        .flatten()
        .map(|s| s.to_ascii_lowercase())
        .find(|s| s == "http" || s == "https")
        .unwrap_or_else(|| {
            let secure = req.uri().scheme_str() == Some("https")
                || listener(req).map_or(req.app_config().secure(), |l| l.secure);
            if secure { "https" } else { "http" }.to_string()
        });
    let host = [
        header(req, "x-forwarded-host"),
        forwarded(req, "host"),
        header(req, "host"),
        req.uri().authority().map(|a| a.to_string()),
    ]
    .into_iter()
    .flatten()
    .find(|h| is_host(h))
    .unwrap_or_else(|| {
        listener(req)
            .map_or(req.app_config().local_addr(), |l| l.addr)
            .to_string()
    });
    format!("{scheme}://{host}")
}

/// The listener the request arrived on (absent in unit tests).
fn listener(req: &HttpRequest) -> Option<super::listen::Listener> {
    req.conn_data::<super::listen::Listener>().copied()
}

/// The first value of a (possibly comma-separated) header.
fn header(req: &HttpRequest, name: &str) -> Option<String> {
    let value = req.headers().get(name)?.to_str().ok()?;
    Some(value.split(',').next().unwrap_or(value).trim().to_string())
}

/// A parameter of the first element of RFC 7239 `Forwarded`, unquoted.
fn forwarded(req: &HttpRequest, parameter: &str) -> Option<String> {
    let first = header(req, "forwarded")?;
    first.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case(parameter)
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// `name[:port]` or `[ipv6][:port]`, with nothing a URL would read as a path,
/// query, fragment or credentials.
pub fn is_host(text: &str) -> bool {
    let (name, port) = match text.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, port))
                if !v6.is_empty()
                    && v6
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') =>
            {
                (v6, port)
            }
            _ => return false,
        },
        None => {
            let (name, port) = text.find(':').map_or((text, ""), |i| text.split_at(i));
            let label = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
            if name.is_empty() || name.len() > 253 || !name.chars().all(label) {
                return false;
            }
            (name, port)
        }
    };
    let port_ok = match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.parse::<u16>().is_ok_and(|p| p > 0) && digits.len() <= 5,
    };
    !name.is_empty() && port_ok
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

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn hosts_are_names_or_bracketed_addresses_with_an_optional_port() {
        for good in [
            "graph.example.test",
            "localhost:8400",
            "10.0.0.1:1",
            "[::1]:8400",
            "[fe80::1]",
            "my_svc",
        ] {
            assert!(is_host(good), "{good}");
        }
        for bad in [
            "",
            "evil.test/path?x=",
            "a b",
            "x@y",
            "host:",
            "host:0",
            "host:99999",
            "host:80:80",
            "[::1",
            "[]:80",
            "[::1]x",
            "h#f",
            "h%2f",
            ":80",
        ] {
            assert!(!is_host(bad), "{bad}");
        }
    }

    fn origin_of(headers: &[(&str, &str)]) -> String {
        let mut request = TestRequest::get()
            .uri("/v1.0/x")
            .insert_header(("host", "real.test:8400"));
        for header in headers {
            request = request.insert_header(*header);
        }
        origin(&request.to_http_request())
    }

    #[test]
    fn forwarded_headers_are_used_when_well_formed() {
        assert_eq!(
            origin_of(&[
                ("x-forwarded-host", "graph.example.test"),
                ("x-forwarded-proto", "HTTPS")
            ]),
            "https://graph.example.test"
        );
        assert_eq!(
            origin_of(&[(
                "forwarded",
                "for=1.2.3.4;proto=https;host=\"proxy.test:443\""
            )]),
            "https://proxy.test:443"
        );
    }

    #[test]
    fn malformed_forwarded_headers_are_ignored() {
        assert_eq!(
            origin_of(&[
                ("x-forwarded-host", "evil.test/path?x="),
                ("x-forwarded-proto", "javascript")
            ]),
            "http://real.test:8400"
        );
        assert_eq!(
            origin_of(&[("forwarded", "host=\"a/b\";proto=ftp")]),
            "http://real.test:8400"
        );
    }
}

//! `entrasim health --url URL`: one GET over plain HTTP, exit 0 on a 200 and 1
//! otherwise, with a one-line message (the container image's HEALTHCHECK:
//! the image has no curl).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Why the server is not healthy; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("unhealthy: {0} is not an http:// URL")]
    Url(String),
    #[error("unhealthy: {url}: {source}")]
    Io { url: String, source: std::io::Error },
    #[error("unhealthy: {url} answered {status}")]
    Status { url: String, status: String },
}

/// Checks `url` (default path `/_entrasim/health`) and returns the OK line.
pub fn check(url: &str) -> Result<String, HealthError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| HealthError::Url(url.to_string()))?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/_entrasim/health".to_string()), |(a, p)| {
            (a, format!("/{p}"))
        });
    if authority.is_empty() {
        return Err(HealthError::Url(url.to_string()));
    }
    let io = |source| HealthError::Io {
        url: url.to_string(),
        source,
    };
    let mut stream = TcpStream::connect(authority).map_err(io)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(io)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).map_err(io)?;
    let line = String::from_utf8_lossy(&head[..n]);
    let status = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("nothing")
        .to_string();
    if status == "200" {
        Ok(format!("healthy: {url}"))
    } else {
        Err(HealthError::Status {
            url: url.to_string(),
            status,
        })
    }
}

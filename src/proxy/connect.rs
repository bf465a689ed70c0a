//! The CONNECT head: read within a size limit, then judged: which served host it
//! opens a tunnel to, or the refusal to answer.

use super::HOSTS;
use crate::http::links::is_host;
use std::io;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// The largest head read (request line and headers).
pub const MAX_HEAD: u64 = 8 * 1024;

/// A CONNECT refused: the status and the text the proxy answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 403, 405 or 431.
    pub status: u16,
    /// One line saying why.
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }

    /// The whole HTTP/1.1 response, closing the connection.
    pub fn response(&self) -> Vec<u8> {
        let reason = match self.status {
            403 => "Forbidden",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        };
        let allow = if self.status == 405 {
            "Allow: CONNECT\r\n"
        } else {
            ""
        };
        let body = format!("{}\n", self.message);
        format!(
            "HTTP/1.1 {} {reason}\r\nProxy-Agent: entrasim\r\n{allow}Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.status,
            body.len()
        )
        .into_bytes()
    }
}

/// Reads the head up to its blank line and returns the request line, or the refusal
/// for a head that is too large or malformed. An error when the client hangs up first.
pub async fn read_head<R: AsyncBufRead + Unpin>(io: &mut R) -> io::Result<Result<String, Refusal>> {
    let mut left = MAX_HEAD;
    let mut request_line = None;
    loop {
        let mut line = Vec::new();
        let read = (&mut *io).take(left).read_until(b'\n', &mut line).await?;
        left -= read as u64;
        if !line.ends_with(b"\n") {
            if left == 0 {
                return Ok(Err(Refusal::new(431, "the CONNECT head exceeds 8 KiB")));
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return Ok(Err(Refusal::new(400, "the CONNECT head is not text")));
        };
        let text = text.trim_end_matches('\n').trim_end_matches('\r');
        match (&request_line, text.is_empty()) {
            (None, true) => continue, // RFC 9112 §2.2: ignore empty lines before the request line
            (None, false) => request_line = Some(text.to_string()),
            (Some(_), true) => return Ok(Ok(request_line.unwrap_or_default())),
            (Some(_), false) if !is_header_line(text) => {
                return Ok(Err(Refusal::new(
                    400,
                    "malformed header line in the CONNECT head",
                )));
            }
            (Some(_), false) => {}
        }
    }
}

/// `name: value`, the name a token.
fn is_header_line(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(is_token_char))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Which of [`HOSTS`] the request line opens a tunnel to, or the refusal.
pub fn target(request_line: &str) -> Result<usize, Refusal> {
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(Refusal::new(
            400,
            "malformed request line: expected `CONNECT host:port HTTP/1.1`",
        ));
    };
    if method.is_empty() || !method.chars().all(is_token_char) {
        return Err(Refusal::new(400, "malformed request line: no method"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(Refusal::new(
            400,
            "malformed request line: the version is not HTTP/1.1 or HTTP/1.0",
        ));
    }
    if method != "CONNECT" {
        return Err(Refusal::new(
            405,
            format!(
                "entrasim's proxy only opens tunnels (CONNECT); it does not forward {method} requests"
            ),
        ));
    }
    let Some((host, port)) = target
        .rsplit_once(':')
        .filter(|(host, port)| is_host(target) && !host.is_empty() && !port.is_empty())
    else {
        return Err(Refusal::new(
            400,
            "malformed request line: the CONNECT target is not host:port",
        ));
    };
    let host = host.trim_end_matches('.');
    HOSTS
        .iter()
        .position(|served| port == "443" && served.eq_ignore_ascii_case(host))
        .ok_or_else(|| Refusal::new(403, refused(target)))
}

fn refused(target: &str) -> String {
    let served: Vec<String> = HOSTS.iter().map(|h| format!("{h}:443")).collect();
    format!(
        "entrasim's proxy refuses CONNECT to {target}: it serves only {} and forwards nowhere else",
        served.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn head(bytes: &[u8]) -> io::Result<Result<String, Refusal>> {
        read_head(&mut tokio::io::BufReader::new(bytes)).await
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn the_three_hosts_on_443_open_tunnels_in_any_case() {
        assert_eq!(target("CONNECT graph.microsoft.com:443 HTTP/1.1"), Ok(0));
        assert_eq!(
            target("CONNECT LOGIN.microsoftonline.com:443 HTTP/1.0"),
            Ok(1)
        );
        assert_eq!(target("CONNECT management.azure.com.:443 HTTP/1.1"), Ok(2));
    }

    #[test]
    fn other_hosts_and_ports_are_refused_403_by_name() {
        for t in ["example.com:443", "graph.microsoft.com:80", "10.0.0.1:443"] {
            let refusal = target(&format!("CONNECT {t} HTTP/1.1")).unwrap_err();
            assert_eq!(refusal.status, 403);
            assert!(
                refusal.message.contains(&format!("CONNECT to {t}:")),
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn malformed_request_lines_are_400_and_other_methods_405() {
        for line in [
            "CONNECT",
            "CONNECT graph.microsoft.com HTTP/1.1",
            "CONNECT graph.microsoft.com:443",
            "CONNECT  graph.microsoft.com:443 HTTP/1.1",
            "CONNECT graph.microsoft.com:443/x HTTP/1.1",
            "CONNECT graph.microsoft.com:443 HTTP/2",
            "CONNECT :443 HTTP/1.1",
            "\u{1}\u{2} x HTTP/1.1",
        ] {
            assert_eq!(target(line).unwrap_err().status, 400, "{line:?}");
        }
        let refusal = target("GET http://graph.microsoft.com/ HTTP/1.1").unwrap_err();
        assert_eq!(refusal.status, 405);
        assert!(
            String::from_utf8(refusal.response())
                .unwrap()
                .contains("Allow: CONNECT\r\n")
        );
    }

    #[test]
    fn a_head_ends_at_its_blank_line_and_checks_its_headers() {
        let ok = block_on(head(
            b"\r\nCONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nTLS",
        ));
        assert_eq!(ok.unwrap(), Ok("CONNECT a:443 HTTP/1.1".to_string()));
        let bad = block_on(head(b"CONNECT a:443 HTTP/1.1\r\nno colon\r\n\r\n"));
        assert_eq!(bad.unwrap().unwrap_err().status, 400);
        let binary = block_on(head(b"\xff\xfe\r\n\r\n"));
        assert_eq!(binary.unwrap().unwrap_err().status, 400);
    }

    #[test]
    fn an_oversized_head_is_431_and_a_hang_up_is_an_error() {
        let long = vec![b'a'; MAX_HEAD as usize + 10];
        assert_eq!(block_on(head(&long)).unwrap().unwrap_err().status, 431);
        assert!(block_on(head(b"CONNECT a:443 HTTP/1.1\r\nHost")).is_err());
        assert!(block_on(head(b"")).is_err());
    }

    #[test]
    fn a_refusal_is_a_closing_plain_text_response() {
        let text = String::from_utf8(Refusal::new(403, "no").response()).unwrap();
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"));
        assert!(text.contains("Content-Length: 3\r\nConnection: close\r\n\r\nno\n"));
    }
}

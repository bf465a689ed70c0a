//! A connection wrapper that puts actix-http's own refusals in Graph's envelope.
//!
//! actix-http answers a request it cannot parse before any middleware runs, with
//! an empty body: 400 for a request target over 65,534 bytes (the `http` crate's
//! ceiling for a URI) or malformed bytes, 431 for a head over 128 KiB or with more
//! than 96 headers. [`Guarded`] watches each connection's outgoing bytes for such
//! an answer (a 400 or 431 head with `content-length: 0` and no `request-id`,
//! which every response of ours carries) and replaces it with an envelope:
//! 414 `UnknownError` when the connection has just sent a line longer than
//! [`MAX_URL`] (an oversize URL, whatever its size), else
//! 400 in HTTP.sys's words. JSON bodies never hold a raw CR LF, so a body cannot
//! be mistaken for such a head.

use super::error::{GraphError, RequestMeta, envelope};
use super::limits::{MAX_URL, too_long};
use super::middleware::{DIAGNOSTIC, JSON};
use crate::app::AppState;
use actix_web::web;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose bare parse-error answers are rewritten.
pub struct Guarded<T> {
    io: T,
    state: web::Data<AppState>,
    lines: Lines,
    /// A rewritten answer being written.
    pending: Option<Pending>,
}

/// Line lengths of the bytes read.
#[derive(Debug, Default)]
struct Lines {
    /// Bytes read since the last line feed.
    current: usize,
    /// The longest line read since the last answer written.
    longest: usize,
}

impl Lines {
    fn observe(&mut self, read: &[u8]) {
        for &byte in read {
            if byte == b'\n' {
                self.current = 0;
            } else {
                self.current += 1;
                self.longest = self.longest.max(self.current);
            }
        }
    }

    /// An answer went out: only the line being read still counts.
    fn answered(&mut self) {
        self.longest = self.current;
    }
}

struct Pending {
    bytes: Vec<u8>,
    written: usize,
    /// The length of the caller's buffer, reported once `bytes` are written.
    claim: usize,
}

impl<T> Guarded<T> {
    /// Wraps a connection.
    pub fn new(io: T, state: web::Data<AppState>) -> Guarded<T> {
        Guarded {
            io,
            state,
            lines: Lines::default(),
            pending: None,
        }
    }

    /// The wrapped connection.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// `buf` with a bare refusal in it replaced, if it holds one.
    fn rewrite(&mut self, buf: &[u8]) -> Option<Vec<u8>> {
        let (at, status, head_end) = bare_refusal(buf)?;
        let longest = self.lines.longest;
        let error = if longest > MAX_URL {
            too_long(format!("the request line is {longest} bytes"))
        } else if status == 431 {
            http_sys_400("The size of the request headers is too long.")
        } else {
            http_sys_400("The request is badly formed.")
        };
        let mut out = buf[..at].to_vec();
        out.extend(answer(&error, &buf[at..head_end], &self.state));
        Some(out)
    }
}

fn http_sys_400(message: &str) -> GraphError {
    GraphError::bad_request(format!("HTTP Error 400. {message}")).with_detail(
        "entrasim's HTTP layer could not read this request; HTTP.sys in front of Graph refuses it the same way",
    )
}

/// Where a bare 400/431 head starts, its status, and where the head ends.
///
/// After such an answer actix-http stops reading and closes, so it is the last
/// thing written: only the end of the buffer is searched, keeping large pages
/// free of any scan.
fn bare_refusal(buf: &[u8]) -> Option<(usize, u16, usize)> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let tail = buf.len().saturating_sub(512);
    let at = tail + rfind(&buf[tail..], b"HTTP/1.")?;
    let status = match buf.get(at + 9..at + 12)? {
        b"400" => 400,
        b"431" => 431,
        _ => return None,
    };
    let head = buf[at..].to_ascii_lowercase();
    let bare = find(&head, b"\r\n\r\n") == Some(head.len() - 4)
        && find(&head, b"\r\ncontent-length: 0\r\n").is_some()
        && find(&head, b"request-id:").is_none();
    bare.then_some((at, status, buf.len()))
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The envelope answer replacing `head`, keeping its `date` and `connection` lines.
fn answer(error: &GraphError, head: &[u8], state: &AppState) -> Vec<u8> {
    let request_id = state.next_request_id();
    let meta = RequestMeta {
        client_request_id: request_id.clone(),
        request_id,
        date: state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    let body = serde_json::to_vec(&envelope(error, &meta)).expect("json");
    let reason = actix_web::http::StatusCode::from_u16(error.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Bad Request");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", error.status).into_bytes();
    let kept = String::from_utf8_lossy(head);
    for line in kept.split("\r\n").skip(1) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "date" {
            out.extend_from_slice(format!("{line}\r\n").as_bytes());
        }
    }
    let headers = [
        ("content-type", JSON),
        ("content-length", &body.len().to_string()),
        ("connection", "close"),
        ("request-id", &meta.request_id),
        ("client-request-id", &meta.client_request_id),
        ("x-ms-ags-diagnostic", DIAGNOSTIC),
    ];
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend(body);
    out
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        this.lines.observe(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            match this.rewrite(buf) {
                Some(bytes) => {
                    this.pending = Some(Pending {
                        bytes,
                        written: 0,
                        claim: buf.len(),
                    })
                }
                None => {
                    this.lines.answered();
                    return Pin::new(&mut this.io).poll_write(cx, buf);
                }
            }
        }
        let pending = this.pending.as_mut().expect("set above");
        while pending.written < pending.bytes.len() {
            let n =
                ready!(Pin::new(&mut this.io).poll_write(cx, &pending.bytes[pending.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            pending.written += n;
        }
        let claim = pending.claim;
        this.pending = None;
        this.lines.answered();
        Poll::Ready(Ok(claim))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_refusals_are_recognised_and_our_answers_are_not() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        assert_eq!(bare_refusal(bare), Some((0, 400, bare.len())));
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(bare_refusal(big).map(|r| r.1), Some(431));
        let after = [&b"{\"value\":[]}"[..], &bare[..]].concat();
        assert_eq!(bare_refusal(&after), Some((12, 400, after.len())));
        for ours in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nrequest-id: a\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 120\r\n\r\n{}",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            b"\"HTTP/1.1 400 Bad Request\\r\\ncontent-length: 0\\r\\n\\r\\n\"",
        ] {
            assert_eq!(
                bare_refusal(ours),
                None,
                "{}",
                String::from_utf8_lossy(ours)
            );
        }
    }

    #[test]
    fn lines_are_measured_across_reads() {
        let mut lines = Lines::default();
        lines.observe(b"GET /");
        lines.observe(&[b'a'; 100]);
        lines.observe(b" HTTP/1.1\r\nhost: x\r\n");
        assert_eq!((lines.longest, lines.current), (5 + 100 + 10, 0));
        lines.observe(b"GET /x");
        lines.answered();
        assert_eq!(lines.longest, 6);
    }
}

//! Requests too large to read get Graph's envelope, whichever layer refuses
//! them: entrasim's URL limit, or actix-http's own limits below it.

use crate::helpers::{assert_graph_error, spawn};
use std::io::{Read, Write};

/// Sends raw bytes and reads the answer until the server closes (reqwest
/// refuses URLs over 64 KiB itself).
pub fn exchange(url: &str, request: &[u8]) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status and JSON body of a raw answer, which must carry a request id.
pub fn envelope_of(answer: &str) -> (u16, serde_json::Value) {
    let status = answer[9..12].parse().unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("\r\nrequest-id: "),
        "{head}"
    );
    (status, serde_json::from_str(body).expect("a JSON body"))
}

#[actix_rt::test]
async fn urls_of_any_length_over_the_limit_get_414_in_graphs_envelope() {
    let app = spawn(&[]).await;
    for length in [16 * 1024 + 1, 40_000, 65_535, 100_000] {
        let path = format!("/v1.0/auditLogs/signIns?$filter={}", "a".repeat(length));
        let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n");
        let (status, body) = envelope_of(&exchange(&app.url, request.as_bytes()));
        assert_eq!(status, 414, "{length}");
        assert_graph_error(&body, "UnknownError");
        assert_eq!(
            body["error"]["message"],
            "HTTP Error 414. The request URL is too long."
        );
    }
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 200);
}

#[actix_rt::test]
async fn a_long_url_after_a_served_request_on_the_same_connection_gets_414() {
    let app = spawn(&[]).await;
    let request = format!(
        "GET /v1.0/auditLogs/signIns?$top=1 HTTP/1.1\r\nhost: x\r\n\r\nGET /v1.0/users?{} HTTP/1.1\r\nhost: x\r\n\r\n",
        "b".repeat(70_000)
    );
    let answer = exchange(&app.url, request.as_bytes());
    let second = answer.rfind("HTTP/1.1 ").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{}", &answer[..40]);
    let (status, body) = envelope_of(&answer[second..]);
    assert_eq!(status, 414);
    assert_graph_error(&body, "UnknownError");
}

#[actix_rt::test]
async fn heads_actix_cannot_read_get_400_in_graphs_envelope() {
    let app = spawn(&[]).await;
    let many: String = (0..120).map(|i| format!("x-h{i}: 1\r\n")).collect();
    for (request, message) in [
        (
            format!("GET /v1.0/users HTTP/1.1\r\nhost: x\r\n{many}\r\n"),
            "HTTP Error 400. The size of the request headers is too long.",
        ),
        (
            "GET /v1.0/users HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n".to_string(),
            "HTTP Error 400. The request is badly formed.",
        ),
    ] {
        let (status, body) = envelope_of(&exchange(&app.url, request.as_bytes()));
        assert_eq!(status, 400, "{body}");
        assert_graph_error(&body, "BadRequest");
        assert_eq!(body["error"]["message"], message);
    }
}

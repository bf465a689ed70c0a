//! `GET /metrics`: Prometheus text whose counters match the requests made,
//! with route patterns (not raw paths), pages, walks, faults and store gauges.

use crate::helpers::spawn;
use serde_json::json;

/// The value of the series `name{labels}` exactly as written in the exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics(app: &crate::helpers::TestApp) -> String {
    let response = app.raw("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.unwrap()
}

#[actix_rt::test]
async fn the_request_counter_equals_the_pages_a_walk_fetched() {
    let app = spawn(&[]).await;
    let records = app.walk("/v1.0/auditLogs/signIns?$top=50").await;
    let pages = records.len().div_ceil(50) as f64;
    assert!(pages > 1.0, "the walk needs several pages");
    let text = metrics(&app).await;
    let series = r#"entrasim_http_requests_total{app="00000000-0000-0000-0000-000000000000",route="/{version}/auditLogs/signIns",status="200",version="v1.0"}"#;
    let counted: f64 = text
        .lines()
        .filter(|l| {
            l.starts_with("entrasim_http_requests_total{")
                && l.contains(r#"route="/{version}/auditLogs/signIns""#)
                && l.contains(r#"status="200""#)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(counted, pages, "{series}\n{text}");
    assert_eq!(
        sample(
            &text,
            r#"entrasim_pages_served_total{log="signIns",version="v1.0"}"#
        ),
        Some(pages)
    );
    assert_eq!(
        sample(&text, r#"entrasim_walks_started_total{log="signIns"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"entrasim_walks_completed_total{log="signIns"}"#),
        Some(1.0)
    );
    assert!(
        sample(&text, r#"entrasim_records_held{log="signIns"}"#).unwrap() >= records.len() as f64
    );
    assert_eq!(
        sample(&text, "entrasim_clock_seconds"),
        Some(1_780_315_200.0)
    );
    assert!(text.contains("entrasim_http_request_duration_seconds_bucket{route=\"/{version}/auditLogs/signIns\",le=\"+Inf\"}"));
}

#[actix_rt::test]
async fn ids_in_paths_are_counted_under_their_pattern() {
    let app = spawn(&[]).await;
    let (status, _) = app
        .get("/beta/auditLogs/directoryAudits/00000000-aaaa-bbbb-cccc-000000000001")
        .await;
    assert_eq!(status, 404);
    app.get("/nowhere/at/all").await;
    let text = metrics(&app).await;
    assert!(
        text.contains(
            r#"route="/{version}/auditLogs/directoryAudits/{id}",status="404",version="beta""#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(!text.contains("00000000-aaaa"), "{text}");
}

#[actix_rt::test]
async fn injected_faults_and_their_retry_after_are_counted_by_kind() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .put(
            "/_entrasim/faults",
            json!({"rules": [{"rate": 1.0, "fault": "503"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..3 {
        let (status, _) = app.get("/v1.0/auditLogs/signIns").await;
        assert_eq!(status, 503);
    }
    let text = metrics(&app).await;
    assert_eq!(
        sample(
            &text,
            r#"entrasim_faults_injected_total{kind="ServiceUnavailable"}"#
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(&text, r#"entrasim_retry_after_seconds_count{status="503"}"#),
        Some(3.0)
    );
}

#[actix_rt::test]
async fn the_same_requests_give_the_same_families_in_the_same_order() {
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("# TYPE"))
            .map(str::to_string)
            .collect()
    };
    let a = spawn(&[]).await;
    a.get("/v1.0/auditLogs/signIns?$top=5").await;
    let b = spawn(&[]).await;
    b.get("/v1.0/auditLogs/signIns?$top=5").await;
    let (ta, tb) = (metrics(&a).await, metrics(&b).await);
    assert_eq!(names(&ta), names(&tb));
    let mut sorted = names(&ta);
    sorted.sort();
    assert_eq!(names(&ta), sorted);
}

#[actix_rt::test]
async fn metrics_off_or_control_off_serves_no_metrics() {
    for flags in [["--metrics", "off"], ["--control", "off"]] {
        let app = spawn(&flags).await;
        // Without the route the path falls to the Graph dispatcher's answer for unknown paths.
        let status = app.raw("/metrics").await.status().as_u16();
        assert!((400..500).contains(&status), "{flags:?}: {status}");
    }
}

/// The real binary: readiness line, JSON request log lines and `entrasim health`.
#[test]
fn the_binary_prints_its_readiness_line_logs_json_and_answers_health() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_entrasim");
    let mut child = Command::new(bin)
        .args(["--port", "0", "--preset", "small", "--log-format", "json"])
        .args(["--clock", "fixed:2026-06-01T12:00:00Z"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("entrasim listening on ")
        .expect("readiness line")
        .to_string();
    let health = Command::new(bin)
        .args(["health", "--url", &url])
        .output()
        .unwrap();
    let dead = Command::new(bin)
        .args(["health", "--url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    assert!(health.status.success(), "{health:?}");
    assert_eq!(
        String::from_utf8_lossy(&health.stdout).trim(),
        format!("healthy: {url}")
    );
    assert_eq!(dead.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dead.stderr).starts_with("entrasim: unhealthy: "));
    let logs = String::from_utf8_lossy(&output.stderr);
    let entry: serde_json::Value = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .find(|v: &serde_json::Value| v["route"] == "/_entrasim/health")
        .expect("a JSON line for the health request");
    assert_eq!(entry["level"], "INFO");
    assert_eq!(entry["target"], "entrasim::request");
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["app"], "none");
    assert!(entry["duration_ms"].is_number(), "{entry}");
    assert_eq!(entry["request_id"].as_str().unwrap().len(), 36, "{entry}");
}

#[actix_rt::test]
async fn records_generated_less_records_evicted_equal_records_held_as_the_clock_moves() {
    let app = spawn(&[]).await;
    let counts = |text: &str, log: &str| {
        ["generated_total", "evicted_total", "held"].map(|name| {
            sample(text, &format!(r#"entrasim_records_{name}{{log="{log}"}}"#)).unwrap_or(0.0)
        })
    };
    let before = metrics(&app).await;
    let [generated, evicted, held] = counts(&before, "signIns");
    assert!(held > 0.0);
    assert_eq!((generated, evicted), (held, 0.0), "{before}");
    let (status, body) = app
        .post("/_entrasim/clock", json!({"advance": "P2D"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let after = metrics(&app).await;
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let [generated_now, evicted_now, held_now] = counts(&after, log);
        assert_eq!(generated_now - evicted_now, held_now, "{log}\n{after}");
        if log == "signIns" {
            assert!(generated_now > generated && evicted_now > 0.0, "{after}");
        }
    }
}

#[test]
fn a_reader_that_stops_early_does_not_fail_entrasim_ca() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args(["ca", "--bundle", "--data-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe unread, as `| head -1` does once it has its line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

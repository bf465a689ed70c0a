use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::json;
use std::collections::BTreeMap;

#[actix_rt::test]
async fn an_injected_record_appears_only_after_its_delay_and_may_be_older_than_visible_ones() {
    let app = spawn(&[]).await;
    let (_, newest) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    let (status, record) = app
        .post("/_entrasim/signIns", json!({"createdDateTime": "2026-06-01T11:20:00Z", "errorCode": 50126, "ipAddress": "203.0.113.9", "visibleAfter": "PT45M"}))
        .await;
    assert_eq!(status, 201, "{record}");
    let id = record["id"].as_str().unwrap().to_string();
    assert_eq!(record["status"]["errorCode"], 50126);
    let filter = "/v1.0/auditLogs/signIns?$filter=ipAddress%20eq%20'203.0.113.9'";
    assert!(app.walk(filter).await.is_empty(), "visible too early");
    app.advance("PT4M").await;
    assert!(app.walk(filter).await.is_empty(), "visible too early");
    app.advance("PT2M").await;
    let found = app.walk(filter).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], id);
    assert!(
        found[0]["createdDateTime"].as_str() < newest["value"][0]["createdDateTime"].as_str(),
        "a late record older than one already seen"
    );
}

#[actix_rt::test]
async fn bad_injections_name_each_bad_field_and_store_nothing() {
    let app = spawn(&[]).await;
    let (_, before) = app.get("/_entrasim/tenant").await;
    let (status, body) = app
        .post(
            "/_entrasim/signIns",
            json!({"userPrincipalName": "nobody@nowhere.test", "errorCode": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(status, 400);
    let message = body["error"]["message"].as_str().unwrap();
    for field in ["userPrincipalName", "errorCode", "colour"] {
        assert!(message.contains(field), "{field} not named: {message}");
    }
    let (_, after) = app.get("/_entrasim/tenant").await;
    assert_eq!(before["records"], after["records"]);
}

#[actix_rt::test]
async fn the_clock_refuses_to_move_backwards() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .post("/_entrasim/clock", json!({"now": "2026-05-01T00:00:00Z"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("backwards")
    );
    let (_, clock) = app.get("/_entrasim/clock").await;
    assert_eq!(clock["now"], "2026-06-01T12:00:00.000000Z");
}

/// True when two servers answer these paths with the same bytes.
async fn same_pages(one: &TestApp, other: &TestApp, paths: &[&str]) {
    for path in paths {
        let a = one
            .raw(path)
            .await
            .text()
            .await
            .unwrap()
            .replace(&one.url, "ORIGIN");
        let b = other
            .raw(path)
            .await
            .text()
            .await
            .unwrap()
            .replace(&other.url, "ORIGIN");
        assert!(a.len() > 1000, "{path}: {a}");
        assert!(a == b, "{path}: the two servers differ");
    }
}

const PAGES: [&str; 3] = [
    "/beta/auditLogs/signIns?$top=500&$filter=signInEventTypes/any(t:t%20ne%20'interactiveUser')",
    "/v1.0/auditLogs/directoryAudits?$top=300",
    "/v1.0/auditLogs/provisioning?$top=300",
];

#[actix_rt::test]
async fn one_big_step_and_a_hundred_small_steps_serve_the_same_bytes() {
    let one = spawn(&[]).await;
    let many = spawn(&[]).await;
    one.advance("PT50H").await;
    for _ in 0..100 {
        many.advance("PT30M").await;
    }
    same_pages(&one, &many, &PAGES).await;
}

#[actix_rt::test]
async fn a_jump_past_retention_serves_the_same_bytes_as_a_hundred_small_steps() {
    let one = spawn(&[]).await;
    let many = spawn(&[]).await;
    one.advance("P40D").await;
    for _ in 0..100 {
        many.advance("PT9H36M").await;
    }
    let (_, clock) = one.get("/_entrasim/clock").await;
    assert_eq!(clock["now"], "2026-07-11T12:00:00.000000Z");
    same_pages(&one, &many, &PAGES).await;
    let oldest = "/v1.0/auditLogs/signIns?$top=5&$orderby=createdDateTime%20asc";
    same_pages(&one, &many, &[oldest]).await;
}

#[actix_rt::test]
async fn absurd_clock_requests_answer_400_and_the_server_keeps_serving() {
    let app = spawn(&[]).await;
    for body in [
        json!({"advance": 1e15}),
        json!({"advance": "P99999999D"}),
        json!({"now": "9999-12-31T23:59:59Z"}),
    ] {
        let (status, answer) = app.post("/_entrasim/clock", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_graph_error(&answer, "BadRequest");
    }
    let (status, clock) = app.get("/_entrasim/clock").await;
    assert_eq!(
        (status, &clock["now"]),
        (200, &json!("2026-06-01T12:00:00.000000Z"))
    );
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 200);
}

#[actix_rt::test]
async fn a_ten_year_jump_is_served_at_once_with_only_the_retained_month() {
    let app = spawn(&[]).await;
    let started = std::time::Instant::now();
    app.advance("P3653D").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let (_, oldest) = app
        .get("/v1.0/auditLogs/signIns?$top=1&$orderby=createdDateTime%20asc")
        .await;
    let (_, newest) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    let first = oldest["value"][0]["createdDateTime"].as_str().unwrap();
    let last = newest["value"][0]["createdDateTime"].as_str().unwrap();
    assert!(
        first >= "2036-05-02" && last.starts_with("2036-06-01"),
        "{first} .. {last}"
    );
}

#[actix_rt::test]
async fn new_activity_keeps_happening_as_the_clock_moves() {
    let app = spawn(&[]).await;
    let (_, before) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    app.advance("PT26H").await;
    let (_, after) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert!(
        after["value"][0]["createdDateTime"].as_str()
            > before["value"][0]["createdDateTime"].as_str()
    );
    assert!(after["value"][0]["createdDateTime"].as_str().unwrap() > "2026-06-02T12:00:00Z");
}

/// The README's worked example, step by step (seed 42, default preset, 12:00).
#[actix_rt::test]
async fn a_watermark_poller_misses_a_late_record_and_an_overlap_query_catches_it() {
    let app = spawn(&["--preset", "default"]).await;
    let (_, newest) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    let watermark = newest["value"][0]["createdDateTime"].as_str().unwrap();
    assert_eq!(watermark, "2026-06-01T11:55:26Z");
    let (status, late) = app
        .post(
            "/_entrasim/signIns",
            json!({"createdDateTime": "2026-06-01T11:55:01Z", "errorCode": 50126,
                   "ipAddress": "203.0.113.9", "visibleAfter": "PT6M"}),
        )
        .await;
    assert_eq!(status, 201, "{late}");
    assert_eq!(late["id"], "c42c0a53-e5ed-4787-b25b-37f9f9537b32");
    app.advance("PT5M").await;
    let poll = app
        .walk("/v1.0/auditLogs/signIns?$filter=createdDateTime%20ge%202026-06-01T11:55:26Z")
        .await;
    assert!(!poll.is_empty());
    assert!(
        poll.iter().all(|r| r["id"] != late["id"]),
        "the poller saw the late record"
    );
    let overlap = app
        .walk("/v1.0/auditLogs/signIns?$filter=createdDateTime%20ge%202026-06-01T11:45:26Z")
        .await;
    assert!(
        overlap.iter().any(|r| r["id"] == late["id"]),
        "the overlap query missed the late record"
    );
    let (status, gt) = app
        .get("/v1.0/auditLogs/signIns?$filter=createdDateTime%20gt%202026-06-01T11:55:26Z")
        .await;
    // Graph answers `gt` on sign-in times (Microsoft's reporting docs send it; issue 13).
    assert_eq!(status, 200, "{gt}");
    let times = gt["value"].as_array().unwrap();
    assert!(
        times
            .iter()
            .all(|r| r["createdDateTime"].as_str().unwrap() > "2026-06-01T11:55:26Z")
    );
}

/// Delay quantile (seconds) of interval-censored observations.
fn quantile(delays: &[f64], q: f64) -> f64 {
    delays[((delays.len() as f64) * q) as usize]
}

#[actix_rt::test]
async fn delays_observed_through_the_api_over_a_day_have_graphs_p95_and_p99() {
    // Every sign-in but interactive ones (all share one delay distribution).
    const SIGN_INS: &str = "/beta/auditLogs/signIns?$top=1000&$filter=signInEventTypes/any(t:t%20ne%20'interactiveUser')";
    const STEP: i64 = 15;
    const WINDOW: i64 = 450;
    let app = spawn(&[
        "--preset",
        "default",
        "--clock",
        "fixed:2026-06-01T00:00:00Z",
    ])
    .await;
    let start = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap();
    let mut first_seen: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for step in 1..=(86_400 + WINDOW) / STEP {
        app.advance(&format!("PT{STEP}S")).await;
        let now = start + chrono::Duration::seconds(step * STEP);
        let since = (now - chrono::Duration::seconds(WINDOW)).max(start);
        let path = format!(
            "{SIGN_INS}%20and%20createdDateTime%20ge%20{}",
            since.format("%Y-%m-%dT%H:%M:%SZ")
        );
        for record in app.walk(&path).await {
            let created =
                chrono::DateTime::parse_from_rfc3339(record["createdDateTime"].as_str().unwrap())
                    .unwrap();
            first_seen
                .entry(record["id"].as_str().unwrap().to_string())
                .or_insert(((now - created).num_seconds(), created.timestamp()));
        }
    }
    let day_end = start.timestamp() + 86_400;
    let all = app
        .walk(&format!("{SIGN_INS}%20and%20createdDateTime%20ge%202026-06-01T00:00:00Z%20and%20createdDateTime%20le%202026-06-01T23:59:59Z"))
        .await;
    assert!(all.len() > 3000, "{} sign-ins", all.len());
    // Seen at the first poll at or after it became visible: halfway back is unbiased.
    let mut delays: Vec<f64> = all
        .iter()
        .map(|r| match first_seen.get(r["id"].as_str().unwrap()) {
            Some(&(seen, created)) if created < day_end => seen as f64 - STEP as f64 / 2.0,
            _ => f64::INFINITY,
        })
        .collect();
    delays.sort_by(f64::total_cmp);
    let (p95, p99) = (quantile(&delays, 0.95), quantile(&delays, 0.99));
    println!(
        "observed P95 {p95} s, P99 {p99} s over {} sign-ins",
        delays.len()
    );
    assert!(
        (p95 - 120.0).abs() <= 12.0,
        "P95 {p95} s over {} sign-ins",
        delays.len()
    );
    assert!(
        (p99 - 300.0).abs() <= 30.0,
        "P99 {p99} s over {} sign-ins",
        delays.len()
    );
}

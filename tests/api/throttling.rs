use crate::helpers::{assert_graph_error, spawn};
use serde_json::json;

#[actix_rt::test]
async fn six_quick_requests_get_a_429_with_retry_after_and_graphs_body() {
    let app = spawn(&["--throttle", "graph"]).await;
    let mut throttled = None;
    for _ in 0..6 {
        let response = app.raw("/v1.0/auditLogs/signIns?$top=1").await;
        if response.status() == 429 {
            throttled = Some(response);
        }
    }
    let response = throttled.expect("one of six requests is throttled");
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=180).contains(&wait));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_graph_error(&body, "TooManyRequests");
    assert_eq!(body["error"]["message"], "Please retry again later.");
    app.advance(&format!("PT{wait}S")).await;
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 200, "after Retry-After the request succeeds");
}

#[actix_rt::test]
async fn with_throttling_off_a_thousand_requests_see_none() {
    let app = spawn(&["--throttle", "off"]).await;
    for _ in 0..1000 {
        let response = app.raw("/v1.0/auditLogs/directoryAudits?$top=1").await;
        assert_eq!(response.status(), 200);
    }
}

#[actix_rt::test]
async fn the_verdicts_flag_a_client_that_retries_too_early() {
    let app = spawn(&["--throttle", "off"]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let me = tenant["clients"][0]["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app.put("/_entrasim/throttling", json!({"enabled": false, "perAppPerTenant": {"requests": 5, "windowSeconds": 10},
        "perAppAllTenants": {"requests": 122, "windowSeconds": 10}, "throttleNext": [{"appId": me, "count": 1, "retryAfter": 30}]})).await;
    assert_eq!(status, 200);
    assert_eq!(
        app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
        429
    );
    assert_eq!(
        app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
        200
    );
    let (_, report) = app.get("/_entrasim/clients").await;
    let mine = report["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["appId"] == me.as_str())
        .unwrap();
    assert_eq!(mine["earlyRetries"], 1);
    assert!(!mine["verdicts"].as_array().unwrap().is_empty());
}

#[actix_rt::test]
async fn a_walk_through_faults_and_throttling_ends_with_exactly_the_undisturbed_records() {
    let reference = spawn(&["--throttle", "off"])
        .await
        .walk("/v1.0/auditLogs/signIns?$top=200")
        .await;
    let app = spawn(&["--throttle", "graph"]).await;
    let (status, body) = app
        .put(
            "/_entrasim/faults",
            json!({"rules": [{"rate": 0.1, "fault": "503"}, {"rate": 0.05, "fault": "504"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut records = Vec::new();
    let mut next = Some("/v1.0/auditLogs/signIns?$top=200".to_string());
    let mut retries = 0;
    while let Some(link) = next.clone() {
        let url = if link.starts_with("http") {
            link.clone()
        } else {
            format!("{}{link}", app.url)
        };
        let response = app.client.get(url).send().await.unwrap();
        match response.status().as_u16() {
            200 => {
                let body: serde_json::Value = response.json().await.unwrap();
                records.extend(body["value"].as_array().unwrap().iter().cloned());
                next = body["@odata.nextLink"].as_str().map(str::to_string);
            }
            429 | 503 | 504 => {
                retries += 1;
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1u64);
                app.advance(&format!("PT{wait}S")).await;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(retries > 0, "the walk met no faults");
    assert!(
        records == reference,
        "{} vs {} records",
        records.len(),
        reference.len()
    );
}

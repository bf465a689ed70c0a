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

/// The default test client's appId.
async fn my_app(app: &crate::helpers::TestApp) -> String {
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    tenant["clients"][0]["clientId"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn verdict_of(app: &crate::helpers::TestApp, me: &str) -> serde_json::Value {
    let (_, report) = app.get("/_entrasim/clients").await;
    report["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["appId"].as_str().unwrap().eq_ignore_ascii_case(me))
        .cloned()
        .unwrap()
}

#[actix_rt::test]
async fn a_client_that_waits_exactly_retry_after_after_spaced_requests_succeeds() {
    let app = spawn(&["--throttle", "graph"]).await;
    for _ in 0..5 {
        assert_eq!(
            app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
            200
        );
        app.advance("PT1S").await;
    }
    let response = app.raw("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wait, 6);
    app.advance(&format!("PT{wait}S")).await;
    assert_eq!(
        app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
        200,
        "waiting exactly Retry-After was not enough"
    );
}

#[actix_rt::test]
async fn an_honouring_client_walking_through_faults_and_throttling_twice_gets_a_clean_verdict() {
    let app = spawn(&["--throttle", "graph"]).await;
    let me = my_app(&app).await;
    let (status, _) = app
        .put(
            "/_entrasim/faults",
            json!({"rules": [{"rate": 0.1, "fault": "503", "retryAfter": 2}, {"rate": 0.05, "fault": "504"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let mut retries = 0;
    for _ in 0..2 {
        let mut next = Some(format!("{}/v1.0/auditLogs/signIns?$top=100", app.url));
        while let Some(link) = next.clone() {
            let response = app.client.get(&link).send().await.unwrap();
            match response.status().as_u16() {
                200 => {
                    let body: serde_json::Value = response.json().await.unwrap();
                    next = body["@odata.nextLink"].as_str().map(str::to_string);
                }
                429 | 503 | 504 => {
                    retries += 1;
                    let wait = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()?.parse().ok())
                        .unwrap_or(1u64);
                    app.advance(&format!("PT{wait}S")).await;
                }
                other => panic!("unexpected status {other}"),
            }
        }
    }
    assert!(retries > 5, "the walks met only {retries} refusals");
    let mine = verdict_of(&app, &me).await;
    assert!(mine["throttled"].as_u64().unwrap() > 0, "{mine}");
    assert_eq!(mine["earlyRetries"], 0, "{mine}");
    assert_eq!(mine["skipTokensReused"], 0, "{mine}");
    assert_eq!(mine["skipTokensAbandoned"], 0, "{mine}");
    assert_eq!(mine["verdicts"], json!([]), "{mine}");
}

#[actix_rt::test]
async fn an_early_retry_after_a_503_and_a_page_fetched_twice_are_flagged() {
    let app = spawn(&["--throttle", "off"]).await;
    let me = my_app(&app).await;
    app.put(
        "/_entrasim/faults",
        json!({"rules": [{"rate": 1.0, "fault": "503", "retryAfter": 5}]}),
    )
    .await;
    assert_eq!(
        app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
        503
    );
    assert_eq!(
        app.raw("/v1.0/auditLogs/signIns?$top=1").await.status(),
        503
    );
    app.put("/_entrasim/faults", json!({})).await;
    assert_eq!(verdict_of(&app, &me).await["earlyRetries"], 1);
    let (_, first) = app.get("/v1.0/auditLogs/signIns?$top=10").await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert_eq!(app.get(next).await.0, 200);
    assert_eq!(app.get(next).await.0, 200);
    let mine = verdict_of(&app, &me).await;
    assert_eq!(mine["skipTokensReused"], 1, "{mine}");
}

/// A bearer token for the audit reader of tenant `index` (of `--tenants 2`).
async fn reader_token(app: &crate::helpers::TestApp, index: usize) -> (String, String) {
    let (_, all) = app.get("/_entrasim/tenant").await;
    let tenant = &all["tenants"][index];
    let client = &tenant["clients"][0];
    assert_eq!(client["name"], "entrasim-audit-reader");
    let id = client["clientId"].as_str().unwrap().to_string();
    let response = app
        .client
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            app.url,
            tenant["tenantId"].as_str().unwrap()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", client["clientSecret"].as_str().unwrap()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    (id, body["access_token"].as_str().unwrap().to_string())
}

// The tenant's own test clients share one appId per tenant, and only one of
// them may read audit logs, so two apps that can both read come from two
// tenants (`--tenants 2`): two audit readers with distinct appIds.
#[actix_rt::test]
async fn a_throttled_app_leaves_another_app_unaffected() {
    let app = spawn(&["--throttle", "graph", "--tenants", "2"]).await;
    let (a_id, a) = reader_token(&app, 0).await;
    let (b_id, b) = reader_token(&app, 1).await;
    assert_ne!(a_id, b_id);
    let status = |token: String| {
        let app = &app;
        async move {
            app.raw_with_token("/v1.0/auditLogs/signIns?$top=1", &token)
                .await
        }
    };
    for _ in 0..5 {
        assert_eq!(status(a.clone()).await, 200);
    }
    assert_eq!(status(a.clone()).await, 429);
    for _ in 0..5 {
        assert_eq!(
            status(b.clone()).await,
            200,
            "app B was throttled for app A"
        );
    }
    // Per-app limits match appIds in any case.
    let (code, _) = app
        .put(
            "/_entrasim/throttling",
            json!({"apps": {b_id.to_ascii_uppercase(): {"requests": 1, "windowSeconds": 60}}}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(status(b.clone()).await, 200);
    assert_eq!(status(b.clone()).await, 429);
    assert_eq!(status(a.clone()).await, 200);
}

#[actix_rt::test]
async fn a_page_failure_scoped_to_another_app_spares_this_one() {
    let app = spawn(&[]).await;
    let me = my_app(&app).await;
    app.put(
        "/_entrasim/faults",
        json!({"failPage": {"page": 2, "fault": "500", "appId": "00000000-0000-0000-0000-000000000001"}}),
    )
    .await;
    assert!(!app.walk("/v1.0/auditLogs/signIns?$top=50").await.is_empty());
    app.put(
        "/_entrasim/faults",
        json!({"failPage": {"page": 2, "fault": "500", "appId": me.to_ascii_uppercase()}}),
    )
    .await;
    let (_, first) = app.get("/v1.0/auditLogs/signIns?$top=50").await;
    let (status, _) = app.get(first["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(status, 500);
}

#[actix_rt::test]
async fn the_same_walk_twice_on_a_frozen_clock_is_not_token_reuse() {
    let app = spawn(&[]).await;
    let me = my_app(&app).await;
    let first = app.walk("/v1.0/auditLogs/directoryAudits?$top=20").await;
    let second = app.walk("/v1.0/auditLogs/directoryAudits?$top=20").await;
    assert!(first.len() > 40 && first == second);
    let mine = verdict_of(&app, &me).await;
    assert_eq!(mine["skipTokensReused"], 0, "{mine}");
    assert_eq!(mine["verdicts"], json!([]), "{mine}");
}

//! Identity Protection over HTTP: risk detections and risky users agree with the sign-in log.

use crate::helpers::{assert_graph_error, spawn};
use serde_json::Value;
use std::collections::BTreeMap;

const LEVELS: [&str; 4] = ["none", "low", "medium", "high"];

fn rank(level: &Value) -> usize {
    LEVELS
        .iter()
        .position(|l| level == l)
        .expect("a known risk level")
}

#[tokio::test]
async fn every_detection_is_a_sign_in_that_carries_it() {
    let app = spawn(&[]).await;
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    assert!(
        !detections.is_empty(),
        "the small preset has risky sign-ins"
    );
    for d in &detections {
        assert_eq!(d["detectionTimingType"], "realtime", "{d}");
        assert_eq!(d["activity"], "signin", "{d}");
        assert_eq!(d["id"].as_str().unwrap().len(), 64, "{d}");
        let request = d["requestId"].as_str().expect("a request id");
        let (status, sign_in) = app.get(&format!("/beta/auditLogs/signIns/{request}")).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(sign_in["correlationId"], d["correlationId"]);
        assert_eq!(sign_in["userId"], d["userId"]);
        assert_eq!(sign_in["riskState"], "atRisk");
        assert_eq!(sign_in["riskLevelDuringSignIn"], d["riskLevel"]);
        assert!(
            sign_in["riskEventTypes_v2"]
                .as_array()
                .unwrap()
                .contains(&d["riskEventType"]),
            "{sign_in}"
        );
    }
}

#[tokio::test]
async fn every_risky_user_has_the_highest_level_of_its_detections() {
    let app = spawn(&[]).await;
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for d in &detections {
        let level = expected
            .entry(d["userId"].as_str().unwrap().into())
            .or_default();
        *level = (*level).max(rank(&d["riskLevel"]));
    }
    let users = app.walk("/v1.0/identityProtection/riskyUsers?$top=7").await;
    let got: BTreeMap<String, usize> = users
        .iter()
        .map(|u| (u["id"].as_str().unwrap().to_string(), rank(&u["riskLevel"])))
        .collect();
    assert_eq!(got, expected);
    let user = &users[0];
    assert_eq!(user["riskState"], "atRisk");
    let id = user["id"].as_str().unwrap();
    let history = app
        .walk(&format!("/v1.0/identityProtection/riskyUsers/{id}/history"))
        .await;
    let own = detections.iter().filter(|d| d["userId"] == id).count();
    assert_eq!(history.len(), own);
    assert_eq!(history.last().unwrap()["riskLevel"], user["riskLevel"]);
}

#[tokio::test]
async fn detections_page_by_twenty_and_filter_by_user() {
    let app = spawn(&[]).await;
    let (status, body) = app.get("/v1.0/identityProtection/riskDetections").await;
    assert_eq!(status, 200, "{body}");
    let first = body["value"].as_array().unwrap();
    assert!(first.len() <= 20);
    let name = first[0]["userDisplayName"].as_str().unwrap().to_string();
    let all = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    let filter = format!("userDisplayName eq '{}'", name.replace('\'', "''"));
    let url = format!(
        "/v1.0/identityProtection/riskDetections?$filter={}",
        urlencode(&filter)
    );
    let filtered = app.walk(&url).await;
    let expected = all.iter().filter(|d| d["userDisplayName"] == *name).count();
    assert_eq!(filtered.len(), expected);
    let (status, body) = app
        .get("/v1.0/identityProtection/riskDetections?$top=501")
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_detection_is_read_by_its_id_and_an_unknown_id_answers_404() {
    let app = spawn(&[]).await;
    let (_, body) = app
        .get("/beta/identityProtection/riskDetections?$top=1")
        .await;
    let d = &body["value"][0];
    assert_eq!(d["riskType"], d["riskEventType"], "beta keeps riskType");
    let id = d["id"].as_str().unwrap();
    let (status, one) = app
        .get(&format!("/beta/identityProtection/riskDetections/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["requestId"], d["requestId"]);
    let (status, body) = app
        .get("/v1.0/identityProtection/riskyUsers/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn a_free_tenant_gets_403_for_detections() {
    let app = spawn(&["--license", "free"]).await;
    let (status, body) = app.get("/v1.0/identityProtection/riskDetections").await;
    assert_eq!(status, 403);
    assert_graph_error(
        &body,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

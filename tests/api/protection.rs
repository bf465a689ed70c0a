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
async fn every_detection_is_a_sign_in_that_carries_it_or_names_its_user() {
    let app = spawn(&[]).await;
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    assert!(
        !detections.is_empty(),
        "the small preset has risky sign-ins"
    );
    for d in &detections {
        assert_eq!(d["id"].as_str().unwrap().len(), 64, "{d}");
        let Some(request) = d["requestId"].as_str() else {
            assert_eq!(d["activity"], "user", "{d}");
            assert_eq!(d["detectionTimingType"], "offline", "{d}");
            continue;
        };
        assert_eq!(d["activity"], "signin", "{d}");
        let (status, sign_in) = app.get(&format!("/beta/auditLogs/signIns/{request}")).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(sign_in["correlationId"], d["correlationId"]);
        assert_eq!(sign_in["userId"], d["userId"]);
        if d["detectionTimingType"] == "offline" {
            assert!(d["detectedDateTime"].as_str() > sign_in["createdDateTime"].as_str());
            continue;
        }
        assert!(["atRisk", "remediated"].contains(&sign_in["riskState"].as_str().unwrap()));
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
async fn every_user_with_a_detection_is_a_risky_user_at_its_history_s_level() {
    let app = spawn(&[]).await;
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    let flagged: std::collections::BTreeSet<String> = detections
        .iter()
        .map(|d| d["userId"].as_str().unwrap().to_string())
        .collect();
    let users = app.walk("/v1.0/identityProtection/riskyUsers?$top=7").await;
    let listed: std::collections::BTreeSet<String> = users
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    assert!(flagged.is_subset(&listed));
    let mut highest: BTreeMap<String, usize> = BTreeMap::new();
    for d in &detections {
        let level = highest
            .entry(d["userId"].as_str().unwrap().into())
            .or_default();
        *level = (*level).max(rank(&d["riskLevel"]));
    }
    for user in users.iter().take(5) {
        let id = user["id"].as_str().unwrap();
        let history = app
            .walk(&format!("/v1.0/identityProtection/riskyUsers/{id}/history"))
            .await;
        assert_eq!(history.last().unwrap()["riskLevel"], user["riskLevel"]);
        assert_eq!(history.last().unwrap()["riskState"], user["riskState"]);
        assert!(rank(&user["riskLevel"]) <= highest.get(id).copied().unwrap_or(3));
    }
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

#[tokio::test]
async fn dismissing_a_user_settles_its_risk_adds_history_and_writes_the_audit() {
    let app = spawn(&[]).await;
    let (_, body) = app
        .get("/v1.0/identityProtection/riskyUsers?$filter=riskState%20eq%20'atRisk'&$top=1")
        .await;
    let id = body["value"][0]["id"].as_str().unwrap().to_string();
    let open: Vec<String> = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await
        .iter()
        .filter(|d| d["userId"] == *id && d["riskState"] == "atRisk")
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!open.is_empty());
    let before = app
        .walk(&format!("/v1.0/identityProtection/riskyUsers/{id}/history"))
        .await;
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyUsers/dismiss",
            serde_json::json!({"userIds": [id]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, user) = app
        .get(&format!("/v1.0/identityProtection/riskyUsers/{id}"))
        .await;
    assert_eq!(user["riskState"], "dismissed");
    assert_eq!(user["riskLevel"], "none");
    assert_eq!(user["riskDetail"], "adminDismissedAllRiskForUser");
    let after = app
        .walk(&format!("/v1.0/identityProtection/riskyUsers/{id}/history"))
        .await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap()["riskState"], "dismissed");
    assert!(after.last().unwrap()["initiatedBy"].is_string());
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    assert!(
        detections
            .iter()
            .filter(|d| open.contains(&d["id"].as_str().unwrap().to_string()))
            .all(|d| d["riskState"] == "dismissed")
    );
    let audits = app
        .walk("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName%20eq%20'DismissUser'")
        .await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0]["targetResources"][0]["id"], *id);
    assert_eq!(audits[0]["loggedByService"], "Identity Protection");
}

#[tokio::test]
async fn confirming_a_compromise_creates_a_high_offline_detection() {
    let app = spawn(&[]).await;
    let (_, body) = app.get("/v1.0/users?$top=1").await;
    let id = body["value"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyUsers/confirmCompromised",
            serde_json::json!({"userIds": [id]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, user) = app
        .get(&format!("/v1.0/identityProtection/riskyUsers/{id}"))
        .await;
    assert_eq!(
        (user["riskState"].as_str(), user["riskLevel"].as_str()),
        (Some("confirmedCompromised"), Some("high"))
    );
    let detections = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    let admin: Vec<&Value> = detections
        .iter()
        .filter(|d| d["riskEventType"] == "adminConfirmedUserCompromised")
        .collect();
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0]["detectionTimingType"], "offline");
    assert!(admin[0]["requestId"].is_null());
}

#[tokio::test]
async fn confirm_safe_hides_its_evolvable_detail_unless_the_client_prefers_it() {
    let app = spawn(&[]).await;
    let (_, body) = app.get("/v1.0/identityProtection/riskyUsers?$top=1").await;
    let id = body["value"][0]["id"].as_str().unwrap().to_string();
    app.post(
        "/v1.0/identityProtection/riskyUsers/confirmSafe",
        serde_json::json!({"userIds": [id]}),
    )
    .await;
    let path = format!("/v1.0/identityProtection/riskyUsers/{id}");
    let (_, plain) = app.get(&path).await;
    assert_eq!(plain["riskDetail"], "unknownFutureValue");
    let (_, preferred) = app
        .get_with(&path, &[("Prefer", "include-unknown-enum-members")])
        .await;
    assert_eq!(preferred["riskDetail"], "adminConfirmedAccountSafe");
    assert_eq!(preferred["riskState"], "confirmedSafe");
}

#[tokio::test]
async fn an_action_needs_ids_and_the_read_write_permission() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .post(
            "/v1.0/identityProtection/riskyUsers/dismiss",
            serde_json::json!({"userIds": []}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_graph_error(&body, "BadRequest");
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyServicePrincipals/confirmSafe",
            serde_json::json!({"servicePrincipalIds": ["x"]}),
        )
        .await;
    assert_eq!(status, 405, "v1.0 has no confirmSafe on service principals");
}

#[tokio::test]
async fn a_workload_detection_names_a_failed_sign_in_of_its_service_principal() {
    let app = spawn(&[]).await;
    let detections = app
        .walk("/v1.0/identityProtection/servicePrincipalRiskDetections?$top=500")
        .await;
    assert!(!detections.is_empty(), "the small preset has failing apps");
    for d in &detections {
        let (status, sign_in) = app
            .get(&format!(
                "/beta/auditLogs/signIns/{}",
                d["requestId"].as_str().unwrap()
            ))
            .await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(sign_in["servicePrincipalId"], d["servicePrincipalId"]);
        assert_ne!(sign_in["status"]["errorCode"], 0);
        assert!(d["detectedDateTime"].as_str() > d["activityDateTime"].as_str());
    }
    let risky = app
        .walk("/v1.0/identityProtection/riskyServicePrincipals")
        .await;
    let id = risky[0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyServicePrincipals/dismiss",
            serde_json::json!({"servicePrincipalIds": [id]}),
        )
        .await;
    assert_eq!(status, 204);
    let history = app
        .walk(&format!(
            "/v1.0/identityProtection/riskyServicePrincipals/{id}/history"
        ))
        .await;
    assert_eq!(history.last().unwrap()["riskState"], "dismissed");
}

#[tokio::test]
async fn identity_protection_allows_one_request_per_second_and_sends_no_retry_after() {
    let app = spawn(&["--throttle", "graph"]).await;
    let first = app.raw("/v1.0/identityProtection/riskyUsers?$top=1").await;
    assert_eq!(first.status(), 200);
    let second = app.raw("/v1.0/identityProtection/riskyUsers?$top=1").await;
    assert_eq!(second.status(), 429);
    assert!(second.headers().get("retry-after").is_none());
}

#[tokio::test]
async fn an_enum_literal_may_carry_its_type_cast_and_risky_service_principals_count() {
    let app = spawn(&[]).await;
    let plain = app
        .walk("/beta/identityProtection/riskyUsers?$filter=riskLevel%20eq%20'medium'")
        .await;
    let cast = app
        .walk("/beta/identityProtection/riskyUsers?$filter=riskLevel%20eq%20microsoft.graph.riskLevel'medium'")
        .await;
    assert!(!plain.is_empty());
    assert_eq!(plain, cast);
    let all = app
        .walk("/v1.0/identityProtection/riskyServicePrincipals")
        .await;
    let (status, body) = app
        .get("/v1.0/identityProtection/riskyServicePrincipals?$count=true&$top=1")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["@odata.count"], all.len());
}

/// A user who signs in interactively (the newest such sign-in) and its id.
async fn signed_in_user(app: &crate::helpers::TestApp) -> (String, Value) {
    let (_, body) = app
        .get("/v1.0/auditLogs/signIns?$top=1&$filter=isInteractive%20eq%20true%20and%20status/errorCode%20eq%200")
        .await;
    let sign_in = body["value"][0].clone();
    (sign_in["userId"].as_str().unwrap().to_string(), sign_in)
}

fn failed_policies(sign_in: &Value) -> Vec<String> {
    sign_in["appliedConditionalAccessPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["result"] == "failure")
        .map(|p| p["displayName"].as_str().unwrap().to_string())
        .collect()
}

async fn sign_ins_since(app: &crate::helpers::TestApp, user: &str, since: &str) -> Vec<Value> {
    app.walk(&format!(
        "/v1.0/auditLogs/signIns?$filter=userId%20eq%20'{user}'%20and%20createdDateTime%20gt%20{since}"
    ))
    .await
}

#[tokio::test]
async fn an_injected_leak_puts_the_user_at_high_risk_and_blocks_later_sign_ins_until_dismissed() {
    let app = spawn(&[]).await;
    let (user, _) = signed_in_user(&app).await;
    let (status, d) = app
        .post(
            "/_entrasim/riskDetections",
            serde_json::json!({"riskEventType": "leakedCredentials", "userId": user}),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["riskLevel"], "high");
    assert_eq!(d["activity"], "user");
    assert_eq!(d["detectionTimingType"], "offline");
    assert!(d["requestId"].is_null());
    let (_, risky) = app
        .get(&format!("/v1.0/identityProtection/riskyUsers/{user}"))
        .await;
    assert_eq!(
        (risky["riskLevel"].as_str(), risky["riskState"].as_str()),
        (Some("high"), Some("atRisk"))
    );
    app.advance("P1D").await;
    let later = sign_ins_since(&app, &user, "2026-06-01T12:00:00Z").await;
    assert!(!later.is_empty());
    assert!(
        later.iter().all(|s| s["status"]["errorCode"] != 0),
        "a high-risk user gets in"
    );
    let blocked: Vec<&Value> = later
        .iter()
        .filter(|s| s["status"]["errorCode"] == 53003)
        .collect();
    assert!(!blocked.is_empty());
    for s in &blocked {
        assert!(
            failed_policies(s).contains(&"Block access for high-risk users".to_string()),
            "{s}"
        );
        assert_eq!(s["riskLevelAggregated"], "high");
    }
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyUsers/dismiss",
            serde_json::json!({"userIds": [user]}),
        )
        .await;
    assert_eq!(status, 204);
    app.advance("P1D").await;
    let after = sign_ins_since(&app, &user, "2026-06-02T12:00:00Z").await;
    assert!(!after.is_empty());
    assert!(after.iter().any(|s| s["status"]["errorCode"] == 0));
    for s in &after {
        assert_ne!(s["riskLevelAggregated"], "high", "{s}");
        assert!(!failed_policies(s).contains(&"Block access for high-risk users".to_string()));
    }
}

#[tokio::test]
async fn an_injected_real_time_detection_is_carried_by_its_sign_in() {
    let app = spawn(&[]).await;
    let (user, sign_in) = signed_in_user(&app).await;
    let request = sign_in["id"].as_str().unwrap();
    let (status, d) = app
        .post(
            "/_entrasim/riskDetections",
            serde_json::json!({"riskEventType": "anonymizedIPAddress", "requestId": request, "riskLevel": "high"}),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["requestId"], request);
    assert_eq!(d["userId"], user.as_str());
    assert_eq!(d["detectionTimingType"], "realtime");
    let (_, now) = app.get(&format!("/v1.0/auditLogs/signIns/{request}")).await;
    assert!(
        now["riskEventTypes_v2"]
            .as_array()
            .unwrap()
            .contains(&"anonymizedIPAddress".into())
    );
    assert_eq!(now["riskLevelDuringSignIn"], "high");
    let (_, listed) = app
        .get(&format!(
            "/v1.0/identityProtection/riskDetections/{}",
            d["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(listed["riskEventType"], "anonymizedIPAddress");
}

#[tokio::test]
async fn a_bad_risk_detection_is_refused_naming_its_field_and_nothing_is_stored() {
    let app = spawn(&[]).await;
    let (user, _) = signed_in_user(&app).await;
    let before = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    let bad = [
        (
            serde_json::json!({"riskEventType": "nope", "userId": user}),
            "riskEventType",
        ),
        (
            serde_json::json!({"riskEventType": "unfamiliarFeatures", "userId": user}),
            "requestId",
        ),
        (
            serde_json::json!({"riskEventType": "leakedCredentials", "userId": "00000000-0000-0000-0000-000000000000"}),
            "userId",
        ),
        (
            serde_json::json!({"riskEventType": "leakedCredentials", "userId": user, "riskLevel": "severe"}),
            "riskLevel",
        ),
        (
            serde_json::json!({"riskEventType": "leakedCredentials"}),
            "userId",
        ),
        (
            serde_json::json!({"riskEventType": "leakedCredentials", "userId": user, "detectedDateTime": "2030-01-01T00:00:00Z"}),
            "detectedDateTime",
        ),
        (
            serde_json::json!({"riskEventType": "leakedCredentials", "userId": user, "colour": 1}),
            "colour",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = app.post("/_entrasim/riskDetections", body.clone()).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{body} -> {message}");
    }
    let after = app
        .walk("/v1.0/identityProtection/riskDetections?$top=500")
        .await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_confirmed_compromise_blocks_the_user_s_later_sign_ins_and_not_earlier_ones() {
    let app = spawn(&[]).await;
    let (user, _) = signed_in_user(&app).await;
    let earlier = sign_ins_since(&app, &user, "2026-05-31T12:00:00Z").await;
    let (status, _) = app
        .post(
            "/v1.0/identityProtection/riskyUsers/confirmCompromised",
            serde_json::json!({"userIds": [user]}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        sign_ins_since(&app, &user, "2026-05-31T12:00:00Z").await,
        earlier
    );
    app.advance("P1D").await;
    let later = sign_ins_since(&app, &user, "2026-06-01T12:00:00Z").await;
    assert!(!later.is_empty());
    for s in &later {
        assert_ne!(s["status"]["errorCode"], 0, "{s}");
        assert_eq!(s["riskLevelAggregated"], "high", "{s}");
    }
    assert!(
        later
            .iter()
            .any(|s| failed_policies(s).contains(&"Block access for high-risk users".to_string()))
    );
}

use crate::helpers::{assert_graph_error, spawn};
use serde_json::Value;

#[actix_rt::test]
async fn a_sign_in_page_has_graphs_envelope_and_headers() {
    let app = spawn(&[]).await;
    let response = app
        .client
        .get(format!("{}/v1.0/auditLogs/signIns?$top=3", app.url))
        .header("client-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["client-request-id"], "abc-123");
    assert!(response.headers().contains_key("request-id"));
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns"
    );
    assert_eq!(body["value"].as_array().unwrap().len(), 3);
    let first = &body["value"][0];
    for key in [
        "id",
        "createdDateTime",
        "userId",
        "appId",
        "status",
        "location",
        "deviceDetail",
        "conditionalAccessStatus",
    ] {
        assert!(first.get(key).is_some(), "{key} missing");
    }
    assert!(
        first.get("signInEventTypes").is_none(),
        "v1.0 has no beta properties"
    );
}

#[actix_rt::test]
async fn v1_serves_only_interactive_sign_ins_and_beta_serves_others_on_request() {
    let app = spawn(&[]).await;
    let v1 = app.walk("/v1.0/auditLogs/signIns").await;
    assert!(v1.iter().all(|s| s["isInteractive"] == true));
    let beta = app.walk("/beta/auditLogs/signIns").await;
    assert!(
        beta.iter()
            .all(|s| s["signInEventTypes"][0] == "interactiveUser")
    );
    for kind in ["nonInteractiveUser", "servicePrincipal", "managedIdentity"] {
        let filter = format!("signInEventTypes/any(t:%20t%20eq%20'{kind}')");
        let records = app
            .walk(&format!("/beta/auditLogs/signIns?$filter={filter}"))
            .await;
        assert!(!records.is_empty(), "no {kind} sign-ins");
        assert!(records.iter().all(|s| s["signInEventTypes"][0] == kind));
    }
    let (status, body) = app.get("/v1.0/auditLogs/signIns?$filter=signInEventTypes/any(t:%20t%20eq%20'servicePrincipal')").await;
    assert_eq!(status, 400, "{body}");
}

#[actix_rt::test]
async fn filters_return_exactly_the_matching_records() {
    let app = spawn(&[]).await;
    let all = app.walk("/v1.0/auditLogs/signIns").await;
    let user = all[5]["userId"].as_str().unwrap();
    let mine = app
        .walk(&format!(
            "/v1.0/auditLogs/signIns?$filter=userId%20eq%20'{user}'"
        ))
        .await;
    let expected: Vec<&Value> = all.iter().filter(|s| s["userId"] == user).collect();
    assert!(
        mine.iter().collect::<Vec<_>>() == expected,
        "{} vs {}",
        mine.len(),
        expected.len()
    );
    let failures = app
        .walk("/v1.0/auditLogs/signIns?$filter=status/errorCode%20eq%2050126")
        .await;
    assert_eq!(
        failures.len(),
        all.iter()
            .filter(|s| s["status"]["errorCode"] == 50126)
            .count()
    );
    let name = all[0]["userDisplayName"].as_str().unwrap();
    let prefix = &name[..3];
    let by_prefix = app
        .walk(&format!(
            "/v1.0/auditLogs/signIns?$filter=startswith(userDisplayName,'{prefix}')"
        ))
        .await;
    assert_eq!(
        by_prefix.len(),
        all.iter()
            .filter(|s| s["userDisplayName"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .starts_with(&prefix.to_lowercase()))
            .count()
    );
}

#[actix_rt::test]
async fn directory_audits_filter_on_target_resources() {
    let app = spawn(&[]).await;
    let all = app.walk("/v1.0/auditLogs/directoryAudits").await;
    let with_target = all
        .iter()
        .find(|a| a["targetResources"][0]["id"].is_string())
        .unwrap();
    let id = with_target["targetResources"][0]["id"].as_str().unwrap();
    let found = app
        .walk(&format!(
            "/v1.0/auditLogs/directoryAudits?$filter=targetResources/any(t:%20t/id%20eq%20'{id}')"
        ))
        .await;
    let expected = all
        .iter()
        .filter(|a| {
            a["targetResources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == id)
        })
        .count();
    assert_eq!(found.len(), expected);
    assert!(!found.is_empty());
}

#[actix_rt::test]
async fn a_record_can_be_read_by_id_and_unknown_ids_are_404() {
    let app = spawn(&[]).await;
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let (_, page) = app.get(&format!("/v1.0/auditLogs/{log}?$top=1")).await;
        let record = &page["value"][0];
        let id = record["id"].as_str().unwrap();
        let (status, body) = app.get(&format!("/v1.0/auditLogs/{log}/{id}")).await;
        assert_eq!(status, 200, "{log}: {body}");
        assert_eq!(
            body["@odata.context"],
            format!("https://graph.microsoft.com/v1.0/$metadata#auditLogs/{log}/$entity")
        );
        assert_eq!(body["id"], record["id"]);
    }
    let (status, body) = app
        .get("/v1.0/auditLogs/signIns/9b0b57a4-6b94-4f3b-9f1a-3a4a4f2c3e11")
        .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    let (status, _) = app.get("/v1.0/auditLogs/signIns/nope").await;
    assert_eq!(status, 400);
}

#[actix_rt::test]
async fn unsupported_filters_answer_invalid_filter_clause() {
    let app = spawn(&[]).await;
    for filter in [
        "isRisky%20eq%20true",
        "createdDateTime%20ge%20'2026-05-30T00:00:00Z'",
        "status/errorCode%20ge%201",
        "createdDateTime%20ge%202025-01-01T00:00:00Z",
        "userId%20eq",
    ] {
        let (status, body) = app
            .get(&format!("/v1.0/auditLogs/signIns?$filter={filter}"))
            .await;
        assert_eq!(status, 400, "{filter}: {body}");
        assert_graph_error(&body, "BadRequest");
        assert_eq!(
            body["error"]["message"], "Invalid filter clause",
            "{filter}"
        );
    }
}

#[actix_rt::test]
async fn the_free_licence_refuses_sign_ins_but_serves_audits() {
    let app = spawn(&["--license", "free"]).await;
    let (status, body) = app.get("/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 403);
    assert_graph_error(
        &body,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    );
    let (status, _) = app.get("/v1.0/auditLogs/directoryAudits").await;
    assert_eq!(status, 200);
}

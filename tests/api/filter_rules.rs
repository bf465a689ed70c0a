//! Which filters each version and collection refuses: beta-only sign-in
//! properties on v1.0, `in (...)` on the logs, and the size limits.

use crate::helpers::{TestApp, assert_graph_error, spawn};

fn encode(filter: &str) -> String {
    percent_encoding::utf8_percent_encode(filter, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn filtered(app: &TestApp, collection: &str, filter: &str) -> (u16, serde_json::Value) {
    app.get(&format!("{collection}?$top=5&$filter={}", encode(filter)))
        .await
}

fn assert_invalid_clause(status: u16, body: &serde_json::Value, case: &str) {
    assert_eq!(status, 400, "{case}: {body}");
    assert_graph_error(body, "BadRequest");
    assert_eq!(body["error"]["message"], "Invalid filter clause", "{case}");
    assert!(
        body["error"]["details"][0]["message"].is_string(),
        "{case}: no explanation in details: {body}"
    );
}

#[actix_rt::test]
async fn beta_only_sign_in_properties_are_refused_on_v1_and_accepted_on_beta() {
    let app = spawn(&[]).await;
    for filter in [
        "originalRequestId eq '9b0b57a4-6b94-4f3b-9f1a-3a4a4f2c3e11'",
        "authenticationRequirement eq 'singleFactorAuthentication'",
        "startswith(authenticationRequirement, 'multi')",
        "tokenIssuerName eq 'AzureAD'",
        "conditionalAccessAudiences/any(a: a eq '00000003-0000-0000-c000-000000000000')",
    ] {
        let (status, body) = filtered(&app, "/v1.0/auditLogs/signIns", filter).await;
        assert_invalid_clause(status, &body, filter);
        let (status, body) = filtered(&app, "/beta/auditLogs/signIns", filter).await;
        assert_eq!(status, 200, "beta {filter}: {body}");
    }
}

#[actix_rt::test]
async fn in_lists_are_refused_on_the_logs_and_served_on_the_directory() {
    let app = spawn(&[]).await;
    for (collection, filter) in [
        ("/v1.0/auditLogs/signIns", "status/errorCode in (0, 50126)"),
        ("/beta/auditLogs/signIns", "userId in ('a', 'b')"),
        (
            "/v1.0/auditLogs/directoryAudits",
            "loggedByService in ('PIM')",
        ),
        ("/v1.0/auditLogs/provisioning", "jobId in ('x')"),
    ] {
        let (status, body) = filtered(&app, collection, filter).await;
        assert_invalid_clause(status, &body, filter);
    }
    let (_, users) = app.get("/v1.0/users?$top=2").await;
    let ids: Vec<&str> = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let filter = format!("id in ('{}', '{}')", ids[0], ids[1]);
    let (status, body) = filtered(&app, "/v1.0/users", &filter).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 2, "{body}");
}

#[actix_rt::test]
async fn provisioning_ids_match_case_sensitively() {
    let app = spawn(&[]).await;
    let (_, page) = app.get("/v1.0/auditLogs/provisioning?$top=1").await;
    let id = page["value"][0]["id"].as_str().unwrap().to_string();
    let (_, exact) = filtered(
        &app,
        "/v1.0/auditLogs/provisioning",
        &format!("id eq '{id}'"),
    )
    .await;
    assert_eq!(exact["value"].as_array().unwrap().len(), 1, "{exact}");
    let upper = format!("id eq '{}'", id.to_uppercase());
    let (status, other) = filtered(&app, "/v1.0/auditLogs/provisioning", &upper).await;
    assert_eq!(status, 200);
    assert!(other["value"].as_array().unwrap().is_empty(), "{other}");
}

//! `/reports` over HTTP: the numbers agree with the sign-in log the same server
//! serves, and the version, permission and licence rules answer Graph's errors.

use crate::helpers::{assert_graph_error, spawn};
use serde_json::Value;
use std::collections::BTreeMap;

const INTERACTIVE: &str =
    "/beta/auditLogs/signIns?$top=1000&$filter=signInEventTypes/any(t:t%20eq%20'interactiveUser')";

#[tokio::test]
async fn the_seven_day_summary_of_each_app_is_a_count_over_its_sign_ins() {
    let app = spawn(&[]).await;
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in app.walk(INTERACTIVE).await {
        if r["createdDateTime"].as_str().unwrap() >= "2026-05-25T12:00:00Z" {
            let tally = expected
                .entry(r["appId"].as_str().unwrap().into())
                .or_default();
            if r["status"]["errorCode"] == 0 {
                tally.0 += 1
            } else {
                tally.1 += 1
            }
        }
    }
    let (status, body) = app
        .get("/beta/reports/getAzureADApplicationSignInSummary(period='D7')")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#Collection(applicationSignInSummary)")
    );
    let got: BTreeMap<String, (u64, u64)> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let n = |k: &str| row[k].as_u64().unwrap();
            (
                row["id"].as_str().unwrap().to_string(),
                (n("successfulSignInCount"), n("failedSignInCount")),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn an_activity_row_is_read_by_its_base64_id_and_filtered_by_app_id() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .get("/beta/reports/servicePrincipalSignInActivities?$top=2")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["@odata.nextLink"].is_string());
    let row = &body["value"][0];
    let (status, one) = app
        .get(&format!(
            "/beta/reports/servicePrincipalSignInActivities/{}",
            row["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["appId"], row["appId"]);
    let filter = format!("appId%20eq%20'{}'", row["appId"].as_str().unwrap());
    let filtered = app
        .walk(&format!(
            "/beta/reports/servicePrincipalSignInActivities?$filter={filter}"
        ))
        .await;
    assert_eq!(filtered.len(), 1);
    let request = row["lastSignInActivity"]["lastSignInRequestId"]
        .as_str()
        .unwrap();
    let (status, _) = app.get(&format!("/beta/auditLogs/signIns/{request}")).await;
    assert_eq!(status, 200, "the last sign-in is one the log serves");
}

#[tokio::test]
async fn delegated_only_reports_refuse_an_app_only_token() {
    let app = spawn(&[]).await;
    for path in [
        "/beta/reports/applicationSignInDetailedSummary",
        "/v1.0/reports/authenticationMethods/usersRegisteredByMethod(includedUserTypes='all',includedUserRoles='all')",
        "/v1.0/reports/authenticationMethods/usersRegisteredByFeature()",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_graph_error(&body, "Authentication_MSGraphPermissionMissing");
    }
}

#[tokio::test]
async fn beta_only_reports_are_unknown_segments_on_v1() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .get("/v1.0/reports/servicePrincipalSignInActivities")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_graph_error(&body, "BadRequest");
    let (status, body) = app
        .get("/v1.0/reports/authenticationMethods/userRegistrationDetails?$orderby=userPrincipalName%20desc")
        .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<String> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn a_bad_period_is_400_and_a_free_tenant_gets_403() {
    let app = spawn(&[]).await;
    for path in [
        "/beta/reports/getAzureADApplicationSignInSummary(period='D1')",
        "/beta/reports/getAzureADApplicationSignInSummary",
        "/beta/reports/authenticationMethods/userSignInsByAuthMethodSummary(period='D7')",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
    let free = spawn(&["--license", "free"]).await;
    let (status, body) = free
        .get("/beta/reports/getAzureADApplicationSignInSummary(period='D7')")
        .await;
    assert_eq!(status, 403);
    assert_graph_error(
        &body,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    );
    let (_, rows) = app
        .get("/beta/reports/authenticationMethods/userSignInsByAuthMethodSummary(period='d30')")
        .await;
    let rows: &Vec<Value> = rows["value"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        16,
        "every documented method, zero rows included"
    );
}

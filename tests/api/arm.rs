//! The ARM surface: subscriptions, identities, role assignments, ARM's errors and audiences.

use crate::helpers::{TestApp, spawn};
use crate::identity::{bearer, client, token};
use serde_json::Value;

/// A client-credentials token of the `index`-th test client for `scope`.
pub(crate) async fn token_for(app: &TestApp, index: usize, scope: &str) -> String {
    let (tenant, id, secret, _) = client(app, index).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", scope),
    ];
    let (status, body) = token(app, &tenant, &form).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

async fn arm_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    app.get_with(path, &[("authorization", &bearer(token))])
        .await
}

pub(crate) const ARM: &str = "https://management.azure.com/.default";

#[actix_rt::test]
async fn a_reader_walks_subscriptions_identities_and_their_role_assignments() {
    let app = spawn(&["--auth", "strict"]).await;
    let t = token_for(&app, 0, ARM).await;
    let (status, subs) = arm_get(&app, &t, "/subscriptions?api-version=2022-12-01").await;
    assert_eq!(status, 200, "{subs}");
    let sub = subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        subs["count"]["value"],
        subs["value"].as_array().unwrap().len()
    );
    let (status, ids) = arm_get(
        &app,
        &t,
        &format!("/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"),
    )
    .await;
    assert_eq!(status, 200, "{ids}");
    for identity in ids["value"].as_array().unwrap() {
        let id = identity["id"].as_str().unwrap();
        let (status, one) = arm_get(&app, &t, &format!("{id}?api-version=2023-01-31")).await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one, *identity);
    }
    let (status, roles) = arm_get(
        &app,
        &t,
        &format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"),
    )
    .await;
    assert_eq!(status, 200, "{roles}");
    let all = roles["value"].as_array().unwrap();
    assert!(!all.is_empty());
    let principal = all[0]["properties"]["principalId"].as_str().unwrap();
    let (_, mine) = arm_get(
        &app,
        &t,
        &format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=principalId%20eq%20'{principal}'"),
    )
    .await;
    let mine = mine["value"].as_array().unwrap();
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|a| a["properties"]["principalId"] == principal)
    );
    // Every assignment names a role definition that exists.
    for a in all {
        let definition = a["properties"]["roleDefinitionId"].as_str().unwrap();
        let (status, d) = arm_get(&app, &t, &format!("{definition}?api-version=2022-04-01")).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["properties"]["type"], "BuiltInRole");
    }
}

#[actix_rt::test]
async fn a_resource_with_an_identity_shows_its_identity_block() {
    let app = spawn(&["--auth", "off"]).await;
    let (_, subs) = app.get("/subscriptions?api-version=2022-12-01").await;
    let sub = subs["value"][0]["subscriptionId"].as_str().unwrap();
    let (_, ids) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"))
        .await;
    let (_, roles) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"))
        .await;
    // A managed identity's role scope lies in its resource group; list that group.
    let scope = roles["value"][0]["properties"]["scope"].as_str().unwrap();
    let (status, _) = app.get(&format!("{scope}?api-version=2021-04-01")).await;
    assert!(status == 200 || status == 404, "never a 5xx");
    let (status, groups) = app
        .get(&format!(
            "/subscriptions/{sub}/resourceGroups?api-version=2021-04-01"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(!groups["value"].as_array().unwrap().is_empty());
    let _ = ids;
}

#[actix_rt::test]
async fn a_graph_token_is_refused_with_arms_audience_error() {
    let app = spawn(&["--auth", "strict"]).await;
    let t = token_for(&app, 0, "https://graph.microsoft.com/.default").await;
    let (status, body) = arm_get(&app, &t, "/subscriptions?api-version=2022-12-01").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationTokenAudience");
    assert!(body["error"]["message"].as_str().unwrap().starts_with(
        "The access token has been obtained for wrong audience or resource 'https://graph.microsoft.com'."
    ));
    let (status, body) = app.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
}

#[actix_rt::test]
async fn a_client_without_a_role_meets_authorization_failed() {
    let app = spawn(&["--auth", "strict"]).await;
    let reader = token_for(&app, 0, ARM).await;
    let (_, subs) = arm_get(&app, &reader, "/subscriptions?api-version=2022-12-01").await;
    let sub = subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let other = token_for(&app, 1, "https://management.core.windows.net//.default").await;
    let (status, body) = arm_get(
        &app,
        &other,
        &format!("/subscriptions/{sub}/resourceGroups?api-version=2021-04-01"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!(
        "over scope '/subscriptions/{sub}' or the scope is invalid."
    )));
    let (_, visible) = arm_get(&app, &other, "/subscriptions?api-version=2022-12-01").await;
    assert_eq!(visible["value"].as_array().unwrap().len(), 0);
}

#[actix_rt::test]
async fn api_versions_are_checked_as_arm_checks_them() {
    let app = spawn(&["--auth", "off"]).await;
    let (status, body) = app.get("/subscriptions").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "The api-version query parameter (?api-version=) is required for all requests."
    );
    let (status, body) = app.get("/subscriptions?api-version=2099-01-01").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "InvalidApiVersionParameter");
    let (status, body) = app
        .get("/subscriptions/x/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=bogus")
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app
        .get("/subscriptions/00000000-0000-0000-0000-000000000000?api-version=2022-12-01")
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "SubscriptionNotFound");
    let (status, body) = app.get("/metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(status, 200);
    assert_eq!(body["resourceManager"], format!("{}/", app.url));
}

#[actix_rt::test]
async fn the_metadata_endpoint_answers_az_cloud_register_with_a_trailing_slash_and_one_cloud() {
    let app = spawn(&["--auth", "off"]).await;
    // az appends `/metadata/endpoints?api-version=2022-09-01` to the URL as typed.
    let (status, body) = app.get("//metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["authentication"]["loginEndpoint"],
        format!("{}/", app.url)
    );
    assert_eq!(body["microsoftGraphResourceId"], format!("{}/", app.url));
    let (status, body) = app.get("/metadata/endpoints?api-version=2020-06-01").await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["name"], "entrasim");
}

#[actix_rt::test]
async fn the_tenant_listing_names_each_clients_azure_roles_as_arm_enforces_them() {
    let app = spawn(&["--auth", "strict"]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let subs: Vec<&str> = tenant["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(!subs.is_empty());
    for (i, client) in tenant["clients"].as_array().unwrap().iter().enumerate() {
        let roles = client["azureRoles"].as_array().unwrap();
        let token = token_for(&app, i, ARM).await;
        for sub in &subs {
            let scope = format!("/subscriptions/{sub}");
            let reader = roles
                .iter()
                .any(|r| r["scope"] == scope.as_str() && r["roleDefinitionName"] == "Reader");
            let (status, _) = arm_get(
                &app,
                &token,
                &format!("{scope}/resourceGroups?api-version=2021-04-01"),
            )
            .await;
            assert_eq!(
                status,
                if reader { 200 } else { 403 },
                "client {i} on {sub}"
            );
        }
        if i == 0 {
            assert_eq!(roles.len(), subs.len(), "{roles:?}");
            assert_eq!(
                roles[0]["roleDefinitionId"],
                "acdd72a7-3385-48ef-bd42-f606fba81ae7"
            );
        }
    }
}

#[actix_rt::test]
async fn a_method_a_diagnostic_setting_does_not_take_lists_the_ones_it_does_in_allow() {
    let app = spawn(&["--auth", "strict"]).await;
    let t = token_for(&app, 0, ARM).await;
    let url = format!(
        "{}/providers/microsoft.aadiam/diagnosticSettings/s1?api-version=2017-04-01",
        app.url
    );
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, url)
        .header("authorization", bearer(&t))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_string();
    assert_eq!(allow, "GET, HEAD, PUT, DELETE");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "MethodNotAllowed");
}

//! The identity surface: tokens, discovery, bearer checks, routes and licences.

mod bearer;
mod delegated;
mod discovery;
mod licence;
mod methods;

use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::Value;

/// The tenant id, client id, secret and JSON of the tenant's `index`-th test client.
pub async fn client(app: &TestApp, index: usize) -> (String, String, String, Value) {
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let client = &tenant["clients"][index];
    (
        tenant["tenantId"].as_str().unwrap().into(),
        client["clientId"].as_str().unwrap().into(),
        client["clientSecret"].as_str().unwrap().into(),
        client.clone(),
    )
}

/// POSTs a token request form.
pub async fn token(app: &TestApp, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/{tenant}/oauth2/v2.0/token", app.url))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A client-secret token for the `index`-th test client.
pub async fn secret_token(app: &TestApp, index: usize) -> String {
    let (tenant, id, secret, _) = client(app, index).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &id),
        ("client_secret", &secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (status, body) = token(app, &tenant, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().unwrap().to_string()
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[actix_rt::test]
async fn a_client_secret_token_reads_sign_ins_and_a_tampered_one_is_refused() {
    let app = spawn(&["--auth", "strict"]).await;
    let token = secret_token(&app, 0).await;
    let (status, _) = app
        .get_with(
            "/v1.0/auditLogs/signIns?$top=1",
            &[("authorization", &bearer(&token))],
        )
        .await;
    assert_eq!(status, 200);
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = parts[1].chars().rev().collect();
    let (status, body) = app
        .get_with(
            "/v1.0/auditLogs/signIns?$top=1",
            &[("authorization", &bearer(&parts.join(".")))],
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_graph_error(&body, "InvalidAuthenticationToken");
    let (status, body) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Access token is empty.");
}

#[actix_rt::test]
async fn basic_authentication_works_and_a_wrong_secret_gets_aadsts7000215() {
    let app = spawn(&[]).await;
    let (tenant, id, secret, _) = client(&app, 0).await;
    let response = app
        .client
        .post(format!("{}/{tenant}/oauth2/v2.0/token", app.url))
        .basic_auth(&id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", "wrong"),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (status, body) = token(&app, &tenant, &form).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"][0], 7000215);
}

#[actix_rt::test]
async fn permissions_decide_what_each_test_client_may_read() {
    let app = spawn(&[]).await;
    let directory_only = secret_token(&app, 1).await;
    let nothing = secret_token(&app, 2).await;
    let (status, body) = app
        .get_with(
            "/v1.0/auditLogs/signIns",
            &[("authorization", &bearer(&directory_only))],
        )
        .await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authentication_MSGraphPermissionMissing");
    let (status, _) = app
        .get_with(
            "/v1.0/users?$top=1",
            &[("authorization", &bearer(&directory_only))],
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_with(
            "/v1.0/users?$top=1",
            &[("authorization", &bearer(&nothing))],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .get_with(
            "/v1.0/auditLogs/directoryAudits?$top=1",
            &[("authorization", &bearer(&nothing))],
        )
        .await;
    assert_eq!(status, 403);
}

#[actix_rt::test]
async fn a_certificate_assertion_gets_a_token() {
    let app = spawn(&[]).await;
    let (tenant, id, _, client) = client(&app, 0).await;
    let certificate = &client["certificate"];
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.x5t = Some(certificate["x5t"].as_str().unwrap().to_string());
    let audience = format!("{}/{tenant}/oauth2/v2.0/token", app.url);
    let claims = serde_json::json!({"aud": audience, "iss": id, "sub": id, "jti": "1", "nbf": 1_780_000_000, "exp": 1_900_000_000});
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(
        certificate["privateKeyPem"].as_str().unwrap().as_bytes(),
    )
    .unwrap();
    let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("scope", "https://graph.microsoft.com/.default"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ];
    let (status, body) = token(&app, &tenant, &form).await;
    assert_eq!(status, 200, "{body}");
}

#[actix_rt::test]
async fn discovery_documents_point_back_at_this_server() {
    let app = spawn(&[]).await;
    let (tenant, ..) = client(&app, 0).await;
    let (status, config) = app
        .get(&format!("/{tenant}/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        config["token_endpoint"],
        format!("{}/{tenant}/oauth2/v2.0/token", app.url)
    );
    let (status, keys) = app.get(&format!("/{tenant}/discovery/v2.0/keys")).await;
    assert_eq!(status, 200);
    assert_eq!(keys["keys"][0]["kty"], "RSA");
    let (status, _) = app
        .get("/nosuchtenant.example/v2.0/.well-known/openid-configuration")
        .await;
    assert_eq!(status, 400);
}

#[actix_rt::test]
async fn a_token_for_one_tenant_never_sees_another_tenants_records() {
    let app = spawn(&["--tenants", "2"]).await;
    let (_, tenants) = app.get("/_entrasim/tenant").await;
    let mut seen = Vec::new();
    for t in tenants["tenants"].as_array().unwrap() {
        let (tid, id, secret) = (
            t["tenantId"].as_str().unwrap(),
            t["clients"][0]["clientId"].as_str().unwrap(),
            t["clients"][0]["clientSecret"].as_str().unwrap(),
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let (status, body) = token(&app, tid, &form).await;
        assert_eq!(status, 200, "{body}");
        let access = body["access_token"].as_str().unwrap();
        let (_, page) = app
            .get_with(
                "/v1.0/auditLogs/signIns?$top=50",
                &[("authorization", &bearer(access))],
            )
            .await;
        let tenants: Vec<String> = page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["resourceTenantId"].as_str().unwrap().to_string())
            .collect();
        assert!(
            tenants.iter().all(|r| r == tid),
            "records of another tenant leaked"
        );
        seen.push(tid.to_string());
    }
    assert_ne!(seen[0], seen[1]);
}

#[actix_rt::test]
async fn https_serves_the_same_app_with_the_local_ca() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn(&[
        "--https-port",
        "0",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ])
    .await;
    let https = app.https_url.clone().expect("https listener");
    let ca = std::fs::read(dir.path().join("ca.pem")).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let response = client
        .get(format!("{https}/v1.0/auditLogs/signIns?$top=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with(&https)
    );
}

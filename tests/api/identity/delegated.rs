//! The user flows: ROPC, authorization code with PKCE, refresh, device code, the managed
//! identity endpoint, Graph's role checks on delegated tokens, and the sign-ins they file.

use super::{bearer, token};
use crate::helpers::{TestApp, assert_graph_error, spawn};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default openid profile offline_access";
const REDIRECT: &str = "http://localhost:8400/callback";

/// The tenant id and the test user labelled `label` (UPN, password).
async fn user(app: &TestApp, label: &str) -> (String, String, String) {
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let users = tenant["testUsers"].as_array().unwrap();
    let u = users
        .iter()
        .find(|u| u["label"] == label)
        .unwrap_or_else(|| panic!("{label}"));
    (
        tenant["tenantId"].as_str().unwrap().into(),
        u["userPrincipalName"].as_str().unwrap().into(),
        u["password"].as_str().unwrap().into(),
    )
}

async fn ropc(app: &TestApp, label: &str, password: Option<&str>) -> (u16, Value) {
    let (tenant, upn, real) = user(app, label).await;
    let form = [
        ("grant_type", "password"),
        ("client_id", CLI),
        ("username", &upn),
        ("password", password.unwrap_or(&real)),
        ("scope", GRAPH_DEFAULT),
        ("client_info", "1"),
    ];
    token(app, &tenant, &form).await
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn assert_aad(status: u16, body: &Value, error: &str, code: u64) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
}

#[actix_rt::test]
async fn a_reports_reader_signs_in_with_a_password_and_reads_sign_ins() {
    // The default preset has a holder of each log-reading role; the small one has fewer.
    let app = spawn(&["--auth", "strict", "--preset", "default"]).await;
    let (status, body) = ropc(&app, "Reports Reader", None).await;
    assert_eq!(status, 200, "{body}");
    for field in ["access_token", "refresh_token", "id_token", "client_info"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["idtyp"], "user");
    assert!(
        access["scp"]
            .as_str()
            .unwrap()
            .contains("AuditLog.Read.All")
    );
    assert!(
        access["wids"]
            .as_array()
            .unwrap()
            .contains(&json!("4a5d8f65-41da-4de4-8968-e035b65339cf"))
    );
    assert!(access.get("roles").is_none());
    assert_eq!(claims(body["id_token"].as_str().unwrap())["aud"], CLI);
    let auth = bearer(body["access_token"].as_str().unwrap());
    let (status, page) = app
        .get_with(
            "/v1.0/auditLogs/signIns?$top=2",
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
}

#[actix_rt::test]
async fn a_reports_reader_reads_the_delegated_only_report_an_app_only_token_is_refused() {
    // Lenient auth: a request without a token is the default test client, app-only.
    let app = spawn(&["--preset", "default"]).await;
    let (status, body) = ropc(&app, "Reports Reader", None).await;
    assert_eq!(status, 200, "{body}");
    let auth = bearer(body["access_token"].as_str().unwrap());
    let path = "/beta/reports/applicationSignInDetailedSummary?$top=5";
    let (status, page) = app.get_with(path, &[("authorization", &auth)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page["value"].is_array(), "{page}");
    let (status, page) = app.get(path).await;
    assert_eq!(status, 403, "app-only: {page}");
    assert_graph_error(&page, "Authentication_MSGraphPermissionMissing");
}

#[actix_rt::test]
async fn a_user_without_a_log_reading_role_gets_graphs_403_even_for_their_own_sign_ins() {
    let app = spawn(&["--auth", "strict"]).await;
    let (_, upn, _) = user(&app, "No role").await;
    let (status, body) = ropc(&app, "No role", None).await;
    assert_eq!(status, 200, "{body}");
    let auth = bearer(body["access_token"].as_str().unwrap());
    for path in [
        "/v1.0/auditLogs/signIns".to_string(),
        format!("/v1.0/auditLogs/signIns?$filter=userPrincipalName eq '{upn}'"),
        "/v1.0/auditLogs/directoryAudits".to_string(),
    ] {
        let (status, body) = app.get_with(&path, &[("authorization", &auth)]).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_graph_error(&body, "Authentication_RequestFromUnsupportedUserRole");
    }
    let (status, _) = app
        .get_with("/v1.0/users?$top=1", &[("authorization", &auth)])
        .await;
    assert_eq!(status, 200);
}

#[actix_rt::test]
async fn wrong_passwords_disabled_accounts_unknown_users_and_clients_get_entras_errors() {
    let app = spawn(&["--preset", "default"]).await;
    let (status, body) = ropc(&app, "Global Administrator", Some("not-it")).await;
    assert_aad(status, &body, "invalid_grant", 50126);
    let (status, body) = ropc(&app, "Disabled", None).await;
    assert_aad(status, &body, "invalid_grant", 50057);
    let (status, body) = ropc(&app, "MFA not registered", None).await;
    assert_aad(status, &body, "invalid_grant", 50076);
    let (tenant, _, password) = user(&app, "Global Administrator").await;
    let form = [
        ("grant_type", "password"),
        ("client_id", CLI),
        ("username", "nobody@example.invalid"),
        ("password", &password),
        ("scope", GRAPH_DEFAULT),
    ];
    let (status, body) = token(&app, &tenant, &form).await;
    assert_aad(status, &body, "invalid_grant", 50034);
    let form = [
        ("grant_type", "password"),
        ("client_id", "11111111-2222-3333-4444-555555555555"),
        ("username", "x@y"),
        ("password", "p"),
    ];
    let (status, body) = token(&app, &tenant, &form).await;
    assert_aad(status, &body, "unauthorized_client", 700016);
    let (status, body) = token(
        &app,
        &tenant,
        &[("grant_type", "password"), ("client_id", CLI)],
    )
    .await;
    assert_aad(status, &body, "invalid_request", 900144);
}

/// Runs the sign-in page for `label` with a PKCE challenge; returns the code.
async fn code_for(app: &TestApp, tenant: &str, label: &str, challenge: &str) -> String {
    let (_, upn, password) = user(app, label).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let authorize = format!("{}/{tenant}/oauth2/v2.0/authorize", app.url);
    let query = [
        ("client_id", CLI),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", GRAPH_DEFAULT),
        ("state", "s-1"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", &upn),
    ];
    let page = no_redirects
        .get(&authorize)
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<label for=\"password\">Password</label>"));
    assert!(
        html.contains(&format!("value=\"{upn}\"")),
        "login_hint prefilled"
    );
    let mut form: Vec<(&str, &str)> = query.to_vec();
    form.extend([("login", upn.as_str()), ("password", password.as_str())]);
    let answer = no_redirects
        .post(&authorize)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert!(location.ends_with("&state=s-1"), "{location}");
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    form_urlencoded::parse(format!("c={code}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

fn redeem<'a>(code: &'a str, verifier: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", CLI),
        ("code", code),
        ("redirect_uri", redirect),
        ("code_verifier", verifier),
        ("scope", GRAPH_DEFAULT),
    ]
}

#[actix_rt::test]
async fn an_authorization_code_is_redeemed_once_with_its_verifier_and_redirect_uri() {
    let app = spawn(&[]).await;
    let (tenant, _, _) = user(&app, "Global Administrator").await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let code = code_for(&app, &tenant, "Global Administrator", &challenge).await;
    let (status, body) = token(&app, &tenant, &redeem(&code, "wrong-verifier", REDIRECT)).await;
    assert_aad(status, &body, "invalid_grant", 501481);
    // A refused redemption still spent the code, as a reused one.
    let (status, body) = token(&app, &tenant, &redeem(&code, verifier, REDIRECT)).await;
    assert_aad(status, &body, "invalid_grant", 54005);
    let code = code_for(&app, &tenant, "Global Administrator", &challenge).await;
    let (status, body) = token(
        &app,
        &tenant,
        &redeem(&code, verifier, "http://localhost:9/x"),
    )
    .await;
    assert_aad(status, &body, "invalid_grant", 500112);
    let code = code_for(&app, &tenant, "Global Administrator", &challenge).await;
    let (status, body) = token(&app, &tenant, &redeem(&code, verifier, REDIRECT)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["upn"],
        user(&app, "Global Administrator").await.1
    );
    let (status, body) = token(&app, &tenant, &redeem(&code, verifier, REDIRECT)).await;
    assert_aad(status, &body, "invalid_grant", 54005);
    let (status, body) = token(&app, &tenant, &redeem("made-up", verifier, REDIRECT)).await;
    assert_aad(status, &body, "invalid_grant", 9002313);
}

#[actix_rt::test]
async fn the_authorize_page_refuses_unknown_clients_and_unregistered_redirect_uris() {
    let app = spawn(&[]).await;
    let (tenant, _, _) = user(&app, "Global Administrator").await;
    let page = |client: &str, redirect: &str| {
        format!(
            "{}/{tenant}/oauth2/v2.0/authorize?client_id={client}&response_type=code&redirect_uri={redirect}&scope=openid",
            app.url
        )
    };
    let html = app
        .client
        .get(page("11111111-2222-3333-4444-555555555555", REDIRECT))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("AADSTS700016"), "{html}");
    let html = app
        .client
        .get(page(CLI, "https://evil.example/cb"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("AADSTS50011: The redirect URI &#39;https://evil.example/cb&#39;"),
        "{html}"
    );
}

async fn start_device(app: &TestApp, tenant: &str) -> Value {
    let response = app
        .client
        .post(format!("{}/{tenant}/oauth2/v2.0/devicecode", app.url))
        .form(&[("client_id", CLI), ("scope", GRAPH_DEFAULT)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn poll(device: &Value) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", CLI),
        ("device_code", device["device_code"].as_str().unwrap()),
    ]
}

#[actix_rt::test]
async fn a_device_code_is_pending_until_approved_and_refused_once_expired() {
    let app = spawn(&[]).await;
    let (tenant, upn, _) = user(&app, "Global Administrator").await;
    let device = start_device(&app, &tenant).await;
    assert_eq!(device["expires_in"], 900);
    assert!(
        device["message"]
            .as_str()
            .unwrap()
            .contains(device["user_code"].as_str().unwrap())
    );
    let (status, body) = token(&app, &tenant, &poll(&device)).await;
    assert_aad(status, &body, "authorization_pending", 70016);
    let (status, body) = token(&app, &tenant, &poll(&device)).await;
    assert_aad(status, &body, "slow_down", 70016);
    let user_code = device["user_code"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/_entrasim/deviceCodes/{user_code}/approve"),
            json!({ "user": upn }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = token(&app, &tenant, &poll(&device)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims(body["access_token"].as_str().unwrap())["upn"], upn);
    let late = start_device(&app, &tenant).await;
    let late_code = late["user_code"].as_str().unwrap();
    let expired = app
        .client
        .post(format!(
            "{}/_entrasim/deviceCodes/{late_code}/expire",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 204);
    let (status, body) = token(&app, &tenant, &poll(&late)).await;
    assert_aad(status, &body, "expired_token", 70020);
    let (status, _) = app
        .post(
            "/_entrasim/deviceCodes/NOSUCHCODE/approve",
            json!({ "user": upn }),
        )
        .await;
    assert_eq!(status, 404);
}

/// The beta sign-ins of `upn` of one event type, after the clock moved past the delay.
async fn sign_ins_of(app: &TestApp, upn: &str, kind: &str) -> Vec<Value> {
    let filter = format!("userPrincipalName eq '{upn}' and signInEventTypes/any(t: t eq '{kind}')");
    app.walk(&format!("/beta/auditLogs/signIns?$filter={filter}"))
        .await
}

#[actix_rt::test]
async fn a_failed_password_and_a_refresh_appear_in_the_sign_in_log_after_the_delay() {
    let app = spawn(&[]).await;
    let (_, upn, _) = user(&app, "Global Administrator").await;
    let before = sign_ins_of(&app, &upn, "interactiveUser").await.len();
    let (status, _) = ropc(&app, "Global Administrator", Some("not-it")).await;
    assert_eq!(status, 400);
    let (_, body) = ropc(&app, "Global Administrator", None).await;
    let (tenant, _, _) = user(&app, "Global Administrator").await;
    let refresh = body["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", CLI),
        ("refresh_token", refresh),
        ("scope", GRAPH_DEFAULT),
    ];
    let (status, body) = token(&app, &tenant, &form).await;
    assert_eq!(status, 200, "{body}");
    app.advance("PT6H").await;
    let interactive = sign_ins_of(&app, &upn, "interactiveUser").await;
    assert_eq!(interactive.len(), before + 2);
    let failed = interactive
        .iter()
        .find(|r| r["status"]["errorCode"] == 50126)
        .expect("the failed sign-in is logged");
    assert_eq!(failed["ipAddress"], "127.0.0.1");
    assert_eq!(failed["appId"], CLI);
    assert_eq!(failed["resourceDisplayName"], "Microsoft Graph");
    assert_eq!(failed["createdDateTime"], "2026-06-01T12:00:00Z");
    let refreshed = sign_ins_of(&app, &upn, "nonInteractiveUser").await;
    let own: Vec<&Value> = refreshed
        .iter()
        .filter(|r| r["appId"] == CLI && r["createdDateTime"] == "2026-06-01T12:00:00Z")
        .collect();
    assert_eq!(own.len(), 1, "{refreshed:?}");
    assert_eq!(own[0]["status"]["errorCode"], 0);
}

#[actix_rt::test]
async fn the_managed_identity_endpoint_answers_as_app_service_and_files_its_sign_in() {
    let app = spawn(&[]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let mi = &tenant["managedIdentity"];
    let endpoint = mi["IDENTITY_ENDPOINT"].as_str().unwrap();
    let secret = mi["IDENTITY_HEADER"].as_str().unwrap();
    let get = |query: String, header: Option<&str>| {
        let mut request = app.client.get(format!("{endpoint}?{query}"));
        if let Some(h) = header {
            request = request.header("X-IDENTITY-HEADER", h);
        }
        request.send()
    };
    let query = "api-version=2019-08-01&resource=https://graph.microsoft.com".to_string();
    assert_eq!(get(query.clone(), None).await.unwrap().status(), 400);
    assert_eq!(
        get(query.clone(), Some("wrong")).await.unwrap().status(),
        401
    );
    let unknown = get(
        format!("{query}&client_id=00000000-0000-0000-0000-000000000001"),
        Some(secret),
    )
    .await
    .unwrap();
    assert_eq!(unknown.status(), 400);
    let answer = get(query, Some(secret)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_on",
            "resource",
            "token_type",
            "client_id"
        ]
    );
    assert!(body["expires_on"].is_string());
    assert_eq!(body["client_id"], mi["systemAssignedClientId"]);
    let auth = bearer(body["access_token"].as_str().unwrap());
    let (status, page) = app
        .get_with(
            "/v1.0/auditLogs/signIns?$top=1",
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    app.advance("PT6H").await;
    let filter = format!(
        "appId eq '{}' and signInEventTypes/any(t: t eq 'managedIdentity')",
        body["client_id"].as_str().unwrap()
    );
    let records = app
        .walk(&format!("/beta/auditLogs/signIns?$filter={filter}"))
        .await;
    assert!(
        records
            .iter()
            .any(|r| r["createdDateTime"] == "2026-06-01T12:00:00Z"
                && r["resourceDisplayName"] == "Microsoft Graph"),
        "{records:?}"
    );
}

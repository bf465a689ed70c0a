//! Bearer-token checks on the Graph surface: Graph's 401 texts and challenge, the
//! audience rule and its opt-in, and `--auth off`.

use super::{bearer, client, secret_token, token};
use crate::helpers::{TestApp, assert_graph_error, spawn};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const SIGN_INS: &str = "/v1.0/auditLogs/signIns?$top=1";

/// GETs the sign-ins with this token; returns status, `WWW-Authenticate` and body.
async fn read_with(app: &TestApp, token: &str) -> (u16, String, Value) {
    let response = app
        .client
        .get(format!("{}{SIGN_INS}", app.url))
        .header("authorization", bearer(token))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        challenge,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// A token for `scope` from the tenant's first test client.
async fn token_for(app: &TestApp, scope: &str) -> String {
    let (tenant, id, secret, _) = client(app, 0).await;
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

fn assert_refused(status: u16, body: &Value, message: &str) {
    assert_eq!(status, 401, "{body}");
    assert_graph_error(body, "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], message);
}

#[actix_rt::test]
async fn a_401_carries_graphs_bearer_challenge() {
    let app = spawn(&["--auth", "strict"]).await;
    let (status, challenge, body) = read_with(&app, "opaque-abc").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        challenge,
        format!(
            r#"Bearer realm="", authorization_uri="{}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#,
            app.url
        )
    );
    let response = app.raw(SIGN_INS).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
}

#[actix_rt::test]
async fn a_token_past_its_expiry_and_grace_is_refused_as_expired() {
    // Expiry is wall time (issue 12): the token is aged, not the log clock moved.
    let app = spawn(&["--auth", "strict"]).await;
    let token = secret_token(&app, 0).await;
    let within = crate::clients::aged(&app, &token, 3780).await; // 3599 s + 300 s skew
    assert_eq!(read_with(&app, &within).await.0, 200);
    let (status, _, body) = read_with(&app, &crate::clients::aged(&app, &token, 3960).await).await;
    assert_refused(
        status,
        &body,
        "Lifetime validation failed, the token is expired.",
    );
}

#[actix_rt::test]
async fn a_token_for_arm_has_an_invalid_audience_on_graph() {
    // This server's own address gets no token at all without the flag (AADSTS500011: clients.rs).
    let app = spawn(&[]).await;
    let other = token_for(&app, "https://management.azure.com/.default").await;
    let (status, _, body) = read_with(&app, &other).await;
    assert_refused(
        status,
        &body,
        "Access token validation failure. Invalid audience.",
    );
}

#[actix_rt::test]
async fn the_local_audience_is_accepted_only_when_asked_for() {
    let app = spawn(&["--accept-local-audience"]).await;
    let token = token_for(&app, &format!("{}/.default", app.url)).await;
    assert_eq!(read_with(&app, &token).await.0, 200);
    let bare = app.url.rsplit_once(':').unwrap().0;
    let token = token_for(&app, &format!("{bare}/.default")).await;
    assert_eq!(read_with(&app, &token).await.0, 200);
    let other = token_for(&app, "https://management.azure.com/.default").await;
    assert_eq!(read_with(&app, &other).await.0, 401);
}

#[actix_rt::test]
async fn an_unsigned_token_has_an_invalid_signature() {
    let app = spawn(&[]).await;
    let (tenant, ..) = client(&app, 0).await;
    let encode = |json: &str| URL_SAFE_NO_PAD.encode(json);
    let payload = encode(&format!(
        r#"{{"aud":"https://graph.microsoft.com","iss":"https://sts.windows.net/{tenant}/","tid":"{tenant}","roles":["AuditLog.Read.All"]}}"#
    ));
    let none = format!("{}.{payload}.", encode(r#"{"alg":"none","typ":"JWT"}"#));
    let (status, _, body) = read_with(&app, &none).await;
    assert_refused(status, &body, "Signature is invalid.");
    let (status, _, body) = read_with(&app, "a.b").await;
    assert_eq!(status, 401);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("IDX14120: JWT is not well formed, there is only one dot (.).")
    );
}

#[actix_rt::test]
async fn with_auth_off_any_token_reads_everything() {
    let app = spawn(&["--auth", "off"]).await;
    for token in ["garbage", "a.b.c"] {
        let (status, _, body) = read_with(&app, token).await;
        assert_eq!(status, 200, "{token}: {body}");
    }
    let (status, _) = app.get("/v1.0/users?$top=1").await;
    assert_eq!(status, 200);
}

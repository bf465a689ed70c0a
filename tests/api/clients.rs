//! Issue 12: tokens live on the client's real clock, whatever the log clock does.

use crate::helpers::{TestApp, spawn};
use crate::identity::{bearer, secret_token};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entrasim::auth::{AccessClaims, SigningKey};

const SIGN_INS: &str = "/v1.0/auditLogs/signIns?$top=1";

async fn status_with(app: &TestApp, token: &str) -> (u16, serde_json::Value) {
    let response = app
        .client
        .get(format!("{}{SIGN_INS}", app.url))
        .header("authorization", bearer(token))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The token's claims, re-signed by the tenant's key with every time moved back `secs`
/// of wall time: what a client holding the token that long would send.
pub async fn aged(app: &TestApp, token: &str, secs: i64) -> String {
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let seed = tenant["seed"].as_u64().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let mut claims: AccessClaims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims.iat -= secs;
    claims.nbf -= secs;
    claims.exp -= secs;
    SigningKey::from_seed(seed).sign(&claims)
}

#[actix_rt::test]
async fn a_token_stays_valid_when_the_log_clock_jumps_two_days() {
    let app = spawn(&["--auth", "strict"]).await;
    let token = secret_token(&app, 0).await;
    assert_eq!(status_with(&app, &token).await.0, 200);
    app.advance("P2D").await;
    let (status, body) = status_with(&app, &token).await;
    assert_eq!(status, 200, "{body}");
    app.advance("PT10M").await;
    assert_eq!(status_with(&app, &token).await.0, 200);
}

#[actix_rt::test]
async fn a_token_is_stamped_with_wall_time_even_on_a_fixed_clock_in_the_past() {
    let app = spawn(&["--auth", "strict", "--clock", "fixed:2024-01-01T00:00:00Z"]).await;
    let token = secret_token(&app, 0).await;
    let payload = token.split('.').nth(1).unwrap();
    let claims: AccessClaims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let wall = chrono::Utc::now().timestamp();
    assert!(
        (claims.exp - (wall + 3599)).abs() <= 5,
        "{claims:?} at {wall}"
    );
    assert_eq!(status_with(&app, &token).await.0, 200);
}

#[actix_rt::test]
async fn the_ca_pem_served_over_http_verifies_the_https_listener() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let app = spawn(&["--https-port", "0", "--data-dir", data]).await;
    let response = app.raw("/_entrasim/ca.pem").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/x-pem-file"
    );
    let pem = response.bytes().await.unwrap();
    assert_eq!(pem, std::fs::read(dir.path().join("ca.pem")).unwrap());
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let https = app.https_url.clone().expect("https listener");
    let health = client
        .get(format!("{https}/_entrasim/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[actix_rt::test]
async fn the_ca_pem_takes_only_get() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn(&["--data-dir", dir.path().to_str().unwrap()]).await;
    let (status, body) = app.post("/_entrasim/ca.pem", serde_json::json!({})).await;
    assert_eq!(status, 405, "{body}");
}

#[test]
fn ca_bundle_prints_the_system_roots_then_the_local_ca() {
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, "# system roots\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args(["ca", "--bundle", "--data-dir"])
        .arg(dir.path())
        .env("SSL_CERT_FILE", &roots)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let bundle = String::from_utf8(output.stdout).unwrap();
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    assert_eq!(bundle, format!("# system roots\n# entrasim local CA\n{ca}"));
}

/// The tenant's first test client asking for `scope`: status and body.
async fn ask(app: &TestApp, scope: &str) -> (u16, serde_json::Value) {
    let (tenant, id, secret, _) = crate::identity::client(app, 0).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", scope),
    ];
    crate::identity::token(app, &tenant, &form).await
}

#[actix_rt::test]
async fn a_resource_entrasim_does_not_serve_answers_aadsts500011_as_entra_does() {
    let app = spawn(&[]).await;
    let (tenant, ..) = crate::identity::client(&app, 0).await;
    for resource in ["https://vault.azure.net".to_string(), app.url.clone()] {
        let (status, body) = ask(&app, &format!("{resource}/.default")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_resource");
        assert_eq!(body["error_codes"], serde_json::json!([500011]));
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.starts_with(&format!("AADSTS500011: The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\r\nTrace ID: ")),
            "{description}"
        );
        assert_eq!(
            body["error_uri"],
            "https://login.microsoftonline.com/error?code=500011"
        );
        for field in ["timestamp", "trace_id", "correlation_id"] {
            assert!(body[field].is_string(), "{field}: {body}");
        }
    }
    for served in [
        "https://graph.microsoft.com/.default",
        "https://management.core.windows.net//.default",
    ] {
        assert_eq!(ask(&app, served).await.0, 200, "{served}");
    }
}

#[actix_rt::test]
async fn with_accept_local_audience_the_origin_with_a_trailing_slash_is_the_same_audience() {
    let app = spawn(&["--accept-local-audience", "--auth", "strict"]).await;
    for scope in [
        format!("{}/.default", app.url),
        format!("{}//.default", app.url),
    ] {
        let (status, body) = ask(&app, &scope).await;
        assert_eq!(status, 200, "{scope}: {body}");
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(status_with(&app, token).await.0, 200, "{scope}");
    }
}

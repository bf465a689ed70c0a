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

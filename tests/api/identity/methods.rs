//! Methods a route does not take: 405 with the route's own `Allow`, OPTIONS, HEAD, and
//! the token endpoint's AADSTS900561.

use super::client;
use crate::helpers::{TestApp, assert_graph_error, spawn};
use entrasim::http::routes::CONTROL;
use reqwest::Method;
use serde_json::Value;

/// Sends `method` to `path`; returns status, `Allow` and the JSON body (Null if none).
async fn send(app: &TestApp, method: &str, path: &str) -> (u16, String, Value) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let response = app
        .client
        .request(method, format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, allow, response.json().await.unwrap_or(Value::Null))
}

/// Asserts Entra's complete error body with this AADSTS code.
fn assert_aad_error(body: &Value, code: u64) {
    assert_eq!(body["error_codes"][0], code, "{body}");
    for key in [
        "error",
        "error_description",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    ] {
        assert!(body[key].is_string(), "{key} missing: {body}");
    }
}

#[actix_rt::test]
async fn a_control_route_refuses_a_wrong_method_with_its_own_methods() {
    let app = spawn(&[]).await;
    let (status, allow, body) = send(&app, "GET", "/_entrasim/reset").await;
    assert_eq!((status, allow.as_str()), (405, "POST, OPTIONS"), "{body}");
    assert_graph_error(&body, "Request_BadRequest");
    let (status, allow, _) = send(&app, "DELETE", "/_entrasim/faults").await;
    assert_eq!((status, allow.as_str()), (405, "GET, HEAD, PUT, OPTIONS"));
    let (status, allow, _) = send(&app, "PATCH", "/_entrasim/signIns").await;
    assert_eq!((status, allow.as_str()), (405, "POST, OPTIONS"));
    let (status, allow, _) = send(&app, "POST", "/v1.0/auditLogs/signIns").await;
    assert_eq!((status, allow.as_str()), (405, "GET, HEAD, OPTIONS"));
}

#[actix_rt::test]
async fn options_lists_exactly_the_methods_each_control_route_is_routed_for() {
    let app = spawn(&[]).await;
    for (name, methods) in CONTROL {
        let path = format!("/_entrasim/{name}");
        let (status, allow, _) = send(&app, "OPTIONS", &path).await;
        assert_eq!((status, allow), (204, methods.join(", ")), "{path}");
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let (status, _, body) = send(&app, method, &path).await;
            let listed = methods.contains(&method);
            assert_eq!(status == 405, !listed, "{method} {path}: {status} {body}");
        }
    }
}

#[actix_rt::test]
async fn head_is_served_wherever_get_is() {
    let app = spawn(&[]).await;
    for path in [
        "/_entrasim/health",
        "/openapi.yaml",
        "/v1.0/auditLogs/signIns?$top=1",
    ] {
        let response = app
            .client
            .head(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.bytes().await.unwrap().is_empty(), "{path}");
    }
}

#[actix_rt::test]
async fn a_wrong_method_on_discovery_is_405_in_entras_error_shape() {
    let app = spawn(&[]).await;
    let (tenant, ..) = client(&app, 0).await;
    for path in [
        format!("/{tenant}/v2.0/.well-known/openid-configuration"),
        format!("/{tenant}/discovery/v2.0/keys"),
        format!("/{tenant}/discovery/keys"),
        "/common/discovery/instance".to_string(),
    ] {
        let (status, allow, body) = send(&app, "POST", &path).await;
        assert_eq!(
            (status, allow.as_str()),
            (405, "GET, HEAD, OPTIONS"),
            "{path}"
        );
        assert_aad_error(&body, 900561);
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.starts_with(
                "AADSTS900561: The endpoint only accepts GET, HEAD, OPTIONS requests. Received a POST request.\r\nTrace ID: "
            ),
            "{description}"
        );
    }
    let (status, allow, body) = send(&app, "PUT", "/openapi.yaml").await;
    assert_eq!((status, allow.as_str()), (405, "GET, HEAD, OPTIONS"));
    assert_graph_error(&body, "Request_BadRequest");
}

#[actix_rt::test]
async fn the_token_endpoint_answers_get_as_entra_does_and_options_with_its_methods() {
    let app = spawn(&[]).await;
    let (tenant, ..) = client(&app, 0).await;
    let path = format!("/{tenant}/oauth2/v2.0/token");
    let (status, allow, body) = send(&app, "GET", &path).await;
    assert_eq!((status, allow.as_str()), (400, "POST, OPTIONS"));
    assert_aad_error(&body, 900561);
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"].as_str().unwrap().starts_with(
        "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a GET request."
    ));
    let (status, allow, _) = send(&app, "OPTIONS", &path).await;
    assert_eq!((status, allow.as_str()), (204, "POST, OPTIONS"));
}

#[actix_rt::test]
async fn every_aadsts_error_body_is_complete() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .get("/nosuchtenant.example/v2.0/.well-known/openid-configuration")
        .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, 90002);
    let (tenant, ..) = client(&app, 0).await;
    let (status, body) = super::token(&app, &tenant, &[("grant_type", "implicit")]).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, 70003);
}

#[actix_rt::test]
async fn without_the_control_surface_its_paths_are_not_found() {
    let app = spawn(&["--control", "off"]).await;
    for method in ["GET", "POST", "OPTIONS"] {
        let (status, allow, body) = send(&app, method, "/_entrasim/health").await;
        assert_eq!((status, allow.as_str()), (404, ""), "{method}: {body}");
    }
}

//! `--state redis://...` when Redis cannot be reached: Graph's 503 with Retry-After on
//! every request that needs the shared state, a readiness that says why, a liveness that
//! stays up, and nothing changed by a refused change. (A real Redis, three replicas and
//! nginx are exercised by tests/clients/python/test_cluster.py.)

use crate::helpers::{assert_graph_error, spawn};
use clap::Parser;
use serde_json::json;

const NOWHERE: &str = "redis://127.0.0.1:1/0";

#[actix_rt::test]
async fn a_replica_whose_redis_is_unreachable_answers_graphs_503_with_retry_after() {
    let app = spawn(&["--state", NOWHERE]).await;
    let response = app.raw("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(response.status(), 503);
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(retry_after.parse::<u64>().unwrap() >= 1);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_graph_error(&body, "serviceNotAvailable");
    let (status, _) = app
        .post("/_entrasim/clock", json!({"advance": "PT1H"}))
        .await;
    assert_eq!(status, 503, "a change that cannot be shared is not made");
}

#[actix_rt::test]
async fn readiness_says_why_while_liveness_stays_up() {
    let app = spawn(&["--state", NOWHERE]).await;
    let (status, body) = app.get("/_entrasim/health").await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "unavailable");
    assert!(body["reason"].as_str().unwrap().contains(NOWHERE), "{body}");
    let (status, body) = app.get("/_entrasim/health?probe=liveness").await;
    assert_eq!((status, &body["status"]), (200, &json!("ok")));
}

#[actix_rt::test]
async fn without_state_health_names_no_shared_state() {
    let app = spawn(&[]).await;
    let (status, body) = app.get("/_entrasim/health").await;
    assert_eq!(status, 200);
    assert!(body.get("state").is_none());
}

#[test]
fn a_state_url_that_is_not_redis_stops_the_server_with_a_clear_message() {
    for url in ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis://"] {
        let cli = entrasim::cli::Cli::try_parse_from(["entrasim", "--state", url]).unwrap();
        let error = entrasim::app::ServeSettings::from_args(&cli.serve).unwrap_err();
        assert!(error.to_string().contains("--state"), "{url}: {error}");
    }
}

#[test]
fn startup_imports_are_refused_with_shared_state_and_point_to_the_import_route() {
    let args = ["entrasim", "--state", NOWHERE, "--import", "/tmp"];
    let cli = entrasim::cli::Cli::try_parse_from(args).unwrap();
    let error = entrasim::app::ServeSettings::from_args(&cli.serve).unwrap_err();
    assert!(
        error.to_string().contains("POST /_entrasim/import"),
        "{error}"
    );
}

//! `POST /{version}/$batch`: items through the real routing, dependsOn, 424, per-item
//! 429 and the 400s for malformed batches.

use crate::helpers::{assert_graph_error, spawn};
use serde_json::{Value, json};

fn item(id: &str, url: &str) -> Value {
    json!({"id": id, "method": "GET", "url": url})
}

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .expect("responses array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response {id}: {body}"))
}

#[actix_rt::test]
async fn one_batch_gets_a_page_of_each_log_in_every_url_form() {
    let app = spawn(&[]).await;
    let requests = json!({"requests": [
        item("1", "/auditLogs/signIns?$top=2"),
        item("2", "auditLogs/directoryAudits?$top=2"),
        item("3", "/v1.0/auditLogs/provisioning?$top=2"),
        item("4", "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=2"),
    ]});
    let (status, body) = app.post("/v1.0/$batch", requests).await;
    assert_eq!(status, 200, "{body}");
    for id in ["1", "2", "3", "4"] {
        let answer = by_id(&body, id);
        assert_eq!(answer["status"], 200, "{answer}");
        assert!(
            answer["headers"]["Content-Type"]
                .as_str()
                .unwrap()
                .starts_with("application/json"),
            "{answer}"
        );
        assert_eq!(answer["body"]["value"].as_array().unwrap().len(), 2);
    }
    let (_, single) = app.get("/v1.0/auditLogs/signIns?$top=2").await;
    assert_eq!(by_id(&body, "1")["body"]["value"], single["value"]);
    assert_eq!(by_id(&body, "4")["body"]["value"], single["value"]);
    let next = by_id(&body, "1")["body"]["@odata.nextLink"]
        .as_str()
        .unwrap();
    assert!(
        next.starts_with(&app.url),
        "nextLink on this server: {next}"
    );
}

#[actix_rt::test]
async fn a_failed_item_fails_its_dependants_with_424_and_spares_the_rest() {
    let app = spawn(&[]).await;
    let requests = json!({"requests": [
        item("a", "/auditLogs/nothing"),
        {"id": "b", "method": "GET", "url": "/users?$top=1", "dependsOn": ["a"]},
        {"id": "c", "method": "GET", "url": "/users?$top=1", "depends_on": ["b"]},
        item("d", "/users?$top=1"),
    ]});
    let (status, body) = app.post("/beta/$batch", requests).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(by_id(&body, "a")["status"], 400);
    assert_graph_error(&by_id(&body, "a")["body"], "BadRequest");
    for id in ["b", "c"] {
        assert_eq!(by_id(&body, id)["status"], 424, "{body}");
        assert_graph_error(&by_id(&body, id)["body"], "FailedDependency");
    }
    assert_eq!(by_id(&body, "d")["status"], 200);
}

#[actix_rt::test]
async fn items_count_against_the_same_throttle_and_carry_retry_after() {
    let app = spawn(&["--throttle", "graph"]).await;
    let requests: Vec<Value> = (0..8)
        .map(|i| item(&i.to_string(), "/auditLogs/signIns?$top=1"))
        .collect();
    let (status, body) = app
        .post("/v1.0/$batch", json!({"requests": requests}))
        .await;
    assert_eq!(status, 200, "{body}");
    let throttled: Vec<&Value> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 429)
        .collect();
    assert!(
        !throttled.is_empty(),
        "eight quick items meet the throttle: {body}"
    );
    let answer = throttled[0];
    assert!(answer["headers"]["Retry-After"].is_string(), "{answer}");
    assert_graph_error(&answer["body"], "TooManyRequests");
    let (single, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(single, 429, "the batch used the same bucket");
}

#[actix_rt::test]
async fn malformed_batches_answer_graphs_400() {
    let app = spawn(&[]).await;
    let twenty_one: Vec<Value> = (0..21).map(|i| item(&i.to_string(), "/users")).collect();
    let cases = [
        (
            json!({"requests": twenty_one}),
            "Invalid batch payload format.",
        ),
        (json!({"requests": []}), "Invalid batch payload format."),
        (json!({"nothing": 1}), "Invalid batch payload format."),
        (
            json!({"requests": [{"id": "1", "url": "/users"}]}),
            "Invalid batch payload format.",
        ),
        (
            json!({"requests": [item("x", "/users"), item("X", "/users")]}),
            "Request Id X has to be unique in a batch.",
        ),
        (
            json!({"requests": [
                {"id": "1", "method": "GET", "url": "/users", "dependsOn": ["2"]},
                {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["1"]}
            ]}),
            "Invalid dependency for request Id 1.",
        ),
        (
            json!({"requests": [{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]}),
            "Invalid dependency for request Id 1.",
        ),
    ];
    for (payload, message) in cases {
        let (status, body) = app.post("/v1.0/$batch", payload.clone()).await;
        assert_eq!(status, 400, "{payload}: {body}");
        assert_graph_error(&body, "BadRequest");
        assert_eq!(body["error"]["message"], message, "{payload}");
    }
    let response = app
        .client
        .post(format!("{}/v1.0/$batch", app.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[actix_rt::test]
async fn a_get_on_batch_is_405_and_a_nested_batch_is_an_unknown_segment() {
    let app = spawn(&[]).await;
    let response = app.raw("/v1.0/$batch").await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST, OPTIONS");
    let nested = json!({"requests": [{"id": "1", "method": "POST", "url": "/$batch",
        "headers": {"content-type": "application/json"}, "body": {"requests": []}}]});
    let (status, body) = app.post("/v1.0/$batch", nested).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(by_id(&body, "1")["status"], 400, "{body}");
}

#[actix_rt::test]
async fn a_batch_with_a_bad_token_is_refused_whole() {
    let app = spawn(&[]).await;
    let response = app
        .client
        .post(format!("{}/v1.0/$batch", app.url))
        .bearer_auth("not-a-token")
        .json(&json!({"requests": [item("1", "/users")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[actix_rt::test]
async fn item_urls_with_spaces_and_other_scripts_are_encoded_as_a_client_would() {
    let app = spawn(&[]).await;
    let (_, users) = app.get("/v1.0/users?$top=1").await;
    let name = users["value"][0]["displayName"]
        .as_str()
        .unwrap()
        .to_string();
    let requests = json!({"requests": [
        item("1", &format!("/users?$filter=displayName eq '{name}'")),
        item("2", "/users?$filter=displayName eq 'Zoë Ng'"),
        item("3", "\u{b8}\u{bc}\u{1c}\u{c6}\u{98}\u{f8}"),
    ]});
    let (status, body) = app.post("/v1.0/$batch", requests).await;
    assert_eq!(status, 200, "{body}");
    let found = &by_id(&body, "1")["body"]["value"];
    assert_eq!(found[0]["displayName"], name.as_str(), "{body}");
    assert_eq!(by_id(&body, "2")["status"], 200, "{body}");
    assert_eq!(by_id(&body, "2")["body"]["value"], json!([]), "{body}");
    let odd = by_id(&body, "3");
    assert!(odd["status"] == 400 || odd["status"] == 404, "{odd}");
    let (status, _) = app.get("/_entrasim/health").await;
    assert_eq!(status, 200, "the worker survived");
}

use crate::helpers::spawn;
use serde_json::json;

#[actix_rt::test]
async fn an_injected_record_appears_only_after_its_delay_and_may_be_older_than_visible_ones() {
    let app = spawn(&[]).await;
    let (_, newest) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    let (status, record) = app
        .post("/_entrasim/signIns", json!({"createdDateTime": "2026-06-01T11:20:00Z", "errorCode": 50126, "ipAddress": "203.0.113.9", "visibleAfter": "PT45M"}))
        .await;
    assert_eq!(status, 201, "{record}");
    let id = record["id"].as_str().unwrap().to_string();
    assert_eq!(record["status"]["errorCode"], 50126);
    let filter = "/v1.0/auditLogs/signIns?$filter=ipAddress%20eq%20'203.0.113.9'";
    assert!(app.walk(filter).await.is_empty(), "visible too early");
    app.advance("PT4M").await;
    assert!(app.walk(filter).await.is_empty(), "visible too early");
    app.advance("PT2M").await;
    let found = app.walk(filter).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], id);
    assert!(
        found[0]["createdDateTime"].as_str() < newest["value"][0]["createdDateTime"].as_str(),
        "a late record older than one already seen"
    );
}

#[actix_rt::test]
async fn bad_injections_name_each_bad_field_and_store_nothing() {
    let app = spawn(&[]).await;
    let (_, before) = app.get("/_entrasim/tenant").await;
    let (status, body) = app
        .post(
            "/_entrasim/signIns",
            json!({"userPrincipalName": "nobody@nowhere.test", "errorCode": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(status, 400);
    let message = body["error"]["message"].as_str().unwrap();
    for field in ["userPrincipalName", "errorCode", "colour"] {
        assert!(message.contains(field), "{field} not named: {message}");
    }
    let (_, after) = app.get("/_entrasim/tenant").await;
    assert_eq!(before["records"], after["records"]);
}

#[actix_rt::test]
async fn the_clock_refuses_to_move_backwards() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .post("/_entrasim/clock", json!({"now": "2026-05-01T00:00:00Z"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("backwards")
    );
    let (_, clock) = app.get("/_entrasim/clock").await;
    assert_eq!(clock["now"], "2026-06-01T12:00:00.000000Z");
}

#[actix_rt::test]
async fn one_big_step_and_a_hundred_small_steps_serve_the_same_bytes() {
    let one = spawn(&[]).await;
    let many = spawn(&[]).await;
    one.advance("PT50H").await;
    for _ in 0..100 {
        many.advance("PT30M").await;
    }
    for path in [
        "/beta/auditLogs/signIns?$top=500&$filter=signInEventTypes/any(t:t%20ne%20'interactiveUser')",
        "/v1.0/auditLogs/directoryAudits?$top=300",
        "/v1.0/auditLogs/provisioning?$top=300",
    ] {
        let a = one
            .raw(path)
            .await
            .text()
            .await
            .unwrap()
            .replace(&one.url, "ORIGIN");
        let b = many
            .raw(path)
            .await
            .text()
            .await
            .unwrap()
            .replace(&many.url, "ORIGIN");
        assert!(a == b, "{path}: the two servers differ");
    }
}

#[actix_rt::test]
async fn new_activity_keeps_happening_as_the_clock_moves() {
    let app = spawn(&[]).await;
    let (_, before) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    app.advance("PT26H").await;
    let (_, after) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert!(
        after["value"][0]["createdDateTime"].as_str()
            > before["value"][0]["createdDateTime"].as_str()
    );
    assert!(after["value"][0]["createdDateTime"].as_str().unwrap() > "2026-06-02T12:00:00Z");
}

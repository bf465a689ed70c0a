//! Injection: every field present is checked whatever the record's kind;
//! defaults follow the log; concurrent injections get distinct ids.

use crate::helpers::{TestApp, spawn};
use serde_json::{Value, json};

/// Posts a record that must be refused; returns the message.
async fn refused(app: &TestApp, path: &str, body: Value) -> String {
    let (_, before) = app.get("/_entrasim/tenant").await;
    let (status, answer) = app.post(path, body.clone()).await;
    assert_eq!(status, 400, "{body}: {answer}");
    let (_, after) = app.get("/_entrasim/tenant").await;
    assert_eq!(
        before["records"], after["records"],
        "{body} stored something"
    );
    answer["error"]["message"].as_str().unwrap().to_string()
}

fn names_each(message: &str, fields: &[&str]) {
    for field in fields {
        assert!(
            message.contains(&format!("{field}:")),
            "{field} not named: {message}"
        );
    }
}

#[actix_rt::test]
async fn workload_sign_ins_check_every_field_present() {
    let app = spawn(&[]).await;
    for kind in ["servicePrincipal", "managedIdentity"] {
        for bad in [json!(5), json!([1]), json!({"a": 1})] {
            let message = refused(
                &app,
                "/_entrasim/signIns",
                json!({"signInEventType": kind, "userId": bad, "userPrincipalName": bad, "appId": bad}),
            )
            .await;
            names_each(&message, &["userId", "userPrincipalName", "appId"]);
        }
        let message = refused(
            &app,
            "/_entrasim/signIns",
            json!({"signInEventType": kind, "userPrincipalName": "nobody@x.test", "appId": "bogus"}),
        )
        .await;
        names_each(&message, &["userPrincipalName", "appId"]);
    }
}

#[actix_rt::test]
async fn both_user_fields_are_checked_and_must_agree() {
    let app = spawn(&[]).await;
    let (_, users) = app.get("/v1.0/users?$top=2").await;
    let (upn, other) = (
        users["value"][0]["userPrincipalName"].as_str().unwrap(),
        users["value"][1]["id"].as_str().unwrap(),
    );
    let message = refused(
        &app,
        "/_entrasim/signIns",
        json!({"userPrincipalName": upn, "userId": "abc"}),
    )
    .await;
    names_each(&message, &["userId"]);
    let message = refused(
        &app,
        "/_entrasim/signIns",
        json!({"userPrincipalName": upn, "userId": other}),
    )
    .await;
    assert!(message.contains("different user"), "{message}");
    let (status, _) = app
        .post("/_entrasim/signIns", json!({"userPrincipalName": upn}))
        .await;
    assert_eq!(status, 201);
}

#[actix_rt::test]
async fn an_unknown_service_and_a_time_outside_retention_are_refused() {
    let app = spawn(&[]).await;
    let message = refused(
        &app,
        "/_entrasim/directoryAudits",
        json!({"loggedByService": "Nope"}),
    )
    .await;
    names_each(&message, &["loggedByService"]);
    let message = refused(
        &app,
        "/_entrasim/signIns",
        json!({"createdDateTime": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert!(message.contains("createdDateTime: is outside"), "{message}");
    let message = refused(
        &app,
        "/_entrasim/provisioning",
        json!({"activityDateTime": "2026-04-01T00:00:00Z"}),
    )
    .await;
    names_each(&message, &["activityDateTime"]);
    let (status, record) = app
        .post(
            "/_entrasim/directoryAudits",
            json!({"loggedByService": "PIM"}),
        )
        .await;
    assert_eq!(status, 201, "{record}");
    assert_eq!(record["loggedByService"], "PIM");
}

#[actix_rt::test]
async fn injected_provisioning_becomes_visible_when_its_cycle_reports() {
    let app = spawn(&[]).await;
    let (status, record) = app.post("/_entrasim/provisioning", json!({})).await;
    assert_eq!(status, 201, "{record}");
    let path = format!(
        "/beta/auditLogs/provisioning/{}",
        record["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&path).await.0,
        404,
        "visible before its cycle ended"
    );
    app.advance("PT40M").await;
    assert_eq!(app.get(&path).await.0, 200, "invisible after a whole cycle");
}

#[actix_rt::test]
async fn concurrent_injections_get_distinct_ids() {
    let app = spawn(&[]).await;
    let posts = (0..24).map(|_| {
        let (client, url) = (app.client.clone(), format!("{}/_entrasim/signIns", app.url));
        tokio::spawn(async move {
            let response = client.post(url).json(&json!({})).send().await.unwrap();
            let record: Value = response.json().await.unwrap();
            record["id"].as_str().unwrap().to_string()
        })
    });
    let mut ids = Vec::new();
    for post in posts.collect::<Vec<_>>() {
        ids.push(post.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24);
}

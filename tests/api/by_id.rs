//! GET by id: found by key whatever the log's size, shown only to the versions
//! that list it, 404 for ids that name nothing and 400 for malformed ones.

use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::json;

async fn one_of_kind(app: &TestApp, kind: &str) -> serde_json::Value {
    let (_, page) = app
        .get(&format!(
            "/beta/auditLogs/signIns?$top=1&$filter=signInEventTypes/any(t:%20t%20eq%20'{kind}')"
        ))
        .await;
    page["value"][0].clone()
}

#[actix_rt::test]
async fn v1_hides_non_interactive_sign_ins_by_id_and_beta_shows_every_kind() {
    let app = spawn(&[]).await;
    for kind in [
        "interactiveUser",
        "nonInteractiveUser",
        "servicePrincipal",
        "managedIdentity",
    ] {
        let record = one_of_kind(&app, kind).await;
        let id = record["id"].as_str().expect(kind);
        let (status, beta) = app.get(&format!("/beta/auditLogs/signIns/{id}")).await;
        assert_eq!(status, 200, "{kind}: {beta}");
        assert_eq!(beta["id"], record["id"]);
        assert_eq!(beta["signInEventTypes"][0], kind);
        let (status, v1) = app.get(&format!("/v1.0/auditLogs/signIns/{id}")).await;
        if kind == "interactiveUser" {
            assert_eq!(status, 200, "{v1}");
        } else {
            assert_eq!(status, 404, "{kind}: {v1}");
            assert_graph_error(&v1, "Request_ResourceNotFound");
        }
    }
}

#[actix_rt::test]
async fn ids_are_found_in_any_case_and_unknown_ones_are_404() {
    let app = spawn(&[]).await;
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let (_, page) = app.get(&format!("/v1.0/auditLogs/{log}?$top=300")).await;
        let last = page["value"].as_array().unwrap().last().unwrap().clone();
        let id = last["id"].as_str().unwrap();
        let (status, body) = app.get(&format!("/v1.0/auditLogs/{log}/{id}")).await;
        assert_eq!((status, &body["id"]), (200, &last["id"]), "{log}");
        if log == "signIns" {
            let upper = id.to_uppercase();
            let (status, body) = app.get(&format!("/v1.0/auditLogs/{log}/{upper}")).await;
            assert_eq!((status, &body["id"]), (200, &last["id"]), "{log}");
        }
        let mut other = id.to_string();
        let flipped = if other.ends_with('0') { "1" } else { "0" };
        other.replace_range(other.len() - 1.., flipped);
        let (status, body) = app.get(&format!("/v1.0/auditLogs/{log}/{other}")).await;
        assert_eq!(status, 404, "{log} {other}: {body}");
        assert_graph_error(&body, "Request_ResourceNotFound");
    }
}

#[actix_rt::test]
async fn malformed_ids_are_400_and_echo_the_decoded_id() {
    let app = spawn(&[]).await;
    for path in [
        "/v1.0/auditLogs/signIns/not%20a%20guid",
        "/v1.0/auditLogs/provisioning/not%20a%20guid",
        "/v1.0/users/not%20a%20guid",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_graph_error(&body, "BadRequest");
        assert_eq!(
            body["error"]["message"], "Invalid object identifier 'not a guid'.",
            "{path}"
        );
    }
    let (status, body) = app
        .get("/v1.0/auditLogs/directoryAudits/not%20an%20id")
        .await;
    assert_eq!(status, 404, "audit ids are free text: {body}");
}

#[actix_rt::test]
async fn an_injected_sign_in_is_found_by_id_once_visible() {
    let app = spawn(&[]).await;
    let (status, record) = app
        .post(
            "/_entrasim/signIns",
            json!({"createdDateTime": "2026-06-01T11:50:00Z", "visibleAfter": "PT15M"}),
        )
        .await;
    assert_eq!(status, 201, "{record}");
    let path = format!("/v1.0/auditLogs/signIns/{}", record["id"].as_str().unwrap());
    let (status, _) = app.get(&path).await;
    assert_eq!(status, 404, "visible too early");
    app.advance("PT6M").await;
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], record["id"]);
}

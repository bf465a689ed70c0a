use crate::helpers::{assert_graph_error, spawn};
use std::collections::BTreeSet;

#[actix_rt::test]
async fn paging_through_users_visits_every_user_exactly_once() {
    let app = spawn(&[]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let users = app.walk("/v1.0/users?$top=7").await;
    let ids: BTreeSet<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), users.len(), "a user appeared twice");
    let deleted = tenant["counts"]["users"].as_u64().unwrap() as usize - users.len();
    assert!(
        deleted <= 2,
        "only soft-deleted users are missing ({deleted})"
    );
}

#[actix_rt::test]
async fn every_directory_collection_pages_with_absolute_next_links() {
    let app = spawn(&[]).await;
    for path in [
        "users",
        "groups",
        "applications",
        "servicePrincipals",
        "roleManagement/directory/roleDefinitions",
        "roleManagement/directory/roleAssignments",
        "roleManagement/directory/roleEligibilitySchedules",
        "roleManagement/directory/roleAssignmentSchedules",
    ] {
        for version in ["v1.0", "beta"] {
            let (status, body) = app.get(&format!("/{version}/{path}?$top=2")).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert!(
                body["@odata.context"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("#{path}")),
                "{body}"
            );
            if let Some(next) = body["@odata.nextLink"].as_str() {
                assert!(next.starts_with(&app.url), "{next}");
            }
            let all = app.walk(&format!("/{version}/{path}")).await;
            let one = &all[0]["id"];
            let (status, entity) = app
                .get(&format!("/{version}/{path}/{}", one.as_str().unwrap()))
                .await;
            assert_eq!(status, 200, "{path}/{one}: {entity}");
            assert!(
                entity["@odata.context"]
                    .as_str()
                    .unwrap()
                    .ends_with("/$entity")
            );
        }
    }
}

#[actix_rt::test]
async fn both_kinds_of_managed_identity_and_pim_eligibility_exist() {
    let app = spawn(&[]).await;
    let sps = app.walk("/v1.0/servicePrincipals").await;
    let identities: Vec<_> = sps
        .iter()
        .filter(|s| s["servicePrincipalType"] == "ManagedIdentity")
        .collect();
    assert!(
        identities
            .iter()
            .any(|s| s["alternativeNames"][0] == "isExplicit=True"),
        "no user-assigned identity"
    );
    assert!(
        identities
            .iter()
            .any(|s| s["alternativeNames"][0] == "isExplicit=False"),
        "no system-assigned identity"
    );
    assert!(identities.iter().all(|s| {
        s["alternativeNames"][1]
            .as_str()
            .unwrap()
            .starts_with("/subscriptions/")
    }));
    let eligible = app
        .walk("/v1.0/roleManagement/directory/roleEligibilitySchedules")
        .await;
    assert!(!eligible.is_empty());
}

#[actix_rt::test]
async fn unknown_ids_and_segments_get_graphs_envelope() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .get("/v1.0/users/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    let (status, body) = app.get("/v1.0/users/not-a-guid").await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "BadRequest");
    let (status, body) = app.get("/v1.0/nothingHere").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nothingHere'."
    );
}

#[actix_rt::test]
async fn directory_filters_select_matching_objects() {
    let app = spawn(&[]).await;
    let guests = app
        .walk("/v1.0/users?$filter=userType%20eq%20'Guest'")
        .await;
    assert!(!guests.is_empty());
    assert!(guests.iter().all(|u| u["userType"] == "Guest"));
    let (status, body) = app.get("/v1.0/users?$filter=nonsense%20eq%201").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Invalid filter clause");
}

#[actix_rt::test]
async fn deleted_users_are_served_under_deleted_items_until_purged() {
    let app = spawn(&[]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let live = app.walk("/v1.0/users?$top=999").await;
    let live: BTreeSet<&str> = live.iter().map(|u| u["id"].as_str().unwrap()).collect();
    let expected = tenant["counts"]["users"].as_u64().unwrap() as usize - live.len();
    assert!(expected > 0, "the default tenant deletes users");
    let (status, page) = app
        .get_with(
            "/v1.0/directory/deletedItems/microsoft.graph.user?$top=1&$count=true",
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page["@odata.context"].as_str().unwrap().ends_with("#users"));
    assert_eq!(page["@odata.count"], expected);
    let deleted = app
        .walk("/v1.0/directory/deletedItems/microsoft.graph.user?$top=1")
        .await;
    assert_eq!(deleted.len(), expected);
    for user in &deleted {
        let at = user["deletedDateTime"].as_str().unwrap();
        assert!(at <= "2026-06-01T12:00:00Z", "deleted in the future: {at}");
        let id = user["id"].as_str().unwrap();
        assert!(!live.contains(id), "{id} is both live and deleted");
        let (status, body) = app.get(&format!("/v1.0/users/{id}")).await;
        assert_eq!(status, 404, "{body}");
        let (status, item) = app.get(&format!("/beta/directory/deletedItems/{id}")).await;
        assert_eq!(status, 200, "{item}");
        assert_eq!(item["@odata.type"], "#microsoft.graph.user");
        assert!(
            item["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("#directoryObjects/$entity")
        );
        assert_eq!(item["deletedDateTime"], at);
    }
    let (_, aliased) = app.get("/v1.0/directory/deletedItems/graph.user").await;
    assert_eq!(
        aliased["value"].as_array().unwrap().len(),
        expected,
        "the Kiota SDKs' alias"
    );
    app.advance("P31D").await;
    let (_, later) = app
        .get("/v1.0/directory/deletedItems/microsoft.graph.user")
        .await;
    assert_eq!(
        later["value"],
        serde_json::json!([]),
        "purged after 30 days"
    );
}

#[actix_rt::test]
async fn deleted_items_need_a_cast_and_other_casts_are_empty() {
    let app = spawn(&[]).await;
    let (status, body) = app.get("/v1.0/directory/deletedItems").await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "Request_UnsupportedQuery");
    for (cast, set) in [
        ("microsoft.graph.group", "groups"),
        ("microsoft.graph.application", "applications"),
        ("microsoft.graph.servicePrincipal", "servicePrincipals"),
    ] {
        let (status, body) = app
            .get(&format!("/v1.0/directory/deletedItems/{cast}"))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with(&format!("#{set}"))
        );
        assert_eq!(body["value"], serde_json::json!([]));
    }
    for path in [
        "/beta/directory/deletedItems/microsoft.graph.application?$select=bogus",
        "/v1.0/directory/deletedItems/microsoft.graph.user?$select=bogus",
        "/v1.0/users?$filter=displayName%20eq%20'nobody'&$select=bogus",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "an empty page judges $select too: {path}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("'bogus'")
        );
    }
    let (status, body) = app
        .get("/v1.0/directory/deletedItems/microsoft.graph.group?$select=deletedDateTime,displayName")
        .await;
    assert_eq!(status, 200, "{body}");
    let unknown = "00000000-0000-0000-0000-000000000001";
    let (status, body) = app
        .get(&format!("/v1.0/directory/deletedItems/{unknown}"))
        .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
    let (status, body) = app.get("/v1.0/directory/roles").await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'roles'")
    );
}

//! Directory lookups by key and navigation properties, as az, m365 and prowler send them.

use crate::helpers::{assert_graph_error, spawn, tenant_document};
use serde_json::Value;

fn ids(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .expect("a collection")
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_rt::test]
async fn a_user_is_found_by_its_user_principal_name_guests_included() {
    let app = spawn(&[]).await;
    let users = app.walk("/v1.0/users").await;
    let guest = users
        .iter()
        .find(|u| u["userType"] == "Guest")
        .expect("the small preset has guests");
    let member = users.iter().find(|u| u["userType"] == "Member").unwrap();
    for user in [guest, member] {
        let upn = user["userPrincipalName"].as_str().unwrap();
        // az ad user show --id <upn> sends GET /v1.0/users/{upn}, URL-encoded.
        let encoded = upn.replace('#', "%23");
        let (status, body) = app.get(&format!("/v1.0/users/{encoded}")).await;
        assert_eq!(status, 200, "{upn}: {body}");
        assert_eq!(body["id"], user["id"]);
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("#users/$entity")
        );
        let (status, upper) = app
            .get(&format!("/v1.0/users/{}", encoded.to_uppercase()))
            .await;
        assert_eq!(status, 200, "UPNs compare case-insensitively: {upper}");
    }
    assert!(
        guest["userPrincipalName"]
            .as_str()
            .unwrap()
            .contains("#EXT#")
    );
}

#[actix_rt::test]
async fn an_unknown_user_principal_name_answers_graphs_404() {
    let app = spawn(&[]).await;
    let (status, body) = app.get("/v1.0/users/nobody@example.com").await;
    assert_eq!(status, 404, "{body}");
    assert_graph_error(&body, "Request_ResourceNotFound");
    assert_eq!(
        body["error"]["message"],
        "Resource 'nobody@example.com' does not exist or one of its queried reference-property objects are not present."
    );
}

#[actix_rt::test]
async fn service_principals_and_applications_are_found_by_app_id() {
    let app = spawn(&[]).await;
    let sps = app.walk("/v1.0/servicePrincipals").await;
    let sp = &sps[0];
    let app_id = sp["appId"].as_str().unwrap();
    let (status, body) = app
        .get(&format!("/v1.0/servicePrincipals(appId='{app_id}')"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], sp["id"]);
    // az ad sp show --id <appId> filters on servicePrincipalNames.
    let (status, body) = app
        .get(&format!(
            "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'{app_id}')"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), vec![sp["id"].as_str().unwrap().to_string()]);
    let apps = app.walk("/v1.0/applications").await;
    let registered = &apps[0];
    let (status, body) = app
        .get(&format!(
            "/beta/applications(appId='{}')",
            registered["appId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], registered["id"]);
    let (status, body) = app
        .get("/v1.0/servicePrincipals(appId='00000000-0000-0000-0000-0000000000ff')")
        .await;
    assert_eq!(status, 404, "{body}");
    assert_graph_error(&body, "Request_ResourceNotFound");
}

#[actix_rt::test]
async fn directory_objects_are_found_by_id_with_their_type() {
    let app = spawn(&[]).await;
    let groups = app.walk("/v1.0/groups").await;
    let id = groups[0]["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/v1.0/directoryObjects/{id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["@odata.type"], "#microsoft.graph.group");
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#directoryObjects/$entity")
    );
    let (status, _) = app
        .get("/v1.0/directoryObjects/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404);
}

#[actix_rt::test]
async fn group_members_and_owners_agree_with_the_tenant_and_casts_narrow_them() {
    let app = spawn(&[]).await;
    let doc = tenant_document(&[]);
    let groups = doc["groups"].as_array().unwrap();
    let group = groups
        .iter()
        .find(|g| !g["members"].as_array().unwrap().is_empty())
        .expect("a group with members");
    let gid = group["id"].as_str().unwrap();
    // az ad group member list --group <id>: GET /groups/{id}/members.
    let members = app.walk(&format!("/v1.0/groups/{gid}/members")).await;
    let listed: Vec<&str> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let got: Vec<&str> = members.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(got, listed);
    assert!(members.iter().all(|m| m["@odata.type"].is_string()));
    let (status, users) = app
        .get(&format!(
            "/v1.0/groups/{gid}/members/microsoft.graph.user?$select=displayName"
        ))
        .await;
    assert_eq!(status, 200, "{users}");
    assert!(
        users["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#users")
    );
    let owners = app.walk(&format!("/v1.0/groups/{gid}/owners")).await;
    let want: Vec<&str> = group["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    let got: Vec<&str> = owners.iter().map(|o| o["id"].as_str().unwrap()).collect();
    // Owners that are deleted users drop out of the listing.
    assert!(got.iter().all(|o| want.contains(o)), "{got:?} {want:?}");
    let transitive = app
        .walk(&format!("/v1.0/groups/{gid}/transitiveMembers"))
        .await;
    assert!(transitive.len() >= members.len());
}

#[actix_rt::test]
async fn a_users_member_of_is_the_inverse_of_group_members() {
    let app = spawn(&[]).await;
    let doc = tenant_document(&[]);
    let groups = doc["groups"].as_array().unwrap();
    let group = groups
        .iter()
        .find(|g| {
            g["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["@odata.type"] == "#microsoft.graph.user")
        })
        .unwrap();
    let members = app
        .walk(&format!(
            "/v1.0/groups/{}/members/microsoft.graph.user",
            group["id"].as_str().unwrap()
        ))
        .await;
    let user = members[0]["id"].as_str().unwrap();
    let of = app.walk(&format!("/v1.0/users/{user}/memberOf")).await;
    assert!(of.iter().any(|g| g["id"] == group["id"]));
    let transitive = app
        .walk(&format!("/v1.0/users/{user}/transitiveMemberOf"))
        .await;
    assert!(transitive.len() >= of.len());
}

#[actix_rt::test]
async fn manager_and_direct_reports_point_at_each_other() {
    let app = spawn(&[]).await;
    let doc = tenant_document(&[]);
    let users = doc["users"].as_array().unwrap();
    let user = users
        .iter()
        .find(|u| u["manager"].is_object())
        .expect("someone has a manager");
    let uid = user["id"].as_str().unwrap();
    let (status, manager) = app.get(&format!("/v1.0/users/{uid}/manager")).await;
    assert_eq!(status, 200, "{manager}");
    assert_eq!(manager["id"], user["manager"]["id"]);
    assert_eq!(manager["@odata.type"], "#microsoft.graph.user");
    let reports = app
        .walk(&format!(
            "/v1.0/users/{}/directReports",
            manager["id"].as_str().unwrap()
        ))
        .await;
    assert!(reports.iter().any(|r| r["id"] == user["id"]));
}

#[actix_rt::test]
async fn bad_navigation_segments_and_casts_answer_graphs_400() {
    let app = spawn(&[]).await;
    let groups = app.walk("/v1.0/groups").await;
    let gid = groups[0]["id"].as_str().unwrap();
    for (path, segment) in [
        (format!("/v1.0/groups/{gid}/nonsense"), "nonsense"),
        (
            format!("/v1.0/groups/{gid}/members/microsoft.graph.banana"),
            "microsoft.graph.banana",
        ),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(
            body["error"]["message"],
            format!("Resource not found for the segment '{segment}'.")
        );
    }
    let (status, body) = app
        .get("/v1.0/groups/00000000-0000-0000-0000-000000000000/members")
        .await;
    assert_eq!(status, 404, "{body}");
    assert_graph_error(&body, "Request_ResourceNotFound");
}

#[actix_rt::test]
async fn a_navigation_select_naming_no_property_answers_graphs_400() {
    let app = spawn(&[]).await;
    let groups = app.walk("/v1.0/groups").await;
    let gid = groups[0]["id"].as_str().unwrap();
    // Found by schemathesis: navigation listings accepted any `$select` name.
    for (path, name) in [
        (format!("/v1.0/groups/{gid}/members?$select=bogus"), "bogus"),
        (
            format!("/v1.0/groups/{gid}/members/microsoft.graph.group?$select=userPrincipalName"),
            "userPrincipalName",
        ),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(
            body["error"]["message"],
            format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.directoryObject'."
            )
        );
    }
    let (status, body) = app
        .get(&format!(
            "/v1.0/groups/{gid}/members?$select=displayName,securityEnabled"
        ))
        .await;
    assert_eq!(
        status, 200,
        "properties of any member type are taken: {body}"
    );
}

#[actix_rt::test]
async fn member_group_actions_agree_with_transitive_member_of() {
    let app = spawn(&[]).await;
    let doc = tenant_document(&[]);
    let groups = doc["groups"].as_array().unwrap();
    let group = groups
        .iter()
        .find(|g| {
            g["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["@odata.type"] == "#microsoft.graph.user")
        })
        .unwrap();
    let members = app
        .walk(&format!(
            "/v1.0/groups/{}/members/microsoft.graph.user",
            group["id"].as_str().unwrap()
        ))
        .await;
    let user = members[0]["id"].as_str().unwrap();
    let transitive: Vec<String> = app
        .walk(&format!("/v1.0/users/{user}/transitiveMemberOf"))
        .await
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    let (status, body) = app
        .post(
            &format!("/v1.0/users/{user}/getMemberGroups"),
            serde_json::json!({"securityEnabledOnly": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#Collection(Edm.String)")
    );
    let got: Vec<String> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, transitive);
    let absent = "00000000-0000-0000-0000-000000000001";
    let (status, body) = app
        .post(
            &format!("/v1.0/users/{user}/checkMemberGroups"),
            serde_json::json!({"groupIds": [group["id"], absent]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"], serde_json::json!([group["id"]]));
}

#[actix_rt::test]
async fn get_by_ids_returns_typed_objects_narrowed_by_type() {
    let app = spawn(&[]).await;
    let users = app.walk("/v1.0/users?$top=2").await;
    let groups = app.walk("/v1.0/groups").await;
    let ids = serde_json::json!([users[0]["id"], groups[0]["id"]]);
    let (status, body) = app
        .post(
            "/v1.0/directoryObjects/getByIds",
            serde_json::json!({"ids": ids}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let types: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["#microsoft.graph.user", "#microsoft.graph.group"]);
    let (_, body) = app
        .post(
            "/v1.0/directoryObjects/getByIds",
            serde_json::json!({"ids": ids, "types": ["group"]}),
        )
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
}

#[actix_rt::test]
async fn an_action_without_its_parameters_answers_400() {
    let app = spawn(&[]).await;
    let users = app.walk("/v1.0/users?$top=1").await;
    let user = users[0]["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/v1.0/users/{user}/getMemberGroups"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_graph_error(&body, "BadRequest");
}

#[actix_rt::test]
async fn organization_and_domains_answer_prowlers_setup_calls() {
    let app = spawn(&[]).await;
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let (status, body) = app.get("/v1.0/organization").await;
    assert_eq!(status, 200, "{body}");
    let org = &body["value"][0];
    assert_eq!(org["id"], tenant["tenantId"], "{tenant}");
    assert!(!org["assignedPlans"].as_array().unwrap().is_empty());
    let (status, domains) = app.get("/v1.0/domains").await;
    assert_eq!(status, 200, "{domains}");
    let domains = domains["value"].as_array().unwrap();
    assert_eq!(domains.iter().filter(|d| d["isDefault"] == true).count(), 1);
    assert!(domains.iter().all(|d| d["isVerified"] == true));
    let verified = org["verifiedDomains"].as_array().unwrap();
    assert_eq!(verified.len(), domains.len());
}

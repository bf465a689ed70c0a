//! Issue 14's remaining directory reads: users' `signInActivity`, PIM's schedule
//! instances and requests, permission grants as navigation, `$expand`, and
//! Graph's advanced queries (`ConsistencyLevel: eventual`).

use crate::helpers::{TestApp, assert_graph_error, spawn};
use crate::identity::{bearer, client, token};
use serde_json::Value;
use std::collections::BTreeSet;

const EVENTUAL: (&str, &str) = ("ConsistencyLevel", "eventual");

/// The newest beta sign-in matching `filter` for the user, or nulls.
async fn newest(app: &TestApp, user: &str, filter: &str) -> (Value, Value) {
    let path = format!("/beta/auditLogs/signIns?$top=1&$filter=userId eq '{user}' and ({filter})");
    let (status, page) = app.get(&path).await;
    assert_eq!(status, 200, "{page}");
    match page["value"].get(0) {
        Some(r) => (r["createdDateTime"].clone(), r["id"].clone()),
        None => (Value::Null, Value::Null),
    }
}

#[actix_rt::test]
async fn sign_in_activity_is_the_newest_matching_sign_in_of_each_kind() {
    let app = spawn(&[]).await;
    let (status, page) = app
        .get("/v1.0/users?$select=id,signInActivity&$top=6")
        .await;
    assert_eq!(status, 200, "{page}");
    let interactive = "signInEventTypes/any(t: t eq 'interactiveUser')";
    let non_interactive = "signInEventTypes/any(t: t eq 'nonInteractiveUser')";
    let successful = "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser') and status/errorCode eq 0";
    for user in page["value"].as_array().unwrap() {
        let id = user["id"].as_str().unwrap();
        let a = &user["signInActivity"];
        for (filter, time, request) in [
            (interactive, "lastSignInDateTime", "lastSignInRequestId"),
            (
                non_interactive,
                "lastNonInteractiveSignInDateTime",
                "lastNonInteractiveSignInRequestId",
            ),
            (
                successful,
                "lastSuccessfulSignInDateTime",
                "lastSuccessfulSignInRequestId",
            ),
        ] {
            let (at, rid) = newest(&app, id, filter).await;
            assert_eq!((&a[time], &a[request]), (&at, &rid), "{id} {time}");
        }
    }
}

#[actix_rt::test]
async fn sign_in_activity_is_returned_only_on_select_and_moves_with_the_clock() {
    let app = spawn(&[]).await;
    let (_, plain) = app.get("/v1.0/users?$top=3").await;
    assert!(plain["value"][0].get("signInActivity").is_none());
    let path = "/v1.0/users?$select=signInActivity&$top=999";
    let (_, before) = app.get(path).await;
    let live = app.walk("/v1.0/users?$top=999").await.len();
    // Pages asking for signInActivity hold at most 120 users.
    assert_eq!(before["value"].as_array().unwrap().len(), live.min(120));
    app.advance("PT6H").await;
    let (_, after) = app.get(path).await;
    let latest = |page: &Value| -> BTreeSet<String> {
        page["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u["signInActivity"]["lastSuccessfulSignInDateTime"].as_str())
            .map(str::to_string)
            .collect()
    };
    assert_ne!(
        latest(&before),
        latest(&after),
        "nobody signed in for 6 hours"
    );
    assert!(latest(&after).iter().max() > latest(&before).iter().max());
}

#[actix_rt::test]
async fn a_sign_in_activity_filter_keeps_exactly_the_users_it_names() {
    let app = spawn(&[]).await;
    let (_, all) = app.get("/v1.0/users?$select=signInActivity&$top=120").await;
    let cut = "2026-06-01T09:00:00Z";
    let want: BTreeSet<&str> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            u["signInActivity"]["lastSignInDateTime"]
                .as_str()
                .is_some_and(|t| t <= cut)
        })
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(!want.is_empty());
    let filtered = app
        .walk(&format!(
            "/v1.0/users?$filter=signInActivity/lastSignInDateTime le {cut}&$top=5"
        ))
        .await;
    let got: BTreeSet<&str> = filtered.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(got, want);
    assert!(
        filtered[0].get("signInActivity").is_none(),
        "filter alone does not return it"
    );
    let (status, body) = app
        .get(&format!(
            "/v1.0/users?$filter=signInActivity/lastSignInDateTime le {cut} and accountEnabled eq true"
        ))
        .await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "Request_UnsupportedQuery");
}

#[actix_rt::test]
async fn sign_in_activity_needs_audit_log_read_all_and_a_premium_licence() {
    let app = spawn(&["--auth", "strict"]).await;
    let (tenant, id, secret, _) = client(&app, 1).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (_, t) = token(&app, &tenant, &form).await;
    let auth = bearer(t["access_token"].as_str().unwrap());
    let headers = [("authorization", auth.as_str())];
    let (status, _) = app.get_with("/v1.0/users?$top=1", &headers).await;
    assert_eq!(status, 200, "Directory.Read.All reads users");
    let (status, body) = app
        .get_with("/v1.0/users?$select=signInActivity", &headers)
        .await;
    assert_eq!(status, 403);
    assert_graph_error(&body, "Authentication_MSGraphPermissionMissing");
    let free = spawn(&["--license", "free"]).await;
    let (status, body) = free.get("/v1.0/users?$select=signInActivity").await;
    assert_eq!(status, 403);
    assert_graph_error(
        &body,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    );
}

#[actix_rt::test]
async fn advanced_queries_need_the_consistency_header_as_graph_says() {
    let app = spawn(&[]).await;
    let (status, body) = app.get("/v1.0/users/$count").await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some("$count is not currently supported."))
    );
    let response = app
        .client
        .get(format!("{}/v1.0/users/$count", app.url))
        .header(EVENTUAL.0, EVENTUAL.1)
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let counted: usize = response.text().await.unwrap().parse().unwrap();
    assert_eq!(counted, app.walk("/v1.0/users?$top=999").await.len());
    let (_, ignored) = app.get("/v1.0/users?$count=true&$top=1").await;
    assert!(
        ignored.get("@odata.count").is_none(),
        "ignored without the header"
    );
    let (_, with) = app
        .get_with("/v1.0/users?$count=true&$top=1", &[EVENTUAL])
        .await;
    assert_eq!(with["@odata.count"], counted);
    let (status, body) = app.get("/v1.0/users?$search=\"displayName:a\"").await;
    assert_eq!(status, 400);
    assert_graph_error(&body, "Request_UnsupportedQuery");
    let users = app.walk("/v1.0/users?$top=999").await;
    let expected = |keep: &dyn Fn(&Value) -> bool| users.iter().filter(|u| keep(u)).count();
    let enabled = expected(&|u| u["accountEnabled"] == true);
    let dotcom = expected(&|u| u["mail"].as_str().is_some_and(|m| m.ends_with(".com")));
    for (filter, want) in [
        ("endswith(mail,'.com')", dotcom),
        ("accountEnabled ne false", enabled),
        ("not(accountEnabled eq false)", enabled),
    ] {
        let path = format!("/v1.0/users?$filter={filter}");
        let (status, body) = app.get_with(&path, &[EVENTUAL]).await;
        assert_eq!(status, 400, "{filter} without $count: {body}");
        assert_graph_error(&body, "Request_UnsupportedQuery");
        let (status, page) = app
            .get_with(&format!("{path}&$count=true&$top=999"), &[EVENTUAL])
            .await;
        assert_eq!(status, 200, "{filter}: {page}");
        assert_eq!(page["@odata.count"], want, "{filter}");
        assert_eq!(page["value"].as_array().unwrap().len(), want, "{filter}");
    }
}

#[actix_rt::test]
async fn search_matches_word_prefixes_of_the_named_property() {
    let app = spawn(&[]).await;
    let users = app.walk("/v1.0/users?$top=999").await;
    let name = users[3]["displayName"].as_str().unwrap();
    let word = name.split(' ').nth(1).unwrap_or(name);
    let prefix = &word[..3];
    let path = format!("/v1.0/users?$search=\"displayName:{prefix}\"&$count=true&$top=999");
    let (status, page) = app.get_with(&path, &[EVENTUAL]).await;
    assert_eq!(status, 200, "{page}");
    let found = page["value"].as_array().unwrap();
    assert!(found.iter().any(|u| u["id"] == users[3]["id"]));
    for u in found {
        let n = u["displayName"].as_str().unwrap().to_lowercase();
        assert!(
            n.split(' ').any(|w| w.starts_with(&prefix.to_lowercase())),
            "{n}"
        );
    }
}

#[actix_rt::test]
async fn schedule_instances_agree_with_the_tenants_schedules_and_requests_with_the_audit_chain() {
    let app = spawn(&["--preset", "default"]).await;
    let doc: Value = serde_json::from_slice(
        &std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
            .args(["tenant", "--json", "--clock", "fixed:2026-06-01T12:00:00Z"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let key = |o: &Value| format!("{}|{}", o["principalId"], o["roleDefinitionId"]);
    let eligible: BTreeSet<String> = doc["roleEligibilitySchedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let instances = app
        .walk("/v1.0/roleManagement/directory/roleEligibilityScheduleInstances")
        .await;
    assert!(!instances.is_empty());
    assert!(instances.iter().all(|i| eligible.contains(&key(i))));
    let assigned: BTreeSet<String> = doc["roleAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let active = app
        .walk("/v1.0/roleManagement/directory/roleAssignmentScheduleInstances")
        .await;
    let permanent: BTreeSet<String> = active
        .iter()
        .filter(|i| i["assignmentType"] == "Assigned")
        .map(key)
        .collect();
    assert_eq!(permanent, assigned);
    for activated in active.iter().filter(|i| i["assignmentType"] == "Activated") {
        assert!(
            eligible.contains(&key(activated)),
            "activated without eligibility"
        );
    }
    let requests = app
        .walk("/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$filter=action eq 'selfActivate'")
        .await;
    assert!(!requests.is_empty());
    let audits = app
        .walk("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add member to role requested (PIM activation)'")
        .await;
    let audited: BTreeSet<String> = audits
        .iter()
        .filter_map(|a| {
            a["additionalDetails"]
                .as_array()?
                .iter()
                .find(|d| d["key"] == "RequestId")
                .and_then(|d| d["value"].as_str().map(str::to_string))
        })
        .collect();
    for r in &requests {
        let id = r["id"].as_str().unwrap();
        let requested = r["createdDateTime"].as_str().unwrap();
        // A request whose audit record is still in ingestion is not yet in the log.
        if requested < "2026-06-01T11:00:00Z" {
            assert!(audited.contains(id), "request {id} has no audit record");
        }
    }
}

#[actix_rt::test]
async fn expand_follows_graphs_navigation_and_refuses_what_the_type_lacks() {
    let app = spawn(&[]).await;
    let (_, page) = app.get("/v1.0/users?$expand=manager&$top=40").await;
    let user = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["manager"].is_object())
        .unwrap();
    let (_, manager) = app
        .get(&format!(
            "/v1.0/users/{}/manager",
            user["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(user["manager"]["id"], manager["id"]);
    assert_eq!(user["manager"]["displayName"], manager["displayName"]);
    let (_, roles) = app
        .get("/v1.0/roleManagement/directory/roleAssignments?$expand=principal,roleDefinition")
        .await;
    for r in roles["value"].as_array().unwrap() {
        assert_eq!(r["principal"]["id"], r["principalId"]);
        assert_eq!(r["roleDefinition"]["id"], r["roleDefinitionId"]);
    }
    let (_, groups) = app
        .get("/v1.0/groups?$expand=members($select=id)&$top=50")
        .await;
    for g in groups["value"].as_array().unwrap() {
        assert!(g["members"].as_array().unwrap().len() <= 20);
    }
    for bad in [
        "/v1.0/users?$expand=owners",
        "/v1.0/groups?$expand=manager",
        "/v1.0/roleManagement/directory/roleDefinitions?$expand=principal",
    ] {
        let (status, body) = app.get(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Could not find a property named")
        );
    }
}

#[actix_rt::test]
async fn permission_grants_as_navigation_agree_with_the_tenant() {
    let app = spawn(&[]).await;
    let (_, sps) = app
        .get("/v1.0/servicePrincipals?$filter=displayName eq 'Microsoft Graph'")
        .await;
    let graph = sps["value"][0]["id"].as_str().unwrap().to_string();
    let assigned = app
        .walk(&format!(
            "/v1.0/servicePrincipals/{graph}/appRoleAssignedTo"
        ))
        .await;
    assert!(!assigned.is_empty());
    for a in &assigned {
        assert_eq!(a["resourceId"], graph.as_str());
        let held = app
            .walk(&format!(
                "/v1.0/servicePrincipals/{}/appRoleAssignments",
                a["principalId"].as_str().unwrap()
            ))
            .await;
        assert!(held.iter().any(|h| h["id"] == a["id"]));
    }
    let (status, page) = app
        .get(&format!(
            "/v1.0/servicePrincipals/{graph}/appRoleAssignedTo/microsoft.graph.user"
        ))
        .await;
    assert_eq!(status, 400, "{page}");
    let (_, users) = app.get("/v1.0/users?$top=1").await;
    let (status, none) = app
        .get(&format!(
            "/v1.0/users/{}/appRoleAssignments",
            users["value"][0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (status, none["value"].as_array().map(Vec::len)),
        (200, Some(0))
    );
}

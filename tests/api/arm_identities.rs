//! A user-assigned identity's deletion, as every surface shows it: its role
//! assignments deleted and then the identity in the Activity Log, its service principal
//! removed from the directory by Entra with an audit, its sign-ins ending, ARM's 404.

use crate::helpers::{TestApp, spawn};
use serde_json::Value;

/// The default preset deletes every third user-assigned identity inside the window.
async fn deleted_identity(app: &TestApp) -> Value {
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    let identities = tenant["managedIdentity"]["identities"].as_array().unwrap();
    identities
        .iter()
        .find(|m| m["deletedDateTime"].is_string())
        .expect("a deleted identity")
        .clone()
}

fn time(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap()
}

async fn log(app: &TestApp, sub: &str, filter: &str) -> Vec<Value> {
    let filter = form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>();
    let path = format!(
        "/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={filter}"
    );
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["nextLink"].is_null());
    body["value"].as_array().unwrap().clone()
}

#[actix_rt::test]
async fn a_deleted_identity_leaves_arm_the_directory_and_the_sign_in_log_together() {
    let app = spawn(&["--auth", "off", "--preset", "default"]).await;
    let mi = deleted_identity(&app).await;
    let (id, principal) = (
        mi["resourceId"].as_str().unwrap(),
        mi["principalId"].as_str().unwrap(),
    );
    let deleted = time(&mi["deletedDateTime"]);
    let sub = id.split('/').nth(2).unwrap();

    // Activity Log: its assignments' deletes, then the identity's Started + Succeeded delete.
    let from = (deleted - chrono::Duration::minutes(5)).to_rfc3339();
    let events = log(&app, sub, &format!("eventTimestamp ge '{from}'")).await;
    let delete: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["resourceId"] == id
                && e["operationName"]["value"]
                    .as_str()
                    .unwrap()
                    .ends_with("/delete")
        })
        .collect();
    assert_eq!(delete.len(), 2, "{delete:?}");
    assert_eq!(delete[0]["correlationId"], delete[1]["correlationId"]);
    for e in &delete {
        assert_eq!(
            e["operationName"]["localizedValue"],
            "Delete User Assigned Identity"
        );
        assert!(time(&e["eventTimestamp"]) <= deleted);
    }
    let unassigned: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["operationName"]["value"] == "Microsoft.Authorization/roleAssignments/delete"
                && e["status"]["value"] == "Succeeded"
                && e["properties"]["responseBody"]
                    .as_str()
                    .unwrap()
                    .contains(principal)
        })
        .collect();
    assert!(
        !unassigned.is_empty(),
        "its role assignments are removed first"
    );
    let identity_started = delete
        .iter()
        .map(|e| time(&e["eventTimestamp"]))
        .min()
        .unwrap();
    assert!(
        unassigned
            .iter()
            .all(|e| time(&e["eventTimestamp"]) < identity_started)
    );

    // ARM: gone from the listing and a 404 by id; no role assignment names it.
    let (status, body) = app.get(&format!("{id}?api-version=2023-01-31")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "ResourceNotFound");
    let (_, listed) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"))
        .await;
    assert!(!listed.to_string().contains(principal));
    let filter =
        form_urlencoded::byte_serialize(format!("principalId eq '{principal}'").as_bytes())
            .collect::<String>();
    let (_, assigned) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={filter}"))
        .await;
    assert_eq!(assigned["value"], serde_json::json!([]), "{assigned}");

    // The directory: its service principal is gone, Entra's audit says when and who.
    let (status, _) = app
        .get(&format!("/v1.0/servicePrincipals/{principal}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&format!("/v1.0/directoryObjects/{principal}"))
        .await;
    assert_eq!(status, 404);
    let filter = format!(
        "activityDisplayName eq 'Remove service principal' and targetResources/any(t: t/id eq '{principal}')"
    );
    let path = format!(
        "/v1.0/auditLogs/directoryAudits?$filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    );
    let audits = app.walk(&path).await;
    assert_eq!(audits.len(), 1, "{audits:?}");
    assert_eq!(time(&audits[0]["activityDateTime"]), deleted);
    assert_eq!(audits[0]["category"], "ApplicationManagement");
    assert!(audits[0]["initiatedBy"]["app"].is_object());

    // Its sign-ins stop at its deletion (and it signed in before).
    let filter = format!(
        "servicePrincipalId eq '{principal}' and signInEventTypes/any(t: t eq 'managedIdentity')"
    );
    let path = format!(
        "/beta/auditLogs/signIns?$filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    );
    let sign_ins = app.walk(&path).await;
    assert!(!sign_ins.is_empty());
    assert!(
        sign_ins
            .iter()
            .all(|s| time(&s["createdDateTime"]) < deleted)
    );
}

/// The day's role assignments made and removed inside it: (id, scope, written, removed).
async fn transients_of_the_day(app: &TestApp, sub: &str) -> Vec<(String, String, String, String)> {
    let events = log(app, sub, "eventTimestamp ge '2026-06-01T00:00:00Z'").await;
    let ended = |op: &str| -> Vec<(String, String, String)> {
        events
            .iter()
            .filter(|e| e["operationName"]["value"] == op && e["status"]["value"] == "Succeeded")
            .map(|e| {
                (
                    e["resourceId"].as_str().unwrap().to_string(),
                    e["authorization"]["scope"].as_str().unwrap().to_string(),
                    e["eventTimestamp"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let removed = ended("Microsoft.Authorization/roleAssignments/delete");
    ended("Microsoft.Authorization/roleAssignments/write")
        .into_iter()
        .filter_map(|(id, scope, at)| {
            let gone = removed.iter().find(|r| r.0 == id)?;
            Some((id, scope, at, gone.2.clone()))
        })
        .collect()
}

async fn listed_at(sub: &str, at: &str, id: &str) -> bool {
    let clock = format!("fixed:{at}");
    let app = spawn(&["--auth", "off", "--clock", &clock]).await;
    let (status, body) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"))
        .await;
    assert_eq!(status, 200, "{body}");
    let mut found = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["id"] == id);
    let (_, by_name) = app.get(&format!("{id}?api-version=2022-04-01")).await;
    let listed = found.next().is_some();
    assert_eq!(listed, by_name["id"] == id, "list and get agree");
    listed
}

#[actix_rt::test]
async fn a_transient_role_assignment_is_listed_exactly_while_it_exists() {
    let app = spawn(&["--auth", "off", "--clock", "fixed:2026-06-01T23:59:00Z"]).await;
    let (_, subs) = app.get("/subscriptions?api-version=2022-12-01").await;
    let sub = subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let day = transients_of_the_day(&app, &sub).await;
    let (id, _, written, removed) = day
        .first()
        .expect("a role assignment made and removed on the day");
    let plus =
        |t: &str, s: i64| (time(&Value::from(t)) + chrono::Duration::seconds(s)).to_rfc3339();
    assert!(!listed_at(&sub, &plus(written, -1), id).await);
    assert!(listed_at(&sub, &plus(written, 1), id).await);
    assert!(listed_at(&sub, &plus(removed, -1), id).await);
    assert!(!listed_at(&sub, &plus(removed, 1), id).await);
}

/// Event ids of the Activity Log between two instants, all pages.
async fn ids_between(app: &TestApp, sub: &str, from: &str, to: &str) -> Vec<String> {
    let filter = format!("eventTimestamp ge '{from}' and eventTimestamp le '{to}'");
    let filter = form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>();
    let mut next = Some(format!(
        "/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={filter}"
    ));
    let mut ids = Vec::new();
    while let Some(link) = next {
        let link = link.strip_prefix(&app.url).unwrap_or(&link).to_string();
        let (status, body) = app.get(&link).await;
        assert_eq!(status, 200, "{body}");
        for e in body["value"].as_array().unwrap() {
            ids.push(e["eventDataId"].as_str().unwrap().to_string());
        }
        next = body["nextLink"].as_str().map(str::to_string);
    }
    ids
}

#[actix_rt::test]
async fn the_activity_log_keeps_ninety_days_whether_the_clock_jumps_or_steps() {
    let jumped = spawn(&["--auth", "off"]).await;
    let stepped = spawn(&["--auth", "off"]).await;
    let (_, subs) = jumped.get("/subscriptions?api-version=2022-12-01").await;
    let sub = subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = jumped
        .post("/_entrasim/clock", serde_json::json!({"advance": "P80D"}))
        .await;
    assert_eq!(status, 200);
    for _ in 0..8 {
        let (status, _) = stepped
            .post("/_entrasim/clock", serde_json::json!({"advance": "P10D"}))
            .await;
        assert_eq!(status, 200);
    }
    // Now 2026-08-20T12:00Z: the first window's last 10 days are 80-90 days old,
    // past the Entra logs' 30 days and inside the Activity Log's 90.
    let (from, to) = ("2026-05-22T12:00:01Z", "2026-06-21T12:00:00Z");
    let old = ids_between(&jumped, &sub, from, to).await;
    assert!(old.len() > 20, "{}", old.len());
    assert_eq!(old, ids_between(&stepped, &sub, from, to).await);
    // One second older than 90 days is refused (azure-cli#4885).
    let filter = form_urlencoded::byte_serialize(b"eventTimestamp ge '2026-05-22T11:59:59Z'")
        .collect::<String>();
    let (status, body) = jumped
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={filter}"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "BadRequest");
    // Ten more days: the oldest of those events are beyond 90 days and gone.
    jumped
        .post("/_entrasim/clock", serde_json::json!({"advance": "P10D"}))
        .await;
    let later = ids_between(&jumped, &sub, "2026-06-01T12:00:01Z", to).await;
    assert!(later.len() < old.len() && !later.is_empty());
    assert!(later.iter().all(|id| old.contains(id)));
}

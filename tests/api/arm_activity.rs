//! The Azure Activity Log: filter grammar, ARM's errors, paging while events arrive, and
//! events that agree with the tenant (callers, principals, roles, scopes, sign-ins).

use crate::arm::{ARM, token_for};
use crate::helpers::{TestApp, spawn};
use crate::identity::bearer;
use serde_json::Value;
use std::collections::BTreeSet;

const START: &str = "2026-05-03T00:00:00Z";

async fn first_subscription(app: &TestApp) -> String {
    let (status, subs) = app.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(status, 200, "{subs}");
    subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn log_path(sub: &str, filter: &str) -> String {
    let filter = form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>();
    format!(
        "/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={filter}"
    )
}

/// Every event of the filter, following nextLinks (absolute URLs).
async fn events(app: &TestApp, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(path.to_string());
    while let Some(link) = next {
        let link = link.strip_prefix(&app.url).unwrap_or(&link).to_string();
        let (status, body) = app.get(&link).await;
        assert_eq!(status, 200, "{link}: {body}");
        out.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["nextLink"].as_str().map(str::to_string);
    }
    out
}

fn all_since(sub: &str, start: &str) -> String {
    log_path(sub, &format!("eventTimestamp ge '{start}'"))
}

#[actix_rt::test]
async fn each_operation_is_a_started_event_and_an_end_event_sharing_ids() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let events = events(&app, &all_since(&sub, START)).await;
    assert!(events.len() > 10, "{}", events.len());
    let mut by_correlation = std::collections::BTreeMap::<String, Vec<&Value>>::new();
    let mut ids = BTreeSet::new();
    for e in &events {
        assert!(
            ids.insert(e["eventDataId"].as_str().unwrap()),
            "eventDataId repeats"
        );
        assert_eq!(e["correlationId"], e["operationId"]);
        assert!(
            e["eventTimestamp"].as_str().unwrap() <= e["submissionTimestamp"].as_str().unwrap()
        );
        let at =
            chrono::DateTime::parse_from_rfc3339(e["eventTimestamp"].as_str().unwrap()).unwrap();
        let ticks = at.timestamp() * 10_000_000
            + at.timestamp_subsec_nanos() as i64 / 100
            + 621_355_968_000_000_000;
        let id = e["id"].as_str().unwrap();
        assert!(
            id.ends_with(&format!(
                "/events/{}/ticks/{ticks}",
                e["eventDataId"].as_str().unwrap()
            )),
            "{id}"
        );
        assert!(id.starts_with(e["resourceId"].as_str().unwrap()));
        assert_eq!(e["subscriptionId"], sub.as_str());
        by_correlation
            .entry(e["correlationId"].as_str().unwrap().into())
            .or_default()
            .push(e);
    }
    for (corr, ops) in by_correlation {
        let statuses: BTreeSet<&str> = ops
            .iter()
            .map(|e| e["status"]["value"].as_str().unwrap())
            .collect();
        assert_eq!(ops.len(), 2, "{corr}");
        assert!(statuses.contains("Started"), "{corr}: {statuses:?}");
        assert!(
            statuses.contains("Succeeded") || statuses.contains("Failed"),
            "{statuses:?}"
        );
        assert_eq!(ops[0]["operationName"], ops[1]["operationName"]);
    }
}

#[actix_rt::test]
async fn every_documented_filter_clause_narrows_the_log() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let all = events(&app, &all_since(&sub, START)).await;
    let sample = all
        .iter()
        .find(|e| e["resourceGroupName"] != "")
        .expect("an event in a group");
    let base = format!("eventTimestamp ge '{START}' and eventTimestamp le '2026-06-01T12:00:00Z'");
    let cases = [
        (
            "resourceGroupName",
            "resourceGroupName",
            sample["resourceGroupName"].as_str().unwrap().to_uppercase(),
        ),
        (
            "resourceId",
            "resourceId",
            sample["resourceId"].as_str().unwrap().to_string(),
        ),
        (
            "resourceUri",
            "resourceId",
            sample["resourceId"].as_str().unwrap().to_string(),
        ),
        (
            "correlationId",
            "correlationId",
            sample["correlationId"].as_str().unwrap().to_string(),
        ),
        (
            "caller",
            "caller",
            sample["caller"].as_str().unwrap().to_string(),
        ),
    ];
    for (clause, field, value) in cases {
        let got = events(
            &app,
            &log_path(&sub, &format!("{base} and {clause} eq '{value}'")),
        )
        .await;
        assert!(!got.is_empty(), "{clause}");
        assert!(
            got.iter()
                .all(|e| e[field].as_str().unwrap().eq_ignore_ascii_case(&value)),
            "{clause}"
        );
        assert!(got.len() <= all.len());
    }
    let failed = events(
        &app,
        &log_path(&sub, &format!("{base} and status eq 'Failed'")),
    )
    .await;
    assert!(
        failed
            .iter()
            .all(|e| e["status"]["value"] == "Failed" && e["level"] == "Error")
    );
    let errors = events(
        &app,
        &log_path(&sub, &format!("{base} and levels eq 'Critical,Error'")),
    )
    .await;
    assert_eq!(failed.len(), errors.len());
    let provider = events(
        &app,
        &log_path(
            &sub,
            &format!("{base} and resourceProvider eq 'Microsoft.Authorization'"),
        ),
    )
    .await;
    assert!(
        provider
            .iter()
            .all(|e| e["resourceProviderName"]["value"] == "Microsoft.Authorization")
    );
    // The Azure CLI does not quote its times (S9); the portal adds eventChannels (S2).
    let cli = events(
        &app,
        &log_path(
            &sub,
            &format!("eventTimestamp ge {START} and eventChannels eq 'Admin, Operation'"),
        ),
    )
    .await;
    assert_eq!(cli.len(), all.len());
    let path = format!(
        "{}&$select=eventName,id,status , eventTimestamp",
        all_since(&sub, START)
    );
    let (_, body) = app.get(&path).await;
    let keys: Vec<&String> = body["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["eventName", "eventTimestamp", "id", "status"]);
}

#[actix_rt::test]
async fn bad_filters_and_versions_get_the_activity_logs_own_errors() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let values =
        format!("/subscriptions/{sub}/providers/microsoft.insights/eventtypes/management/values");
    let flat = |body: &Value, message: &str| {
        assert_eq!(
            body,
            &serde_json::json!({"code": "BadRequest", "message": message})
        );
    };
    let (status, body) = app.get(&format!("{values}?api-version=2015-04-01")).await;
    assert_eq!(status, 400);
    flat(&body, "$filter searching parameters invalid");
    for bad in [
        "resourceGroupName eq 'x'",
        "eventTimestamp gt '2026-05-30T00:00:00Z'",
        "eventTimestamp ge '2026-05-30T00:00:00Z' and resourceGroupName eq 'a' and correlationId eq 'b'",
        "eventTimestamp ge '2026-05-30T00:00:00Z' and caller eq x",
    ] {
        let (status, body) = app.get(&log_path(&sub, bad)).await;
        assert_eq!(status, 400, "{bad}");
        flat(&body, "$filter searching parameters invalid");
    }
    let (_, body) = app
        .get(&log_path(
            &sub,
            "$filter=eventTimestamp ge '2026-05-30T00:00:00Z'",
        ))
        .await;
    flat(&body, "$filter=eventTimestamp is not supported.");
    let (_, body) = app
        .get(&log_path(&sub, "eventTimestamp ge '2026-05-30T00:00:00'"))
        .await;
    flat(&body, "The format of the startTime value is invalid.");
    let (status, body) = app
        .get(&log_path(&sub, "eventTimestamp ge '2026-02-01T00:00:00Z'"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "BadRequest", "{body}");
    let (status, body) = app.get(&format!("{values}?api-version=2099-01-01")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "NoRegisteredProviderFound", "{body}");
    let (status, body) = app.get(&values).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    let (status, body) = app
        .get(&format!("{}&$skiptoken=zz", all_since(&sub, START)))
        .await;
    assert_eq!(status, 400);
    flat(&body, "The $skiptoken value is invalid.");
    let (status, body) = app
        .get("/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01")
        .await;
    assert_eq!(
        (status, body["value"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{body}"
    );
}

#[actix_rt::test]
async fn arm_refuses_foreign_audiences_and_callers_without_a_role() {
    let app = spawn(&["--auth", "strict"]).await;
    let reader = token_for(&app, 0, ARM).await;
    let (_, subs) = app
        .get_with(
            "/subscriptions?api-version=2022-12-01",
            &[("authorization", &bearer(&reader))],
        )
        .await;
    let sub = subs["value"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let path = all_since(&sub, START);
    let (status, body) = app
        .get_with(&path, &[("authorization", &bearer(&reader))])
        .await;
    assert_eq!(status, 200, "{body}");
    let graph = token_for(&app, 0, "https://graph.microsoft.com/.default").await;
    let (status, body) = app
        .get_with(&path, &[("authorization", &bearer(&graph))])
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationTokenAudience");
    let other = token_for(&app, 1, ARM).await;
    let (status, body) = app
        .get_with(&path, &[("authorization", &bearer(&other))])
        .await;
    assert_eq!(status, 403);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'Microsoft.Insights/eventtypes/values/read' over scope '/subscriptions/"),
        "{message}"
    );
}

#[actix_rt::test]
async fn arm_reads_carry_the_remaining_budget_and_429_once_it_is_spent() {
    let app = spawn(&["--auth", "off", "--throttle", "graph"]).await;
    let (status, body) = app
        .put("/_entrasim/throttling", serde_json::json!({"enabled": true, "perAppPerTenant": {"requests": 5, "windowSeconds": 10}, "perAppAllTenants": {"requests": 122, "windowSeconds": 10}, "armReads": {"requests": 3, "windowSeconds": 60}}))
        .await;
    assert_eq!(status, 200, "{body}");
    let sub = first_subscription(&app).await;
    let path = all_since(&sub, "2026-05-31T00:00:00Z");
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = app.raw(&path).await;
        assert_eq!(response.status(), 200);
        remaining.push(
            response.headers()["x-ms-ratelimit-remaining-subscription-reads"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let response = app.raw(&path).await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
}

#[actix_rt::test]
async fn paging_while_events_arrive_neither_repeats_nor_skips() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let path = all_since(&sub, START);
    let (status, first) = app.get(&path).await;
    assert_eq!(status, 200, "{first}");
    let next = first["nextLink"]
        .as_str()
        .expect("more than one page")
        .to_string();
    assert!(next.starts_with(&app.url), "{next}");
    app.advance("PT3H").await;
    let rest = events(&app, &next).await;
    let mut seen = BTreeSet::new();
    let pages: Vec<&Value> = first["value"]
        .as_array()
        .unwrap()
        .iter()
        .chain(&rest)
        .collect();
    for e in &pages {
        assert!(
            seen.insert(e["eventDataId"].as_str().unwrap().to_string()),
            "repeated"
        );
    }
    let order: Vec<&str> = pages
        .iter()
        .map(|e| e["eventTimestamp"].as_str().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Everything visible when the first page was served is in the pages; what the
    // same query shows now besides them arrived (was submitted) later.
    let now = events(
        &app,
        &log_path(
            &sub,
            &format!("eventTimestamp ge '{START}' and eventTimestamp le '2026-06-01T12:00:00Z'"),
        ),
    )
    .await;
    for e in &now {
        let id = e["eventDataId"].as_str().unwrap();
        if !seen.contains(id) {
            assert!(
                e["submissionTimestamp"].as_str().unwrap() > "2026-06-01T12:00:00Z",
                "{e}"
            );
        }
    }
}

/// The principal, role definition and scope of a role-assignment event's bodies.
fn assignment_of(e: &Value) -> Option<Value> {
    let props = &e["properties"];
    let text = props["responseBody"]
        .as_str()
        .or(props["requestbody"].as_str())?;
    let body: Value = serde_json::from_str(text).ok()?;
    body["properties"]["principalId"]
        .is_string()
        .then_some(body)
}

#[actix_rt::test]
async fn every_caller_principal_role_and_scope_of_an_event_exists() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let events = events(&app, &all_since(&sub, START)).await;
    let mut checked = BTreeSet::new();
    for e in events
        .iter()
        .filter(|e| e["resourceType"]["value"] == "Microsoft.Authorization/roleAssignments")
    {
        let Some(body) = assignment_of(e) else {
            // A DELETE has no request body, a failed PUT no response body.
            let end = e["status"]["value"] == "Failed";
            assert!(
                end || e["authorization"]["action"]
                    .as_str()
                    .unwrap()
                    .ends_with("/delete"),
                "{e}"
            );
            continue;
        };
        let p = &body["properties"];
        let principal = p["principalId"].as_str().unwrap();
        let collection = match p["principalType"].as_str().unwrap() {
            "ServicePrincipal" => "servicePrincipals",
            "User" => "users",
            _ => "groups",
        };
        let role = p["roleDefinitionId"].as_str().unwrap();
        let scope = e["authorization"]["scope"].as_str().unwrap();
        let version = if scope.contains("/providers/") {
            "2023-01-01"
        } else {
            "2022-12-01"
        };
        for (path, what) in [
            (format!("/v1.0/{collection}/{principal}"), "principal"),
            (format!("{role}?api-version=2022-04-01"), "role definition"),
            (format!("{scope}?api-version={version}"), "scope"),
        ] {
            if checked.insert(path.clone()) {
                let (status, body) = app.get(&path).await;
                assert_eq!(status, 200, "{what} {path}: {body}");
            }
        }
    }
    assert!(checked.len() > 3);
}

/// The caller's successful sign-ins to ARM through `app` (a user's portal or Azure CLI
/// sign-ins, a service principal's client-credential ones): (time, IP address).
async fn arm_sign_ins(app: &TestApp, caller: &str, client: &str) -> Vec<(String, String)> {
    let filter = if caller.contains('@') {
        format!("userPrincipalName eq '{caller}' and appId eq '{client}'")
    } else {
        format!(
            "servicePrincipalId eq '{caller}' and signInEventTypes/any(t: t eq 'servicePrincipal')"
        )
    };
    let path = format!(
        "/beta/auditLogs/signIns?$filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    );
    app.walk(&path)
        .await
        .iter()
        .filter(|s| {
            s["resourceId"] == "797f4846-ba00-4fd7-ba43-dac1f8f63013"
                && s["status"]["errorCode"] == 0
        })
        .map(|s| {
            let at = s["createdDateTime"].as_str().unwrap().to_string();
            (at, s["ipAddress"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[actix_rt::test]
async fn every_caller_signed_in_to_azure_resource_manager_shortly_before_from_the_events_address() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let events = events(&app, &all_since(&sub, START)).await;
    let mut sessions = std::collections::BTreeMap::<(String, String), Vec<(String, String)>>::new();
    let mut clients = std::collections::BTreeSet::new();
    for e in events.iter().filter(|e| e["status"]["value"] != "Started") {
        let caller = e["caller"].as_str().unwrap().to_string();
        let client = e["claims"]["appid"].as_str().unwrap().to_string();
        clients.insert(client.clone());
        let key = (caller.clone(), client.clone());
        if !sessions.contains_key(&key) {
            let found = arm_sign_ins(&app, &caller, &client).await;
            sessions.insert(key.clone(), found);
        }
        let at =
            chrono::DateTime::parse_from_rfc3339(e["eventTimestamp"].as_str().unwrap()).unwrap();
        let ip = e["httpRequest"]["clientIpAddress"].as_str().unwrap();
        assert_eq!(
            e["httpRequest"]["method"],
            if e["operationName"]["value"]
                .as_str()
                .unwrap()
                .ends_with("/delete")
            {
                "DELETE"
            } else {
                "PUT"
            }
        );
        let signed_in = sessions[&key].iter().any(|(s, from)| {
            let s = chrono::DateTime::parse_from_rfc3339(s).unwrap();
            // The session of the change's first operation (a removal follows its creation
            // by up to 45 minutes; the token is renewed silently).
            s <= at && at - s <= chrono::Duration::hours(2) && from == ip
        });
        assert!(
            signed_in,
            "{caller} ({client}) has no ARM sign-in from {ip} in the two hours before {at}"
        );
    }
    // The portal, the Azure CLI and the pipeline's service principal all call ARM.
    assert!(
        clients.contains("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
        "{clients:?}"
    );
    assert!(
        clients.contains("04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
        "{clients:?}"
    );
    assert!(clients.len() >= 3, "{clients:?}");
}

#[actix_rt::test]
async fn a_standing_assignments_create_event_agrees_with_the_assignment_listed() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let (_, listed) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"))
        .await;
    let listed: Vec<&Value> = listed["value"].as_array().unwrap().iter().collect();
    let events = events(&app, &all_since(&sub, START)).await;
    let mut agreed = 0;
    for e in events.iter().filter(|e| {
        e["operationName"]["localizedValue"] == "Create role assignment"
            && e["status"]["value"] == "Succeeded"
    }) {
        let body = assignment_of(e).unwrap();
        if let Some(a) = listed.iter().find(|a| a["id"] == body["id"]) {
            assert_eq!(
                a["properties"]["createdOn"], body["properties"]["createdOn"],
                "{}",
                body["id"]
            );
            assert_eq!(
                a["properties"]["principalId"],
                body["properties"]["principalId"]
            );
            assert_eq!(
                a["properties"]["roleDefinitionId"],
                body["properties"]["roleDefinitionId"]
            );
            assert_eq!(a["properties"]["scope"], e["authorization"]["scope"]);
            agreed += 1;
        }
    }
    // A deleted assignment is no longer listed; the tenant's standing ones are.
    let deleted: BTreeSet<&str> = events
        .iter()
        .filter(|e| e["operationName"]["localizedValue"] == "Delete role assignment")
        .map(|e| e["resourceId"].as_str().unwrap())
        .collect();
    assert!(
        listed
            .iter()
            .all(|a| !deleted.contains(a["id"].as_str().unwrap()))
    );
    // A create that failed with Conflict re-made an assignment that is listed.
    for failed in events.iter().filter(|e| e["status"]["value"] == "Failed") {
        assert_eq!(failed["subStatus"]["value"], "Conflict");
        let started = events
            .iter()
            .find(|e| {
                e["correlationId"] == failed["correlationId"] && e["status"]["value"] == "Started"
            })
            .expect("the failed operation's Started event");
        let asked = assignment_of(started).unwrap();
        let a = listed
            .iter()
            .find(|a| Some(a["id"].as_str().unwrap()) == failed["resourceId"].as_str())
            .expect("the conflicting assignment is listed");
        assert_eq!(
            a["properties"]["principalId"],
            asked["properties"]["principalId"]
        );
        assert_eq!(
            a["properties"]["roleDefinitionId"],
            asked["properties"]["roleDefinitionId"]
        );
        agreed += 1;
    }
    assert!(agreed > 0, "no event refers to a listed assignment");
}

#[actix_rt::test]
async fn managed_identities_sign_in_only_once_their_service_principal_exists() {
    let app = spawn(&["--auth", "off"]).await;
    let sps = app
        .walk("/v1.0/servicePrincipals?$filter=servicePrincipalType%20eq%20'ManagedIdentity'")
        .await;
    let created: std::collections::BTreeMap<String, String> = sps
        .iter()
        .map(|sp| {
            (
                sp["id"].as_str().unwrap().to_string(),
                sp["createdDateTime"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let filter = "signInEventTypes/any(t: t eq 'managedIdentity')";
    let path = format!(
        "/beta/auditLogs/signIns?$filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    );
    let sign_ins = app.walk(&path).await;
    assert!(!sign_ins.is_empty());
    for s in sign_ins {
        let sp = s["servicePrincipalId"].as_str().unwrap();
        let since = created
            .get(sp)
            .expect("the identity's service principal exists");
        assert!(
            s["createdDateTime"].as_str().unwrap() >= since.as_str(),
            "{sp} signed in before it existed"
        );
    }
}

#[actix_rt::test]
async fn an_injected_operation_is_checked_then_listed_with_its_two_events() {
    let app = spawn(&["--auth", "off"]).await;
    let sub = first_subscription(&app).await;
    let (_, ids) = app
        .get(&format!("/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"))
        .await;
    let principal = ids["value"][0]["properties"]["principalId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = app
        .post(
            "/_entrasim/activityLog",
            serde_json::json!({"operationName": "Create role assignment", "principalId": "nobody",
                               "roleDefinitionId": "x", "scope": "/subscriptions/none", "colour": 1}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    for field in ["principalId", "roleDefinitionId", "scope", "colour"] {
        assert!(message.contains(field), "{message}");
    }
    let (status, body) = app
        .post(
            "/_entrasim/activityLog",
            serde_json::json!({"operationName": "Microsoft.Authorization/roleAssignments/write",
                               "principalId": principal, "visibleAfter": "PT0S",
                               "roleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7", "scope": format!("/subscriptions/{sub}")}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let made = body["value"].as_array().unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(made[0]["correlationId"], made[1]["correlationId"]);
    assert_eq!(made[1]["status"]["value"], "Succeeded");
    let correlation = made[0]["correlationId"].as_str().unwrap();
    let listed = events(
        &app,
        &log_path(
            &sub,
            &format!("eventTimestamp ge '{START}' and correlationId eq '{correlation}'"),
        ),
    )
    .await;
    let mut ids: Vec<&str> = listed
        .iter()
        .map(|e| e["eventDataId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected: Vec<&str> = made
        .iter()
        .map(|e| e["eventDataId"].as_str().unwrap())
        .collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(
        made[0]["properties"]["requestbody"]
            .as_str()
            .unwrap()
            .contains(&principal)
    );
}

#[actix_rt::test]
async fn every_user_assigned_identity_has_its_service_principal_and_every_write_names_one() {
    let app = spawn(&["--auth", "off"]).await;
    let sps = app
        .walk("/beta/servicePrincipals?$filter=servicePrincipalType%20eq%20'ManagedIdentity'")
        .await;
    let (_, subs) = app.get("/subscriptions?api-version=2022-12-01").await;
    let mut listed = BTreeSet::new();
    for sub in subs["value"].as_array().unwrap() {
        let sub = sub["subscriptionId"].as_str().unwrap();
        let (_, ids) = app
            .get(&format!("/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"))
            .await;
        for identity in ids["value"].as_array().unwrap() {
            let p = &identity["properties"];
            let sp = sps
                .iter()
                .find(|sp| sp["id"] == p["principalId"])
                .expect("its service principal");
            assert_eq!(sp["appId"], p["clientId"]);
            assert!(sp["alternativeNames"].as_array().unwrap().iter().any(|n| {
                n.as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(identity["id"].as_str().unwrap())
            }));
            listed.insert(identity["id"].as_str().unwrap().to_ascii_lowercase());
        }
        for e in events(&app, &all_since(sub, START)).await {
            if e["resourceType"]["value"] == "Microsoft.ManagedIdentity/userAssignedIdentities" {
                assert!(
                    listed.contains(&e["resourceId"].as_str().unwrap().to_ascii_lowercase()),
                    "{e}"
                );
            }
        }
    }
    let explicit = sps.iter().filter(|sp| {
        sp["alternativeNames"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "isExplicit=True")
    });
    assert_eq!(
        explicit.count(),
        listed.len(),
        "every user-assigned identity's service principal is listed once"
    );
}

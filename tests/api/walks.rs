//! Walks through nextLinks while the clock moves between pages: every record
//! exactly once and in order, or, once the records still to serve have left
//! the store, a clear 400 — never a silently short walk.

use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::Value;
use std::collections::BTreeSet;

fn encode(filter: &str) -> String {
    percent_encoding::utf8_percent_encode(filter, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// How a walk ended: its records, and the error that stopped it, if any.
struct Walk {
    records: Vec<Value>,
    error: Option<(u16, Value)>,
}

/// Follows nextLinks from `start`, advancing the clock by `steps[i]` after page i
/// (the last step repeats).
async fn walk_moving(app: &TestApp, start: &str, steps: &[&str]) -> Walk {
    let mut records = Vec::new();
    let mut next = Some(start.to_string());
    let mut page = 0;
    while let Some(link) = next {
        let (status, body) = app.get(&link).await;
        if status != 200 {
            return Walk {
                records,
                error: Some((status, body)),
            };
        }
        records.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        app.advance(steps[page.min(steps.len() - 1)]).await;
        page += 1;
    }
    Walk {
        records,
        error: None,
    }
}

fn assert_exactly(walked: &[Value], reference: &[Value], what: &str) {
    let ids: BTreeSet<&str> = walked.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), walked.len(), "{what}: duplicates");
    assert!(
        walked == reference,
        "{what}: walked {} records, expected {}",
        walked.len(),
        reference.len()
    );
}

/// Under a day in all, with some large steps: nothing the walks need leaves the store.
const STEPS: [&str; 4] = ["PT6H", "PT5H", "PT7M", "PT20M"];

#[actix_rt::test]
async fn beta_walks_of_every_kind_see_every_record_once_in_order_while_time_moves() {
    let every_kind = "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser' or t eq 'servicePrincipal' or t eq 'managedIdentity')";
    let cases = [
        (
            1000,
            format!("/beta/auditLogs/signIns?$filter={}", encode(every_kind)),
        ),
        (
            1000,
            format!(
                "/beta/auditLogs/signIns?$orderby=createdDateTime%20asc&$filter={}",
                encode(&format!(
                    "{every_kind} and createdDateTime ge 2026-05-20T00:00:00Z"
                ))
            ),
        ),
        (
            300,
            format!(
                "/v1.0/auditLogs/signIns?$filter={}",
                encode("status/errorCode eq 0 and createdDateTime ge 2026-05-10T00:00:00Z")
            ),
        ),
        (
            50,
            format!(
                "/v1.0/auditLogs/directoryAudits?$filter={}",
                encode("loggedByService eq 'Core Directory'")
            ),
        ),
    ];
    let reference_app = spawn(&[]).await;
    for (top, path) in cases {
        // Each walk starts at the reference's clock reading.
        let app = spawn(&[]).await;
        let reference = reference_app.walk(&format!("{path}&$top=999")).await;
        assert!(reference.len() > 2 * top, "{path}: too few records to page");
        let walk = walk_moving(&app, &format!("{path}&$top={top}"), &STEPS).await;
        assert!(walk.error.is_none(), "{path}: {:?}", walk.error);
        assert_exactly(&walk.records, &reference, &path);
        let kinds: BTreeSet<&str> = walk
            .records
            .iter()
            .filter_map(|r| r["signInEventTypes"][0].as_str())
            .collect();
        if path.starts_with("/beta") {
            assert_eq!(kinds.len(), 4, "{path}: {kinds:?}");
        }
    }
}

#[actix_rt::test]
async fn walks_outliving_their_records_end_with_a_clear_400_never_short() {
    let reference_app = spawn(&[]).await;
    let (mut refused, mut completed) = (0, 0);
    for (path, steps) in [
        ("/v1.0/auditLogs/signIns?$top=500", ["P2D"]),
        (
            "/v1.0/auditLogs/provisioning?$top=700&$orderby=activityDateTime%20asc",
            ["P1DT6H"],
        ),
        ("/v1.0/auditLogs/directoryAudits?$top=100", ["P3D"]),
        (
            "/v1.0/auditLogs/provisioning?$top=500&$filter=activityDateTime%20gt%202026-05-29",
            ["P2D"],
        ),
    ] {
        let reference = reference_app.walk(path).await;
        let app = spawn(&[]).await;
        let walk = walk_moving(&app, path, &steps).await;
        match walk.error {
            None => {
                completed += 1;
                assert_exactly(&walk.records, &reference, path);
            }
            Some((status, body)) => {
                refused += 1;
                assert_eq!(status, 400, "{path}: {body}");
                assert_graph_error(&body, "BadRequest");
                assert_eq!(body["error"]["message"], "Invalid skip token.");
                let detail = body["error"]["details"][0]["message"].as_str().unwrap();
                assert!(detail.contains("start the query again"), "{detail}");
                let served = walk.records.len();
                assert!(served < reference.len(), "{path}");
                assert_exactly(&walk.records, &reference[..served], path);
            }
        }
    }
    // Newest-first walks of the whole window need the oldest hours last, which
    // two days later have gone; oldest-first and recent walks stay ahead of that.
    assert_eq!((refused, completed), (2, 2));
}

#[actix_rt::test]
async fn a_continuation_is_checked_against_its_snapshot_not_the_moving_clock() {
    let app = spawn(&[]).await;
    // Five minutes inside the 90-day limit at 2026-06-01T12:00:00Z.
    let path = format!(
        "/v1.0/auditLogs/signIns?$top=5&$filter={}",
        encode("createdDateTime ge 2026-03-03T12:05:00Z")
    );
    let (status, first) = app.get(&path).await;
    assert_eq!(status, 200, "{first}");
    let next = first["@odata.nextLink"].as_str().unwrap().to_string();
    app.advance("PT10M").await;
    let (status, second) = app.get(&next).await;
    assert_eq!(status, 200, "the walk must go on: {second}");
    assert_eq!(second["value"].as_array().unwrap().len(), 5);
    let (status, fresh) = app.get(&path).await;
    assert_eq!(status, 400, "a new query is checked against now: {fresh}");
    assert_eq!(fresh["error"]["message"], "Invalid filter clause");
}

#[actix_rt::test]
async fn directory_walks_are_exact_while_time_moves_and_tokens_bind_their_query() {
    let reference_app = spawn(&[]).await;
    let app = spawn(&[]).await;
    // The directory changes only before the tenant's anchor, so one app serves every walk.
    for collection in [
        "users",
        "groups",
        "servicePrincipals",
        "roleManagement/directory/roleDefinitions",
        "roleManagement/directory/roleAssignments",
    ] {
        let reference = reference_app.walk(&format!("/v1.0/{collection}")).await;
        let walk = walk_moving(&app, &format!("/v1.0/{collection}?$top=7"), &["P2D"]).await;
        assert!(walk.error.is_none(), "{collection}: {:?}", walk.error);
        assert_exactly(&walk.records, &reference, collection);
    }
    let (_, page) = app.get("/v1.0/users?$top=5").await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_string();
    let token = next.split("$skiptoken=").nth(1).unwrap();
    for other in [
        format!("/beta/users?$top=5&$skiptoken={token}"),
        format!("/v1.0/users?$top=5&$select=id&$skiptoken={token}"),
        format!("/v1.0/users?$top=5&$expand=manager&$skiptoken={token}"),
        format!("/v1.0/groups?$top=5&$skiptoken={token}"),
    ] {
        let (status, body) = app.get(&other).await;
        assert_eq!(status, 400, "{other}: {body}");
        assert_eq!(body["error"]["message"], "Invalid skip token.", "{other}");
    }
    let (status, _) = app.get(&next).await;
    assert_eq!(status, 200);
}

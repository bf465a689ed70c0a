//! The request corpus (`tests/corpus/requests.tsv`): every harvested real-world request is
//! filled with values from the default tenant and answers as Graph answers it.

use crate::helpers::{TestApp, spawn};
use serde_json::Value;
use std::collections::BTreeMap;

const CORPUS: &str = include_str!("../corpus/requests.tsv");

/// One corpus line.
struct Row<'a> {
    line: usize,
    expect: &'a str,
    request: &'a str,
    source: &'a str,
    check: Option<&'a str>,
}

fn rows() -> Vec<Row<'static>> {
    CORPUS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!((3..=4).contains(&cols.len()), "line {}: {l}", i + 1);
            Row {
                line: i + 1,
                expect: cols[0],
                request: cols[1],
                source: cols[2],
                check: cols.get(3).copied().filter(|c| !c.is_empty()),
            }
        })
        .collect()
}

fn sources() -> BTreeMap<&'static str, &'static str> {
    CORPUS
        .lines()
        .filter_map(|l| l.strip_prefix("# source "))
        .filter_map(|l| l.split_once(" = "))
        .collect()
}

/// The JSON value at a slash-separated path.
fn at<'v>(record: &'v Value, path: &str) -> &'v Value {
    path.split('/').fold(record, |v, key| {
        v.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .map_or(&Value::Null, |(_, v)| v)
    })
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The first record of a collection page that has every one of these paths set.
async fn sample(app: &TestApp, path: &str, needs: &[&str]) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["value"]
        .as_array()
        .expect("value array")
        .iter()
        .find(|r| needs.iter().all(|n| !at(r, n).is_null() && at(r, n) != ""))
        .cloned()
        .unwrap_or_else(|| panic!("{path}: no record has {needs:?}"))
}

/// Template values drawn from the default tenant.
async fn values(app: &TestApp) -> BTreeMap<&'static str, String> {
    let si = sample(
        app,
        "/beta/auditLogs/signIns?$top=500",
        &[
            "userId",
            "location/city",
            "ipAddress",
            "deviceDetail/browser",
            "clientAppUsed",
        ],
    )
    .await;
    let audit = sample(
        app,
        "/v1.0/auditLogs/directoryAudits?$top=500",
        &["category"],
    )
    .await;
    let by_user = sample(
        app,
        "/v1.0/auditLogs/directoryAudits?$top=500",
        &["initiatedBy/user/id", "initiatedBy/user/userPrincipalName"],
    )
    .await;
    let (_, targeted) = app.get("/v1.0/auditLogs/directoryAudits?$top=500").await;
    let target = targeted["value"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["targetResources"].as_array().cloned().unwrap_or_default())
        .find(|t| t["id"].is_string() && t["displayName"].as_str().is_some_and(|d| d.len() > 3))
        .expect("a target with id and displayName");
    let prov = sample(
        app,
        "/v1.0/auditLogs/provisioning?$top=50",
        &["sourceIdentity/displayName", "servicePrincipal/id"],
    )
    .await;
    let s = |r: &Value, p: &str| text(at(r, p));
    let mut v = BTreeMap::new();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").unwrap();
    let from = now - chrono::Duration::days(3);
    let old = now - chrono::Duration::days(100);
    v.insert("time", from.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    v.insert(
        "time7",
        from.format("%Y-%m-%dT%H:%M:%S.0000000Z").to_string(),
    );
    v.insert("time3", from.format("%Y-%m-%dT%H:%M:%S.000Z").to_string());
    v.insert("time_end", now.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    v.insert("day", from.format("%Y-%m-%d").to_string());
    v.insert("day_end", now.format("%Y-%m-%d").to_string());
    v.insert("old_time", old.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    v.insert("old_day", old.format("%Y-%m-%d").to_string());
    v.insert("sign_in_id", s(&si, "id"));
    v.insert("user_id", s(&si, "userId"));
    v.insert("upn", s(&si, "userPrincipalName"));
    v.insert("upn_prefix", prefix(&s(&si, "userPrincipalName"), 3));
    v.insert("user_name", s(&si, "userDisplayName"));
    v.insert("user_name_prefix", prefix(&s(&si, "userDisplayName"), 2));
    v.insert("app_id", s(&si, "appId"));
    v.insert("app_name", s(&si, "appDisplayName"));
    v.insert("app_prefix", prefix(&s(&si, "appDisplayName"), 3));
    v.insert("resource_id", s(&si, "resourceId"));
    v.insert("resource_name", s(&si, "resourceDisplayName"));
    v.insert(
        "resource_app_id",
        text(&si["conditionalAccessAudiences"][0]),
    );
    v.insert("correlation_id", s(&si, "correlationId"));
    v.insert("client_app", s(&si, "clientAppUsed"));
    v.insert("ip", s(&si, "ipAddress"));
    v.insert("ip_prefix", prefix(&s(&si, "ipAddress"), 4));
    v.insert("city", s(&si, "location/city"));
    v.insert("city_prefix", prefix(&s(&si, "location/city"), 3));
    v.insert("state", s(&si, "location/state"));
    v.insert("country", s(&si, "location/countryOrRegion"));
    v.insert("browser", s(&si, "deviceDetail/browser"));
    v.insert(
        "os_prefix",
        prefix(&s(&si, "deviceDetail/operatingSystem"), 3),
    );
    v.insert("tenant_id", s(&si, "resourceTenantId"));
    v.insert("audit_id", s(&audit, "id"));
    v.insert("audit_correlation_id", s(&audit, "correlationId"));
    v.insert("activity", s(&audit, "activityDisplayName"));
    v.insert(
        "activity_prefix",
        prefix(&s(&audit, "activityDisplayName"), 4),
    );
    v.insert("service", s(&audit, "loggedByService"));
    v.insert("category", s(&audit, "category"));
    v.insert("initiator_id", s(&by_user, "initiatedBy/user/id"));
    v.insert(
        "initiator_upn",
        s(&by_user, "initiatedBy/user/userPrincipalName"),
    );
    v.insert(
        "initiator_upn_prefix",
        prefix(&s(&by_user, "initiatedBy/user/userPrincipalName"), 3),
    );
    v.insert("target_id", text(&target["id"]));
    v.insert("target_name", text(&target["displayName"]));
    v.insert(
        "target_name_prefix",
        prefix(&text(&target["displayName"]), 3),
    );
    v.insert("prov_id", s(&prov, "id"));
    v.insert("job_id", s(&prov, "jobId"));
    v.insert("cycle_id", s(&prov, "cycleId"));
    v.insert("change_id", s(&prov, "changeId"));
    v.insert("prov_action", s(&prov, "provisioningAction"));
    v.insert("prov_sp_id", s(&prov, "servicePrincipal/id"));
    v.insert(
        "prov_sp_part",
        prefix(&s(&prov, "servicePrincipal/id").to_lowercase(), 8),
    );
    v.insert(
        "source_name_part",
        prefix(&s(&prov, "sourceIdentity/displayName").to_lowercase(), 3),
    );
    v.insert("source_system", s(&prov, "sourceSystem/displayName"));
    v.insert("target_identity_id", s(&prov, "targetIdentity/id"));
    v
}

fn fill(template: &str, values: &BTreeMap<&'static str, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    assert!(!out.contains('{'), "unfilled placeholder in {template}");
    out
}

/// Every returned record satisfies `path=value` or `path^=prefix` (case-insensitive).
fn satisfies(record: &Value, check: &str) -> bool {
    let (path, want, starts) = match check.split_once("^=") {
        Some((p, w)) => (p, w, true),
        None => {
            let (p, w) = check.split_once('=').expect("check is path=value");
            (p, w, false)
        }
    };
    let got = text(at(record, path)).to_lowercase();
    let want = want.to_lowercase();
    if starts {
        got.starts_with(&want)
    } else {
        got == want
    }
}

#[actix_rt::test]
async fn every_corpus_request_is_answered_as_graph_answers_it() {
    let rows = rows();
    let sources = sources();
    assert!(rows.len() >= 150, "the corpus has {} requests", rows.len());
    let app = spawn(&[]).await;
    let values = values(&app).await;
    let mut failures = Vec::new();
    for row in &rows {
        assert!(
            sources.contains_key(row.source),
            "line {}: unknown source",
            row.line
        );
        let request = fill(row.request, &values);
        let check = row.check.map(|c| fill(c, &values));
        let (status, body) = app.get(&request).await;
        let outcome = match row.expect.split('|').collect::<Vec<_>>().as_slice() {
            ["200"] if status != 200 => Err(format!("{status} {body}")),
            ["200"] => {
                let records = body["value"].as_array().cloned().unwrap_or_default();
                match &check {
                    Some(c) if records.is_empty() => Err(format!("{c}: no records")),
                    Some(c) => match records.iter().find(|r| !satisfies(r, c)) {
                        Some(r) => Err(format!("{c} fails on {r}")),
                        None => Ok(()),
                    },
                    None => Ok(()),
                }
            }
            [want, code, message] => {
                let got = (
                    status.to_string(),
                    text(&body["error"]["code"]),
                    text(&body["error"]["message"]),
                );
                if got == (want.to_string(), code.to_string(), message.to_string()) {
                    Ok(())
                } else {
                    Err(format!("expected {}, got {status} {body}", row.expect))
                }
            }
            _ => Err(format!("bad expect column {}", row.expect)),
        };
        if let Err(why) = outcome {
            failures.push(format!("line {} {request}: {why}", row.line));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

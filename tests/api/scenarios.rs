//! Scenarios and their answer keys: every record a key names is served by its
//! log with the properties the scenario claims, no other record claims to be
//! part of it, and placing is deterministic and refused with reasons.

use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const ALL: &str = "password-spray,impossible-travel,mfa-fatigue,leaked-client-secret";

async fn key_of(app: &TestApp, name: &str) -> Value {
    let (status, list) = app.get("/_entrasim/scenarios").await;
    assert_eq!(status, 200, "{list}");
    let key = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["scenario"] == name)
        .unwrap_or_else(|| panic!("no key for {name}: {list}"))
        .clone();
    let (status, one) = app
        .get(&format!(
            "/_entrasim/scenarios/{}",
            key["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &one), (200, &key));
    key
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Every sign-in the key names, as `/beta/auditLogs/signIns/{id}` serves it.
async fn sign_ins(app: &TestApp, key: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for id in strings(&key["records"]["signIns"]) {
        let (status, r) = app.get(&format!("/beta/auditLogs/signIns/{id}")).await;
        assert_eq!(status, 200, "{id}: {r}");
        assert_eq!(r["id"], id.as_str());
        out.push(r);
    }
    out
}

fn in_window(key: &Value, r: &Value, field: &str) -> bool {
    let at = r[field].as_str().unwrap();
    at >= key["startDateTime"].as_str().unwrap()
        && at[..19] <= key["endDateTime"].as_str().unwrap()[..19]
}

/// Every sign-in of any kind from the scenario's addresses is in its key.
async fn nothing_else_from_its_addresses(app: &TestApp, key: &Value) {
    let named: BTreeSet<String> = strings(&key["records"]["signIns"]).into_iter().collect();
    for ip in strings(&key["entities"]["ipAddresses"]) {
        for kind in [
            "interactiveUser",
            "nonInteractiveUser",
            "servicePrincipal",
            "managedIdentity",
        ] {
            let path = format!(
                "/beta/auditLogs/signIns?$filter=ipAddress eq '{ip}' and signInEventTypes/any(t: t eq '{kind}')"
            );
            for r in app.walk(&path).await {
                let id = r["id"].as_str().unwrap();
                assert!(
                    named.contains(id),
                    "{id} from {ip} is not in the key of {}",
                    key["scenario"]
                );
            }
        }
    }
}

#[tokio::test]
async fn the_password_spray_fails_with_50126_from_its_addresses_against_many_users() {
    let app = spawn(&["--scenario", "password-spray"]).await;
    let key = key_of(&app, "password-spray").await;
    let ips: BTreeSet<String> = strings(&key["entities"]["ipAddresses"])
        .into_iter()
        .collect();
    assert_eq!(ips.len(), 3);
    let records = sign_ins(&app, &key).await;
    let users: BTreeSet<&str> = records
        .iter()
        .map(|r| r["userId"].as_str().unwrap())
        .collect();
    assert!(users.len() >= 10, "{} distinct users", users.len());
    let listed: BTreeSet<&str> = key["entities"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(users, listed);
    for r in &records {
        assert_eq!(r["status"]["errorCode"], 50126, "{r}");
        assert!(ips.contains(r["ipAddress"].as_str().unwrap()));
        assert_eq!(r["signInEventTypes"], json!(["interactiveUser"]));
        assert!(in_window(&key, r, "createdDateTime"), "{r}");
    }
    nothing_else_from_its_addresses(&app, &key).await;
    // The same failures, seen through the filter a rule would use, are all the key's.
    let window = format!(
        "/beta/auditLogs/signIns?$filter=status/errorCode eq 50126 and createdDateTime ge {} and createdDateTime le {}",
        key["startDateTime"].as_str().unwrap(),
        key["endDateTime"].as_str().unwrap()
    );
    let failures = app.walk(&window).await;
    let from_ips = failures
        .iter()
        .filter(|r| ips.contains(r["ipAddress"].as_str().unwrap()))
        .count();
    assert_eq!(from_ips, records.len());
}

#[tokio::test]
async fn impossible_travel_is_two_successes_far_apart_within_half_an_hour() {
    let app = spawn(&["--scenario", "impossible-travel"]).await;
    let key = key_of(&app, "impossible-travel").await;
    let records = sign_ins(&app, &key).await;
    assert_eq!(records.len(), 2);
    let (home, away) = (&records[0], &records[1]);
    assert_eq!(home["userId"], away["userId"]);
    assert_eq!(home["userId"], key["entities"]["users"][0]["id"]);
    for r in &records {
        assert_eq!(r["status"]["errorCode"], 0, "{r}");
    }
    assert_eq!(away["ipAddress"], key["entities"]["ipAddresses"][0]);
    assert_eq!(
        away["location"]["city"],
        key["entities"]["location"]["city"]
    );
    let distance = km(
        &home["location"]["geoCoordinates"],
        &away["location"]["geoCoordinates"],
    );
    assert!(distance > 3000.0, "{distance} km");
    let minutes = minutes_between(
        home["createdDateTime"].as_str().unwrap(),
        away["createdDateTime"].as_str().unwrap(),
    );
    assert!((0.0..=30.0).contains(&minutes), "{minutes}");
    nothing_else_from_its_addresses(&app, &key).await;
}

#[tokio::test]
async fn mfa_fatigue_is_declined_pushes_then_an_approved_one_from_one_address() {
    let app = spawn(&["--scenario", "mfa-fatigue"]).await;
    let key = key_of(&app, "mfa-fatigue").await;
    let records = sign_ins(&app, &key).await;
    assert_eq!(records.len(), 13);
    let (declined, approved) = records.split_at(12);
    for r in declined {
        assert_eq!(r["status"]["errorCode"], 500121, "{r}");
        assert_eq!(r["userId"], key["entities"]["users"][0]["id"]);
    }
    assert_eq!(approved[0]["status"]["errorCode"], 0);
    assert_eq!(
        approved[0]["authenticationRequirement"],
        "multiFactorAuthentication"
    );
    let ips: BTreeSet<&str> = records
        .iter()
        .map(|r| r["ipAddress"].as_str().unwrap())
        .collect();
    assert_eq!(ips.len(), 1);
    nothing_else_from_its_addresses(&app, &key).await;
}

#[tokio::test]
async fn a_leaked_secret_signs_in_from_new_addresses_then_adds_a_credential() {
    let app = spawn(&["--scenario", "leaked-client-secret"]).await;
    let key = key_of(&app, "leaked-client-secret").await;
    let sp = &key["entities"]["servicePrincipals"][0];
    let records = sign_ins(&app, &key).await;
    assert_eq!(records.len(), 20);
    for r in &records {
        assert_eq!(r["signInEventTypes"], json!(["servicePrincipal"]));
        assert_eq!(r["servicePrincipalId"], sp["id"]);
        assert_eq!(r["appId"], sp["appId"]);
    }
    let audits = strings(&key["records"]["directoryAudits"]);
    assert_eq!(audits.len(), 1);
    let (status, audit) = app
        .get(&format!("/v1.0/auditLogs/directoryAudits/{}", audits[0]))
        .await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(
        audit["activityDisplayName"],
        "Update application - Certificates and secrets management"
    );
    assert_eq!(audit["initiatedBy"]["app"]["servicePrincipalId"], sp["id"]);
    let last = records.last().unwrap()["createdDateTime"].as_str().unwrap();
    assert!(audit["activityDateTime"].as_str().unwrap() > last);
    nothing_else_from_its_addresses(&app, &key).await;
}

#[tokio::test]
async fn every_detection_the_key_says_was_raised_is_served() {
    let app = spawn(&["--scenario", ALL]).await;
    let (_, list) = app.get("/_entrasim/scenarios").await;
    let keys = list["value"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    let served: BTreeSet<String> = app
        .walk("/v1.0/identityProtection/riskDetections")
        .await
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    for key in keys {
        for d in key["raisedDetections"].as_array().unwrap() {
            assert!(served.contains(d["id"].as_str().unwrap()), "{d}");
            assert!(
                strings(&key["records"]["signIns"])
                    .contains(&d["requestId"].as_str().unwrap().to_string())
            );
        }
        for e in key["expectedDetections"].as_array().unwrap() {
            let found = key["raisedDetections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["riskEventType"] == e["riskEventType"]);
            assert_eq!(e["emulated"], found, "{e}");
        }
    }
}

#[tokio::test]
async fn a_scenario_placed_at_run_time_equals_the_same_placed_at_start() {
    let at_start = spawn(&["--scenario", "password-spray@2026-06-01T05:00:00Z"]).await;
    let at_run = spawn(&[]).await;
    let (status, posted) = at_run
        .post(
            "/_entrasim/scenarios",
            json!({"name": "password-spray", "at": "2026-06-01T05:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{posted}");
    let started = key_of(&at_start, "password-spray").await;
    assert_eq!(posted, started);
    // Every record of both logs, byte for byte (the next links name each server's port).
    for log in ["signIns", "directoryAudits"] {
        let path = format!("/beta/auditLogs/{log}?$top=999");
        let one = at_start.walk(&path).await;
        let two = at_run.walk(&path).await;
        assert!(one == two, "{log} differ");
    }
}

#[tokio::test]
async fn a_second_placement_of_a_scenario_chooses_again_and_both_are_listed() {
    let app = spawn(&[]).await;
    let body = json!({"name": "impossible-travel", "at": "2026-06-01T03:00:00Z"});
    let (_, first) = app.post("/_entrasim/scenarios", body.clone()).await;
    let (_, second) = app.post("/_entrasim/scenarios", body).await;
    assert_ne!(first["id"], second["id"]);
    assert_ne!(first["records"], second["records"]);
    let (_, list) = app.get("/_entrasim/scenarios").await;
    assert_eq!(list["value"], json!([first, second]));
}

#[tokio::test]
async fn an_unplaceable_scenario_answers_400_naming_why() {
    let app = spawn(&[]).await;
    let definition = include_str!("../../seed/scenarios/impossible-travel.toml").replace(
        "kind = \"member\"",
        "kind = \"member\"\nrole = \"No Such Role\"",
    );
    let (status, body) = app
        .post("/_entrasim/scenarios", json!({"definition": definition}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_graph_error(&body, "BadRequest");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("only 0 users match") && message.contains("role 'No Such Role'"),
        "{message}"
    );
    let (status, body) = app
        .post(
            "/_entrasim/scenarios",
            json!({"name": "mfa-fatigue", "at": "2025-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("retention"),
        "{body}"
    );
    let (_, list) = app.get("/_entrasim/scenarios").await;
    assert_eq!(list["value"], json!([]));
}

#[tokio::test]
async fn a_bad_definition_or_name_is_refused_with_its_line_and_field() {
    let app = spawn(&[]).await;
    let definition = include_str!("../../seed/scenarios/mfa-fatigue.toml")
        .replace("repeat = 12", "repeat = \"many\"");
    let (status, body) = app
        .post("/_entrasim/scenarios", json!({"definition": definition}))
        .await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("definition:23: field 'repeat': "),
        "{message}"
    );
    let (status, body) = app
        .post("/_entrasim/scenarios", json!({"name": "nope"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password-spray"),
        "{body}"
    );
    let (status, body) = app
        .get("/_entrasim/scenarios/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404);
    assert_graph_error(&body, "Request_ResourceNotFound");
}

#[tokio::test]
async fn a_reset_clears_posted_scenarios_and_places_the_startup_ones_again() {
    let app = spawn(&["--scenario", "mfa-fatigue"]).await;
    let before = key_of(&app, "mfa-fatigue").await;
    app.post("/_entrasim/scenarios", json!({"name": "impossible-travel"}))
        .await;
    let (status, _) = app.post("/_entrasim/reset", json!({})).await;
    assert_eq!(status, 200);
    let (_, list) = app.get("/_entrasim/scenarios").await;
    assert_eq!(list["value"], json!([before]));
}

fn km(a: &Value, b: &Value) -> f64 {
    let rad = |v: &Value| v.as_f64().unwrap().to_radians();
    let (la1, lo1, la2, lo2) = (
        rad(&a["latitude"]),
        rad(&a["longitude"]),
        rad(&b["latitude"]),
        rad(&b["longitude"]),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn minutes_between(a: &str, b: &str) -> f64 {
    let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    (t(b) - t(a)).num_seconds() as f64 / 60.0
}

fn generate(dir: &std::path::Path, scenario: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args([
            "generate",
            "--out",
            dir.to_str().unwrap(),
            "--preset",
            "small",
        ])
        .args([
            "--clock",
            "fixed:2026-06-01T12:00:00Z",
            "--scenario",
            scenario,
        ])
        .output()
        .unwrap()
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn generate_writes_the_keys_the_api_serves_and_the_same_bytes_every_time() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(generate(one.path(), ALL).status.success());
    assert!(generate(two.path(), ALL).status.success());
    let written = files(one.path());
    assert!(written == files(two.path()), "two runs differ");
    assert!(written.iter().any(|(name, _)| name == "scenarios.json"));
    let app = spawn(&["--scenario", ALL]).await;
    let (_, served) = app.get("/_entrasim/scenarios").await;
    let file: Value =
        serde_json::from_slice(&std::fs::read(one.path().join("scenarios.json")).unwrap()).unwrap();
    assert_eq!(file, served);
    let signed: Vec<Value> = std::fs::read_to_string(one.path().join("signIns.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: BTreeSet<&str> = signed.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let spray = served["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["scenario"] == "password-spray")
        .unwrap();
    for id in strings(&spray["records"]["signIns"]) {
        assert!(ids.contains(id.as_str()), "{id} not written");
    }
}

#[test]
fn a_bad_scenario_file_stops_the_command_with_one_line_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    let text = include_str!("../../seed/scenarios/password-spray.toml")
        .replace("count = 40", "count = \"forty\"");
    std::fs::write(&file, text).unwrap();
    let out = generate(&dir.path().join("out"), file.to_str().unwrap());
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let expected = format!("{}:12: field 'count': ", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let out = generate(&dir.path().join("out"), "password-spray@yesterday");
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("RFC 3339"));
}

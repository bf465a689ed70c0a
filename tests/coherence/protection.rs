//! Identity Protection over the default preset: every detection names a sign-in
//! that carries it (real-time) or a user flagged later (offline); every risky
//! user's level is what its detections and history give; every sign-in the
//! risk policies blocked names the policy; every workload detection names failed
//! sign-ins of its principal. Prints the realism figures quoted in the README
//! (`--nocapture`).

use super::shared;
use entrasim::model::ids::{Purpose, id};
use entrasim::model::sign_in as si;
use entrasim::protection::detections::{self, Detection};
use entrasim::protection::{actions::RiskActions, export, signals, users, workloads};
use entrasim::query::capability::ApiVersion;
use entrasim::reports::walk;
use entrasim::store::records::{SignIn, flags};
use serde_json::Value;
use std::collections::BTreeMap;

const RISK_POLICIES: [&str; 2] = [
    "Require multifactor authentication for risky sign-ins",
    "Block access for high-risk users",
];

fn served(plan: &entrasim::activity::Plan, r: &SignIn) -> Value {
    let mut out = Vec::new();
    si::write(&mut out, plan, r, ApiVersion::V1);
    serde_json::from_slice(&out).unwrap()
}

/// Each risky user's history, by user id.
fn histories() -> BTreeMap<String, Vec<Value>> {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let view = export::view(logs, world.now);
    let none = RiskActions::default();
    users::risky_users(&logs.plan, &view.found, &view.resets, &none, world.now)
        .iter()
        .map(|u| {
            let json = users::to_json(&logs.plan, u);
            let id = json["id"].as_str().unwrap().to_string();
            (id, users::history(&logs.plan, u))
        })
        .collect()
}

#[test]
fn every_detection_names_a_sign_in_carrying_it_or_a_user_flagged_later() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let all = walk::sign_ins(logs, world.now);
    let by_request: BTreeMap<String, &SignIn> = all
        .iter()
        .map(|r| (id(plan.tenant.seed, Purpose::SignIn, r.key), r))
        .collect();
    let view = export::view(logs, world.now);
    let histories = histories();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for d in &view.found {
        *kinds.entry(d.kind.clone()).or_default() += 1;
        let json = detections::to_json(plan, d, None, false);
        let history = &histories[json["userId"].as_str().unwrap()];
        let flagged = history.iter().any(|h| {
            h["riskLastUpdatedDateTime"] == json["detectedDateTime"]
                && h["activity"]["riskEventTypes"][0] == json["riskEventType"]
        });
        assert!(flagged, "the user's history holds {json}");
        let Some(request) = json["requestId"].as_str() else {
            assert_eq!(json["activity"], "user");
            assert_eq!(json["detectionTimingType"], "offline");
            continue;
        };
        let sign_in = served(plan, by_request[request]);
        assert_eq!(sign_in["correlationId"], json["correlationId"]);
        assert_eq!(sign_in["userId"], json["userId"]);
        if json["detectionTimingType"] == "realtime" {
            let carried = sign_in["riskEventTypes_v2"].as_array().unwrap();
            assert!(carried.contains(&json["riskEventType"]), "{sign_in}");
            assert_eq!(sign_in["riskLevelDuringSignIn"], json["riskLevel"]);
        } else {
            assert!(json["detectedDateTime"].as_str() > sign_in["createdDateTime"].as_str());
        }
    }
    print_figures(&all, &view.found, &kinds);
}

fn print_figures(all: &[SignIn], found: &[Detection], kinds: &BTreeMap<String, usize>) {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let user_sign_ins = all.iter().filter(|r| r.kind.is_user()).count() as f64;
    for (kind, n) in kinds {
        println!(
            "realism: {kind}: {n} detections, {:.3} per 1,000 user sign-ins",
            *n as f64 * 1000.0 / user_sign_ins
        );
    }
    let view = export::view(logs, world.now);
    let none = RiskActions::default();
    let risky = users::risky_users(&logs.plan, &view.found, &view.resets, &none, world.now);
    let at_risk = risky.iter().filter(|u| u.risk().state == "atRisk").count();
    let people = logs.plan.tenant.users.len();
    let blocked = all
        .iter()
        .filter(|r| r.flags & flags::RISK_BLOCKED != 0)
        .count();
    println!(
        "realism: {} detections over {user_sign_ins} user sign-ins ({:.2} per 1,000); {} of {people} users with a detection ({:.1}%), {at_risk} at risk now ({:.1}%); {blocked} sign-ins blocked by user risk",
        found.len(),
        found.len() as f64 * 1000.0 / user_sign_ins,
        risky.len(),
        risky.len() as f64 * 100.0 / people as f64,
        at_risk as f64 * 100.0 / people as f64,
    );
}

/// The level an oracle gives: detections raise (to the highest since the last
/// settlement), MFA in the sign-in and password resets settle.
fn oracle(found: &[&Detection], resets: &[i64]) -> &'static str {
    let mut events: Vec<(i64, u8, i8)> = Vec::new();
    for d in found {
        events.push((d.detected, 0, d.level as i8));
        if d.remediated {
            events.push((d.detected, 1, -1));
        }
    }
    events.extend(resets.iter().map(|&at| (at, 2, -1)));
    events.sort();
    let mut level = 0;
    for (_, _, change) in events {
        level = if change < 0 { 0 } else { level.max(change) };
    }
    ["none", "low", "medium", "high"][level as usize]
}

#[test]
fn every_risky_user_has_the_level_its_detections_and_history_give() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let view = export::view(logs, world.now);
    let none = RiskActions::default();
    let risky = users::risky_users(plan, &view.found, &view.resets, &none, world.now);
    assert!(!risky.is_empty());
    for user in &risky {
        let mine: Vec<&Detection> = view
            .found
            .iter()
            .filter(|d| d.user == user.subject)
            .collect();
        let resets: Vec<i64> = view
            .resets
            .iter()
            .filter(|e| e.user == user.subject && e.until <= world.now)
            .map(|e| e.until)
            .collect();
        let json = users::to_json(plan, user);
        let history = users::history(plan, user);
        assert_eq!(
            history.len(),
            mine.len() + resets.len() + mine.iter().filter(|d| d.remediated).count()
        );
        assert_eq!(history.last().unwrap()["riskLevel"], json["riskLevel"]);
        assert_eq!(history.last().unwrap()["riskState"], json["riskState"]);
        assert_eq!(json["riskLevel"], oracle(&mine, &resets), "{json}");
    }
}

#[test]
fn every_sign_in_the_risk_policies_stopped_names_the_policy_and_a_user_then_at_risk() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let all = walk::sign_ins(logs, world.now);
    let histories = histories();
    let stopped: Vec<&SignIn> = all
        .iter()
        .filter(|r| r.kind.is_user() && r.error != 0 && signals::aggregated(r.risk) >= 2)
        .filter(|r| {
            let code = plan.catalog.sign_in_errors[r.error as usize - 1].code;
            matches!(code, 53003 | 50074 | 50076)
        })
        .collect();
    assert!(stopped.iter().any(|r| r.flags & flags::RISK_BLOCKED != 0));
    for r in &stopped {
        let json = served(plan, r);
        let failed: Vec<&str> = json["appliedConditionalAccessPolicies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["result"] == "failure")
            .filter_map(|p| p["displayName"].as_str())
            .collect();
        assert!(failed.iter().any(|p| RISK_POLICIES.contains(p)), "{json}");
        if r.flags & flags::RISK_BLOCKED == 0 {
            continue;
        }
        assert_eq!(json["status"]["errorCode"], 53003);
        assert_eq!(json["riskLevelAggregated"], "high");
        assert!(failed.contains(&"Block access for high-risk users"));
        let history = &histories[json["userId"].as_str().unwrap()];
        let then = history
            .iter()
            .rfind(|h| h["riskLastUpdatedDateTime"].as_str() <= json["createdDateTime"].as_str());
        assert_eq!(then.unwrap()["riskLevel"], "high", "{json}");
    }
}

#[test]
fn every_workload_detection_names_failed_sign_ins_of_its_service_principal() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let all = walk::sign_ins(logs, world.now);
    let found = workloads::detections(&all, world.now);
    assert!(!found.is_empty());
    for d in &found {
        assert_eq!(d.last.subject, d.sp);
        assert_ne!(d.last.error, 0);
        let failed_that_day = all
            .iter()
            .filter(|r| {
                r.subject == d.sp
                    && r.kind == entrasim::store::records::SignInKind::ServicePrincipal
                    && r.error != 0
                    && r.at.div_euclid(864_000_000_000) == d.last.at.div_euclid(864_000_000_000)
            })
            .count() as u32;
        assert_eq!(failed_that_day, d.failures);
        assert!(d.detected > d.last.at && d.detected <= world.now);
    }
    let sps = workloads::risky(&found, &RiskActions::default()).len();
    let app_sign_ins = all
        .iter()
        .filter(|r| r.kind == entrasim::store::records::SignInKind::ServicePrincipal)
        .count();
    println!(
        "realism: {} suspiciousSignins workload detections ({:.2} per 1,000 service-principal sign-ins), {sps} risky service principals",
        found.len(),
        found.len() as f64 * 1000.0 / app_sign_ins as f64
    );
}

//! Identity Protection over the default preset: every detection is a sign-in the log
//! serves and that carries it; every risky user's level is what its detections and
//! history give; every workload detection names failed sign-ins of its principal.
//! Prints the realism figures quoted in the README (`--nocapture`).

use super::shared;
use entrasim::model::ids::{Purpose, id};
use entrasim::model::sign_in as si;
use entrasim::protection::{actions::RiskActions, detections, users, workloads};
use entrasim::query::capability::ApiVersion;
use entrasim::reports::walk;
use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn every_real_time_detection_is_a_sign_in_that_carries_it() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let all = walk::sign_ins(logs, world.now);
    let by_request: BTreeMap<String, &entrasim::store::records::SignIn> = all
        .iter()
        .map(|r| (id(plan.tenant.seed, Purpose::SignIn, r.key), r))
        .collect();
    let risky = detections::risky_sign_ins(logs, world.now);
    assert!(!risky.is_empty());
    for r in &risky {
        let d = detections::to_json(plan, r, None, false);
        let sign_in = by_request[d["requestId"].as_str().unwrap()];
        let mut out = Vec::new();
        si::write(&mut out, plan, sign_in, ApiVersion::V1);
        let json: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["correlationId"], d["correlationId"]);
        assert_eq!(d["detectionTimingType"], "realtime");
        assert!(
            json["riskEventTypes_v2"]
                .as_array()
                .unwrap()
                .contains(&d["riskEventType"])
        );
        assert_eq!(json["riskLevelDuringSignIn"], d["riskLevel"]);
    }
    let per_thousand =
        risky.len() as f64 * 1000.0 / all.iter().filter(|r| r.kind.is_user()).count() as f64;
    let none = RiskActions::default();
    let users = users::risky_users(plan, &risky, &none);
    let people = plan.tenant.users.len();
    println!(
        "realism: unfamiliarFeatures {per_thousand:.2} per 1,000 user sign-ins; {} of {people} users at risk ({:.1}%)",
        users.len(),
        users.len() as f64 * 100.0 / people as f64
    );
}

#[test]
fn every_risky_user_has_the_level_its_detections_and_history_give() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let risky = detections::risky_sign_ins(logs, world.now);
    let none = RiskActions::default();
    for user in users::risky_users(plan, &risky, &none) {
        let highest = user.detections.iter().map(|r| r.risk).max().unwrap();
        let json = users::to_json(plan, &user);
        let history = users::history(plan, &user);
        assert_eq!(history.len(), user.detections.len());
        assert_eq!(history.last().unwrap()["riskLevel"], json["riskLevel"]);
        assert_eq!(
            json["riskLevel"],
            ["none", "low", "medium", "high"][highest as usize]
        );
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

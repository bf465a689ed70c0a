//! PIM chains: no overlapping activations, real windows, distinct approvers,
//! renewals and extensions, the portal sign-in before each request.

use super::*;
use entrasim::store::records::{TICKS_PER_SECOND, datetime};
use std::collections::BTreeMap;

fn name(world: &World, a: &Audit) -> String {
    world.tenants[0].plan.catalog.audit_activities[a.activity as usize]
        .activity
        .clone()
}

#[test]
fn activations_of_one_user_and_role_never_overlap_and_show_their_real_window() {
    let (world, _) = shared();
    let plan = &world.tenants[0].plan;
    let mut audits: Vec<Audit> = served(&world.tenants[0], world.now, |_: &Audit| true);
    audits.reverse();
    let mut chains: BTreeMap<u64, (u32, i64, i64)> = BTreeMap::new();
    for a in &audits {
        let n = name(world, a);
        if n == "Add member to role completed (PIM activation)" {
            chains.entry(a.corr).or_insert((a.detail, 0, i64::MAX)).1 = a.at;
        }
        if n == "Remove member from role (PIM activation expired)" {
            chains.entry(a.corr).or_insert((a.detail, 0, i64::MAX)).2 = a.at;
            let mut out = Vec::new();
            entrasim::model::audit::write(&mut out, plan, a, ApiVersion::V1);
            let json: Value = serde_json::from_slice(&out).unwrap();
            let details = json["additionalDetails"].as_array().unwrap();
            let value = |k: &str| {
                details.iter().find(|d| d["key"] == k).unwrap()["value"]
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            let at = datetime(a.at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            assert_eq!(
                value("ExpirationTime"),
                at,
                "expiry record's ExpirationTime"
            );
        }
        if n == "Add member to role request approved (PIM activation)" {
            let requester = plan.tenant.eligibility_schedules[a.detail as usize].principal;
            assert_ne!(
                a.initiator,
                entrasim::store::records::Actor::User(requester),
                "self-approval"
            );
        }
    }
    let mut by_pair: BTreeMap<(u32, u32), Vec<(i64, i64)>> = BTreeMap::new();
    for (schedule, start, end) in chains.values() {
        let e = &plan.tenant.eligibility_schedules[*schedule as usize];
        by_pair
            .entry((e.principal, e.role))
            .or_default()
            .push((*start, *end));
    }
    for spans in by_pair.values_mut() {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[0].1 < pair[1].0, "overlapping activations {pair:?}");
        }
    }
    assert!(by_pair.len() > 5);
}

#[test]
fn renewals_extensions_and_eligibility_scale_with_the_tenant() {
    let (world, _) = shared();
    let audits: Vec<Audit> = served(&world.tenants[0], world.now, |_: &Audit| true);
    let names: BTreeSet<String> = audits.iter().map(|a| name(world, a)).collect();
    assert!(names.iter().any(|n| n.contains("(renew)")), "no renewal");
    assert!(names.iter().any(|n| n.contains("(extend)")), "no extension");
    let tenant = &world.tenants[0].plan.tenant;
    assert!(tenant.eligibility_schedules.len() >= tenant.users.len() / 60);
}

#[test]
fn a_pim_request_follows_the_users_portal_sign_in_with_the_same_correlation() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let portal = plan
        .tenant
        .sp_by_app_id("c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
        .unwrap();
    let sign_ins: BTreeMap<u64, SignIn> = served(logs, world.now, |s: &SignIn| s.app == portal)
        .into_iter()
        .map(|s| (s.corr, s))
        .collect();
    let mut requests = 0;
    for a in served(logs, world.now, |_: &Audit| true) {
        if name(world, &a) != "Add member to role requested (PIM activation)" {
            continue;
        }
        requests += 1;
        let user = plan.tenant.eligibility_schedules[a.detail as usize].principal;
        let s = sign_ins.get(&a.corr).expect("the request's portal sign-in");
        assert_eq!(s.subject, user);
        assert!(s.at < a.at && a.at - s.at < 900 * TICKS_PER_SECOND && s.error == 0);
    }
    assert!(requests > 0);
}

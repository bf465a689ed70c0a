//! Every reference in every record of the default preset exists in the directory
//! endpoints, or is a soft-deleted user, served under `directory/deletedItems`, whose
//! "Delete user" audit the log shows. Every shipped scenario is placed first.

use entrasim::app::plans;
use entrasim::config::{LatencyMode, License, Preset, TenantSettings};
use entrasim::export::served;
use entrasim::model::directory::{Collection, DeletedType};
use entrasim::model::sign_in as si;
use entrasim::query::capability::ApiVersion;
use entrasim::rng::Seed;
use entrasim::scenario::Request;
use entrasim::store::World;
use entrasim::store::records::{Audit, Provisioning, SignIn, ticks};
use serde_json::Value;
use std::collections::BTreeSet;

pub(crate) struct Directory {
    devices: BTreeSet<String>,
    policies: BTreeSet<String>,
    users: BTreeSet<String>,
    deleted: BTreeSet<String>,
    sps: BTreeSet<String>,
    app_ids: BTreeSet<String>,
    groups: BTreeSet<String>,
    applications: BTreeSet<String>,
    roles: BTreeSet<String>,
}

fn ids(objects: &[Value], key: &str) -> BTreeSet<String> {
    objects
        .iter()
        .map(|o| o[key].as_str().unwrap().to_string())
        .collect()
}

#[path = "coherence/access.rs"]
mod access;
#[path = "coherence/lifecycle.rs"]
mod lifecycle;
#[path = "coherence/membership.rs"]
mod membership;
#[path = "coherence/pim.rs"]
mod pim;
#[path = "coherence/protection.rs"]
mod protection;
#[path = "coherence/provisioning.rs"]
mod provisioning;
#[path = "coherence/reports.rs"]
mod reports;
#[path = "coherence/sign_in_activity.rs"]
mod sign_in_activity;

/// The default preset at the fixed clock, built once for every test.
fn shared() -> &'static (World, Directory) {
    static SHARED: std::sync::OnceLock<(World, Directory)> = std::sync::OnceLock::new();
    SHARED.get_or_init(setup)
}

fn setup() -> (World, Directory) {
    let settings = TenantSettings {
        seed: Seed(42),
        preset: Preset::named("default").unwrap(),
        license: License::P2,
        tenants: 1,
    };
    let now = "2026-06-01T12:00:00Z".parse().unwrap();
    let mut world = World::new(1, plans(&settings, LatencyMode::Graph, now), ticks(now));
    // Every shipped scenario is placed: the rules below hold for its records too.
    let requests: Vec<Request> = entrasim::scenario::builtin()
        .into_iter()
        .map(|def| Request { def, at: None })
        .collect();
    entrasim::scenario::place_all(&mut world, &requests).expect("every scenario is placed");
    assert_eq!(world.tenants[0].scenarios.len(), requests.len());
    let tenant = &world.tenants[0].plan.tenant;
    let sps = Collection::ServicePrincipals.objects(tenant, now);
    let users = Collection::Users.objects(tenant, now);
    let listed = ids(&users, "id");
    let doc = entrasim::export::tenant_json(tenant, now);
    let mut devices = ids(doc["devices"].as_array().unwrap(), "id");
    // Devices of deleted users left with their owner; their earlier audits remain.
    devices.extend(
        tenant
            .devices
            .iter()
            .filter(|d| tenant.users[d.owner as usize].deleted.is_some())
            .map(|d| d.device_id.clone()),
    );
    // Deleted identities' service principals left the directory at their deletion; their
    // earlier sign-ins and audits remain ("Remove service principal" says when).
    let mut sps = sps;
    sps.extend(
        tenant
            .managed_identities
            .iter()
            .filter(|m| m.deleted.is_some())
            .map(|m| {
                let sp = tenant.sp(m.service_principal);
                serde_json::json!({"id": sp.id, "appId": sp.app_id})
            }),
    );
    let directory = Directory {
        devices,
        policies: ids(doc["conditionalAccessPolicies"].as_array().unwrap(), "id"),
        deleted: ids(
            &Collection::Deleted(DeletedType::User).objects(tenant, now),
            "id",
        ),
        users: listed,
        app_ids: ids(&sps, "appId"),
        sps: ids(&sps, "id"),
        groups: ids(&Collection::Groups.objects(tenant, now), "id"),
        applications: ids(&Collection::Applications.objects(tenant, now), "id"),
        roles: ids(&Collection::RoleDefinitions.objects(tenant, now), "id"),
    };
    (world, directory)
}

#[test]
fn every_user_missing_from_users_is_a_deleted_item() {
    let (world, d) = shared();
    let all: BTreeSet<String> = world.tenants[0]
        .plan
        .tenant
        .users
        .iter()
        .map(|u| u.id.clone())
        .collect();
    let missing: BTreeSet<String> = all.difference(&d.users).cloned().collect();
    assert!(!missing.is_empty(), "the default preset deletes users");
    assert_eq!(missing, d.deleted);
}

fn user_known(d: &Directory, id: &str) -> bool {
    d.users.contains(id) || d.deleted.contains(id)
}

#[test]
fn every_reference_in_every_record_exists_in_the_directory() {
    let (world, d) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let now = world.now;
    let sign_ins: Vec<SignIn> = served(logs, now, |_: &SignIn| true);
    assert!(sign_ins.len() > 50_000);
    for r in &sign_ins {
        let user = si::user_id(plan, r);
        assert!(
            user.is_empty() || user_known(d, user),
            "sign-in user {user}"
        );
        assert!(
            d.app_ids.contains(si::app(plan, r).0),
            "sign-in app {}",
            si::app(plan, r).0
        );
        assert!(
            d.app_ids.contains(si::resource(plan, r).0),
            "sign-in resource"
        );
        if let Some((sp, _)) = si::service_principal(plan, r) {
            assert!(d.sps.contains(sp), "sign-in service principal {sp}");
        }
    }
    let audits: Vec<Audit> = served(logs, now, |_: &Audit| true);
    let mut deleted_with_audit = BTreeSet::new();
    for r in &audits {
        let mut out = Vec::new();
        entrasim::model::audit::write(&mut out, plan, r, ApiVersion::V1);
        let audit: Value = serde_json::from_slice(&out).unwrap();
        check_audit(d, &audit);
        if audit["activityDisplayName"] == "Delete user" {
            deleted_with_audit.insert(
                audit["targetResources"][0]["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    for r in served(logs, now, |_: &Provisioning| true) {
        let mut out = Vec::new();
        entrasim::model::provisioning::write(&mut out, plan, &r, ApiVersion::V1);
        let record: Value = serde_json::from_slice(&out).unwrap();
        assert!(
            d.sps
                .contains(record["servicePrincipal"]["id"].as_str().unwrap())
        );
        let entra_side = [
            &record["sourceIdentity"]["id"],
            &record["targetIdentity"]["id"],
        ];
        let kind = record["sourceIdentity"]["identityType"].as_str().unwrap();
        let known = |id: &str| {
            if kind == "Group" {
                d.groups.contains(id)
            } else {
                user_known(d, id)
            }
        };
        // Workday to on-premises AD: neither side is an Entra object id.
        let on_premises = record["targetSystem"]["displayName"] == "Active Directory";
        assert!(
            on_premises || entra_side.iter().any(|id| known(id.as_str().unwrap())),
            "provisioning identity {record}"
        );
    }
    let window_deletions: BTreeSet<String> = plan
        .tenant
        .users
        .iter()
        .filter(|u| u.deleted.is_some())
        .map(|u| u.id.clone())
        .collect();
    assert!(!window_deletions.is_empty());
    assert_eq!(
        window_deletions,
        deleted_with_audit
            .intersection(&window_deletions)
            .cloned()
            .collect(),
        "every soft-deleted user has its Delete user audit"
    );
}

fn check_audit(d: &Directory, audit: &Value) {
    let initiator = &audit["initiatedBy"];
    if let Some(id) = initiator["user"]["id"].as_str() {
        assert!(
            user_known(d, id) || initiator["user"]["displayName"] == "Azure AD PIM",
            "initiator {id}"
        );
    }
    if let Some(sp) = initiator["app"]["servicePrincipalId"].as_str() {
        assert!(d.sps.contains(sp), "initiating app {sp}");
    }
    for target in audit["targetResources"].as_array().unwrap() {
        let id = target["id"].as_str().unwrap_or_default();
        let known = match target["type"].as_str().unwrap() {
            "User" => user_known(d, id),
            "Group" => d.groups.contains(id),
            "ServicePrincipal" => d.sps.contains(id),
            "Application" => d.applications.contains(id),
            "Role" => d.roles.contains(id),
            "Device" => d.devices.contains(id),
            "Policy" => d.policies.contains(id),
            // A PIM request or an object outside the directory model (Other, Request,
            // Directory: the tenant itself) has no collection to look it up in.
            _ => true,
        };
        assert!(
            known,
            "{} target {id} of {}",
            target["type"], audit["activityDisplayName"]
        );
    }
}

/// Issue 3's done-when: over the default 30 days, at least 300 distinct audit
/// activities from at least 15 services, complete PIM chains, all four sign-in
/// kinds, every provisioning action and every status.
#[test]
fn thirty_default_days_show_the_breadth_graph_shows() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let audits: Vec<Audit> = served(logs, world.now, |_: &Audit| true);
    let row = |a: &Audit| &plan.catalog.audit_activities[a.activity as usize];
    let activities: BTreeSet<(&str, &str)> = audits
        .iter()
        .map(|a| (row(a).service.as_str(), row(a).activity.as_str()))
        .collect();
    let services: BTreeSet<&str> = activities.iter().map(|a| a.0).collect();
    assert!(activities.len() >= 300, "{} activities", activities.len());
    assert!(services.len() >= 15, "{} services", services.len());
    let corrs = |name: &str| -> BTreeSet<u64> {
        audits
            .iter()
            .filter(|a| row(a).activity == name)
            .map(|a| a.corr)
            .collect()
    };
    let requested = corrs("Add member to role requested (PIM activation)");
    let completed = corrs("Add member to role completed (PIM activation)");
    let expired = corrs("Remove member from role (PIM activation expired)");
    assert!(requested.len() > 20);
    // Chains still running at the snapshot have not expired yet; chains that began before the window lack a request.
    let finished: BTreeSet<u64> = requested.intersection(&expired).copied().collect();
    assert!(
        finished.len() * 10 >= requested.len() * 8,
        "{} of {} chains finished",
        finished.len(),
        requested.len()
    );
    assert!(finished.is_subset(&completed));
    let sign_ins: Vec<SignIn> = served(logs, world.now, |_: &SignIn| true);
    for kind in entrasim::store::records::SignInKind::ALL {
        assert!(sign_ins.iter().any(|s| s.kind == kind), "{kind:?}");
    }
    let provisioning: Vec<Provisioning> = served(logs, world.now, |_: &Provisioning| true);
    for action in 0..entrasim::store::records::PROVISIONING_ACTIONS.len() {
        assert!(
            provisioning.iter().any(|p| p.action as usize == action),
            "action {action}"
        );
    }
    for status in 0..entrasim::store::records::PROVISIONING_RESULTS.len() {
        assert!(
            provisioning.iter().any(|p| p.status as usize == status),
            "status {status}"
        );
    }
}

#[test]
fn a_day_of_record_delays_matches_graphs_documented_p95_and_p99() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let day_start = world.now - 24 * 3600 * 10_000_000;
    let mut delays: Vec<u32> = logs
        .hours
        .values()
        .flat_map(|h| h.sign_ins.iter())
        .filter(|s| s.at >= day_start)
        .map(|s| s.delay_ms)
        .collect();
    assert!(delays.len() > 2000);
    delays.sort_unstable();
    let quantile = |q: f64| delays[((delays.len() as f64) * q) as usize] as f64 / 1000.0;
    let (p95, p99) = (quantile(0.95), quantile(0.99));
    assert!(
        (p95 - 120.0).abs() <= 12.0,
        "P95 {p95} s, expected 120 s ± 10%"
    );
    assert!(
        (p99 - 300.0).abs() <= 30.0,
        "P99 {p99} s, expected 300 s ± 10%"
    );
}

//! Lifecycle audits agree with the final directory.

use super::*;
use entrasim::store::records::datetime;
use std::collections::BTreeMap;

fn audits_json(world: &World, version: ApiVersion) -> Vec<Value> {
    let logs = &world.tenants[0];
    let mut audits: Vec<Audit> = served(logs, world.now, |_: &Audit| true);
    audits.reverse();
    audits
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            entrasim::model::audit::write(&mut out, &logs.plan, r, version);
            serde_json::from_slice(&out).unwrap()
        })
        .collect()
}

fn by_id(objects: &[Value]) -> BTreeMap<String, Value> {
    objects
        .iter()
        .map(|o| (o["id"].as_str().unwrap().to_string(), o.clone()))
        .collect()
}

fn second(text: &Value) -> String {
    text.as_str().unwrap()[..19].to_string()
}

#[test]
fn membership_account_group_and_application_audits_agree_with_the_final_directory() {
    let (world, _) = shared();
    let tenant = &world.tenants[0].plan.tenant;
    let now = datetime(world.now);
    let groups = by_id(&Collection::Groups.with_relationships(tenant, now));
    let users = by_id(&Collection::Users.objects(tenant, now));
    let apps = by_id(&Collection::Applications.objects(tenant, now));
    let mut membership: BTreeMap<(String, String), bool> = BTreeMap::new();
    let mut account: BTreeMap<String, bool> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for audit in audits_json(world, ApiVersion::V1) {
        let name = audit["activityDisplayName"].as_str().unwrap().to_string();
        let targets = audit["targetResources"].as_array().unwrap();
        let first = targets[0]["id"].as_str().unwrap_or_default().to_string();
        *counts.entry(name.clone()).or_default() += 1;
        match name.as_str() {
            "Add member to group" | "Remove member from group" => {
                let group = targets[1]["id"].as_str().unwrap().to_string();
                let rule = &groups[&group]["membershipRule"];
                assert!(rule.is_null(), "{name} on dynamic group {group}");
                membership.insert((group, first), name.starts_with("Add"));
            }
            "Add group" => assert_eq!(
                second(&audit["activityDateTime"]),
                second(&groups[&first]["createdDateTime"])
            ),
            "Add application" => assert_eq!(
                second(&audit["activityDateTime"]),
                second(&apps[&first]["createdDateTime"])
            ),
            "Delete group" => assert!(!groups.contains_key(&first), "{name} of a listed group"),
            "Delete application" => {
                assert!(!apps.contains_key(&first), "{name} of a listed application")
            }
            "Disable account" | "Enable account" => {
                account.insert(first, name.starts_with("Enable"));
            }
            _ => {}
        }
    }
    for ((group, user), member) in &membership {
        if !users.contains_key(user) {
            continue;
        }
        let listed = groups[group]["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == user.as_str());
        assert_eq!(
            listed, *member,
            "last membership audit of {user} in {group}"
        );
    }
    for (user, enabled) in &account {
        if let Some(u) = users.get(user) {
            assert_eq!(
                u["accountEnabled"], *enabled,
                "last account audit of {user}"
            );
        }
    }
    for name in [
        "Add member to group",
        "Remove member from group",
        "Disable account",
        "Add group",
        "Add device",
    ] {
        assert!(counts.get(name).is_some_and(|&n| n > 0), "no {name}");
    }
}

#[test]
fn role_changes_and_initiators_are_plausible() {
    let (world, _) = shared();
    let plan = &world.tenants[0].plan;
    let tenant = &plan.tenant;
    let tests: BTreeSet<String> = tenant
        .test_clients
        .iter()
        .map(|c| {
            tenant
                .sp(tenant.applications[c.application as usize].service_principal)
                .id
                .clone()
        })
        .collect();
    let holders: BTreeSet<(String, String)> = tenant
        .role_assignments
        .iter()
        .map(|a| {
            (
                tenant.users[a.principal as usize].id.clone(),
                tenant.role_definitions[a.role as usize].id.clone(),
            )
        })
        .collect();
    for audit in audits_json(world, ApiVersion::V1) {
        let initiator = &audit["initiatedBy"];
        if let Some(sp) = initiator["app"]["servicePrincipalId"].as_str() {
            assert!(
                !tests.contains(sp),
                "a test client initiated {}",
                audit["activityDisplayName"]
            );
        }
        let name = audit["activityDisplayName"].as_str().unwrap();
        if audit["loggedByService"] == "Core Directory"
            && ["Add member to role", "Remove member from role"].contains(&name)
        {
            let targets = audit["targetResources"].as_array().unwrap();
            let role = targets[0]["id"].as_str().unwrap().to_string();
            let user = targets[1]["id"].as_str().unwrap().to_string();
            let by_pim = initiator["app"]["displayName"] == "MS-PIM";
            assert!(
                by_pim || holders.contains(&(user, role)),
                "{name} outside PIM for a user without the assignment"
            );
        }
        if let Some(user) = initiator["user"]["id"].as_str()
            && audit["loggedByService"] == "Core Directory"
            && !name.contains("device")
            && name != "Add device"
        {
            let by = tenant
                .user_by_id(user)
                .expect("initiator is a user of the tenant");
            let owner = audit["targetResources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["type"] == "Group");
            let eligible = tenant
                .eligibility_schedules
                .iter()
                .any(|e| e.principal == by);
            assert!(
                tenant.user(by).is_admin || owner || eligible,
                "{name} by a user without a role"
            );
        }
    }
}

#[test]
fn every_service_principal_grant_audit_has_its_directory_grant() {
    let (world, _) = shared();
    let tenant = &world.tenants[0].plan.tenant;
    let doc = entrasim::export::tenant_json(tenant, datetime(world.now));
    let grants: BTreeSet<String> = doc["appRoleAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["principalId"].as_str().unwrap().to_string())
        .collect();
    let mut seen = 0;
    for audit in audits_json(world, ApiVersion::V1) {
        if audit["activityDisplayName"] == "Add app role assignment to service principal" {
            let sp = audit["targetResources"][0]["id"].as_str().unwrap();
            assert!(grants.contains(sp), "no appRoleAssignment for {sp}");
            seen += 1;
        }
    }
    assert!(seen > 0);
    let mis = doc["managedIdentities"].as_array().unwrap();
    let roles = doc["azureRoleAssignments"].as_array().unwrap();
    assert!(
        mis.iter().all(|m| {
            let id = &m["servicePrincipalId"];
            roles.iter().any(|r| &r["principalId"] == id) || grants.contains(id.as_str().unwrap())
        }) || mis.is_empty()
    );
}

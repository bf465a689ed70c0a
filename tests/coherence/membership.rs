//! Group membership and ownership as the directory's navigation listings serve
//! them (`/groups/{id}/members`, `/owners`, `/users/{id}/memberOf`) agree with
//! the audit log's membership and ownership changes as a walk sees them.

use super::*;
use entrasim::http::directory_keys::navigation_ids;
use entrasim::store::records::datetime;
use std::collections::BTreeMap;

/// The audit log's membership and ownership changes, replayed oldest first.
#[derive(Default)]
struct Replay {
    /// (group, user) → member after the pair's last visible change.
    member: BTreeMap<(String, String), bool>,
    /// group → users an "Add owner to group" audit names.
    owners: BTreeMap<String, BTreeSet<String>>,
    /// Groups whose "Add group" audit the walk sees: every member and owner
    /// they have arrived inside the window, so the audits name them all.
    created: BTreeSet<String>,
}

fn replay(world: &World) -> Replay {
    let logs = &world.tenants[0];
    let mut audits: Vec<Audit> = served(logs, world.now, |_: &Audit| true);
    audits.reverse();
    let mut replay = Replay::default();
    for record in &audits {
        let mut out = Vec::new();
        entrasim::model::audit::write(&mut out, &logs.plan, record, ApiVersion::V1);
        let audit: Value = serde_json::from_slice(&out).unwrap();
        let targets = audit["targetResources"].as_array().unwrap();
        let id = |i: usize| targets[i]["id"].as_str().unwrap_or_default().to_string();
        match audit["activityDisplayName"].as_str().unwrap() {
            "Add member to group" => replay.member.insert((id(1), id(0)), true),
            "Remove member from group" => replay.member.insert((id(1), id(0)), false),
            "Add owner to group" => {
                replay.owners.entry(id(1)).or_default().insert(id(0));
                None
            }
            "Add group" => {
                replay.created.insert(id(0));
                None
            }
            _ => None,
        };
    }
    replay
}

#[test]
fn group_members_and_owners_served_agree_with_the_audit_logs_membership_changes() {
    let (world, directory) = shared();
    let tenant = &world.tenants[0].plan.tenant;
    let now = datetime(world.now);
    let replay = replay(world);
    let listing = |set: &str, key: &str, nav: &str| -> BTreeSet<String> {
        navigation_ids(tenant, now, set, key, nav)
            .unwrap_or_else(|| panic!("{set}/{key}/{nav} is served"))
            .into_iter()
            .collect()
    };
    assert!(replay.member.len() > 20, "{} changes", replay.member.len());
    for ((group, user), member) in &replay.member {
        if !directory.users.contains(user) {
            continue; // deleted since: the listings drop deleted users
        }
        let members = listing("groups", group, "members");
        assert_eq!(members.contains(user), *member, "{user} in {group}");
        let of = listing("users", user, "memberOf");
        assert_eq!(of.contains(group), *member, "{group} in {user}'s memberOf");
    }
    for (group, added) in &replay.owners {
        let owners = listing("groups", group, "owners");
        for user in added.iter().filter(|u| directory.users.contains(*u)) {
            assert!(owners.contains(user), "owner {user} of {group}");
            assert!(listing("users", user, "ownedObjects").contains(group));
        }
    }
    assert!(
        !replay.created.is_empty(),
        "a group was created in the window"
    );
    for group in &replay.created {
        let live = |u: &&String| directory.users.contains(*u);
        let want: BTreeSet<String> = replay
            .member
            .iter()
            .filter(|((g, u), member)| g == group && **member && live(&u))
            .map(|((_, u), _)| u.clone())
            .collect();
        let users: BTreeSet<String> = listing("groups", group, "members")
            .into_iter()
            .filter(|m| directory.users.contains(m))
            .collect();
        assert_eq!(users, want, "members of {group}, created in the window");
        let owners: BTreeSet<String> = replay
            .owners
            .get(group)
            .into_iter()
            .flatten()
            .filter(live)
            .cloned()
            .collect();
        assert_eq!(
            listing("groups", group, "owners"),
            owners,
            "owners of {group}"
        );
    }
}

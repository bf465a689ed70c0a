//! The directory's recent history: the changes inside the log window that the
//! audit log must show (memberships, account state, new groups, applications
//! and devices, role assignments, PIM extensions). Each change agrees with the
//! final directory: an added member is still a member unless a later change
//! removes it, a disabled account is still disabled, and so on.

use super::generate::Draft;
use super::people::random_within;
use super::{Change, ChangeKind, UserKind};
use chrono::{DateTime, Duration, Utc};
use rand::RngExt;

/// Builds `tenant.history`, adjusting creation times it decides fall in the window.
pub(super) fn history(draft: &mut Draft) {
    let mut changes = Vec::new();
    new_groups(draft, &mut changes);
    memberships(draft, &mut changes);
    accounts(draft, &mut changes);
    applications(draft, &mut changes);
    devices(draft, &mut changes);
    roles(draft, &mut changes);
    extensions(draft, &mut changes);
    changes.sort_by_key(|c| c.at);
    draft.tenant.history = changes;
}

/// A random instant in `[from, to)`, if that span is not empty.
fn between(draft: &mut Draft, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (from < to).then(|| from + random_within(&mut draft.rng, to - from))
}

fn push(changes: &mut Vec<Change>, at: DateTime<Utc>, kind: ChangeKind) {
    changes.push(Change { at, kind });
}

/// Some Microsoft 365 teams were created inside the window, with their members.
fn new_groups(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    for g in 0..draft.tenant.groups.len() {
        if !draft.tenant.groups[g].unified || !draft.rng.random_bool(0.15) {
            continue;
        }
        let Some(created) = between(draft, start, end - Duration::days(1)) else {
            continue;
        };
        let group = &mut draft.tenant.groups[g];
        group.created = created;
        let users = &draft.tenant.users;
        group
            .members
            .retain(|&m| users[m as usize].created < created);
        group.owners.retain(|o| group.members.contains(o));
        push(changes, created, ChangeKind::GroupCreated(g as u32));
        for (n, &o) in group.owners.iter().enumerate() {
            let at = created + Duration::seconds(1 + n as i64);
            push(
                changes,
                at,
                ChangeKind::OwnerAdded {
                    group: g as u32,
                    user: o,
                },
            );
        }
        for (n, &m) in group.members.iter().enumerate() {
            let at = created + Duration::seconds(3 + n as i64);
            push(
                changes,
                at,
                ChangeKind::MemberAdded {
                    group: g as u32,
                    user: m,
                },
            );
        }
    }
}

/// Joins inside the window for current members of assigned groups, and
/// people who joined a team and left it again.
fn memberships(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    for g in 0..draft.tenant.groups.len() {
        let group = &draft.tenant.groups[g];
        if !group.is_assigned() || group.created >= start {
            continue;
        }
        let (members, unified) = (group.members.clone(), group.unified);
        for m in members {
            let user = &draft.tenant.users[m as usize];
            let from = user.created.max(start);
            let joins = user.created >= start || draft.rng.random_bool(0.08);
            if let Some(at) = joins.then(|| between(draft, from, end)).flatten() {
                push(
                    changes,
                    at,
                    ChangeKind::MemberAdded {
                        group: g as u32,
                        user: m,
                    },
                );
            }
        }
        if unified {
            former_members(draft, g as u32, changes);
        }
    }
}

fn former_members(draft: &mut Draft, g: u32, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    let users = draft.tenant.users.len();
    for _ in 0..1 + draft.tenant.groups[g as usize].members.len() / 10 {
        let u = draft.rng.random_range(0..users) as u32;
        let user = &draft.tenant.users[u as usize];
        if user.kind == UserKind::ServiceAccount
            || draft.tenant.groups[g as usize].members.contains(&u)
            || user.created >= start
            || user.deleted.is_some()
        {
            continue;
        }
        let Some(joined) = between(draft, start, end - Duration::hours(2)) else {
            continue;
        };
        let Some(left) = between(draft, joined + Duration::minutes(10), end) else {
            continue;
        };
        push(
            changes,
            joined,
            ChangeKind::MemberAdded { group: g, user: u },
        );
        push(
            changes,
            left,
            ChangeKind::MemberRemoved { group: g, user: u },
        );
    }
}

/// Accounts disabled inside the window, and short suspensions (disabled, then enabled).
fn accounts(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    for u in 0..draft.tenant.users.len() {
        if let Some(at) = draft.tenant.users[u].disabled_at.filter(|&d| d >= start) {
            push(changes, at, ChangeKind::AccountDisabled(u as u32));
        }
    }
    let members = draft.preset.tenant.members as usize;
    for _ in 0..(members / 100).max(1) {
        let u = draft.rng.random_range(0..draft.tenant.users.len());
        let user = &draft.tenant.users[u];
        if user.is_admin
            || user.kind != UserKind::Member
            || !user.account_enabled
            || user.created >= start
            || user.deleted.is_some()
            || user.suspended.is_some()
        {
            continue;
        }
        let Some(from) = between(draft, start, end - Duration::days(1)) else {
            continue;
        };
        let to = from + Duration::hours(draft.rng.random_range(2..72));
        draft.tenant.users[u].suspended = Some((from, to.min(end - Duration::minutes(1))));
        push(changes, from, ChangeKind::AccountDisabled(u as u32));
        push(
            changes,
            to.min(end - Duration::minutes(1)),
            ChangeKind::AccountEnabled(u as u32),
        );
    }
}

/// Some line-of-business applications were registered inside the window.
fn applications(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    let tests: Vec<u32> = draft
        .tenant
        .test_clients
        .iter()
        .map(|c| c.application)
        .collect();
    // The first of the tenant's own apps is always recent, so every tenant shows a registration.
    let first_own = (0..draft.tenant.applications.len()).find(|a| !tests.contains(&(*a as u32)));
    for a in 0..draft.tenant.applications.len() {
        if tests.contains(&(a as u32)) {
            if draft.tenant.applications[a].created >= start {
                let at = draft.tenant.applications[a].created;
                push(changes, at, ChangeKind::ApplicationCreated(a as u32));
            }
            continue;
        }
        if !draft.rng.random_bool(0.15) && Some(a) != first_own {
            continue;
        }
        let Some(at) = between(draft, start + Duration::days(2), end - Duration::hours(1)) else {
            continue;
        };
        let app = &mut draft.tenant.applications[a];
        app.created = at;
        for p in &mut app.passwords {
            p.start = at;
            p.end = at + Duration::days(730);
        }
        for c in &mut app.certificates {
            c.start = at;
            c.end = at + Duration::days(365);
        }
        let sp = app.service_principal as usize;
        draft.tenant.service_principals[sp].created = at;
        push(changes, at, ChangeKind::ApplicationCreated(a as u32));
    }
}

fn devices(draft: &mut Draft, changes: &mut Vec<Change>) {
    let start = draft.tenant.window_start;
    for (d, device) in draft.tenant.devices.iter().enumerate() {
        let owner = &draft.tenant.users[device.owner as usize];
        if device.registered >= start && owner.deleted.is_none_or(|x| x > device.registered) {
            push(
                changes,
                device.registered,
                ChangeKind::DeviceRegistered(d as u32),
            );
        }
    }
}

/// A few permanent admin role assignments were made inside the window.
fn roles(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    for i in 1..draft.tenant.role_assignments.len() {
        let principal = draft.tenant.role_assignments[i].principal;
        let from = draft.tenant.users[principal as usize].created.max(start);
        if !draft.rng.random_bool(0.15) {
            continue;
        }
        let Some(at) = between(draft, from, end) else {
            continue;
        };
        draft.tenant.role_assignments[i].created = at;
        if let Some(s) = draft.tenant.assignment_schedules.get_mut(i) {
            s.created = at;
            s.start = at;
        }
        push(changes, at, ChangeKind::RoleAssigned(i as u32));
    }
}

/// Time-bound eligibilities whose end an administrator extended inside the window.
fn extensions(draft: &mut Draft, changes: &mut Vec<Change>) {
    let (start, end) = (draft.tenant.window_start, draft.tenant.anchor);
    for e in 0..draft.tenant.eligibility_schedules.len() {
        let schedule = &draft.tenant.eligibility_schedules[e];
        if schedule.end.is_none() || schedule.created >= start || !draft.rng.random_bool(0.2) {
            continue;
        }
        let principal = &draft.tenant.users[schedule.principal as usize];
        if principal.deleted.is_some() {
            continue;
        }
        let Some(at) = between(draft, start, end) else {
            continue;
        };
        draft.tenant.eligibility_schedules[e].extended = Some(at);
        push(changes, at, ChangeKind::EligibilityExtended(e as u32));
    }
}

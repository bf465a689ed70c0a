//! Groups: per-department security groups (dynamic), Microsoft 365 teams,
//! role-assignable admin groups and nested groups.

use super::generate::Draft;
use super::{Group, UserKind};
use crate::rng::guid;
use chrono::Duration;
use rand::RngExt;

const TEAMS: [&str; 16] = [
    "Project Phoenix",
    "Quarterly Planning",
    "Product Launch",
    "Customer Success",
    "Data Platform",
    "Mobile App",
    "Brand Refresh",
    "Cloud Migration",
    "Onboarding",
    "Leadership Forum",
    "Innovation Lab",
    "Security Champions",
    "Partner Program",
    "Social Committee",
    "Field Sales",
    "Compliance Review",
];

/// Teams every tenant has, whatever its size.
const MIN_TEAMS: usize = 2;

/// All groups of the tenant, about the preset's count, with every kind present:
/// dynamic department groups, a role-assignable group, a nested group and
/// Microsoft 365 teams (small presets get fewer department groups, not fewer kinds).
pub(super) fn groups(draft: &mut Draft) {
    let wanted = draft.preset.tenant.groups as usize;
    let departments = wanted.saturating_sub(2 + MIN_TEAMS).max(1);
    department_groups(draft, departments);
    role_assignable_group(draft);
    all_staff_group(draft);
    let mut n = 0;
    while n < MIN_TEAMS || draft.tenant.groups.len() < wanted {
        let name = match TEAMS.get(n) {
            Some(t) => t.to_string(),
            None => format!("{} {}", TEAMS[n % TEAMS.len()], n / TEAMS.len() + 1),
        };
        team_group(draft, &name);
        n += 1;
    }
}

fn department_groups(draft: &mut Draft, count: usize) {
    for department in draft.catalog.departments.iter().take(count) {
        let members: Vec<u32> = members_where(draft, |u| {
            u.department.as_deref() == Some(department.name.as_str())
        });
        let rule = format!("(user.department -eq \"{}\")", department.name);
        let mut group = base(
            draft,
            &format!("SG-{}", department.name),
            &format!("All members of {}", department.name),
        );
        group.membership_rule = Some(rule);
        group.members = members;
        draft.tenant.groups.push(group);
    }
}

fn role_assignable_group(draft: &mut Draft) {
    let admins = members_where(draft, |u| u.is_admin);
    let mut group = base(
        draft,
        "Privileged Access Admins",
        "Role-assignable group for directory administrators",
    );
    group.is_assignable_to_role = true;
    group.owners = admins.iter().take(2).copied().collect();
    group.members = admins;
    draft.tenant.groups.push(group);
}

fn all_staff_group(draft: &mut Draft) {
    let departments: Vec<u32> = (0..draft.tenant.groups.len() as u32)
        .filter(|&g| draft.tenant.groups[g as usize].membership_rule.is_some())
        .collect();
    let mut group = base(
        draft,
        "All Staff",
        "Everyone, through the department groups",
    );
    group.member_groups = departments;
    draft.tenant.groups.push(group);
}

fn team_group(draft: &mut Draft, name: &str) {
    let people = members_where(draft, |u| u.kind != UserKind::ServiceAccount);
    let size = draft.rng.random_range(3..=people.len().clamp(3, 25));
    let mut members: Vec<u32> = (0..size)
        .map(|_| people[draft.rng.random_range(0..people.len())])
        .collect();
    members.sort_unstable();
    members.dedup();
    let mut group = base(draft, name, &format!("{name} team"));
    group.unified = true;
    group.security_enabled = false;
    group.owners = members.iter().take(2).copied().collect();
    group.members = members;
    draft.tenant.groups.push(group);
}

fn base(draft: &mut Draft, name: &str, description: &str) -> Group {
    let rng = &mut draft.rng;
    Group {
        id: guid(rng),
        display_name: name.to_string(),
        description: description.to_string(),
        mail_nickname: super::people::slug(&name.replace(' ', "")),
        unified: false,
        security_enabled: true,
        is_assignable_to_role: false,
        membership_rule: None,
        created: draft.tenant.anchor - Duration::days(rng.random_range(40..1500)),
        owners: Vec::new(),
        members: Vec::new(),
        member_groups: Vec::new(),
    }
}

fn members_where(draft: &Draft, keep: impl Fn(&super::User) -> bool) -> Vec<u32> {
    draft
        .tenant
        .users
        .iter()
        .enumerate()
        // Deleting a user removes it from its groups.
        .filter(|(_, u)| u.deleted.is_none() && keep(u))
        .map(|(i, _)| i as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::config::{License, Preset, TenantSettings};

    #[test]
    fn every_preset_has_every_kind_of_group() {
        for name in ["small", "default"] {
            let settings = TenantSettings {
                seed: crate::rng::Seed(7),
                preset: Preset::named(name).unwrap(),
                license: License::P2,
                tenants: 1,
            };
            let tenant =
                crate::tenant::generate(&settings, 0, "2026-06-01T12:00:00Z".parse().unwrap());
            let groups = &tenant.groups;
            assert!(
                groups.iter().any(|g| g.membership_rule.is_some()),
                "{name}: dynamic"
            );
            assert!(groups.iter().any(|g| g.unified), "{name}: Microsoft 365");
            assert!(
                groups.iter().any(|g| g.is_assignable_to_role),
                "{name}: role-assignable"
            );
            assert!(
                groups.iter().any(|g| !g.member_groups.is_empty()),
                "{name}: nested"
            );
            let deleted = |&m: &u32| tenant.users[m as usize].deleted.is_some();
            assert!(
                groups.iter().all(|g| !g.members.iter().any(deleted)),
                "{name}: deleted member"
            );
        }
    }
}

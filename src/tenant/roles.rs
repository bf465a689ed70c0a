//! Directory roles: definitions, permanent assignments and PIM (eligibility and
//! assignment schedules with their role settings), plus Conditional Access.

use super::generate::Draft;
use super::*;
use crate::rng::guid;
use chrono::Duration;
use rand::RngExt;

/// Roles given permanently to the first admins, in order, after Global Administrator.
const ADMIN_ROLES: [&str; 8] = [
    "User Administrator",
    "Helpdesk Administrator",
    "Application Administrator",
    "Security Administrator",
    "Exchange Administrator",
    "Reports Reader",
    "Security Reader",
    "Groups Administrator",
];
/// Roles whose PIM setting requires approval.
const APPROVAL_ROLES: [&str; 2] = ["Global Administrator", "Privileged Role Administrator"];

/// Role definitions, assignments and PIM schedules.
pub(super) fn roles(draft: &mut Draft) {
    definitions(draft);
    permanent_assignments(draft);
    eligibility(draft);
}

fn definitions(draft: &mut Draft) {
    for role in &draft.catalog.directory_roles {
        let approval = APPROVAL_ROLES.contains(&role.display_name.as_str());
        draft.tenant.role_definitions.push(RoleDefinition {
            id: role.template_id.clone(),
            template_id: role.template_id.clone(),
            display_name: role.display_name.clone(),
            description: role.description.clone(),
            privileged: role.privileged,
            activation_hours: if role.privileged { 4 } else { 8 },
            approval_required: approval,
        });
    }
}

fn role_index(draft: &Draft, name: &str) -> Option<u32> {
    draft
        .tenant
        .role_definitions
        .iter()
        .position(|r| r.display_name == name)
        .map(|i| i as u32)
}

fn permanent_assignments(draft: &mut Draft) {
    let admins: Vec<u32> = (0..draft.tenant.users.len() as u32)
        .filter(|&u| draft.tenant.users[u as usize].is_admin)
        .collect();
    for (n, &user) in admins.iter().enumerate() {
        let name = if n == 0 {
            "Global Administrator"
        } else {
            ADMIN_ROLES[(n - 1) % ADMIN_ROLES.len()]
        };
        let Some(role) = role_index(draft, name) else {
            continue;
        };
        let created = draft.tenant.anchor - Duration::days(draft.rng.random_range(60..900));
        let id = guid(&mut draft.rng);
        draft.tenant.role_assignments.push(RoleAssignment {
            id,
            role,
            principal: user,
            principal_is_sp: false,
            created,
        });
        let schedule_id = guid(&mut draft.rng);
        draft.tenant.assignment_schedules.push(AssignmentSchedule {
            id: schedule_id,
            role,
            principal: user,
            principal_is_sp: false,
            start: created,
            end: None,
            created,
        });
    }
}

/// Admins and some IT staff are eligible for privileged roles, some permanently,
/// some for a limited time. The number of eligibilities grows with the tenant
/// (one per sixty users, at least twelve), spread over every privileged role.
fn eligibility(draft: &mut Draft) {
    let candidates: Vec<u32> = (0..draft.tenant.users.len() as u32)
        .filter(|&u| {
            let user = &draft.tenant.users[u as usize];
            user.deleted.is_none()
                && user.account_enabled
                && (user.is_admin || user.department.as_deref() == Some("IT"))
                && user.kind == UserKind::Member
        })
        .collect();
    let privileged: Vec<u32> = (0..draft.tenant.role_definitions.len() as u32)
        .filter(|&r| draft.tenant.role_definitions[r as usize].privileged)
        .collect();
    if candidates.is_empty() || privileged.is_empty() {
        return;
    }
    let wanted = (draft.tenant.users.len() / 60)
        .max(12)
        .min(candidates.len() * privileged.len() / 2);
    let mut taken = std::collections::BTreeSet::new();
    let mut attempts = 0;
    while taken.len() < wanted && attempts < wanted * 20 {
        attempts += 1;
        // The first roles (Global Administrator and the usual admin roles) are the commonest.
        let r = draft.rng.random_range(0..privileged.len());
        let role = privileged[draft.rng.random_range(0..=r)];
        let principal = candidates[draft.rng.random_range(0..candidates.len())];
        if !taken.insert((role, principal)) {
            continue;
        }
        let schedule = schedule(draft, role, principal);
        draft.tenant.eligibility_schedules.push(schedule);
    }
}

fn schedule(draft: &mut Draft, role: u32, principal: u32) -> EligibilitySchedule {
    let rng = &mut draft.rng;
    let window_hours = (draft.tenant.anchor - draft.tenant.window_start)
        .num_hours()
        .max(2);
    let user_created = draft.tenant.users[principal as usize].created;
    let mut start = if rng.random_bool(0.25) {
        draft.tenant.anchor - Duration::hours(rng.random_range(1..window_hours))
    } else {
        draft.tenant.anchor - Duration::days(rng.random_range(40..400))
    };
    if start < user_created {
        start = user_created + Duration::hours(2);
    }
    let recent = start >= draft.tenant.window_start;
    let end = rng
        .random_bool(0.4)
        .then(|| draft.tenant.anchor + Duration::days(rng.random_range(30..180)));
    EligibilitySchedule {
        id: guid(rng),
        role,
        principal,
        start,
        end,
        created: start,
        renewal: recent && end.is_some() && rng.random_bool(0.4),
        extended: None,
    }
}

/// One Conditional Access policy per catalog template.
pub(super) fn ca_policies(draft: &mut Draft) {
    for template in 0..draft.catalog.ca_policies.len() {
        let id = guid(&mut draft.rng);
        draft.tenant.ca_policies.push(CaPolicy {
            id,
            template: template as u16,
        });
    }
}

//! `modifiedProperties` and `additionalDetails` of audits, derived from the
//! activity and the record's variant (Graph JSON-encodes old and new values).

use super::audit::{Modified, activity};
use crate::activity::Plan;
use crate::store::records::{Audit, Target, datetime};

fn quoted(value: &str) -> String {
    serde_json::to_string(&[value]).expect("string array")
}

fn prop(name: &str, old: Option<String>, new: Option<String>) -> Modified {
    Modified {
        display_name: name.into(),
        old_value: old,
        new_value: new,
    }
}

/// The modified properties Graph shows on the first target.
pub fn modified(plan: &Plan, r: &Audit) -> Vec<Modified> {
    let name = activity(plan, r).activity.as_str();
    match (name, r.targets) {
        (
            "Add member to group"
            | "Remove member from group"
            | "Add owner to group"
            | "Remove owner from group",
            [_, Target::Group(g)],
        ) => {
            let group = &plan.tenant.groups[g as usize];
            let (old, new) = if name.starts_with("Add") {
                (None, true)
            } else {
                (Some(()), false)
            };
            let value = |v: &str| Some(quoted(v));
            vec![
                prop(
                    "Group.ObjectID",
                    old.and(value(&group.id)),
                    new.then(|| quoted(&group.id)).or(None),
                ),
                prop(
                    "Group.DisplayName",
                    old.and(value(&group.display_name)),
                    new.then(|| quoted(&group.display_name)),
                ),
            ]
        }
        ("Add member to role" | "Remove member from role", [Target::Role(role), _]) => {
            role_props(plan, role, name.starts_with("Add"))
        }
        ("Update user", [Target::User(u), _]) => update_user(plan, r, u),
        ("Add user", [Target::User(u), _]) => {
            let user = plan.tenant.user(u);
            vec![
                prop("AccountEnabled", Some("[]".into()), Some("[true]".into())),
                prop(
                    "DisplayName",
                    Some("[]".into()),
                    Some(quoted(&user.display_name)),
                ),
                prop(
                    "UserPrincipalName",
                    Some("[]".into()),
                    Some(quoted(&user.user_principal_name)),
                ),
                prop(
                    "UserType",
                    Some("[]".into()),
                    Some(quoted(if user.home_domain.is_some() {
                        "Guest"
                    } else {
                        "Member"
                    })),
                ),
                prop(
                    "Included Updated Properties",
                    None,
                    Some("\"AccountEnabled, DisplayName, UserPrincipalName, UserType\"".into()),
                ),
            ]
        }
        _ => Vec::new(),
    }
}

fn role_props(plan: &Plan, role: u32, add: bool) -> Vec<Modified> {
    let role = &plan.tenant.role_definitions[role as usize];
    let pair = |v: &str| {
        if add {
            (None, Some(quoted(v)))
        } else {
            (Some(quoted(v)), None)
        }
    };
    let well_known = role.display_name.replace(' ', "");
    [
        ("Role.ObjectID", role.id.as_str()),
        ("Role.DisplayName", role.display_name.as_str()),
        ("Role.TemplateId", role.template_id.as_str()),
        ("Role.WellKnownObjectName", well_known.as_str()),
    ]
    .into_iter()
    .map(|(name, value)| {
        let (old, new) = pair(value);
        prop(name, old, new)
    })
    .collect()
}

fn update_user(plan: &Plan, r: &Audit, u: u32) -> Vec<Modified> {
    let user = plan.tenant.user(u);
    let (name, old, new) = match r.variant % 4 {
        0 => (
            "JobTitle",
            user.job_title.clone().unwrap_or_default(),
            format!(
                "Senior {}",
                user.job_title.clone().unwrap_or_else(|| "Analyst".into())
            ),
        ),
        1 => (
            "MobilePhone",
            format!("+1 425 555 {:04}", r.detail % 10_000),
            format!("+1 425 555 {:04}", (r.detail / 7) % 10_000),
        ),
        2 => (
            "StsRefreshTokensValidFrom",
            "2025-01-01T00:00:00Z".into(),
            super::ids::time0(r.at),
        ),
        _ => (
            "Department",
            "Operations".into(),
            user.department.clone().unwrap_or_else(|| "IT".into()),
        ),
    };
    vec![
        prop(name, Some(quoted(&old)), Some(quoted(&new))),
        prop(
            "Included Updated Properties",
            None,
            Some(format!("\"{name}\"")),
        ),
    ]
}

/// PIM's additional details: role, request and the activation window.
pub fn pim_details(plan: &Plan, r: &Audit) -> Vec<(&'static str, String)> {
    let row = activity(plan, r);
    if row.service != "PIM" {
        return Vec::new();
    }
    let Some(schedule) = plan.tenant.eligibility_schedules.get(r.detail as usize) else {
        return Vec::new();
    };
    let role = &plan.tenant.role_definitions[schedule.role as usize];
    let start = datetime(r.at);
    let end = start + chrono::Duration::hours(role.activation_hours as i64);
    vec![
        ("RoleDefinitionOriginId", role.template_id.clone()),
        ("RoleDefinitionOriginType", "BuiltInRole".into()),
        ("TemplateId", role.template_id.clone()),
        (
            "StartTime",
            start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        (
            "ExpirationTime",
            end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        ("Justification", "Routine administration".into()),
        (
            "RequestId",
            super::ids::id(plan.tenant.seed, super::ids::Purpose::Request, r.corr),
        ),
    ]
}

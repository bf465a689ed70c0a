//! `modifiedProperties` and `additionalDetails` of audits, derived from the
//! activity and the record's variant (Graph JSON-encodes old and new values).

use super::audit::{Modified, activity};
use crate::activity::Plan;
use crate::store::records::{Audit, Target, datetime, ticks};

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
        _ => common(plan, r, name),
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
    let departments = &plan.catalog.departments;
    let other = |list: &[String], current: &str| -> String {
        let pick = r.detail as usize % list.len().max(1);
        match list.get(pick) {
            Some(v) if v != current => v.clone(),
            _ => list
                .iter()
                .find(|v| *v != current)
                .cloned()
                .unwrap_or_default(),
        }
    };
    let (name, old, new) = match (r.variant % 4, &user.department, &user.job_title) {
        (0, Some(department), Some(title)) => {
            let titles = departments
                .iter()
                .find(|d| &d.name == department)
                .map_or(&[][..], |d| &d.job_titles[..]);
            ("JobTitle", other(titles, title), title.clone())
        }
        (3, Some(department), _) => {
            let names: Vec<String> = departments.iter().map(|d| d.name.clone()).collect();
            ("Department", other(&names, department), department.clone())
        }
        (2, _, _) => (
            "StsRefreshTokensValidFrom",
            super::ids::time0(crate::store::records::ticks(user.created)),
            super::ids::time0(r.at),
        ),
        _ => (
            "MobilePhone",
            format!("+1 425 555 {:04}", r.detail % 10_000),
            format!("+1 425 555 {:04}", (r.detail / 7) % 10_000),
        ),
    };
    vec![
        prop(name, Some(quoted(&old)), Some(quoted(&new))),
        included(&[name]),
    ]
}

fn included(names: &[&str]) -> Modified {
    prop(
        "Included Updated Properties",
        None,
        Some(format!("\"{}\"", names.join(", "))),
    )
}

/// A boolean property flipped (`[true]` to `[false]` and so on).
fn flag(name: &str, new: bool) -> Vec<Modified> {
    vec![
        prop(name, Some(format!("[{}]", !new)), Some(format!("[{new}]"))),
        included(&[name]),
    ]
}

/// Modified properties of the common updates and additions, from the target's own data.
fn common(plan: &Plan, r: &Audit, name: &str) -> Vec<Modified> {
    let t = &plan.tenant;
    let stamp = super::ids::time0(r.at);
    match (name, r.targets[0]) {
        ("Disable account", Target::User(_)) => flag("AccountEnabled", false),
        ("Enable account", Target::User(_)) => flag("AccountEnabled", true),
        ("Set user manager", Target::User(u)) => match t.user(u).manager {
            Some(m) => vec![prop("Manager.ObjectID", None, Some(quoted(&t.user(m).id)))],
            None => Vec::new(),
        },
        ("Update StsRefreshTokenValidFrom Timestamp", Target::User(u)) => vec![
            prop("StsRefreshTokensValidFrom", Some(quoted(&super::ids::time0(crate::store::records::ticks(t.user(u).created)))), Some(quoted(&stamp))),
            included(&["StsRefreshTokensValidFrom"]),
        ],
        ("Change user license", Target::User(_)) => vec![
            prop("AssignedLicense", Some("[]".into()), Some("[\"[SkuName=SPE_E3, AccountId=00000000-0000-0000-0000-000000000000, SkuId=05e9a617-0261-4cee-bb44-138d3ef5d965, DisabledPlans=[]]\"]".into())),
            included(&["AssignedLicense"]),
        ],
        ("Update group", Target::Group(g)) => {
            let group = &t.groups[g as usize];
            vec![
                prop("Description", Some(quoted(&format!("{} (draft)", group.description))), Some(quoted(&group.description))),
                included(&["Description"]),
            ]
        }
        ("Add group", Target::Group(g)) => {
            let group = &t.groups[g as usize];
            vec![
                prop("DisplayName", Some("[]".into()), Some(quoted(&group.display_name))),
                prop("MailNickname", Some("[]".into()), Some(quoted(&group.mail_nickname))),
                included(&["DisplayName", "MailNickname"]),
            ]
        }
        ("Update application" | "Add application", Target::Application(a)) => {
            let app = &t.applications[a as usize];
            vec![
                prop("AppId", None, Some(quoted(&app.app_id))),
                prop("DisplayName", None, Some(quoted(&app.display_name))),
                included(&["AppId", "DisplayName"]),
            ]
        }
        ("Update service principal", Target::ServicePrincipal(s)) => vec![
            prop("AccountEnabled", Some("[true]".into()), Some("[true]".into())),
            prop("Tags", None, Some(serde_json::to_string(&t.sp(s).tags).expect("tags"))),
            included(&["AccountEnabled", "Tags"]),
        ],
        ("Add app role assignment to service principal", Target::ServicePrincipal(_)) => {
            match t.app_role_grants.get(r.detail as usize) {
                Some(grant) => vec![
                    prop("AppRole.Id", None, Some(quoted(&grant.app_role_id))),
                    prop("AppRole.Value", None, Some(quoted(&grant.value))),
                    prop("ServicePrincipal.ObjectID", None, Some(quoted(&t.sp(grant.resource).id))),
                ],
                None => Vec::new(),
            }
        }
        ("Add delegated permission grant", Target::ServicePrincipal(_)) => {
            match t.delegated_grants.get(r.detail as usize) {
                Some(grant) => vec![
                    prop("DelegatedPermissionGrant.Scope", None, Some(quoted(grant.scope))),
                    prop("DelegatedPermissionGrant.ConsentType", None, Some(quoted("AllPrincipals"))),
                ],
                None => Vec::new(),
            }
        }
        ("Update device" | "Add device", Target::Device(d)) => {
            let device = &t.devices[d as usize];
            vec![
                prop("DisplayName", None, Some(quoted(&device.display_name))),
                prop("IsCompliant", None, Some(format!("[{}]", device.is_compliant))),
                prop("IsManaged", None, Some(format!("[{}]", device.is_managed))),
                included(&["DisplayName", "IsCompliant", "IsManaged"]),
            ]
        }
        ("Device no longer compliant", Target::Device(_)) => flag("IsCompliant", false),
        ("Update policy", Target::Policy(p)) => {
            let policy = &plan.catalog.ca_policies[t.ca_policies[p as usize].template as usize];
            vec![
                prop("DisplayName", Some(quoted(&policy.display_name)), Some(quoted(&policy.display_name))),
                prop("State", None, Some(quoted(policy.state.as_str()))),
                included(&["DisplayName", "State"]),
            ]
        }
        _ => Vec::new(),
    }
}

/// `resultReason` of a failed audit: the kind of error the service reports,
/// by the activity's category (empty on success).
pub fn result_reason(row: &crate::catalog::AuditActivity, r: &Audit) -> &'static str {
    if r.result == 0 {
        return "";
    }
    let choices: &[&'static str] = match row.category.as_str() {
        "UserManagement" => &[
            "Microsoft.Online.Workflows.ValidationException",
            "Another object with the same value for property userPrincipalName already exists.",
            "Insufficient privileges to complete the operation.",
        ],
        "GroupManagement" => &[
            "One or more added object references already exist for the following modified properties: 'members'.",
            "Insufficient privileges to complete the operation.",
        ],
        "ApplicationManagement" => &[
            "Microsoft.Online.Workflows.ApplicationManagementException",
            "Insufficient privileges to complete the operation.",
        ],
        "Device" => &["Microsoft.Online.Workflows.ObjectNotFoundException: Device not found."],
        "Policy" => &["The policy is invalid or was modified concurrently."],
        "RoleManagement" => &["The role assignment request was denied by policy."],
        _ => &[
            "Microsoft.Online.Workflows.ValidationException",
            "The request timed out.",
        ],
    };
    choices[r.variant as usize % choices.len()]
}

/// PIM's additional details: role, request and the real window: an
/// activation chain's start and expiry, or an eligibility's schedule.
pub fn pim_details(plan: &Plan, r: &Audit) -> Vec<(&'static str, String)> {
    let row = activity(plan, r);
    if row.service != "PIM" {
        return Vec::new();
    }
    let Some(schedule) = plan.tenant.eligibility_schedules.get(r.detail as usize) else {
        return Vec::new();
    };
    let role = &plan.tenant.role_definitions[schedule.role as usize];
    let eligibility = row.activity.contains("eligible") || row.activity.contains("extend");
    let (start, end) = if eligibility {
        (ticks(schedule.start), schedule.end.map(ticks))
    } else {
        match crate::activity::pim::chain_times(plan, r.corr, r.detail) {
            Some(times) => (times.active, Some(times.expires)),
            None => return Vec::new(),
        }
    };
    let time = |at: i64| datetime(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    vec![
        ("RoleDefinitionOriginId", role.template_id.clone()),
        ("RoleDefinitionOriginType", "BuiltInRole".into()),
        ("TemplateId", role.template_id.clone()),
        ("StartTime", time(start)),
        ("ExpirationTime", end.map(time).unwrap_or_default()),
        ("Justification", "Routine administration".into()),
        (
            "RequestId",
            super::ids::id(plan.tenant.seed, super::ids::Purpose::Request, r.corr),
        ),
    ]
}

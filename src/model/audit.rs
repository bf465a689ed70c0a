//! The `directoryAudit` resource as Graph serialises it.

use super::ids::{Purpose, id, time7};
use crate::activity::Plan;
use crate::catalog::AuditActivity;
use crate::query::capability::ApiVersion;
use crate::store::records::{Actor, Audit, Target};
use serde::Serialize;

/// The well-known id of the "Azure AD PIM" service user seen in PIM expiries.
const PIM_USER_ID: &str = "9dfd627f-bdc5-4b1c-af9d-c85097fdeff8";
/// appId of the "MS-PIM" application that writes Core Directory role changes.
const MS_PIM_APP_ID: &str = "01fc33a7-78ba-4d2f-a4b7-768e336e890e";

/// The catalog row of a record.
pub fn activity<'a>(plan: &'a Plan, r: &Audit) -> &'a AuditActivity {
    &plan.catalog.audit_activities[r.activity as usize]
}

/// The audit's `id`: `<Prefix>_<correlationId>_<5 chars>_<digits>` like Graph's.
pub fn audit_id(plan: &Plan, r: &Audit) -> String {
    let service = &activity(plan, r).service;
    let prefix = match service.as_str() {
        "Core Directory" => "Directory".to_string(),
        "PIM" => "PIM".to_string(),
        other => other
            .split([' ', '-'])
            .filter_map(|w| w.chars().next())
            .collect::<String>()
            .to_uppercase(),
    };
    let corr = id(plan.tenant.seed, Purpose::Correlation, r.corr);
    let tail = id(plan.tenant.seed, Purpose::Audit, r.key);
    let code: String = tail
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(5)
        .collect::<String>()
        .to_uppercase();
    format!("{prefix}_{corr}_{code}_{}", r.key % 100_000_000)
}

/// Identity fields of the initiator as (user, app) JSON objects.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    pub id: &'a str,
    pub display_name: Option<&'a str>,
    pub user_principal_name: Option<&'a str>,
    pub ip_address: Option<String>,
    pub user_type: Option<&'static str>,
    pub home_tenant_id: Option<&'a str>,
    pub home_tenant_name: Option<&'a str>,
}

/// An application initiator.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppIdentity<'a> {
    pub app_id: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub service_principal_id: Option<&'a str>,
    pub service_principal_name: Option<&'a str>,
}

#[derive(Serialize)]
struct Initiator<'a> {
    app: Option<AppIdentity<'a>>,
    user: Option<UserIdentity<'a>>,
}

/// One modified property; values are JSON-encoded strings as Graph writes them.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Modified {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// One `targetResource`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetJson<'a> {
    pub id: Option<String>,
    pub display_name: Option<&'a str>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub user_principal_name: Option<&'a str>,
    pub group_type: Option<&'static str>,
    pub modified_properties: Vec<Modified>,
}

#[derive(Serialize)]
struct KeyValue {
    key: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Json<'a> {
    id: String,
    category: &'a str,
    correlation_id: String,
    result: &'static str,
    result_reason: &'a str,
    activity_display_name: &'a str,
    activity_date_time: String,
    logged_by_service: &'a str,
    operation_type: &'a str,
    initiated_by: Initiator<'a>,
    target_resources: Vec<TargetJson<'a>>,
    additional_details: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<Option<&'a str>>,
}

/// Writes one directory audit as Graph JSON.
pub fn write(out: &mut Vec<u8>, plan: &Plan, r: &Audit, version: ApiVersion) {
    let row = activity(plan, r);
    let json = Json {
        id: audit_id(plan, r),
        category: &row.category,
        correlation_id: id(plan.tenant.seed, Purpose::Correlation, r.corr),
        result: if r.result == 0 { "success" } else { "failure" },
        result_reason: super::audit_props::result_reason(row, r),
        activity_display_name: &row.activity,
        activity_date_time: time7(r.at),
        logged_by_service: &row.service,
        operation_type: &row.operation_type,
        initiated_by: initiator(plan, r.initiator),
        target_resources: targets(plan, r),
        additional_details: details(plan, r),
        user_agent: (version == ApiVersion::Beta).then(|| user_agent(plan, r)),
    };
    sonic_rs::to_writer(out, &json).expect("writing to a Vec cannot fail");
}

/// The initiator as Graph shows it.
pub fn initiator_user<'a>(plan: &'a Plan, actor: Actor) -> Option<UserIdentity<'a>> {
    match actor {
        Actor::User(u) => {
            let user = plan.tenant.user(u);
            Some(UserIdentity {
                id: &user.id,
                display_name: None,
                user_principal_name: Some(&user.user_principal_name),
                ip_address: Some(format!(
                    "{}.{}.{}.{}",
                    user.home_ip[0], user.home_ip[1], user.home_ip[2], user.home_ip[3]
                )),
                user_type: Some(if user.kind == crate::tenant::UserKind::Guest {
                    "Guest"
                } else {
                    "Member"
                }),
                home_tenant_id: Some(&plan.tenant.id),
                home_tenant_name: None,
            })
        }
        Actor::System(0) => Some(UserIdentity {
            id: PIM_USER_ID,
            display_name: Some("Azure AD PIM"),
            user_principal_name: None,
            ip_address: None,
            user_type: None,
            home_tenant_id: None,
            home_tenant_name: None,
        }),
        _ => None,
    }
}

/// The application initiator, if an app did it.
pub fn initiator_app<'a>(plan: &'a Plan, actor: Actor) -> Option<AppIdentity<'a>> {
    match actor {
        Actor::App(sp) => {
            let sp = plan.tenant.sp(sp);
            Some(AppIdentity {
                app_id: Some(&sp.app_id),
                display_name: Some(&sp.display_name),
                service_principal_id: Some(&sp.id),
                service_principal_name: Some(&sp.display_name),
            })
        }
        Actor::System(1) => {
            let sp = plan
                .tenant
                .sp_by_app_id(MS_PIM_APP_ID)
                .map(|s| plan.tenant.sp(s));
            Some(AppIdentity {
                app_id: Some(MS_PIM_APP_ID),
                display_name: Some("MS-PIM"),
                service_principal_id: sp.map(|s| s.id.as_str()),
                service_principal_name: Some("MS-PIM"),
            })
        }
        _ => None,
    }
}

fn initiator(plan: &Plan, actor: Actor) -> Initiator<'_> {
    Initiator {
        app: initiator_app(plan, actor),
        user: initiator_user(plan, actor),
    }
}

fn user_agent<'a>(plan: &'a Plan, r: &Audit) -> Option<&'a str> {
    let Actor::User(u) = r.initiator else {
        return None;
    };
    let device = plan.tenant.user(u).devices.first()?;
    Some(
        &plan.catalog.user_agents[plan.tenant.devices[*device as usize].user_agent as usize]
            .user_agent,
    )
}

/// The record's targets as Graph JSON objects (also used by `$filter` lambdas).
pub fn targets<'a>(plan: &'a Plan, r: &Audit) -> Vec<TargetJson<'a>> {
    let props = super::audit_props::modified(plan, r);
    r.targets
        .iter()
        .enumerate()
        .filter(|(_, t)| **t != Target::None)
        .map(|(i, t)| {
            let mut json = target(plan, r, *t);
            if i == 0 {
                json.modified_properties = props.clone();
            }
            json
        })
        .collect()
}

fn target<'a>(plan: &'a Plan, r: &Audit, t: Target) -> TargetJson<'a> {
    let tenant = &plan.tenant;
    let (id, name, kind, upn, group_type): (
        Option<String>,
        Option<&str>,
        &'static str,
        Option<&str>,
        Option<&'static str>,
    ) = match t {
        Target::User(u) => {
            let user = tenant.user(u);
            (
                Some(user.id.clone()),
                None,
                "User",
                Some(&user.user_principal_name),
                None,
            )
        }
        Target::Group(g) => {
            let group = &tenant.groups[g as usize];
            (
                Some(group.id.clone()),
                Some(&group.display_name),
                "Group",
                None,
                Some(if group.unified {
                    "unifiedGroups"
                } else {
                    "azureAD"
                }),
            )
        }
        Target::Application(a) => {
            let app = &tenant.applications[a as usize];
            (
                Some(app.id.clone()),
                Some(&app.display_name),
                "Application",
                None,
                None,
            )
        }
        Target::ServicePrincipal(s) => {
            let sp = tenant.sp(s);
            (
                Some(sp.id.clone()),
                Some(&sp.display_name),
                "ServicePrincipal",
                None,
                None,
            )
        }
        Target::Role(role) => {
            let role = &tenant.role_definitions[role as usize];
            (
                Some(role.id.clone()),
                Some(&role.display_name),
                "Role",
                None,
                None,
            )
        }
        Target::Policy(p) => {
            let policy = &tenant.ca_policies[p as usize];
            let name = &plan.catalog.ca_policies[policy.template as usize].display_name;
            (
                Some(policy.id.clone()),
                Some(name.as_str()),
                "Policy",
                None,
                None,
            )
        }
        Target::Device(d) => {
            let device = &tenant.devices[d as usize];
            (
                Some(device.device_id.clone()),
                Some(&device.display_name),
                "Device",
                None,
                None,
            )
        }
        Target::Directory => (
            Some(tenant.id.clone()),
            Some(&tenant.organization),
            "Directory",
            None,
            None,
        ),
        Target::Request => (
            Some(id(tenant.seed, Purpose::Request, r.corr)),
            None,
            "Request",
            None,
            None,
        ),
        Target::None => (None, None, "Other", None, None),
    };
    TargetJson {
        id,
        display_name: name,
        kind,
        user_principal_name: upn,
        group_type,
        modified_properties: Vec::new(),
    }
}

fn details(plan: &Plan, r: &Audit) -> Vec<KeyValue> {
    let mut details = Vec::new();
    if let Some(agent) = user_agent(plan, r) {
        details.push(KeyValue {
            key: "User-Agent",
            value: agent.to_string(),
        });
    }
    details.extend(
        super::audit_props::pim_details(plan, r)
            .into_iter()
            .map(|(key, value)| KeyValue { key, value }),
    );
    details
}

//! The filterable fields of each log record type, as accessor functions.

use super::eval::{Accessor, Fields, Getter, Indexed, Predicate};
use super::filter::Literal;
use super::value::Value;
use crate::activity::Plan;
use crate::model::ids::{Purpose, id, id2};
use crate::model::{audit, provisioning as prov, sign_in as si};
use crate::store::records::{
    Audit, PROVISIONING_ACTIONS, PROVISIONING_RESULTS, Provisioning, SignIn,
};
use std::borrow::Cow;

fn owned<'a>(text: String) -> Value<'a> {
    Value::Str(Cow::Owned(text))
}

/// A collection of strings, as lambdas range over it.
fn strings<'a>(items: &[&'a str]) -> Value<'a> {
    Value::List(items.iter().map(|s| Value::str(s)).collect())
}

impl Fields for SignIn {
    fn getter(path: &str) -> Option<Getter<Self>> {
        sign_in(path).map(|f| Box::new(f) as Getter<Self>)
    }

    fn indexed(path: &str) -> Option<Indexed<Self>> {
        sign_in_indexed(path)
    }

    fn equals(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<Self>> {
        super::fast::sign_in(path, literal, plan)
    }
}

fn sign_in(path: &str) -> Option<Accessor<SignIn>> {
    {
        Some(match path.to_ascii_lowercase().as_str() {
            "id" | "originalrequestid" => |p, r| owned(id(p.tenant.seed, Purpose::SignIn, r.key)),
            "createddatetime" => |_, r| Value::Time(r.at),
            "userid" => |p, r| Value::str(si::user_id(p, r)),
            "userdisplayname" => |p, r| Value::opt_str(si::user_display_name(p, r)),
            "userprincipalname" => |p, r| Value::opt_str(si::user_principal_name(p, r)),
            "appid" => |p, r| Value::str(si::app(p, r).0),
            "appdisplayname" => |p, r| Value::str(si::app(p, r).1),
            "resourceid" => |p, r| Value::str(si::resource(p, r).0),
            "resourcedisplayname" => |p, r| Value::str(si::resource(p, r).1),
            "correlationid" => |p, r| owned(id(p.tenant.seed, Purpose::Correlation, r.corr)),
            "ipaddress" => |_, r| si::ip_address(r).map_or(Value::Null, owned),
            "clientappused" => |p, r| Value::opt_str(si::client_app_used(p, r)),
            "status/errorcode" => |p, r| Value::Int(si::error_code(p, r) as i64),
            "conditionalaccessstatus" => {
                |p, r| Value::str(crate::model::ca::status(&crate::model::ca::evaluate(p, r)))
            }
            "risklevelaggregated" => {
                |p, r| Value::str(crate::protection::sign_in_risk::aggregated(p, r))
            }
            "risklevelduringsignin" => |p, r| Value::str(si::risk_level(p, r)),
            "riskdetail" => |p, r| Value::str(crate::protection::sign_in_risk::detail(p, r)),
            "riskstate" => |p, r| Value::str(crate::protection::sign_in_risk::state(p, r)),
            "riskeventtypes_v2" => |p, r| strings(si::risk_event_types(p, r.risk)),
            "authenticationrequirement" => |p, r| Value::str(si::authentication_requirement(p, r)),
            "serviceprincipalid" => {
                |p, r| Value::str(si::service_principal(p, r).map_or("", |s| s.0))
            }
            "serviceprincipalname" => {
                |p, r| Value::opt_str(si::service_principal(p, r).map(|s| s.1))
            }
            "useragent" => |p, r| Value::opt_str(si::agent(p, r).map(|a| a.user_agent.as_str())),
            "devicedetail/browser" => {
                |p, r| Value::opt_str(si::agent(p, r).map(|a| a.browser.as_str()))
            }
            "devicedetail/operatingsystem" => {
                |p, r| Value::opt_str(si::agent(p, r).map(|a| a.os.as_str()))
            }
            "location/city" => |p, r| Value::opt_str(si::location(p, r).map(|l| l.city.as_str())),
            "location/state" => |p, r| Value::opt_str(si::location(p, r).map(|l| l.state.as_str())),
            "location/countryorregion" => {
                |p, r| Value::opt_str(si::location(p, r).map(|l| l.country.as_str()))
            }
            "signineventtypes" => |_, r| strings(&[r.kind.as_str()]),
            "isinteractive" => {
                |_, r| Value::Bool(r.kind == crate::store::records::SignInKind::Interactive)
            }
            "tokenissuername" => |_, _| Value::str(""),
            "tokenissuertype" => |_, _| Value::str("AzureAD"),
            "conditionalaccessaudiences" => {
                |p, r| Value::List(vec![Value::str(si::resource(p, r).0)])
            }
            "resourceserviceprincipalid" => |p, r| Value::str(&p.tenant.sp(r.resource).id),
            "resourcetenantid" => |p, _| Value::str(&p.tenant.id),
            "hometenantid" => |p, r| Value::opt_str(si::home_tenant_id(p, r)),
            "devicedetail/iscompliant" => |p, r| {
                Value::Bool(
                    r.device != crate::store::records::NONE
                        && p.tenant.devices[r.device as usize].is_compliant,
                )
            },
            "usertype" => |p, r| match guest(p, r) {
                Some(true) => Value::str("guest"),
                Some(false) => Value::str("member"),
                None => Value::Null,
            },
            "crosstenantaccesstype" => |p, r| {
                Value::str(if guest(p, r) == Some(true) {
                    "b2bCollaboration"
                } else {
                    "none"
                })
            },
            "appliedconditionalaccesspolicies" => |p, r| applied_policies(p, r),
            _ => return None,
        })
    }
}

/// Whether a user sign-in's subject is a guest; `None` for workloads.
fn guest(plan: &Plan, r: &SignIn) -> Option<bool> {
    r.kind
        .is_user()
        .then(|| plan.tenant.user(r.subject).kind == crate::tenant::UserKind::Guest)
}

/// `appliedConditionalAccessPolicies` as lambdas range over it (id, displayName, result).
fn applied_policies<'a>(plan: &'a Plan, r: &SignIn) -> Value<'a> {
    let items = crate::model::ca::evaluate(plan, r)
        .into_iter()
        .map(|(i, result)| {
            let policy = &plan.tenant.ca_policies[i];
            let template = &plan.catalog.ca_policies[policy.template as usize];
            vec![
                ("id", Value::str(&policy.id)),
                ("displayName", Value::str(&template.display_name)),
                ("result", Value::str(result.as_str())),
            ]
        })
        .collect();
    Value::Objects(items)
}

impl Fields for Audit {
    fn getter(path: &str) -> Option<Getter<Self>> {
        audit_field(path).map(|f| Box::new(f) as Getter<Self>)
    }

    fn indexed(path: &str) -> Option<Indexed<Self>> {
        audit_indexed(path)
    }

    fn equals(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<Self>> {
        super::fast::audit(path, literal, plan)
    }
}

fn audit_field(path: &str) -> Option<Accessor<Audit>> {
    {
        Some(match path.to_ascii_lowercase().as_str() {
            "id" => |p, r| owned(audit::audit_id(p, r)),
            "activitydatetime" => |_, r| Value::Time(r.at),
            "activitydisplayname" => |p, r| Value::str(&audit::activity(p, r).activity),
            "category" => |p, r| Value::str(&audit::activity(p, r).category),
            "loggedbyservice" => |p, r| Value::str(&audit::activity(p, r).service),
            "operationtype" => |p, r| Value::str(&audit::activity(p, r).operation_type),
            "result" => |_, r| Value::str(if r.result == 0 { "success" } else { "failure" }),
            "correlationid" => |p, r| owned(id(p.tenant.seed, Purpose::Correlation, r.corr)),
            "initiatedby/user/id" => {
                |p, r| Value::opt_str(audit::initiator_user(p, r.initiator).map(|u| u.id))
            }
            "initiatedby/user/displayname" => |p, r| {
                Value::opt_str(audit::initiator_user(p, r.initiator).and_then(|u| u.display_name))
            },
            "initiatedby/user/userprincipalname" => |p, r| {
                Value::opt_str(
                    audit::initiator_user(p, r.initiator).and_then(|u| u.user_principal_name),
                )
            },
            "initiatedby/app/appid" => {
                |p, r| Value::opt_str(audit::initiator_app(p, r.initiator).and_then(|a| a.app_id))
            }
            "initiatedby/app/displayname" => |p, r| {
                Value::opt_str(audit::initiator_app(p, r.initiator).and_then(|a| a.display_name))
            },
            "targetresources" => |p, r| {
                let items = audit::targets(p, r)
                    .into_iter()
                    .map(|t| {
                        vec![
                            ("id", t.id.map_or(Value::Null, owned)),
                            ("displayName", Value::opt_str(t.display_name)),
                            ("type", Value::str(t.kind)),
                            ("userPrincipalName", Value::opt_str(t.user_principal_name)),
                        ]
                    })
                    .collect();
                Value::Objects(items)
            },
            _ => return None,
        })
    }
}

impl Fields for Provisioning {
    const CASE_SENSITIVE: bool = true;

    fn getter(path: &str) -> Option<Getter<Self>> {
        provisioning_field(path).map(|f| Box::new(f) as Getter<Self>)
    }

    fn indexed(path: &str) -> Option<Indexed<Self>> {
        provisioning_indexed(path)
    }

    fn equals(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<Self>> {
        super::fast::provisioning(path, literal, plan)
    }
}

fn provisioning_field(path: &str) -> Option<Accessor<Provisioning>> {
    {
        Some(match path.to_ascii_lowercase().as_str() {
            "id" => |p, r| owned(id(p.tenant.seed, Purpose::Provisioning, r.key)),
            "activitydatetime" => |_, r| Value::Time(r.at),
            "tenantid" => |p, _| Value::str(&p.tenant.id),
            "jobid" => |p, r| Value::str(&p.tenant.provisioning_jobs[r.job as usize].id),
            "changeid" => |p, r| owned(id(p.tenant.seed, Purpose::Change, r.key)),
            "cycleid" => |p, r| {
                owned(id2(
                    p.tenant.seed,
                    Purpose::Cycle,
                    r.job as u64,
                    r.cycle as u64,
                ))
            },
            "provisioningaction" => |_, r| Value::str(PROVISIONING_ACTIONS[r.action as usize]),
            "provisioningstatusinfo/status" => {
                |_, r| Value::str(PROVISIONING_RESULTS[r.status as usize])
            }
            "durationinmilliseconds" => |_, r| Value::Int(r.duration_ms as i64),
            "sourcesystem/displayname" => |p, r| Value::str(prov::systems(p, r).0),
            "targetsystem/displayname" => |p, r| Value::str(prov::systems(p, r).1),
            "sourceidentity/identitytype" | "targetidentity/identitytype" => {
                |p, r| Value::str(prov::identity(p, r).2)
            }
            "sourceidentity/displayname" | "targetidentity/displayname" => {
                |p, r| Value::str(prov::identity(p, r).1)
            }
            "sourceidentity/id" => |p, r| owned(prov::identity_ids(p, r).0),
            "targetidentity/id" => |p, r| owned(prov::identity_ids(p, r).1),
            "initiatedby/displayname" => |_, _| Value::str("Azure AD Provisioning Service"),
            "serviceprincipal/id" => |p, r| {
                Value::str(
                    &p.tenant
                        .sp(p.tenant.provisioning_jobs[r.job as usize].service_principal)
                        .id,
                )
            },
            "serviceprincipal/displayname" => |p, r| {
                Value::str(
                    &p.tenant
                        .sp(p.tenant.provisioning_jobs[r.job as usize].service_principal)
                        .display_name,
                )
            },
            _ => return None,
        })
    }
}

/// Directory objects are filtered on their Graph JSON.
impl Fields for serde_json::Value {
    fn getter(path: &str) -> Option<Getter<Self>> {
        let segments: Vec<String> = path.split('/').map(str::to_string).collect();
        Some(Box::new(move |_, object| {
            json_value(segments.iter().try_fold(object, |v, s| v.get(s.as_str())))
        }))
    }
}

fn json_value(value: Option<&serde_json::Value>) -> Value<'_> {
    use serde_json::Value as J;
    match value {
        None | Some(J::Null) => Value::Null,
        Some(J::Bool(b)) => Value::Bool(*b),
        Some(J::Number(n)) => Value::Int(n.as_i64().unwrap_or_default()),
        Some(J::String(s)) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(at) if s.len() >= 20 && s.as_bytes()[10] == b'T' => {
                Value::Time(crate::store::records::ticks(at.to_utc()))
            }
            _ => Value::str(s),
        },
        Some(J::Array(items)) => Value::List(items.iter().map(|i| json_value(Some(i))).collect()),
        Some(J::Object(_)) => Value::Null,
    }
}

/// An indexed field: `key` picks the index, `value` reads the field at an index.
fn ix<R>(
    key: fn(&Plan, &R) -> Option<u32>,
    size: fn(&Plan) -> usize,
    value: for<'a> fn(&'a Plan, u32) -> Value<'a>,
    none: Value<'static>,
) -> Option<Indexed<R>> {
    Some(Indexed {
        key,
        size,
        value,
        none,
    })
}

fn users(p: &Plan) -> usize {
    p.tenant.users.len()
}

fn sps(p: &Plan) -> usize {
    p.tenant.service_principals.len()
}

fn user_of(_: &Plan, r: &SignIn) -> Option<u32> {
    r.kind.is_user().then_some(r.subject)
}

fn workload_of(_: &Plan, r: &SignIn) -> Option<u32> {
    (!r.kind.is_user()).then_some(r.subject)
}

fn agent_of(p: &Plan, r: &SignIn) -> Option<u32> {
    (r.device != crate::store::records::NONE)
        .then(|| p.tenant.devices[r.device as usize].user_agent as u32)
}

/// Sign-in fields determined by the user, app, resource, error, client app, location or device.
pub fn sign_in_indexed(path: &str) -> Option<Indexed<SignIn>> {
    let agents = |p: &Plan| p.catalog.user_agents.len();
    match path.to_ascii_lowercase().as_str() {
        "userid" => ix(
            user_of,
            users,
            |p, i| Value::str(&p.tenant.user(i).id),
            Value::str(""),
        ),
        "userdisplayname" => ix(
            user_of,
            users,
            |p, i| Value::str(&p.tenant.user(i).display_name),
            Value::Null,
        ),
        "userprincipalname" => ix(
            user_of,
            users,
            |p, i| Value::str(&p.tenant.user(i).sign_in_name),
            Value::Null,
        ),
        "appid" => ix(
            |_, r| Some(r.app),
            sps,
            |p, i| Value::str(&p.tenant.sp(i).app_id),
            Value::Null,
        ),
        "appdisplayname" => ix(
            |_, r| Some(r.app),
            sps,
            |p, i| Value::str(&p.tenant.sp(i).display_name),
            Value::Null,
        ),
        "resourceid" => ix(
            |_, r| Some(r.resource),
            sps,
            |p, i| Value::str(&p.tenant.sp(i).app_id),
            Value::Null,
        ),
        "resourcedisplayname" => ix(
            |_, r| Some(r.resource),
            sps,
            |p, i| Value::str(&p.tenant.sp(i).display_name),
            Value::Null,
        ),
        "serviceprincipalid" => ix(
            workload_of,
            sps,
            |p, i| Value::str(&p.tenant.sp(i).id),
            Value::str(""),
        ),
        "serviceprincipalname" => ix(
            workload_of,
            sps,
            |p, i| Value::str(&p.tenant.sp(i).display_name),
            Value::Null,
        ),
        "status/errorcode" => ix(
            |_, r| Some(r.error as u32),
            |p| p.catalog.sign_in_errors.len() + 1,
            |p, i| {
                Value::Int(if i == 0 {
                    0
                } else {
                    p.catalog.sign_in_errors[i as usize - 1].code as i64
                })
            },
            Value::Null,
        ),
        "clientappused" => ix(
            |_, r| r.kind.is_user().then_some(r.client_app as u32),
            |p| p.catalog.client_apps.len(),
            |p, i| Value::str(&p.catalog.client_apps[i as usize].name),
            Value::Null,
        ),
        "location/city" => ix(
            location_of,
            locations,
            |p, i| Value::str(&p.catalog.locations[i as usize].city),
            Value::Null,
        ),
        "location/state" => ix(
            location_of,
            locations,
            |p, i| Value::str(&p.catalog.locations[i as usize].state),
            Value::Null,
        ),
        "location/countryorregion" => ix(
            location_of,
            locations,
            |p, i| Value::str(&p.catalog.locations[i as usize].country),
            Value::Null,
        ),
        "devicedetail/browser" => ix(
            agent_of,
            agents,
            |p, i| Value::str(&p.catalog.user_agents[i as usize].browser),
            Value::Null,
        ),
        "devicedetail/operatingsystem" => ix(
            agent_of,
            agents,
            |p, i| Value::str(&p.catalog.user_agents[i as usize].os),
            Value::Null,
        ),
        "useragent" => ix(
            agent_of,
            agents,
            |p, i| Value::str(&p.catalog.user_agents[i as usize].user_agent),
            Value::Null,
        ),
        _ => sign_in_collection(path),
    }
}

/// Collection-valued sign-in fields (filtered through lambdas), by the index they derive from.
fn sign_in_collection(path: &str) -> Option<Indexed<SignIn>> {
    match path.to_ascii_lowercase().as_str() {
        "signineventtypes" => ix(
            |_, r| Some(r.kind as u32),
            |_| crate::store::records::SignInKind::ALL.len(),
            |_, i| strings(&[crate::store::records::SignInKind::ALL[i as usize].as_str()]),
            Value::List(Vec::new()),
        ),
        "riskeventtypes_v2" => ix(
            |_, r| Some(crate::protection::signals::kinds(r.risk) as u32),
            |_| 8,
            |p, i| strings(crate::protection::sign_in_risk::event_types_of(p, i as u8)),
            Value::List(Vec::new()),
        ),
        "conditionalaccessaudiences" => ix(
            |_, r| Some(r.resource),
            sps,
            |p, i| strings(&[&p.tenant.sp(i).app_id]),
            Value::List(Vec::new()),
        ),
        _ => None,
    }
}

fn location_of(_: &Plan, r: &SignIn) -> Option<u32> {
    (r.location != u16::MAX).then_some(r.location as u32)
}

fn locations(p: &Plan) -> usize {
    p.catalog.locations.len()
}

/// Audit fields determined by the activity.
pub fn audit_indexed(path: &str) -> Option<Indexed<Audit>> {
    let activities = |p: &Plan| p.catalog.audit_activities.len();
    let key = |_: &Plan, r: &Audit| Some(r.activity as u32);
    match path.to_ascii_lowercase().as_str() {
        "activitydisplayname" => ix(
            key,
            activities,
            |p, i| Value::str(&p.catalog.audit_activities[i as usize].activity),
            Value::Null,
        ),
        "category" => ix(
            key,
            activities,
            |p, i| Value::str(&p.catalog.audit_activities[i as usize].category),
            Value::Null,
        ),
        "loggedbyservice" => ix(
            key,
            activities,
            |p, i| Value::str(&p.catalog.audit_activities[i as usize].service),
            Value::Null,
        ),
        "operationtype" => ix(
            key,
            activities,
            |p, i| Value::str(&p.catalog.audit_activities[i as usize].operation_type),
            Value::Null,
        ),
        _ => None,
    }
}

/// Provisioning fields determined by the job, action or status.
pub fn provisioning_indexed(path: &str) -> Option<Indexed<Provisioning>> {
    let jobs = |p: &Plan| p.tenant.provisioning_jobs.len();
    match path.to_ascii_lowercase().as_str() {
        "jobid" => ix(
            |_, r| Some(r.job as u32),
            jobs,
            |p, i| Value::str(&p.tenant.provisioning_jobs[i as usize].id),
            Value::Null,
        ),
        "provisioningaction" => ix(
            |_, r| Some(r.action as u32),
            |_| PROVISIONING_ACTIONS.len(),
            |_, i| Value::str(PROVISIONING_ACTIONS[i as usize]),
            Value::Null,
        ),
        "provisioningstatusinfo/status" => ix(
            |_, r| Some(r.status as u32),
            |_| PROVISIONING_RESULTS.len(),
            |_, i| Value::str(PROVISIONING_RESULTS[i as usize]),
            Value::Null,
        ),
        _ => None,
    }
}

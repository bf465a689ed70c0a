//! Injection of records through the control surface: a partial record is
//! checked field by field, completed coherently from the tenant, and filed in
//! the log. A rejected request stores nothing.

use super::control::{duration, object};
use super::error::GraphError;
use super::middleware::JSON;
use crate::activity::Plan;
use crate::activity::latency::Log;
use crate::app::AppState;
use crate::query::capability::ApiVersion;
use crate::store::records::{
    Actor, Audit, NONE, PROVISIONING_ACTIONS, PROVISIONING_RESULTS, Provisioning, SignIn,
    SignInKind, Target, make_key, ticks,
};
use crate::store::{INJECTED_HOUR, LogOf, World};
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

/// Problems found in a body, one per bad field.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, field: &str, problem: impl std::fmt::Display) {
        self.0.push(format!("{field}: {problem}"));
    }

    fn into_result(self) -> Result<(), GraphError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(
            GraphError::bad_request(format!("The record is invalid: {}", self.0.join("; ")))
                .with_detail(self.0.join("\n")),
        )
    }
}

/// Common fields of every injection.
struct Common {
    tenant: usize,
    at: i64,
    visible_after: Option<i64>,
}

fn common(
    body: &Map<String, Value>,
    allowed: &[&str],
    time_field: &str,
    state: &AppState,
    world: &World,
    problems: &mut Problems,
) -> Common {
    for key in body.keys() {
        if !allowed.contains(&key.as_str())
            && !["tenantId", "visibleAfter", time_field].contains(&key.as_str())
        {
            problems.add(
                key,
                format!(
                    "unknown field (known: {}, {time_field}, visibleAfter, tenantId)",
                    allowed.join(", ")
                ),
            );
        }
    }
    let tenant = match body.get("tenantId") {
        None => 0,
        Some(v) => match v.as_str().and_then(|id| {
            world
                .tenants
                .iter()
                .position(|t| t.plan.tenant.id.eq_ignore_ascii_case(id))
        }) {
            Some(t) => t,
            None => {
                problems.add("tenantId", "no such tenant");
                0
            }
        },
    };
    let now = state.clock.now();
    let at = match body.get(time_field) {
        None => now,
        Some(v) => match v
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        {
            Some(at) if at.to_utc() <= now => at.to_utc(),
            Some(_) => {
                problems.add(time_field, "must not be in the future");
                now
            }
            None => {
                problems.add(time_field, "must be an RFC 3339 date-time");
                now
            }
        },
    };
    let visible_after = body.get("visibleAfter").and_then(|v| match duration(v) {
        Some(d) => Some(d.num_milliseconds()),
        None => {
            problems.add(
                "visibleAfter",
                "must be an ISO 8601 duration such as PT0S or a number of seconds",
            );
            None
        }
    });
    Common {
        tenant,
        at: ticks(at),
        visible_after,
    }
}

fn text<'a>(body: &'a Map<String, Value>, field: &str, problems: &mut Problems) -> Option<&'a str> {
    let value = body.get(field)?;
    let text = value.as_str();
    if text.is_none() {
        problems.add(field, "must be a string");
    }
    text
}

fn user_ref(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> Option<u32> {
    if let Some(upn) = text(body, "userPrincipalName", problems) {
        let found = plan.tenant.user_by_upn(upn);
        if found.is_none() {
            problems.add(
                "userPrincipalName",
                format!("no user '{upn}' in the tenant"),
            );
        }
        return found;
    }
    if let Some(id) = text(body, "userId", problems) {
        let found = plan.tenant.user_by_id(id);
        if found.is_none() {
            problems.add("userId", format!("no user with id '{id}' in the tenant"));
        }
        return found;
    }
    None
}

fn next_key(world: &World, tenant: usize) -> u64 {
    make_key(INJECTED_HOUR, world.tenants[tenant].injected + 1)
}

fn store<R: LogOf>(state: &AppState, tenant: usize, record: R) {
    state.update(|world| {
        let logs = &mut world.tenants[tenant];
        logs.injected += 1;
        logs.insert(record);
    });
}

fn created(plan: &Plan, write: impl FnOnce(&mut Vec<u8>, &Plan)) -> HttpResponse {
    let mut out = Vec::new();
    write(&mut out, plan);
    HttpResponse::Created().content_type(JSON).body(out)
}

/// `POST /_entrasim/signIns`.
pub async fn sign_in(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let body = object(&body)?;
    let world = state.world();
    let mut problems = Problems::default();
    let allowed = [
        "userPrincipalName",
        "userId",
        "appId",
        "resourceId",
        "ipAddress",
        "errorCode",
        "clientAppUsed",
        "signInEventType",
        "servicePrincipalId",
    ];
    let common = common(
        &body,
        &allowed,
        "createdDateTime",
        &state,
        &world,
        &mut problems,
    );
    let plan = world.tenants[common.tenant].plan.clone();
    let key = next_key(&world, common.tenant);
    let record = build_sign_in(&plan, &body, &common, key, &mut problems);
    problems.into_result()?;
    store(&state, common.tenant, record);
    Ok(created(&plan, |out, plan| {
        crate::model::sign_in::write(out, plan, &record, ApiVersion::Beta)
    }))
}

fn build_sign_in(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    key: u64,
    problems: &mut Problems,
) -> SignIn {
    let kind = match text(body, "signInEventType", problems) {
        None => SignInKind::Interactive,
        Some(name) => SignInKind::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(name)).unwrap_or_else(|| {
            problems.add("signInEventType", "must be interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity");
            SignInKind::Interactive
        }),
    };
    let mut record = SignIn {
        at: common.at,
        key,
        corr: key,
        delay_ms: 0,
        subject: 0,
        app: 0,
        resource: 0,
        device: NONE,
        ip: [0; 4],
        location: u16::MAX,
        error: 0,
        kind,
        client_app: plan.client_app("Browser"),
        flags: 0,
        risk: 0,
    };
    if kind.is_user() {
        let user = user_ref(plan, body, problems).unwrap_or_else(|| first_member(plan));
        let u = plan.tenant.user(user);
        record.subject = user;
        record.device = u.devices.first().copied().unwrap_or(NONE);
        record.location = u.home;
        record.ip = u.home_ip;
        record.app = sp_ref(plan, body, "appId", problems).unwrap_or(plan.interactive_apps.0[0]);
    } else {
        let sp = sp_ref(plan, body, "servicePrincipalId", problems)
            .or_else(|| default_workload(plan, kind));
        let Some(sp) = sp else {
            problems.add(
                "servicePrincipalId",
                "required for service principal and managed identity sign-ins",
            );
            return record;
        };
        record.subject = sp;
        record.app = sp;
        record.client_app = 0;
    }
    record.resource = sp_ref(plan, body, "resourceId", problems)
        .or_else(|| plan.first_party("00000003-0000-0000-c000-000000000000"))
        .unwrap_or(record.app);
    if let Some(ip) = text(body, "ipAddress", problems) {
        match ip.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => record.ip = ip.octets(),
            Err(_) => problems.add("ipAddress", "must be an IPv4 address"),
        }
    }
    if let Some(code) = body.get("errorCode") {
        match code.as_i64() {
            Some(0) => {}
            Some(c) => match plan.error_code(c as i32) {
                0 => problems.add(
                    "errorCode",
                    format!("{c} is not a sign-in error entrasim knows (seed/sign_in_errors.tsv)"),
                ),
                e => record.error = e,
            },
            None => problems.add("errorCode", "must be an integer"),
        }
    }
    if let Some(name) = text(body, "clientAppUsed", problems) {
        match plan
            .catalog
            .client_apps
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
        {
            Some(i) => record.client_app = i as u8,
            None => problems.add(
                "clientAppUsed",
                format!("'{name}' is not a clientAppUsed value (seed/client_apps.tsv)"),
            ),
        }
    }
    record.delay_ms = delay(plan, common, Log::SignIns, key);
    record
}

fn delay(plan: &Plan, common: &Common, log: Log, key: u64) -> u32 {
    common.visible_after.map_or_else(
        || plan.latency.delay_ms(plan.tenant.seed, log, key),
        |ms| ms.clamp(0, u32::MAX as i64) as u32,
    )
}

fn first_member(plan: &Plan) -> u32 {
    (0..plan.tenant.users.len() as u32)
        .find(|&u| plan.tenant.user(u).kind == crate::tenant::UserKind::Member)
        .unwrap_or(0)
}

fn default_workload(plan: &Plan, kind: SignInKind) -> Option<u32> {
    match kind {
        SignInKind::ManagedIdentity => plan
            .tenant
            .managed_identities
            .first()
            .map(|m| m.service_principal),
        _ => plan.workload_sps.first().copied(),
    }
}

/// A service principal named by appId or object id in `field`.
fn sp_ref(
    plan: &Plan,
    body: &Map<String, Value>,
    field: &str,
    problems: &mut Problems,
) -> Option<u32> {
    let id = text(body, field, problems)?;
    let found = plan
        .tenant
        .sp_by_app_id(id)
        .or_else(|| plan.tenant.sp_by_id(id));
    if found.is_none() {
        problems.add(
            field,
            format!("no application or service principal '{id}' in the tenant"),
        );
    }
    found
}

/// `POST /_entrasim/directoryAudits`.
pub async fn audit(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let body = object(&body)?;
    let world = state.world();
    let mut problems = Problems::default();
    let allowed = [
        "activityDisplayName",
        "loggedByService",
        "userPrincipalName",
        "userId",
        "initiatedByAppId",
        "targetUserPrincipalName",
        "targetGroupId",
        "result",
    ];
    let common = common(
        &body,
        &allowed,
        "activityDateTime",
        &state,
        &world,
        &mut problems,
    );
    let plan = world.tenants[common.tenant].plan.clone();
    let key = next_key(&world, common.tenant);
    let record = build_audit(&plan, &body, &common, key, &mut problems);
    problems.into_result()?;
    store(&state, common.tenant, record);
    Ok(created(&plan, |out, plan| {
        crate::model::audit::write(out, plan, &record, ApiVersion::Beta)
    }))
}

fn build_audit(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    key: u64,
    problems: &mut Problems,
) -> Audit {
    let service = text(body, "loggedByService", problems);
    let activity = match text(body, "activityDisplayName", problems) {
        None => plan.activity("Core Directory", "Update user"),
        Some(name) => {
            let found = plan.catalog.audit_activities.iter().position(|a| {
                a.activity.eq_ignore_ascii_case(name)
                    && service.is_none_or(|s| a.service.eq_ignore_ascii_case(s))
            });
            if found.is_none() {
                problems.add(
                    "activityDisplayName",
                    format!("'{name}' is not in the audit catalog (seed/audit_activities.tsv)"),
                );
            }
            found.map(|i| i as u16)
        }
    };
    let initiator = match (
        user_ref(plan, body, problems),
        sp_ref(plan, body, "initiatedByAppId", problems),
    ) {
        (Some(u), _) => Actor::User(u),
        (None, Some(sp)) => Actor::App(sp),
        (None, None) => Actor::User(first_member(plan)),
    };
    let mut targets = [Target::None, Target::None];
    if let Some(upn) = text(body, "targetUserPrincipalName", problems) {
        match plan.tenant.user_by_upn(upn) {
            Some(u) => targets[0] = Target::User(u),
            None => problems.add(
                "targetUserPrincipalName",
                format!("no user '{upn}' in the tenant"),
            ),
        }
    }
    if let Some(id) = text(body, "targetGroupId", problems) {
        match plan.tenant.group_by_id(id) {
            Some(g) => targets[1] = Target::Group(g),
            None => problems.add("targetGroupId", format!("no group '{id}' in the tenant")),
        }
    }
    if targets[0] == Target::None {
        targets = [targets[1], Target::None];
    }
    let result = match text(body, "result", problems) {
        None | Some("success") => 0,
        Some("failure") => 1,
        Some(_) => {
            problems.add("result", "must be success or failure");
            0
        }
    };
    let mut record =
        crate::activity::injected_audit(activity.unwrap_or(0), common.at, key, initiator, targets);
    record.result = result;
    record.delay_ms = delay(plan, common, Log::Audits, key);
    record
}

/// `POST /_entrasim/provisioning`.
pub async fn provisioning(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let body = object(&body)?;
    let world = state.world();
    let mut problems = Problems::default();
    let allowed = [
        "jobId",
        "userPrincipalName",
        "userId",
        "provisioningAction",
        "status",
    ];
    let common = common(
        &body,
        &allowed,
        "activityDateTime",
        &state,
        &world,
        &mut problems,
    );
    let plan = world.tenants[common.tenant].plan.clone();
    let key = next_key(&world, common.tenant);
    let record = build_provisioning(&plan, &body, &common, key, &mut problems);
    problems.into_result()?;
    store(&state, common.tenant, record);
    Ok(created(&plan, |out, plan| {
        crate::model::provisioning::write(out, plan, &record, ApiVersion::Beta)
    }))
}

fn build_provisioning(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    key: u64,
    problems: &mut Problems,
) -> Provisioning {
    let job = match text(body, "jobId", problems) {
        None => 0,
        Some(id) => plan
            .tenant
            .provisioning_jobs
            .iter()
            .position(|j| j.id == id)
            .unwrap_or_else(|| {
                problems.add("jobId", format!("no provisioning job '{id}' in the tenant"));
                0
            }),
    };
    let pick =
        |field: &str, names: &[&str], problems: &mut Problems| match text(body, field, problems) {
            None => 0,
            Some(name) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(name))
                .unwrap_or_else(|| {
                    problems.add(field, format!("must be one of {}", names.join(", ")));
                    0
                }) as u8,
        };
    let action = if body.contains_key("provisioningAction") {
        pick("provisioningAction", &PROVISIONING_ACTIONS, problems)
    } else {
        1
    };
    let status = pick("status", &PROVISIONING_RESULTS, problems);
    if plan.tenant.provisioning_jobs.is_empty() {
        problems.add("jobId", "the tenant has no provisioning jobs");
    }
    Provisioning {
        at: common.at,
        key,
        delay_ms: common
            .visible_after
            .map_or(0, |ms| ms.clamp(0, u32::MAX as i64) as u32),
        duration_ms: 500,
        job: job as u16,
        action,
        status,
        reason: 0,
        cycle: (common.at
            / (plan.preset.activity.provisioning_cycle_minutes.max(1) as i64 * 600_000_000))
            as u32,
        subject: user_ref(plan, body, problems).unwrap_or_else(|| first_member(plan)),
        group: false,
    }
}

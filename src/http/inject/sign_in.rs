//! `POST /_entrasim/signIns`: a user, service principal or managed identity sign-in.

use super::{Common, Injected, Problems, agree, first_member, sp_ref, text, user_ref};
use crate::activity::Plan;
use crate::activity::latency::Log;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::http::logs::{LogSpec, SIGN_INS};
use crate::store::records::{NONE, SignIn, SignInKind};
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

const FIELDS: [&str; 9] = [
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

/// `POST /_entrasim/signIns`.
pub async fn sign_in(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    super::batch::inject::<SignIn>(&state, &body)
}

impl Injected for SignIn {
    const FIELDS: &'static [&'static str] = &FIELDS;
    const TIME: &'static str = "createdDateTime";

    fn spec() -> &'static LogSpec<SignIn> {
        &SIGN_INS
    }

    fn build(
        plan: &Plan,
        body: &Map<String, Value>,
        common: &Common,
        problems: &mut Problems,
    ) -> SignIn {
        build(plan, body, common, problems)
    }

    fn finish(self, plan: &Plan, key: u64, common: &Common) -> SignIn {
        let delay_ms = common
            .visible_after
            .unwrap_or_else(|| plan.latency.delay_ms(plan.tenant.seed, Log::SignIns, key));
        SignIn {
            key,
            corr: key,
            delay_ms,
            ..self
        }
    }
}

/// The record (without its key and delay), or problems.
fn build(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> SignIn {
    let kind = kind(body, problems);
    let user = user_ref(plan, body, problems);
    let client = agree(
        ("appId", sp_ref(plan, body, "appId", problems)),
        (
            "servicePrincipalId",
            sp_ref(plan, body, "servicePrincipalId", problems),
        ),
        "service principal",
        problems,
    );
    let resource = sp_ref(plan, body, "resourceId", problems);
    let mut record = blank(plan, common, kind);
    if kind.is_user() {
        let user = user.unwrap_or_else(|| first_member(plan));
        let u = plan.tenant.user(user);
        record.subject = user;
        record.device = u.devices.first().copied().unwrap_or(NONE);
        record.location = u.home;
        record.ip = u.home_ip;
        record.app = client.unwrap_or(plan.interactive_apps.0[0]);
    } else {
        workload(plan, body, kind, client, &mut record, problems);
    }
    record.resource = resource
        .or_else(|| plan.first_party("00000003-0000-0000-c000-000000000000"))
        .unwrap_or(record.app);
    details(plan, body, &mut record, problems);
    record
}

/// The kind: the flat `signInEventType`, else Graph's `signInEventTypes`
/// (beta) or `isInteractive` (v1.0); interactive when none is given.
fn kind(body: &Map<String, Value>, problems: &mut Problems) -> SignInKind {
    let Some(name) = text(body, "signInEventType", problems) else {
        return graph_kind(body);
    };
    SignInKind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(name))
        .unwrap_or_else(|| {
            problems.add(
                "signInEventType",
                "must be interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity",
            );
            SignInKind::Interactive
        })
}

fn graph_kind(body: &Map<String, Value>) -> SignInKind {
    let listed = body
        .get("signInEventTypes")
        .and_then(Value::as_array)
        .and_then(|types| types.first())
        .and_then(Value::as_str)
        .and_then(|t| SignInKind::ALL.into_iter().find(|k| k.as_str() == t));
    match (listed, body.get("isInteractive").and_then(Value::as_bool)) {
        (Some(kind), _) => kind,
        (None, Some(false)) => SignInKind::NonInteractive,
        _ => SignInKind::Interactive,
    }
}

fn blank(plan: &Plan, common: &Common, kind: SignInKind) -> SignIn {
    SignIn {
        at: common.at,
        key: 0,
        corr: 0,
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
    }
}

/// A service principal or managed identity sign-in: no user, and the
/// identity must be of the right kind.
fn workload(
    plan: &Plan,
    body: &Map<String, Value>,
    kind: SignInKind,
    client: Option<u32>,
    record: &mut SignIn,
    problems: &mut Problems,
) {
    for field in ["userPrincipalName", "userId"] {
        if body.contains_key(field) {
            problems.add(
                field,
                format!("a {} sign-in has no user; remove it", kind.as_str()),
            );
        }
    }
    let managed = |sp: u32| {
        plan.tenant
            .managed_identities
            .iter()
            .any(|m| m.service_principal == sp)
    };
    let Some(sp) = client.or_else(|| default_workload(plan, kind)) else {
        problems.add(
            "servicePrincipalId",
            "required for service principal and managed identity sign-ins",
        );
        return;
    };
    if client.is_some() && (kind == SignInKind::ManagedIdentity) != managed(sp) {
        let field = if body.contains_key("servicePrincipalId") {
            "servicePrincipalId"
        } else {
            "appId"
        };
        let wanted = if managed(sp) {
            "a managed identity; use signInEventType managedIdentity"
        } else {
            "a service principal that is not a managed identity"
        };
        problems.add(field, format!("names {wanted}"));
    }
    record.subject = sp;
    record.app = sp;
    record.client_app = 0;
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

/// IP address, error code and client app.
fn details(plan: &Plan, body: &Map<String, Value>, record: &mut SignIn, problems: &mut Problems) {
    if let Some(ip) = text(body, "ipAddress", problems) {
        // Other addresses (IPv6) are served as supplied; the record keeps the user's.
        if let Ok(ip) = ip.parse::<std::net::Ipv4Addr>() {
            record.ip = ip.octets();
        }
    }
    if let Some(code) = body.get("errorCode") {
        match code.as_i64().and_then(|c| i32::try_from(c).ok()) {
            Some(0) => {}
            Some(c) => match plan.error_code(c) {
                0 => problems.refer(
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
            None => problems.refer(
                "clientAppUsed",
                format!("'{name}' is not a clientAppUsed value (seed/client_apps.tsv)"),
            ),
        }
    }
}

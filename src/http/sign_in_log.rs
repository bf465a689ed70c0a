//! Tokens the emulator issues become sign-ins in the tenant's log: each is filed through
//! the store under the tenant's next injected key, at the log clock's now, with the log's
//! usual ingestion delay.

use crate::activity::Plan;
use crate::activity::latency::Log;
use crate::app::AppState;
use crate::model::ca;
use crate::store::INJECTED_HOUR;
use crate::store::records::{NONE, SignIn, SignInKind, flags, make_key, ticks};
use actix_web::HttpRequest;
use std::sync::Arc;

/// What happened, in the terms of a sign-in record.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// The event type.
    pub kind: SignInKind,
    /// User index (user kinds) or the service principal index of the identity.
    pub subject: u32,
    /// Service principal index of the client application.
    pub app: u32,
    /// Service principal index of the resource.
    pub resource: u32,
    /// AADSTS code, 0 for success.
    pub error: i32,
    /// Catalog client-app name index.
    pub client_app: u8,
    /// [`flags`] bits (MFA, MFA by claim, certificate).
    pub flags: u8,
    /// The caller's IPv4 address.
    pub ip: [u8; 4],
}

/// The IPv4 address a request came from: the first `X-Forwarded-For` entry, else the
/// peer; 127.0.0.1 when neither is IPv4.
pub fn client_ip(req: &HttpRequest) -> [u8; 4] {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<std::net::Ipv4Addr>().ok());
    let peer = req.peer_addr().and_then(|a| match a.ip() {
        std::net::IpAddr::V4(v4) => Some(v4),
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    });
    forwarded.or(peer).map_or([127, 0, 0, 1], |ip| ip.octets())
}

/// The record an attempt would file (key and delay not yet set), for CA evaluation.
pub fn draft(plan: &Plan, attempt: &Attempt, at: i64) -> SignIn {
    let user_kind = attempt.kind.is_user();
    let (device, location) = if user_kind {
        let user = plan.tenant.user(attempt.subject);
        (user.devices.first().copied().unwrap_or(NONE), user.home)
    } else {
        (NONE, u16::MAX)
    };
    SignIn {
        at,
        key: 0,
        corr: 0,
        delay_ms: 0,
        subject: attempt.subject,
        app: attempt.app,
        resource: attempt.resource,
        device,
        ip: attempt.ip,
        location,
        error: if attempt.error == 0 {
            0
        } else {
            plan.error_code(attempt.error)
        },
        kind: attempt.kind,
        client_app: if user_kind { attempt.client_app } else { 0 },
        flags: attempt.flags,
        risk: 0,
    }
}

/// Conditional Access on a user sign-in that passed its credentials: the AADSTS code of
/// the first unmet demand (block 53003, compliant device 53000, MFA 50076), or 0.
pub fn conditional_access(plan: &Plan, attempt: &Attempt, at: i64) -> i32 {
    let record = draft(plan, attempt, at);
    let demands = ca::demands(plan, &record);
    if demands.block {
        53003
    } else if demands.compliant_device && !ca::compliant(plan, &record) {
        53000
    } else if demands.mfa && attempt.flags & (flags::MFA | flags::MFA_CLAIM) == 0 {
        50076
    } else {
        0
    }
}

/// Files the attempt in tenant `tenant`'s sign-in log (dropped if the tenant was rebuilt
/// since `plan` was read).
pub fn record(state: &AppState, tenant: usize, plan: &Arc<Plan>, attempt: &Attempt) {
    let at = ticks(state.clock.now());
    state.update(|world| {
        let Some(logs) = world.tenants.get_mut(tenant) else {
            return;
        };
        if !Arc::ptr_eq(&logs.plan, plan) {
            return;
        }
        logs.injected += 1;
        let key = make_key(INJECTED_HOUR, logs.injected);
        let mut record = draft(plan, attempt, at);
        record.key = key;
        record.corr = key;
        record.delay_ms = plan.latency.delay_ms(plan.tenant.seed, Log::SignIns, key);
        logs.insert(record);
    });
}

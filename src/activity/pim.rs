//! Privileged Identity Management: activation chains (portal sign-in,
//! request, approval, completion, the Core Directory twin, privileged work,
//! expiry), and eligibility grants, renewals and extensions, as the audit
//! log shows them.
//!
//! An eligibility can start at most one activation per slot of
//! `activation hours + 2` hours, and only in the slot's first hour, so two
//! activations of the same user and role never overlap while every hour
//! stays a pure function of the seed.

use super::audits::{AUDIT_CORRELATION, admin, admin_for, audit, push, roles_for};
use super::plan::Plan;
use super::timeline::activity_share;
use super::{HourOutput, Sequencer};
use crate::rng::{Rng, mix64, poisson};
use crate::store::records::{Actor, TICKS_PER_HOUR, TICKS_PER_SECOND, Target, datetime};
use rand::RngExt;

/// `Actor::System` code of the "Azure AD PIM" service user (expiries).
pub const PIM_SERVICE_USER: u8 = 0;
/// `Actor::System` code of the "MS-PIM" application (Core Directory twins).
pub const PIM_APP: u8 = 1;

/// Work a freshly activated administrator typically does: (activity, category).
const PRIVILEGED_WORK: [(&str, &str); 6] = [
    ("Update user", "UserManagement"),
    ("Reset user password", "UserManagement"),
    ("Update group", "GroupManagement"),
    ("Update application", "ApplicationManagement"),
    ("Update service principal", "ApplicationManagement"),
    ("Update policy", "Policy"),
];
/// Room left before a request so the portal sign-in stays in the same hour.
const LEAD: i64 = 600 * TICKS_PER_SECOND;

/// When an activation chain was requested, became active and expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTimes {
    pub requested: i64,
    pub active: i64,
    pub expires: i64,
}

/// The times of the chain with correlation key `corr` for eligibility
/// `schedule`: a pure function of both, so served records can show the
/// chain's real start and expiry whichever record of it they are.
pub fn chain_times(plan: &Plan, corr: u64, schedule: u32) -> Option<ChainTimes> {
    let eligibility = plan.tenant.eligibility_schedules.get(schedule as usize)?;
    let role = &plan.tenant.role_definitions[eligibility.role as usize];
    let key = corr & !AUDIT_CORRELATION;
    let hour = (key >> 24) as i64;
    let h = mix64(key ^ plan.tenant.seed.0);
    let span = (TICKS_PER_HOUR - LEAD) / TICKS_PER_SECOND;
    let requested = hour * TICKS_PER_HOUR + LEAD + (h % span as u64) as i64 * TICKS_PER_SECOND;
    let wait = if role.approval_required {
        300 + (h >> 32) % 2400
    } else {
        3 + (h >> 32) % 17
    };
    let active = requested + wait as i64 * TICKS_PER_SECOND;
    let expires = active + role.activation_hours as i64 * TICKS_PER_HOUR;
    Some(ChainTimes {
        requested,
        active,
        expires,
    })
}

fn slot_hours(plan: &Plan, schedule: u32) -> i64 {
    let e = &plan.tenant.eligibility_schedules[schedule as usize];
    plan.tenant.role_definitions[e.role as usize].activation_hours as i64 + 2
}

/// Eligibilities that may start an activation in `hour`: their slot starts
/// there, the schedule is valid and the user can sign in.
fn candidates(plan: &Plan, hour: i64) -> Vec<u32> {
    let when = datetime(hour * TICKS_PER_HOUR);
    let end = datetime((hour + 1) * TICKS_PER_HOUR);
    (0..plan.tenant.eligibility_schedules.len() as u32)
        .filter(|&e| {
            let slot = slot_hours(plan, e);
            let phase = (mix64(e as u64 ^ plan.tenant.seed.0) % slot as u64) as i64;
            let s = &plan.tenant.eligibility_schedules[e as usize];
            (hour + phase).rem_euclid(slot) == 0
                && s.start <= when
                && s.end.is_none_or(|x| x > end)
                && plan.tenant.user(s.principal).enabled_at(when)
                && plan.tenant.user(s.principal).enabled_at(end)
        })
        .collect()
}

/// Appends the hour's PIM activations (and their later records) to `out`.
pub(super) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let tenant = &plan.tenant;
    if tenant.eligibility_schedules.is_empty() {
        return;
    }
    let mut rng = tenant.seed.stream("pim", hour as u64);
    let hq = plan.catalog.locations[tenant.users[0].home as usize].utc_offset_minutes;
    let mean = plan.preset.activity.pim_activations_per_day * activity_share(hour, hq);
    let mut pool = candidates(plan, hour);
    let wanted = (poisson(&mut rng, mean) as usize).min(pool.len());
    for _ in 0..wanted {
        let schedule = pool.swap_remove(rng.random_range(0..pool.len()));
        activation(plan, &mut rng, schedule, seq, out);
    }
}

fn activation(
    plan: &Plan,
    rng: &mut Rng,
    schedule: u32,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let eligibility = &plan.tenant.eligibility_schedules[schedule as usize];
    let role = &plan.tenant.role_definitions[eligibility.role as usize];
    let (u, r) = (eligibility.principal, eligibility.role);
    let corr = seq.audit() | AUDIT_CORRELATION;
    let Some(times) = chain_times(plan, corr, schedule) else {
        return;
    };
    let approver = if role.approval_required {
        match admin_for(plan, rng, "RoleManagement", "PIM", times.active, Some(u)) {
            Some(a) => Some(a),
            None => return,
        }
    } else {
        None
    };
    // The request is made in the portal: the user's sign-in shares the chain's correlation id.
    let signed_in =
        times.requested - rng.random_range(60..LEAD / TICKS_PER_SECOND) * TICKS_PER_SECOND;
    if super::sign_ins::portal_sign_in(plan, rng, u, signed_in, Some(corr), seq, out).is_none() {
        // Without a compliant device the portal refuses the user, so no request is made.
        return;
    }
    let targets = [Target::Role(r), Target::User(u)];
    let mut emit = |service: &str, name: &str, at: i64, actor: Actor, seq: &mut Sequencer| {
        if let Some(a) = plan.activity(service, name) {
            let mut record = audit(a, at, seq.audit(), actor, targets);
            record.corr = corr;
            record.detail = schedule;
            push(plan, out, record);
        }
    };
    let requester = Actor::User(u);
    emit(
        "PIM",
        "Add member to role requested (PIM activation)",
        times.requested,
        requester,
        seq,
    );
    if let Some(approver) = approver {
        let asked = times.requested + TICKS_PER_SECOND;
        emit(
            "PIM",
            "Add member to role approval requested (PIM activation)",
            asked,
            requester,
            seq,
        );
        let approved = times.active - TICKS_PER_SECOND;
        emit(
            "PIM",
            "Add member to role request approved (PIM activation)",
            approved,
            Actor::User(approver),
            seq,
        );
    }
    emit(
        "PIM",
        "Add member to role completed (PIM activation)",
        times.active,
        requester,
        seq,
    );
    let twin = Actor::System(PIM_APP);
    emit(
        "Core Directory",
        "Add member to role",
        times.active + TICKS_PER_SECOND,
        twin,
        seq,
    );
    let expired = Actor::System(PIM_SERVICE_USER);
    emit(
        "PIM",
        "Remove member from role (PIM activation expired)",
        times.expires,
        expired,
        seq,
    );
    emit(
        "Core Directory",
        "Remove member from role",
        times.expires + TICKS_PER_SECOND,
        twin,
        seq,
    );
    privileged_work(
        plan,
        rng,
        schedule,
        (times.active, times.expires),
        corr,
        seq,
        out,
    );
}

/// A few changes the activated role allows, by the activated user, to objects
/// that exist at the time.
fn privileged_work(
    plan: &Plan,
    rng: &mut Rng,
    schedule: u32,
    (from, until): (i64, i64),
    corr: u64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let eligibility = &plan.tenant.eligibility_schedules[schedule as usize];
    let role = plan.tenant.role_definitions[eligibility.role as usize]
        .display_name
        .as_str();
    let allowed: Vec<(&str, &str)> = PRIVILEGED_WORK
        .iter()
        .copied()
        .filter(|(_, category)| {
            role == "Global Administrator" || roles_for(category, "Core Directory").contains(&role)
        })
        .collect();
    if allowed.is_empty() {
        return;
    }
    for _ in 0..rng.random_range(1..=3) {
        let (name, _) = allowed[rng.random_range(0..allowed.len())];
        let at = from + rng.random_range(120..1800) * TICKS_PER_SECOND;
        let (Some(a), true) = (plan.activity("Core Directory", name), at < until) else {
            continue;
        };
        let Some(target) = work_target(plan, rng, name, eligibility.principal, at) else {
            continue;
        };
        let mut record = audit(
            a,
            at,
            seq.audit(),
            Actor::User(eligibility.principal),
            [target, Target::None],
        );
        record.corr = corr;
        record.variant = rng.random();
        record.detail = rng.random();
        push(plan, out, record);
    }
}

fn work_target(plan: &Plan, rng: &mut Rng, name: &str, actor: u32, at: i64) -> Option<Target> {
    let t = &plan.tenant;
    let when = datetime(at);
    let pick = |rng: &mut Rng, len: usize, ok: &dyn Fn(u32) -> bool| {
        if len == 0 {
            return None;
        }
        (0..8)
            .map(|_| rng.random_range(0..len) as u32)
            .find(|&i| ok(i))
    };
    Some(match name {
        "Update group" => Target::Group(pick(rng, t.groups.len(), &|g| {
            t.groups[g as usize].created <= when
        })?),
        "Update application" => Target::Application(pick(rng, t.applications.len(), &|a| {
            t.applications[a as usize].created <= when
        })?),
        "Update service principal" => {
            Target::ServicePrincipal(pick(rng, t.service_principals.len(), &|s| {
                !matches!(t.sp(s).origin, crate::tenant::SpOrigin::FirstParty(_))
                    && t.sp(s).created <= when
            })?)
        }
        "Update policy" => Target::Policy(pick(rng, t.ca_policies.len(), &|_| true)?),
        _ => Target::User(pick(rng, t.users.len(), &|u| {
            u != actor && t.user(u).exists_at(when)
        })?),
    })
}

/// An eligibility granted inside the window: "Add eligible member to role in
/// PIM" requested and completed by an administrator, or, for a renewal, the
/// user's renewal request and an administrator's approval.
pub(super) fn eligibility_granted(
    plan: &Plan,
    rng: &mut Rng,
    e: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let schedule = &plan.tenant.eligibility_schedules[e as usize];
    let u = schedule.principal;
    if !plan.tenant.user(u).exists_at(datetime(at)) {
        return;
    }
    let by = admin_for(plan, rng, "RoleManagement", "PIM", at, Some(u))
        .unwrap_or_else(|| admin(plan, rng, at));
    if by == u {
        return;
    }
    let kind = if schedule.end.is_some() {
        "timebound"
    } else {
        "permanent"
    };
    let steps: Vec<(i64, String, Actor)> = if schedule.renewal {
        vec![
            (
                0,
                "Add eligible member to role in PIM requested (renew)".into(),
                Actor::User(u),
            ),
            (
                600,
                "Update member in PIM approved by admin (extend/renew)".into(),
                Actor::User(by),
            ),
        ]
    } else {
        ["requested", "completed"]
            .iter()
            .enumerate()
            .map(|(n, step)| {
                (
                    n as i64 * 5,
                    format!("Add eligible member to role in PIM {step} ({kind})"),
                    Actor::User(by),
                )
            })
            .collect()
    };
    eligibility_chain(plan, e, at, &steps, seq, out);
}

/// An eligibility's end date extended: the user's request, an administrator's approval.
pub(super) fn extended(
    plan: &Plan,
    rng: &mut Rng,
    e: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let u = plan.tenant.eligibility_schedules[e as usize].principal;
    let Some(by) = admin_for(plan, rng, "RoleManagement", "PIM", at, Some(u)) else {
        return;
    };
    let steps = [
        (
            0,
            "Update eligible member in PIM requested (extend)".to_string(),
            Actor::User(u),
        ),
        (
            rng.random_range(120..3000),
            "Update member in PIM approved by admin (extend/renew)".to_string(),
            Actor::User(by),
        ),
    ];
    eligibility_chain(plan, e, at, &steps, seq, out);
}

fn eligibility_chain(
    plan: &Plan,
    e: u32,
    at: i64,
    steps: &[(i64, String, Actor)],
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let schedule = &plan.tenant.eligibility_schedules[e as usize];
    let corr = seq.audit() | AUDIT_CORRELATION;
    for (offset, name, actor) in steps {
        let Some(a) = plan.activity("PIM", name) else {
            continue;
        };
        let targets = [
            Target::Role(schedule.role),
            Target::User(schedule.principal),
        ];
        let mut record = audit(
            a,
            at + offset * TICKS_PER_SECOND,
            seq.audit(),
            *actor,
            targets,
        );
        record.corr = corr;
        record.detail = e;
        push(plan, out, record);
    }
}

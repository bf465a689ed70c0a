//! Privileged Identity Management: activation chains (request, approval,
//! completion, the Core Directory twin, privileged work, expiry) and
//! eligibility grants, as the audit log shows them.

use super::audits::{AUDIT_CORRELATION, admin, audit, push};
use super::plan::Plan;
use super::timeline::activity_share;
use super::{HourOutput, Sequencer};
use crate::rng::{Rng, poisson};
use crate::store::records::{Actor, TICKS_PER_HOUR, TICKS_PER_SECOND, Target, datetime};
use rand::RngExt;

/// `Actor::System` code of the "Azure AD PIM" service user (expiries).
pub const PIM_SERVICE_USER: u8 = 0;
/// `Actor::System` code of the "MS-PIM" application (Core Directory twins).
pub const PIM_APP: u8 = 1;

/// Work a freshly activated administrator typically does.
const PRIVILEGED_WORK: [(&str, &str); 6] = [
    ("Core Directory", "Update user"),
    ("Core Directory", "Reset user password"),
    ("Core Directory", "Update group"),
    ("Core Directory", "Add member to group"),
    ("Core Directory", "Update application"),
    ("Core Directory", "Update policy"),
];

/// Appends the hour's PIM activations (and their later records) to `out`.
pub(super) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let tenant = &plan.tenant;
    if tenant.eligibility_schedules.is_empty() {
        return;
    }
    let mut rng = tenant.seed.stream("pim", hour as u64);
    let hq = plan.catalog.locations[tenant.users[0].home as usize].utc_offset_minutes;
    let mean = plan.preset.activity.pim_activations_per_day * activity_share(hour, hq);
    for _ in 0..poisson(&mut rng, mean) {
        let at = hour * TICKS_PER_HOUR + rng.random_range(0..TICKS_PER_HOUR);
        let schedule = rng.random_range(0..tenant.eligibility_schedules.len()) as u32;
        activation(plan, &mut rng, schedule, at, seq, out);
    }
}

fn activity(plan: &Plan, name: &str) -> Option<u16> {
    plan.activity("PIM", name)
}

fn activation(
    plan: &Plan,
    rng: &mut Rng,
    schedule: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let eligibility = &plan.tenant.eligibility_schedules[schedule as usize];
    let when = datetime(at);
    let user = plan.tenant.user(eligibility.principal);
    if !user.exists_at(when)
        || eligibility.start > when
        || eligibility.end.is_some_and(|e| e <= when)
    {
        return;
    }
    let role = &plan.tenant.role_definitions[eligibility.role as usize];
    let (u, r) = (eligibility.principal, eligibility.role);
    let targets = [Target::Role(r), Target::User(u)];
    let corr = seq.audit() | AUDIT_CORRELATION;
    let emit = |name: &str,
                at: i64,
                actor: Actor,
                seq: &mut Sequencer,
                out: &mut HourOutput,
                service: &str| {
        let found = if service == "PIM" {
            activity(plan, name)
        } else {
            plan.activity(service, name)
        };
        if let Some(a) = found {
            let mut record = audit(a, at, seq.audit(), actor, targets);
            record.corr = corr;
            record.detail = schedule;
            push(plan, out, record);
        }
    };
    emit(
        "Add member to role requested (PIM activation)",
        at,
        Actor::User(u),
        seq,
        out,
        "PIM",
    );
    let mut active_at = at + rng.random_range(3..20) * TICKS_PER_SECOND;
    if role.approval_required {
        emit(
            "Add member to role approval requested (PIM activation)",
            at + TICKS_PER_SECOND,
            Actor::User(u),
            seq,
            out,
            "PIM",
        );
        active_at = at + rng.random_range(300..2700) * TICKS_PER_SECOND;
        let approver = admin(plan, rng, active_at);
        emit(
            "Add member to role request approved (PIM activation)",
            active_at - TICKS_PER_SECOND,
            Actor::User(approver),
            seq,
            out,
            "PIM",
        );
    }
    emit(
        "Add member to role completed (PIM activation)",
        active_at,
        Actor::User(u),
        seq,
        out,
        "PIM",
    );
    emit(
        "Add member to role",
        active_at + TICKS_PER_SECOND,
        Actor::System(PIM_APP),
        seq,
        out,
        "Core Directory",
    );
    let expires = active_at + role.activation_hours as i64 * TICKS_PER_HOUR;
    privileged_work(plan, rng, u, (active_at, expires), seq, out);
    emit(
        "Remove member from role (PIM activation expired)",
        expires,
        Actor::System(PIM_SERVICE_USER),
        seq,
        out,
        "PIM",
    );
    emit(
        "Remove member from role",
        expires + TICKS_PER_SECOND,
        Actor::System(PIM_APP),
        seq,
        out,
        "Core Directory",
    );
}

fn privileged_work(
    plan: &Plan,
    rng: &mut Rng,
    user: u32,
    (from, until): (i64, i64),
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    for _ in 0..rng.random_range(1..=3) {
        let (service, name) = PRIVILEGED_WORK[rng.random_range(0..PRIVILEGED_WORK.len())];
        let Some(a) = plan.activity(service, name) else {
            continue;
        };
        let at = from + rng.random_range(120..1800) * TICKS_PER_SECOND;
        if at >= until {
            continue;
        }
        let when = datetime(at);
        let targets = match name {
            "Update group" => [
                Target::Group(rng.random_range(0..plan.tenant.groups.len().max(1)) as u32),
                Target::None,
            ],
            "Update application" if !plan.tenant.applications.is_empty() => [
                Target::Application(rng.random_range(0..plan.tenant.applications.len()) as u32),
                Target::None,
            ],
            "Update policy" if !plan.tenant.ca_policies.is_empty() => [
                Target::Policy(rng.random_range(0..plan.tenant.ca_policies.len()) as u32),
                Target::None,
            ],
            "Add member to group" if !plan.tenant.groups.is_empty() => {
                let member = (0..plan.tenant.users.len() as u32)
                    .find(|&m| plan.tenant.user(m).exists_at(when))
                    .unwrap_or(0);
                [
                    Target::User(member),
                    Target::Group(rng.random_range(0..plan.tenant.groups.len()) as u32),
                ]
            }
            _ => {
                let target = rng.random_range(0..plan.tenant.users.len()) as u32;
                if !plan.tenant.user(target).exists_at(when) {
                    continue;
                }
                [Target::User(target), Target::None]
            }
        };
        let mut record = audit(a, at, seq.audit(), Actor::User(user), targets);
        record.variant = rng.random();
        record.detail = rng.random();
        push(plan, out, record);
    }
}

/// "Add eligible member to role in PIM" requested and completed, for a schedule granted at `at`.
pub(super) fn eligibility_granted(
    plan: &Plan,
    rng: &mut Rng,
    e: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let schedule = &plan.tenant.eligibility_schedules[e as usize];
    if !plan.tenant.user(schedule.principal).exists_at(datetime(at)) {
        return;
    }
    let kind = if schedule.end.is_some() {
        "timebound"
    } else {
        "permanent"
    };
    let by = Actor::User(admin(plan, rng, at));
    let corr = seq.audit() | AUDIT_CORRELATION;
    for (offset, step) in [(0, "requested"), (5, "completed")] {
        let name = format!("Add eligible member to role in PIM {step} ({kind})");
        let Some(a) = activity(plan, &name) else {
            continue;
        };
        let mut record = audit(
            a,
            at + offset * TICKS_PER_SECOND,
            seq.audit(),
            by,
            [
                Target::Role(schedule.role),
                Target::User(schedule.principal),
            ],
        );
        record.corr = corr;
        record.detail = e;
        push(plan, out, record);
    }
}

//! Directory audits: the weighted everyday activity of the whole catalog, and
//! the records the tenant's lifecycle demands (users added and deleted, new
//! service principals, security-info registration).

use super::latency::Log;
use super::plan::{Lifecycle, Plan};
use super::timeline::activity_share;
use super::{HourOutput, Sequencer};
use crate::catalog::TargetType;
use crate::rng::{Rng, poisson};
use crate::store::records::{Actor, Audit, TICKS_PER_HOUR, TICKS_PER_SECOND, Target, flags};
use crate::tenant::{SpOrigin, UserKind, UserSource};
use rand::RngExt;

/// Marks audit keys used as correlation keys, so they never equal a sign-in key.
pub const AUDIT_CORRELATION: u64 = 1 << 62;

/// Activities only the lifecycle and PIM generators may emit (they must agree with the directory).
const COHERENT: [&str; 8] = [
    "Add user",
    "Delete user",
    "Hard Delete user",
    "Restore user",
    "Add service principal",
    "User registered security info",
    "Invite external user",
    "Hard delete user",
];

/// Appends the hour's audits to `out`.
pub(super) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("audits", hour as u64);
    let hq = plan.catalog.locations[plan.tenant.users[0].home as usize].utc_offset_minutes;
    let mean = plan.preset.activity.audits_per_day * activity_share(hour, hq);
    for _ in 0..poisson(&mut rng, mean) {
        let at = hour * TICKS_PER_HOUR + rng.random_range(0..TICKS_PER_HOUR);
        if let Some(record) = everyday(plan, &mut rng, at, seq.audit()) {
            push(plan, out, record);
        }
    }
    lifecycle(plan, &mut rng, hour, seq, out);
}

/// Sets the record's delay and appends it.
pub(super) fn push(plan: &Plan, out: &mut HourOutput, mut record: Audit) {
    record.delay_ms = plan
        .latency
        .delay_ms(plan.tenant.seed, Log::Audits, record.key);
    out.audits.push(record);
}

/// A blank audit of `activity` at `at`.
pub(super) fn audit(
    activity: u16,
    at: i64,
    key: u64,
    initiator: Actor,
    targets: [Target; 2],
) -> Audit {
    Audit {
        at,
        key,
        corr: key | AUDIT_CORRELATION,
        delay_ms: 0,
        activity,
        result: 0,
        variant: 0,
        initiator,
        targets,
        detail: 0,
    }
}

fn everyday(plan: &Plan, rng: &mut Rng, at: i64, key: u64) -> Option<Audit> {
    let index = plan.audit_activities.sample(rng);
    let activity = &plan.catalog.audit_activities[index];
    if activity.service == "PIM" || COHERENT.contains(&activity.activity.as_str()) {
        return None;
    }
    let targets = targets_for(plan, rng, activity.target_type, &activity.activity, at)?;
    let initiator = initiator_for(plan, rng, &activity.service, targets[0], at);
    let mut record = audit(index as u16, at, key, initiator, targets);
    record.result = u8::from(rng.random_bool(0.025));
    record.variant = rng.random();
    record.detail = rng.random();
    Some(record)
}

fn existing_user(plan: &Plan, rng: &mut Rng, at: i64) -> Option<u32> {
    let when = crate::store::records::datetime(at);
    let users = &plan.tenant.users;
    (0..8)
        .map(|_| rng.random_range(0..users.len()) as u32)
        .find(|&u| users[u as usize].exists_at(when))
}

fn pick(rng: &mut Rng, len: usize) -> Option<u32> {
    (len > 0).then(|| rng.random_range(0..len) as u32)
}

fn targets_for(
    plan: &Plan,
    rng: &mut Rng,
    kind: TargetType,
    activity: &str,
    at: i64,
) -> Option<[Target; 2]> {
    let t = &plan.tenant;
    Some(match kind {
        TargetType::User => [Target::User(existing_user(plan, rng, at)?), Target::None],
        TargetType::Group if activity.contains("member") || activity.contains("owner") => {
            let group = pick(rng, t.groups.len())?;
            let members = &t.groups[group as usize].members;
            let user = match pick(rng, members.len()) {
                Some(m)
                    if t.users[members[m as usize] as usize]
                        .exists_at(crate::store::records::datetime(at)) =>
                {
                    members[m as usize]
                }
                _ => existing_user(plan, rng, at)?,
            };
            [Target::User(user), Target::Group(group)]
        }
        TargetType::Group => [Target::Group(pick(rng, t.groups.len())?), Target::None],
        TargetType::Application => [
            Target::Application(pick(rng, t.applications.len())?),
            Target::None,
        ],
        TargetType::ServicePrincipal => {
            let own: Vec<u32> = (0..t.service_principals.len() as u32)
                .filter(|&s| !matches!(t.sp(s).origin, SpOrigin::FirstParty(_)))
                .collect();
            [
                Target::ServicePrincipal(own[pick(rng, own.len())? as usize]),
                Target::None,
            ]
        }
        TargetType::Role => [
            Target::Role(pick(rng, t.role_definitions.len())?),
            Target::User(existing_user(plan, rng, at)?),
        ],
        TargetType::Policy => [
            Target::Policy(pick(rng, t.ca_policies.len())?),
            Target::None,
        ],
        TargetType::Device => [Target::Device(pick(rng, t.devices.len())?), Target::None],
        TargetType::Directory => [Target::Directory, Target::None],
        TargetType::Request | TargetType::Other => [Target::Request, Target::None],
    })
}

/// Who performs an activity, by the service that logs it.
fn initiator_for(plan: &Plan, rng: &mut Rng, service: &str, first: Target, at: i64) -> Actor {
    let self_service = [
        "Self-service Password Management",
        "Authentication Methods",
        "MyApps",
        "Self-service Group Management",
        "Invited Users",
        "Terms Of Use",
    ];
    if self_service.contains(&service)
        && let Target::User(u) = first
        && plan.tenant.user(u).kind != UserKind::ServiceAccount
    {
        return Actor::User(u);
    }
    if service == "Account Provisioning"
        && let Some(job) = pick(rng, plan.tenant.provisioning_jobs.len())
    {
        return Actor::App(plan.tenant.provisioning_jobs[job as usize].service_principal);
    }
    if service == "Core Directory"
        && rng.random_bool(0.3)
        && let Some(sp) = app_initiator(plan, rng)
    {
        return Actor::App(sp);
    }
    Actor::User(admin(plan, rng, at))
}

fn app_initiator(plan: &Plan, rng: &mut Rng) -> Option<u32> {
    let choices = [
        "00000003-0000-0000-c000-000000000000",
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    ];
    match pick(rng, plan.workload_sps.len()) {
        Some(i) if rng.random_bool(0.4) => Some(plan.workload_sps[i as usize]),
        _ => plan.first_party(choices[rng.random_range(0..choices.len())]),
    }
}

/// A tenant administrator present at `at` (the first member if none).
pub(super) fn admin(plan: &Plan, rng: &mut Rng, at: i64) -> u32 {
    let when = crate::store::records::datetime(at);
    let admins: Vec<u32> = (0..plan.tenant.users.len() as u32)
        .filter(|&u| plan.tenant.user(u).is_admin && plan.tenant.user(u).exists_at(when))
        .collect();
    match admins.len() {
        0 => 0,
        n => admins[rng.random_range(0..n)],
    }
}

fn lifecycle(plan: &Plan, rng: &mut Rng, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let Some(events) = plan.lifecycle.get(&hour) else {
        return;
    };
    for &(at, event) in events {
        match event {
            Lifecycle::Created(u) => user_added(plan, rng, u, at, seq, out),
            Lifecycle::Deleted(u) => {
                if let Some(a) = plan.activity("Core Directory", "Delete user") {
                    let record = audit(
                        a,
                        at,
                        seq.audit(),
                        Actor::User(admin(plan, rng, at)),
                        [Target::User(u), Target::None],
                    );
                    push(plan, out, record);
                }
            }
            Lifecycle::Registered(u) => registered(plan, u, at, seq, out),
            Lifecycle::SpCreated(sp) => sp_added(plan, rng, sp, at, seq, out),
            Lifecycle::Eligible(e) => super::pim::eligibility_granted(plan, rng, e, at, seq, out),
        }
    }
}

fn user_added(
    plan: &Plan,
    rng: &mut Rng,
    u: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let user = plan.tenant.user(u);
    let initiator = match user.source {
        UserSource::Workday => {
            workday_job(plan).map_or(Actor::User(admin(plan, rng, at)), Actor::App)
        }
        UserSource::Cloud => Actor::User(admin(plan, rng, at)),
    };
    let corr = seq.audit() | AUDIT_CORRELATION;
    if user.kind == UserKind::Guest
        && let Some(a) = plan.activity("Invited Users", "Invite external user")
    {
        let mut record = audit(
            a,
            at - TICKS_PER_SECOND,
            seq.audit(),
            initiator,
            [Target::User(u), Target::None],
        );
        record.corr = corr;
        push(plan, out, record);
    }
    if let Some(a) = plan.activity("Core Directory", "Add user") {
        let mut record = audit(
            a,
            at,
            seq.audit(),
            initiator,
            [Target::User(u), Target::None],
        );
        record.corr = corr;
        push(plan, out, record);
    }
}

/// The service principal of the inbound (Workday) provisioning job, if any.
pub(super) fn workday_job(plan: &Plan) -> Option<u32> {
    plan.tenant
        .provisioning_jobs
        .iter()
        .find(|j| {
            plan.catalog.provisioning_apps[j.app as usize].direction
                == crate::catalog::Direction::Inbound
        })
        .map(|j| j.service_principal)
}

fn registered(plan: &Plan, u: u32, at: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let Some(a) = plan.activity("Authentication Methods", "User registered security info") else {
        return;
    };
    let sign_in = out
        .sign_ins
        .iter()
        .find(|s| s.subject == u && s.flags & flags::REGISTRATION != 0);
    let Some(sign_in) = sign_in.copied() else {
        return;
    };
    let mut record = audit(
        a,
        at + 40 * TICKS_PER_SECOND,
        seq.audit(),
        Actor::User(u),
        [Target::User(u), Target::None],
    );
    record.corr = sign_in.corr;
    push(plan, out, record);
}

fn sp_added(
    plan: &Plan,
    rng: &mut Rng,
    sp: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let initiator = match plan.tenant.sp(sp).origin {
        SpOrigin::ManagedIdentity(_) => plan
            .first_party("797f4846-ba00-4fd7-ba43-dac1f8f63013")
            .map_or(Actor::System(1), Actor::App),
        _ => Actor::User(admin(plan, rng, at)),
    };
    let corr = seq.audit() | AUDIT_CORRELATION;
    for (offset, name) in [
        (0, "Add service principal"),
        (2, "Add app role assignment to service principal"),
    ] {
        if let Some(a) = plan.activity("Core Directory", name) {
            let mut record = audit(
                a,
                at + offset * TICKS_PER_SECOND,
                seq.audit(),
                initiator,
                [Target::ServicePrincipal(sp), Target::None],
            );
            record.corr = corr;
            push(plan, out, record);
        }
    }
}

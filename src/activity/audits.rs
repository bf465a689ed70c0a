//! Directory audits: the weighted everyday activity of the whole catalog, and
//! the records the tenant's lifecycle demands (users added and deleted, new
//! service principals, security-info registration).

use super::latency::Log;
use super::plan::Plan;
use super::timeline::activity_share;
use super::{HourOutput, Sequencer};
use crate::catalog::TargetType;
use crate::rng::{Rng, poisson};
use crate::store::records::{Actor, Audit, TICKS_PER_HOUR, TICKS_PER_SECOND, Target};
use crate::tenant::{SpOrigin, UserKind};
use rand::RngExt;

/// Marks audit keys used as correlation keys, so they never equal a sign-in key.
pub const AUDIT_CORRELATION: u64 = 1 << 62;

/// Services whose every activity follows a directory change (guest invitations).
const LIFECYCLE_SERVICES: [&str; 3] = ["PIM", "Invited Users", "B2B Auth"];

/// Whether an activity changes what the directory holds (creates, deletes,
/// restores, enables or disables an object, or changes a membership, owner,
/// role or grant). Such records come only from the directory's history and
/// the PIM generator, never from the weighted draw.
pub(crate) fn is_lifecycle(a: &crate::catalog::AuditActivity) -> bool {
    if LIFECYCLE_SERVICES.contains(&a.service.as_str()) {
        return true;
    }
    let directory_object = matches!(
        a.target_type,
        TargetType::User
            | TargetType::Group
            | TargetType::Application
            | TargetType::ServicePrincipal
            | TargetType::Role
            | TargetType::Device
            | TargetType::Policy
    );
    let changes = matches!(
        a.operation_type.as_str(),
        "Add" | "Delete" | "Assign" | "Unassign"
    ) || ["Restore", "Enable", "Disable", "Delete", "Remove"]
        .iter()
        .any(|w| a.activity.contains(w));
    directory_object && changes
}

/// Appends the hour's audits to `out`.
pub(super) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("audits", hour as u64);
    let hq = plan.catalog.locations[plan.tenant.users[0].home as usize].utc_offset_minutes;
    let mean = plan.preset.activity.audits_per_day * activity_share(hour, hq);
    for _ in 0..poisson(&mut rng, mean) {
        let at = hour * TICKS_PER_HOUR + rng.random_range(0..TICKS_PER_HOUR);
        if let Some(mut record) = everyday(plan, &mut rng, at, seq.audit()) {
            after_sign_in(plan, &mut rng, &mut record, seq, out);
            push(plan, out, record);
        }
    }
    super::changes::generate(plan, &mut rng, hour, seq, out);
}

/// An administrator's change follows their sign-in to the portal a few
/// minutes earlier (or an earlier sign-in of the same hour); the audit shares
/// that sign-in's correlation id.
pub(super) fn after_sign_in(
    plan: &Plan,
    rng: &mut Rng,
    record: &mut Audit,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let Actor::User(u) = record.initiator else {
        return;
    };
    if !plan.tenant.user(u).is_admin {
        return;
    }
    // One portal session serves every change the administrator makes later in the hour.
    if let Some(corr) = seq.session(u, record.at) {
        record.corr = corr;
        return;
    }
    // Stay in the record's hour: a generated hour never files records into earlier ones.
    let hour_start = crate::store::records::hour_of(record.at) * TICKS_PER_HOUR;
    let at = (record.at - rng.random_range(30..600) * TICKS_PER_SECOND).max(hour_start);
    if let Some(corr) = super::sign_ins::portal_sign_in(plan, rng, u, at, None, seq, out) {
        seq.open_session(u, at, corr);
        record.corr = corr;
    }
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
    let targets = targets_for(plan, rng, activity.target_type, &activity.activity, at)?;
    let initiator = initiator_for(plan, rng, activity, targets[0], at)?;
    let mut record = audit(index as u16, at, key, initiator, targets);
    record.result = u8::from(rng.random_bool(0.025));
    record.variant = rng.random();
    record.detail = rng.random();
    Some(record)
}

fn existing_user(
    plan: &Plan,
    rng: &mut Rng,
    at: i64,
    keep: impl Fn(&crate::tenant::User) -> bool,
) -> Option<u32> {
    let when = crate::store::records::datetime(at);
    let users = &plan.tenant.users;
    (0..12)
        .map(|_| rng.random_range(0..users.len()) as u32)
        .find(|&u| users[u as usize].exists_at(when) && keep(&users[u as usize]))
}

fn pick(rng: &mut Rng, len: usize) -> Option<u32> {
    (len > 0).then(|| rng.random_range(0..len) as u32)
}

/// A random object of a collection that already existed at `at`.
fn existing(rng: &mut Rng, len: usize, exists: impl Fn(u32) -> bool) -> Option<u32> {
    (0..8).filter_map(|_| pick(rng, len)).find(|&i| exists(i))
}

fn targets_for(
    plan: &Plan,
    rng: &mut Rng,
    kind: TargetType,
    activity: &str,
    at: i64,
) -> Option<[Target; 2]> {
    let t = &plan.tenant;
    let when = crate::store::records::datetime(at);
    Some(match kind {
        TargetType::User => [
            Target::User(existing_user(plan, rng, at, |_| true)?),
            Target::None,
        ],
        TargetType::Group => {
            let group = existing(rng, t.groups.len(), |g| {
                t.groups[g as usize].created <= when
            })?;
            match activity.contains("license") {
                true => {
                    let members = &t.groups[group as usize].members;
                    let user = members.get(pick(rng, members.len())? as usize)?;
                    [Target::Group(group), Target::User(*user)]
                }
                false => [Target::Group(group), Target::None],
            }
        }
        TargetType::Application => [
            Target::Application(existing(rng, t.applications.len(), |a| {
                t.applications[a as usize].created <= when
            })?),
            Target::None,
        ],
        TargetType::ServicePrincipal => {
            let sp = existing(rng, t.service_principals.len(), |s| {
                !matches!(t.sp(s).origin, SpOrigin::FirstParty(_)) && t.sp(s).created <= when
            })?;
            [Target::ServicePrincipal(sp), Target::None]
        }
        TargetType::Role => [
            Target::Role(pick(rng, t.role_definitions.len())?),
            Target::None,
        ],
        TargetType::Policy => [
            Target::Policy(pick(rng, t.ca_policies.len())?),
            Target::None,
        ],
        TargetType::Device => {
            let non_compliant = activity == "Device no longer compliant";
            let device = existing(rng, t.devices.len(), |d| {
                let device = &t.devices[d as usize];
                device.exists_at(t, when) && (!non_compliant || !device.is_compliant)
            })?;
            [Target::Device(device), Target::None]
        }
        TargetType::Directory => [Target::Directory, Target::None],
        TargetType::Request | TargetType::Other => [Target::Request, Target::None],
    })
}

/// Admin roles able to perform activities of a category (Global Administrator always can).
pub(super) fn roles_for(category: &str, service: &str) -> &'static [&'static str] {
    match (service, category) {
        ("Conditional Access" | "Identity Protection", _) | (_, "Policy") => {
            &["Security Administrator", "Conditional Access Administrator"]
        }
        (_, "UserManagement") => &["User Administrator", "Helpdesk Administrator"],
        (_, "GroupManagement") => &["Groups Administrator", "User Administrator"],
        (_, "ApplicationManagement") => &[
            "Application Administrator",
            "Cloud Application Administrator",
        ],
        (_, "Device") => &["Intune Administrator", "Cloud Device Administrator"],
        (_, "RoleManagement") => &["Privileged Role Administrator"],
        _ => &[
            "Security Administrator",
            "User Administrator",
            "Application Administrator",
        ],
    }
}

/// An administrator holding a role suited to `category` at `at`, other than `not`.
pub(super) fn admin_for(
    plan: &Plan,
    rng: &mut Rng,
    category: &str,
    service: &str,
    at: i64,
    not: Option<u32>,
) -> Option<u32> {
    let roles = roles_for(category, service);
    let when = crate::store::records::datetime(at);
    let able: Vec<u32> = plan
        .role_holders
        .iter()
        .filter(|(u, role, since)| {
            *since <= at
                && Some(*u) != not
                && (*role == "Global Administrator" || roles.contains(role))
                && plan.tenant.user(*u).enabled_at(when)
        })
        .map(|h| h.0)
        .collect();
    pick(rng, able.len()).map(|i| able[i as usize])
}

/// Who performs an activity: the user themself for self-service, the device
/// owner for device registration, a provisioning job for its service, a
/// directory-writing app or a suitably privileged administrator otherwise.
fn initiator_for(
    plan: &Plan,
    rng: &mut Rng,
    activity: &crate::catalog::AuditActivity,
    first: Target,
    at: i64,
) -> Option<Actor> {
    let service = activity.service.as_str();
    let self_service = [
        "Self-service Password Management",
        "Authentication Methods",
        "MyApps",
        "Self-service Group Management",
        "Terms Of Use",
    ];
    let when = crate::store::records::datetime(at);
    match first {
        Target::User(u) if self_service.contains(&service) => {
            let user = plan.tenant.user(u);
            return (user.kind != UserKind::ServiceAccount && user.enabled_at(when))
                .then_some(Actor::User(u));
        }
        Target::Device(d) if service == "Device Registration Service" => {
            return Some(Actor::User(plan.tenant.devices[d as usize].owner));
        }
        _ => {}
    }
    if service == "Account Provisioning" {
        let job = pick(rng, plan.tenant.provisioning_jobs.len())?;
        return Some(Actor::App(
            plan.tenant.provisioning_jobs[job as usize].service_principal,
        ));
    }
    if service == "Core Directory"
        && activity.operation_type == "Update"
        && rng.random_bool(0.2)
        && let Some(i) = pick(rng, plan.directory_apps.len())
    {
        let sp = plan.directory_apps[i as usize];
        if plan.tenant.sp(sp).created <= when {
            return Some(Actor::App(sp));
        }
    }
    admin_for(plan, rng, &activity.category, service, at, None).map(Actor::User)
}

/// A tenant administrator present at `at` (any admin role), other than `not`.
pub(super) fn admin(plan: &Plan, rng: &mut Rng, at: i64) -> u32 {
    admin_for(plan, rng, "", "", at, None).unwrap_or(0)
}

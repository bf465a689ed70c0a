//! Generation of an hour's Activity Log: user-assigned identities written as their
//! service principals appear in the directory, the managed identities' standing role
//! assignments created just after, and role assignments to identities, users and groups
//! created and removed by subscription owners, each after their portal sign-in.

use super::record::{ArmEvent, Grant, Op, Phase, Principal, Scope, Subject};
use crate::activity::latency::Log;
use crate::activity::timeline::activity_share;
use crate::activity::{HourOutput, Lifecycle, Plan, Sequencer, arm_session};
use crate::rng::{Rng, poisson};
use crate::store::records::{Actor, TICKS_PER_HOUR, TICKS_PER_SECOND, Ticks, datetime, ticks};
use crate::tenant::{MsiType, SpOrigin, UserKind};
use rand::RngExt;

/// A managed identity's standing role assignments are created this long after its
/// service principal [INFERRED: the deployment assigns roles once the identity exists].
pub const ASSIGNMENT_AFTER_SECONDS: i64 = 120;
/// Identity and role-assignment operations per working day (spread like audits) (INFERRED).
pub const ASSIGNMENTS_PER_DAY: f64 = 10.0;
/// Share of the operations that update (PUT again) a user-assigned identity (INFERRED).
const UPDATE_SHARE: f64 = 0.2;
/// Share of those that re-create an existing assignment and fail with 409 Conflict.
const CONFLICT_SHARE: f64 = 0.12;
/// Roles handed out by transient assignments: indices into `BUILT_IN`
/// (Contributor, Reader, Key Vault Secrets User, Storage Blob Data Reader, Managed Identity Operator).
const GRANTED_ROLES: [u8; 5] = [1, 2, 3, 4, 5];

/// One operation under way: its caller, what it acts on and its events' destination.
struct Ctx<'a> {
    plan: &'a Plan,
    seq: &'a mut Sequencer,
    out: &'a mut HourOutput,
}

/// Appends the Activity Log events of `hour`.
pub(crate) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("activity-log", hour as u64);
    let mut ctx = Ctx { plan, seq, out };
    if let Some(events) = plan.lifecycle.get(&hour) {
        for &(at, event) in events {
            if let Lifecycle::SpCreated(sp) = event {
                identity_created(&mut ctx, &mut rng, sp, at);
            }
        }
    }
    let hq = plan.catalog.locations[plan.tenant.users[0].home as usize].utc_offset_minutes;
    let mean = ASSIGNMENTS_PER_DAY * activity_share(hour, hq);
    for _ in 0..poisson(&mut rng, mean) {
        let at = hour * TICKS_PER_HOUR + rng.random_range(0..TICKS_PER_HOUR);
        transient(&mut ctx, &mut rng, at);
    }
}

/// A managed identity's service principal appeared at `at`: for a user-assigned one,
/// the identity's write; then its standing role assignments.
fn identity_created(ctx: &mut Ctx, rng: &mut Rng, sp: u32, at: Ticks) {
    let tenant = &ctx.plan.tenant;
    let SpOrigin::ManagedIdentity(mi) = tenant.sp(sp).origin else {
        return;
    };
    let Some(caller) = owner_with_session(ctx, rng, at - 2 * TICKS_PER_SECOND) else {
        return;
    };
    if tenant.managed_identities[mi as usize].kind == MsiType::UserAssigned {
        let subject = Subject::Identity(mi);
        operation(
            ctx,
            caller,
            Op::IdentityWrite,
            subject,
            at - 2 * TICKS_PER_SECOND,
            true,
        );
    }
    let created = at + ASSIGNMENT_AFTER_SECONDS * TICKS_PER_SECOND;
    for (i, a) in tenant.azure_role_assignments.iter().enumerate() {
        if a.principal == sp {
            let subject = Subject::Standing(i as u32);
            operation(
                ctx,
                caller,
                Op::AssignmentWrite,
                subject,
                created - TICKS_PER_SECOND,
                true,
            );
        }
    }
}

/// An identity updated, a role assignment made and removed a little later, or a
/// failed duplicate of a standing assignment.
fn transient(ctx: &mut Ctx, rng: &mut Rng, at: Ticks) {
    let Some(caller) = owner_with_session(ctx, rng, at) else {
        return;
    };
    if rng.random_bool(UPDATE_SHARE) {
        if let Some(mi) = existing_identity(ctx.plan, rng, at) {
            operation(
                ctx,
                caller,
                Op::IdentityWrite,
                Subject::Identity(mi),
                at,
                true,
            );
        }
        return;
    }
    if rng.random_bool(CONFLICT_SHARE) {
        if let Some(i) = existing_assignment(ctx.plan, rng, at) {
            operation(
                ctx,
                caller,
                Op::AssignmentWrite,
                Subject::Standing(i),
                at,
                false,
            );
        }
        return;
    }
    let Some(grant) = new_grant(ctx.plan, rng, at + TICKS_PER_SECOND) else {
        return;
    };
    let subject = Subject::Transient(grant);
    operation(ctx, caller, Op::AssignmentWrite, subject, at, true);
    let removed = at + rng.random_range(5..45) * 60 * TICKS_PER_SECOND;
    operation(ctx, caller, Op::AssignmentDelete, subject, removed, true);
}

/// The Started event at `at` and the end event a second or two later, sharing one correlation key.
fn operation(ctx: &mut Ctx, caller: Actor, op: Op, subject: Subject, at: Ticks, ok: bool) {
    let started = ctx.seq.arm_event();
    let end = ctx.seq.arm_event();
    let finished = at + (1 + (started % 3) as i64) * TICKS_PER_SECOND / 2;
    let phase = if ok { Phase::Succeeded } else { Phase::Failed };
    for (key, when, phase) in [(started, at, Phase::Started), (end, finished, phase)] {
        let delay_ms = ctx
            .plan
            .latency
            .delay_ms(ctx.plan.tenant.seed, Log::ActivityLog, key);
        ctx.out.activity_log.push(ArmEvent {
            at: when,
            key,
            corr: started,
            delay_ms,
            op,
            phase,
            caller,
            subject,
        });
    }
}

/// A subscription owner (a Global Administrator, see `Inventory`) signed in to the
/// portal by `at`, or None when no owner can sign in.
fn owner_with_session(ctx: &mut Ctx, rng: &mut Rng, at: Ticks) -> Option<Actor> {
    let mut owners = owners_at(ctx.plan, at);
    while !owners.is_empty() {
        let user = owners.swap_remove(rng.random_range(0..owners.len()));
        if arm_session(ctx.plan, rng, user, at, ctx.seq, ctx.out) {
            return Some(Actor::User(user));
        }
    }
    None
}

/// Global Administrators holding the role and enabled at `at`, in user order.
pub fn owners_at(plan: &Plan, at: Ticks) -> Vec<u32> {
    let when = datetime(at);
    let mut owners: Vec<u32> = plan
        .role_holders
        .iter()
        .filter(|(u, role, since)| {
            *role == "Global Administrator" && *since <= at && plan.tenant.user(*u).enabled_at(when)
        })
        .map(|h| h.0)
        .collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// A user-assigned identity existing at `at`.
fn existing_identity(plan: &Plan, rng: &mut Rng, at: Ticks) -> Option<u32> {
    let tenant = &plan.tenant;
    let when = datetime(at);
    let live: Vec<u32> = (0..tenant.managed_identities.len() as u32)
        .filter(|&m| {
            let mi = &tenant.managed_identities[m as usize];
            mi.kind == MsiType::UserAssigned && tenant.sp(mi.service_principal).created <= when
        })
        .collect();
    pick(rng, &live).copied()
}

/// A standing assignment already created by `at` (its duplicate conflicts).
fn existing_assignment(plan: &Plan, rng: &mut Rng, at: Ticks) -> Option<u32> {
    let tenant = &plan.tenant;
    let live: Vec<u32> = (0..tenant.azure_role_assignments.len() as u32)
        .filter(|&i| {
            let sp = tenant.azure_role_assignments[i as usize].principal;
            ticks(tenant.sp(sp).created) + ASSIGNMENT_AFTER_SECONDS * TICKS_PER_SECOND <= at
        })
        .collect();
    (!live.is_empty()).then(|| live[rng.random_range(0..live.len())])
}

/// A new assignment: to a managed identity (60 %), a member (25 %) or a group (15 %)
/// existing at `at`, of a data or management role, at a subscription, a resource group
/// or an identity-bearing resource.
fn new_grant(plan: &Plan, rng: &mut Rng, at: Ticks) -> Option<Grant> {
    let tenant = &plan.tenant;
    let when = datetime(at);
    let draw = rng.random_range(0..100u32);
    let principal = match draw {
        0..60 => {
            let live: Vec<u32> = tenant
                .managed_identities
                .iter()
                .map(|m| m.service_principal)
                .filter(|&sp| tenant.sp(sp).created <= when)
                .collect();
            Principal::Sp(*pick(rng, &live)?)
        }
        60..85 => {
            let live: Vec<u32> = (0..tenant.users.len() as u32)
                .filter(|&u| {
                    let user = tenant.user(u);
                    user.kind == UserKind::Member && user.enabled_at(when)
                })
                .collect();
            Principal::User(*pick(rng, &live)?)
        }
        _ => {
            let live: Vec<u32> = (0..tenant.groups.len() as u32)
                .filter(|&g| tenant.groups[g as usize].created <= when)
                .collect();
            Principal::Group(*pick(rng, &live)?)
        }
    };
    let host = rng.random_range(0..tenant.managed_identities.len().max(1)) as u32;
    let scope = match (
        rng.random_range(0..3u8),
        tenant.managed_identities.is_empty(),
    ) {
        (_, true) | (0, _) => {
            Scope::Subscription(rng.random_range(0..tenant.subscriptions.len().max(1)) as u16)
        }
        (1, _) => Scope::GroupOf(host),
        _ => Scope::ResourceOf(host),
    };
    Some(Grant {
        principal,
        role: *pick(rng, &GRANTED_ROLES)?,
        scope,
        name: rng.random(),
        created: at,
    })
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.random_range(0..items.len())])
}

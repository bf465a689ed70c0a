//! Generation of an hour's Activity Log: user-assigned identities written as their
//! service principals appear in the directory and deleted (their role assignments
//! first) before their service principals leave it, the managed identities' standing
//! role assignments created just after them, and role assignments to identities, users
//! and groups created and removed by subscription owners (Azure portal or Azure CLI) or
//! the deployment pipeline's service principal, each after its sign-in to ARM.
//!
//! An hour's events depend on nothing the other generators do (the ARM sign-ins are
//! this generator's own), so the Activity Log of an hour can be generated alone: the
//! store does so for the hours it keeps only for the Activity Log's 90 days.

use super::record::{ArmEvent, Client, Grant, Op, Phase, Principal, Scope, Subject};
use crate::activity::latency::Log;
use crate::activity::timeline::activity_share;
use crate::activity::{
    CLI_APP_ID, HourOutput, Lifecycle, PORTAL_APP_ID, Plan, Sequencer, arm_sign_in,
    pipeline_sign_in,
};
use crate::rng::{Rng, poisson};
use crate::store::records::{
    Actor, TICKS_PER_HOUR, TICKS_PER_SECOND, Ticks, datetime, hour_of, ticks,
};
use crate::tenant::{MsiType, SpOrigin, Tenant, UserKind};
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
/// A deleted identity's role assignments are removed from this long before it, two
/// seconds apart [INFERRED: ARM keeps an identity's assignments when it is deleted
/// (the portal then shows "Identity not found"), so the administrator removes them first].
pub const UNASSIGN_BEFORE_SECONDS: i64 = 60;
/// A delete's end event follows its Started one by this long.
const DELETE_SECONDS: i64 = 1;
/// Share (percent) of the operations made with the Azure CLI, and by the pipeline (INFERRED).
const CLI_SHARE: u32 = 25;
const PIPELINE_SHARE: u32 = 20;
/// Roles handed out by transient assignments: indices into `BUILT_IN`
/// (Contributor, Reader, Key Vault Secrets User, Storage Blob Data Reader, Managed Identity Operator).
const GRANTED_ROLES: [u8; 5] = [1, 2, 3, 4, 5];

/// The hour's ARM sessions and its events' destination.
struct Ctx<'a> {
    plan: &'a Plan,
    seq: &'a mut Sequencer,
    out: &'a mut HourOutput,
    /// (caller, client, signed in at, client IP) of each ARM sign-in made so far.
    sessions: Vec<(Actor, Client, Ticks, [u8; 4])>,
}

/// Who calls ARM for an operation, and from where.
#[derive(Clone, Copy)]
struct Caller {
    actor: Actor,
    client: Client,
    ip: [u8; 4],
}

/// Appends the Activity Log events of `hour`.
pub(crate) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("activity-log", hour as u64);
    let mut ctx = Ctx {
        plan,
        seq,
        out,
        sessions: Vec::new(),
    };
    if let Some(events) = plan.lifecycle.get(&hour) {
        for &(at, event) in events {
            match event {
                Lifecycle::SpCreated(sp) => identity_created(&mut ctx, &mut rng, sp, at),
                Lifecycle::SpDeleted(sp) => identity_deleted(&mut ctx, &mut rng, sp, at),
                _ => {}
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
    let Some(caller) = caller_with_session(ctx, rng, at - 2 * TICKS_PER_SECOND) else {
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

/// A user-assigned identity's service principal leaves the directory at `at`: its
/// standing role assignments are deleted, then the identity.
fn identity_deleted(ctx: &mut Ctx, rng: &mut Rng, sp: u32, at: Ticks) {
    let SpOrigin::ManagedIdentity(mi) = ctx.plan.tenant.sp(sp).origin else {
        return;
    };
    let first = at - UNASSIGN_BEFORE_SECONDS * TICKS_PER_SECOND;
    let Some(caller) = caller_with_session(ctx, rng, first) else {
        return;
    };
    for (k, i) in standing_of(&ctx.plan.tenant, sp).into_iter().enumerate() {
        let started = first + 2 * k as i64 * TICKS_PER_SECOND;
        let subject = Subject::Standing(i);
        operation(ctx, caller, Op::AssignmentDelete, subject, started, true);
    }
    let subject = Subject::Identity(mi);
    let started = at - 2 * TICKS_PER_SECOND;
    operation(ctx, caller, Op::IdentityDelete, subject, started, true);
}

/// Indices of the standing role assignments of service principal `sp`, in order.
fn standing_of(tenant: &Tenant, sp: u32) -> Vec<u32> {
    (0..tenant.azure_role_assignments.len() as u32)
        .filter(|&i| tenant.azure_role_assignments[i as usize].principal == sp)
        .collect()
}

/// When standing assignment `index` leaves ARM: the end of its delete, made before its
/// identity's deletion; None while its identity lives on.
pub fn standing_removed(tenant: &Tenant, index: u32) -> Option<Ticks> {
    let sp = tenant.azure_role_assignments.get(index as usize)?.principal;
    let deleted = ticks(tenant.sp_deleted(sp)?);
    let k = standing_of(tenant, sp).iter().position(|&i| i == index)? as i64;
    let started = deleted - UNASSIGN_BEFORE_SECONDS * TICKS_PER_SECOND + 2 * k * TICKS_PER_SECOND;
    Some(started + DELETE_SECONDS * TICKS_PER_SECOND)
}

/// An identity updated, a role assignment made and removed a little later, or a
/// failed duplicate of a standing assignment.
fn transient(ctx: &mut Ctx, rng: &mut Rng, at: Ticks) {
    let Some(caller) = caller_with_session(ctx, rng, at) else {
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
    let removed = at + rng.random_range(5..45) * 60 * TICKS_PER_SECOND;
    let Some(grant) = new_grant(ctx.plan, rng, at + TICKS_PER_SECOND, removed) else {
        return;
    };
    let subject = Subject::Transient(grant);
    operation(ctx, caller, Op::AssignmentWrite, subject, at, true);
    operation(ctx, caller, Op::AssignmentDelete, subject, removed, true);
}

/// The Started event at `at` and the end event a second or two later (a delete's one
/// second later), sharing one correlation key.
fn operation(ctx: &mut Ctx, caller: Caller, op: Op, subject: Subject, at: Ticks, ok: bool) {
    let started = ctx.seq.arm_event();
    let end = ctx.seq.arm_event();
    let finished = match op {
        Op::AssignmentDelete | Op::IdentityDelete => at + DELETE_SECONDS * TICKS_PER_SECOND,
        _ => at + (1 + (started % 3) as i64) * TICKS_PER_SECOND / 2,
    };
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
            caller: caller.actor,
            client: caller.client,
            ip: caller.ip,
            subject,
        });
    }
}

/// Who makes an operation at `at`: a subscription owner (a Global Administrator, see
/// `Inventory`) in the portal or the Azure CLI, or the deployment pipeline, signed in
/// to ARM by then; None when nobody can sign in.
fn caller_with_session(ctx: &mut Ctx, rng: &mut Rng, at: Ticks) -> Option<Caller> {
    let draw = rng.random_range(0..100u32);
    if draw < PIPELINE_SHARE
        && let Some(sp) = crate::arm::inventory::pipeline(&ctx.plan.tenant)
        && ctx.plan.tenant.sp(sp).created <= datetime(at)
    {
        return session(ctx, rng, Actor::App(sp), Client::Pipeline, at);
    }
    let client = if draw < PIPELINE_SHARE + CLI_SHARE {
        Client::Cli
    } else {
        Client::Portal
    };
    let mut owners = owners_at(ctx.plan, at);
    while !owners.is_empty() {
        let user = owners.swap_remove(rng.random_range(0..owners.len()));
        if let Some(caller) = session(ctx, rng, Actor::User(user), client, at) {
            return Some(caller);
        }
    }
    None
}

/// The caller's ARM session opened at or before `at` in this hour, or a new one: a
/// sign-in 30 s to 10 min earlier (not before the hour); None if the sign-in fails.
fn session(
    ctx: &mut Ctx,
    rng: &mut Rng,
    actor: Actor,
    client: Client,
    at: Ticks,
) -> Option<Caller> {
    let open = ctx
        .sessions
        .iter()
        .find(|&&(a, c, signed_in, _)| a == actor && c == client && signed_in <= at);
    if let Some(&(_, _, _, ip)) = open {
        return Some(Caller { actor, client, ip });
    }
    let hour_start = hour_of(at) * TICKS_PER_HOUR;
    let signed_in = (at - rng.random_range(30..600) * TICKS_PER_SECOND).max(hour_start);
    let (plan, seq, out) = (ctx.plan, &mut *ctx.seq, &mut *ctx.out);
    let ip = match (actor, client) {
        (Actor::App(sp), _) => pipeline_sign_in(plan, rng, sp, signed_in, seq, out)?,
        (Actor::User(u), Client::Cli) => {
            arm_sign_in(plan, rng, (u, CLI_APP_ID), signed_in, None, seq, out)?.1
        }
        (Actor::User(u), _) => {
            arm_sign_in(plan, rng, (u, PORTAL_APP_ID), signed_in, None, seq, out)?.1
        }
        (Actor::System(_), _) => return None,
    };
    ctx.sessions.push((actor, client, signed_in, ip));
    Some(Caller { actor, client, ip })
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
            mi.kind == MsiType::UserAssigned
                && tenant.sp(mi.service_principal).created <= when
                && mi.alive_at(when)
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
                && standing_removed(tenant, i).is_none_or(|gone| gone > at)
        })
        .collect();
    (!live.is_empty()).then(|| live[rng.random_range(0..live.len())])
}

/// A new assignment: to a managed identity (60 %), a member (25 %) or a group (15 %)
/// existing from `at` until after `until` (an identity must outlive the grant by the
/// time its own assignments are removed), of a data or management role, at a
/// subscription, a resource group or an identity-bearing resource.
fn new_grant(plan: &Plan, rng: &mut Rng, at: Ticks, until: Ticks) -> Option<Grant> {
    let tenant = &plan.tenant;
    let when = datetime(at);
    let draw = rng.random_range(0..100u32);
    let principal = match draw {
        0..60 => {
            let live: Vec<u32> = tenant
                .managed_identities
                .iter()
                .map(|m| m.service_principal)
                .filter(|&sp| {
                    let last = until + (UNASSIGN_BEFORE_SECONDS + 60) * TICKS_PER_SECOND;
                    tenant.sp(sp).created <= when && tenant.sp_alive_at(sp, datetime(last))
                })
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

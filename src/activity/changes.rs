//! Audits of the directory's lifecycle: users added (invited, provisioned)
//! and deleted, security info registered, service principals and their grants,
//! and every change of the tenant's history (memberships, accounts, groups,
//! applications, devices, role assignments, PIM extensions), each at the
//! moment the directory says it happened and by a plausible actor.

use super::audits::{admin, admin_for, after_sign_in, audit, push};
use super::plan::{Lifecycle, Plan};
use super::{HourOutput, Sequencer};
use crate::rng::Rng;
use crate::store::records::{Actor, Audit, TICKS_PER_SECOND, Target, flags};
use crate::tenant::{ChangeKind, SpOrigin, UserKind, UserSource};
use rand::RngExt;

/// The Managed Service Identity first-party application: it adds and removes managed
/// identities' service principals (audits initiated by this app).
const MSI_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// Appends the audits of the lifecycle events of `hour`.
pub(super) fn generate(
    plan: &Plan,
    rng: &mut Rng,
    hour: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let Some(events) = plan.lifecycle.get(&hour) else {
        return;
    };
    for &(at, event) in events {
        match event {
            Lifecycle::Created(u) => user_added(plan, rng, u, at, seq, out),
            Lifecycle::Deleted(u) => {
                let by = admin_for(plan, rng, "UserManagement", "Core Directory", at, Some(u))
                    .unwrap_or_else(|| admin(plan, rng, at));
                emit(
                    plan,
                    rng,
                    ("Core Directory", "Delete user"),
                    at,
                    Some(Actor::User(by)),
                    [Target::User(u), Target::None],
                    seq,
                    out,
                );
            }
            Lifecycle::Registered(u) => registered(plan, u, at, seq, out),
            Lifecycle::SpCreated(sp) => sp_added(plan, rng, sp, at, seq, out),
            Lifecycle::SpDeleted(sp) => {
                // Entra removes a deleted identity's service principal on behalf of
                // the Managed Service Identity service, which added it (sp_added).
                let msi = plan.first_party(MSI_APP_ID).map(Actor::App);
                let targets = [Target::ServicePrincipal(sp), Target::None];
                let name = ("Core Directory", "Remove service principal");
                emit(plan, rng, name, at, msi, targets, seq, out);
            }
            Lifecycle::Eligible(e) => super::pim::eligibility_granted(plan, rng, e, at, seq, out),
            Lifecycle::Change(c) => change(plan, rng, c, at, seq, out),
        }
    }
}

/// Emits one audit of a catalog activity (if the catalog has it), after the
/// administrator's portal sign-in; returns its correlation key.
#[allow(clippy::too_many_arguments)]
fn emit(
    plan: &Plan,
    rng: &mut Rng,
    (service, name): (&str, &str),
    at: i64,
    by: Option<Actor>,
    targets: [Target; 2],
    seq: &mut Sequencer,
    out: &mut HourOutput,
) -> Option<u64> {
    let activity = plan.activity(service, name)?;
    let mut record = audit(activity, at, seq.audit(), by?, targets);
    record.variant = rng.random();
    record.detail = rng.random();
    after_sign_in(plan, rng, &mut record, seq, out);
    let corr = record.corr;
    push(plan, out, record);
    Some(corr)
}

/// Follow-up records sharing the first record's correlation id.
fn chain(plan: &Plan, corr: u64, records: impl IntoIterator<Item = Audit>, out: &mut HourOutput) {
    for mut record in records {
        record.corr = corr;
        push(plan, out, record);
    }
}

fn change(
    plan: &Plan,
    rng: &mut Rng,
    index: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let tenant = &plan.tenant;
    let core = |name| ("Core Directory", name);
    match tenant.history[index as usize].kind {
        ChangeKind::MemberAdded { group, user } | ChangeKind::MemberRemoved { group, user } => {
            let add = matches!(
                tenant.history[index as usize].kind,
                ChangeKind::MemberAdded { .. }
            );
            let name = if add {
                "Add member to group"
            } else {
                "Remove member from group"
            };
            let by = group_manager(plan, rng, group, user, at);
            emit(
                plan,
                rng,
                core(name),
                at,
                by,
                [Target::User(user), Target::Group(group)],
                seq,
                out,
            );
        }
        ChangeKind::OwnerAdded { group, user } => {
            let by = group_manager(plan, rng, group, user, at);
            emit(
                plan,
                rng,
                core("Add owner to group"),
                at,
                by,
                [Target::User(user), Target::Group(group)],
                seq,
                out,
            );
        }
        ChangeKind::AccountDisabled(u) | ChangeKind::AccountEnabled(u) => {
            let name = match tenant.history[index as usize].kind {
                ChangeKind::AccountDisabled(_) => "Disable account",
                _ => "Enable account",
            };
            let by = admin_for(plan, rng, "UserManagement", "Core Directory", at, Some(u));
            emit(
                plan,
                rng,
                core(name),
                at,
                by.map(Actor::User),
                [Target::User(u), Target::None],
                seq,
                out,
            );
        }
        ChangeKind::GroupCreated(g) => {
            let by = tenant.groups[g as usize]
                .owners
                .first()
                .copied()
                .map(Actor::User);
            let by = by.or(
                admin_for(plan, rng, "GroupManagement", "Core Directory", at, None)
                    .map(Actor::User),
            );
            emit(
                plan,
                rng,
                core("Add group"),
                at,
                by,
                [Target::Group(g), Target::None],
                seq,
                out,
            );
        }
        ChangeKind::ApplicationCreated(a) => {
            let by = admin_for(
                plan,
                rng,
                "ApplicationManagement",
                "Core Directory",
                at,
                None,
            );
            emit(
                plan,
                rng,
                core("Add application"),
                at,
                by.map(Actor::User),
                [Target::Application(a), Target::None],
                seq,
                out,
            );
        }
        ChangeKind::DeviceRegistered(d) => device_registered(plan, rng, d, at, seq, out),
        ChangeKind::RoleAssigned(i) => {
            let assignment = &tenant.role_assignments[i as usize];
            let by = admin_for(
                plan,
                rng,
                "RoleManagement",
                "Core Directory",
                at,
                Some(assignment.principal),
            );
            let targets = [
                Target::Role(assignment.role),
                Target::User(assignment.principal),
            ];
            emit(
                plan,
                rng,
                core("Add member to role"),
                at,
                by.map(Actor::User),
                targets,
                seq,
                out,
            );
        }
        ChangeKind::EligibilityExtended(e) => super::pim::extended(plan, rng, e, at, seq, out),
    }
}

/// Who changes a group's members: one of its owners (Microsoft 365 teams) or
/// a groups administrator; never the member being changed.
fn group_manager(plan: &Plan, rng: &mut Rng, group: u32, user: u32, at: i64) -> Option<Actor> {
    let when = crate::store::records::datetime(at);
    let g = &plan.tenant.groups[group as usize];
    let owner = g
        .owners
        .iter()
        .copied()
        .find(|&o| o != user && plan.tenant.user(o).enabled_at(when));
    match owner {
        Some(o) if g.unified && rng.random_bool(0.7) => Some(Actor::User(o)),
        _ => admin_for(
            plan,
            rng,
            "GroupManagement",
            "Core Directory",
            at,
            Some(user),
        )
        .map(Actor::User),
    }
}

/// "Add device", then its registered owner and user, by the device's owner.
fn device_registered(
    plan: &Plan,
    rng: &mut Rng,
    d: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let owner = plan.tenant.devices[d as usize].owner;
    let by = Actor::User(owner);
    let targets = [Target::Device(d), Target::User(owner)];
    let Some(corr) = emit(
        plan,
        rng,
        ("Core Directory", "Add device"),
        at,
        Some(by),
        [Target::Device(d), Target::None],
        seq,
        out,
    ) else {
        return;
    };
    let follow = [
        "Add registered owner to device",
        "Add registered users to device",
    ]
    .iter()
    .enumerate()
    .filter_map(|(n, name)| {
        let a = plan.activity("Core Directory", name)?;
        Some(audit(
            a,
            at + (n as i64 + 1) * TICKS_PER_SECOND,
            seq.audit(),
            by,
            targets,
        ))
    })
    .collect::<Vec<_>>();
    chain(plan, corr, follow, out);
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
    let job = |template: &str| inbound_job(plan, template).map(Actor::App);
    let initiator = match user.source {
        UserSource::Workday => job("workday"),
        UserSource::ApiDriven => job("API2AAD"),
        UserSource::Cloud => None,
    };
    let initiator = initiator
        .or(admin_for(plan, rng, "UserManagement", "Core Directory", at, None).map(Actor::User))
        .unwrap_or(Actor::User(admin(plan, rng, at)));
    let targets = [Target::User(u), Target::None];
    let guest = user.kind == UserKind::Guest;
    let first = if guest {
        ("Invited Users", "Invite external user")
    } else {
        ("Core Directory", "Add user")
    };
    let Some(corr) = emit(
        plan,
        rng,
        first,
        at - i64::from(guest) * TICKS_PER_SECOND,
        Some(initiator),
        targets,
        seq,
        out,
    ) else {
        return;
    };
    let mut follow = Vec::new();
    let mut add = |service: &str, name: &str, at: i64, by: Actor| {
        if let Some(a) = plan.activity(service, name) {
            follow.push(audit(a, at, seq.audit(), by, targets));
        }
    };
    if guest {
        add("Core Directory", "Add user", at, initiator);
        add(
            "Invited Users",
            "Invitation Email",
            at + 2 * TICKS_PER_SECOND,
            initiator,
        );
        let redeemed = at + rng.random_range(300..7200) * TICKS_PER_SECOND;
        add(
            "Invited Users",
            "Redeem external user invite",
            redeemed,
            Actor::User(u),
        );
    }
    chain(plan, corr, follow, out);
}

/// The service principal of the inbound provisioning job of a template, if any.
pub(super) fn inbound_job(plan: &Plan, template: &str) -> Option<u32> {
    plan.tenant
        .provisioning_jobs
        .iter()
        .find(|j| plan.catalog.provisioning_apps[j.app as usize].template_id == template)
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

/// A new service principal: "Add service principal", then one "Add app role
/// assignment to service principal" per application permission it holds, and
/// for a SaaS app the admin's consent and its delegated permission grant.
fn sp_added(
    plan: &Plan,
    rng: &mut Rng,
    sp: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let tenant = &plan.tenant;
    let origin = tenant.sp(sp).origin;
    let initiator = match origin {
        SpOrigin::ManagedIdentity(_) => plan.first_party(MSI_APP_ID).map(Actor::App),
        _ => admin_for(
            plan,
            rng,
            "ApplicationManagement",
            "Core Directory",
            at,
            None,
        )
        .map(Actor::User),
    };
    let target = [Target::ServicePrincipal(sp), Target::None];
    let Some(corr) = emit(
        plan,
        rng,
        ("Core Directory", "Add service principal"),
        at,
        initiator,
        target,
        seq,
        out,
    ) else {
        return;
    };
    let by = initiator.expect("emit needs an initiator");
    let mut follow = Vec::new();
    let mut offset = 2;
    let mut add = |name: &str, detail: usize| {
        if let Some(a) = plan.activity("Core Directory", name) {
            let mut record = audit(a, at + offset * TICKS_PER_SECOND, seq.audit(), by, target);
            record.detail = detail as u32;
            follow.push(record);
            offset += 1;
        }
    };
    for (i, grant) in tenant.app_role_grants.iter().enumerate() {
        if grant.principal == sp {
            add("Add app role assignment to service principal", i);
        }
    }
    if matches!(origin, SpOrigin::ThirdParty(_)) {
        add("Consent to application", 0);
        for (i, grant) in tenant.delegated_grants.iter().enumerate() {
            if grant.client == sp {
                add("Add delegated permission grant", i);
            }
        }
    }
    chain(plan, corr, follow, out);
}

//! Sign-ins of all four kinds: interactive and non-interactive user sign-ins,
//! service principals using their credentials, managed identities.

use super::latency::Log;
use super::plan::{Lifecycle, Plan};
use super::timeline::{activity_share, office_hours};
use super::{HourOutput, Sequencer};
use crate::model::ca::{Demands, demands};
use crate::protection::{episodes, signals};
use crate::rng::{Rng, poisson};
use crate::store::records::{NONE, SignIn, SignInKind, TICKS_PER_HOUR, TICKS_PER_SECOND, flags};
use crate::tenant::{User, UserKind};
use rand::RngExt;

/// Appends the hour's sign-ins to `out`.
pub(super) fn generate(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("sign-ins", hour as u64);
    let start = hour * TICKS_PER_HOUR;
    for index in 0..plan.tenant.users.len() as u32 {
        users(plan, &mut rng, index, start, seq, out);
    }
    for &sp in &plan.workload_sps {
        let mean = plan
            .preset
            .activity
            .service_principal_sign_ins_per_app_per_hour;
        for _ in 0..poisson(&mut rng, mean) {
            let at = start + rng.random_range(0..TICKS_PER_HOUR);
            push(
                plan,
                out,
                service_principal(plan, &mut rng, sp, at, seq.sign_in()),
            );
        }
    }
    for mi in 0..plan.tenant.managed_identities.len() {
        let mean = plan
            .preset
            .activity
            .managed_identity_sign_ins_per_identity_per_hour;
        let sp = plan.tenant.managed_identities[mi].service_principal;
        let created = crate::store::records::ticks(plan.tenant.sp(sp).created);
        let deleted = plan.tenant.managed_identities[mi]
            .deleted
            .map_or(i64::MAX, crate::store::records::ticks);
        for _ in 0..poisson(&mut rng, mean) {
            let at = start + rng.random_range(0..TICKS_PER_HOUR);
            let record = managed_identity(plan, &mut rng, mi, at, seq.sign_in());
            // An identity signs in only while it exists (drawn anyway: later draws stay put).
            if at >= created && at < deleted {
                push(plan, out, record);
            }
        }
    }
    registrations(plan, &mut rng, hour, seq, out);
    sprays(plan, hour, seq, out);
    episodes::enforce(plan, &Default::default(), &mut out.sign_ins, i64::MIN);
}

fn push(plan: &Plan, out: &mut HourOutput, mut record: SignIn) {
    // Graph writes sign-in times in whole seconds; the stored time must equal the served one.
    record.at -= record.at.rem_euclid(TICKS_PER_SECOND);
    record.delay_ms = plan
        .latency
        .delay_ms(plan.tenant.seed, Log::SignIns, record.key);
    out.sign_ins.push(record);
}

fn users(
    plan: &Plan,
    rng: &mut Rng,
    index: u32,
    start: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let user = plan.tenant.user(index);
    let (from, to) = (
        crate::store::records::ticks(user.created),
        user.deleted.map_or(i64::MAX, crate::store::records::ticks),
    );
    if to <= start || from >= start + TICKS_PER_HOUR {
        return;
    }
    let hour = start / TICKS_PER_HOUR;
    let offset = plan.catalog.locations[user.home as usize].utc_offset_minutes;
    let share = activity_share(hour, offset);
    let mut rate = plan.preset.activity.interactive_per_user_per_workday * user_factor(user);
    if !user.enabled_at(crate::store::records::datetime(start)) {
        // A disabled account's owner rarely tries; its devices soon stop refreshing.
        rate *= 0.05;
    }
    let interactive = if user.kind == UserKind::ServiceAccount {
        0
    } else {
        poisson(rng, rate * share)
    };
    let background_mean =
        plan.preset.activity.non_interactive_per_interactive * rate * (0.75 * share + 0.25 / 24.0);
    let background = poisson(rng, background_mean);
    for _ in 0..interactive {
        let at = (start + rng.random_range(0..TICKS_PER_HOUR)).clamp(from, to - 1);
        interactive_sign_in(plan, rng, index, at, seq, out);
    }
    for _ in 0..background {
        let at = (start + rng.random_range(0..TICKS_PER_HOUR)).clamp(from, to - 1);
        let record = background_sign_in(plan, rng, index, at, seq.sign_in());
        push(plan, out, record);
    }
}

fn user_factor(user: &User) -> f64 {
    match user.kind {
        UserKind::Member => 1.0,
        UserKind::Guest => 0.15,
        UserKind::ServiceAccount => 0.6,
    }
}

/// Where and on what a user signs in from: fills device, IP, location, flags,
/// and the real-time detections that follow (`protection::signals`). A user
/// away on a trip signs in from there for its whole length.
fn place(plan: &Plan, rng: &mut Rng, user: &User, at: i64, record: &mut SignIn) {
    let home = &plan.catalog.locations[user.home as usize];
    record.device = match user.devices.len() {
        0 => NONE,
        n => user.devices[rng.random_range(0..n)],
    };
    let activity = &plan.preset.activity;
    if let Some((away, octet)) = signals::trip(plan, record.subject, user, at) {
        let prefix = plan.catalog.locations[away as usize].ip_prefix;
        record.location = away;
        record.ip = [prefix[0], prefix[1], octet, rng.random_range(1..255)];
        record.flags |= flags::TRAVEL;
    } else if rng.random_bool(activity.vpn_rate.clamp(0.0, 1.0)) {
        record.location = plan.locations.sample(rng) as u16;
        // One VPN sign-in in thirty leaves through an anonymiser (Tor-like) exit.
        record.ip = if rng.random_bool(1.0 / 30.0) {
            signals::anonymizer_ip(rng)
        } else {
            [
                185,
                rng.random_range(100..220),
                rng.random(),
                rng.random_range(1..255),
            ]
        };
        record.flags |= flags::VPN;
    } else if office_hours(at, home.utc_offset_minutes)
        && user.kind == UserKind::Member
        && rng.random_bool(0.6)
    {
        record.location = user.home;
        record.ip = [
            home.ip_prefix[0],
            home.ip_prefix[1],
            10 + (user.home % 200) as u8,
            1 + (user.home % 3) as u8,
        ];
        record.flags |= flags::OFFICE;
    } else {
        record.location = user.home;
        record.ip = user.home_ip;
    }
    record.risk = signals::realtime(rng, record);
}

fn blank(kind: SignInKind, at: i64, key: u64, subject: u32) -> SignIn {
    SignIn {
        at,
        key,
        corr: key,
        delay_ms: 0,
        subject,
        app: NONE,
        resource: NONE,
        device: NONE,
        ip: [0; 4],
        location: u16::MAX,
        error: 0,
        kind,
        client_app: 0,
        flags: 0,
        risk: 0,
    }
}

fn interactive_sign_in(
    plan: &Plan,
    rng: &mut Rng,
    index: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) {
    let user = plan.tenant.user(index);
    let mut record = blank(SignInKind::Interactive, at, seq.sign_in(), index);
    place(plan, rng, user, at, &mut record);
    let (apps, table) = &plan.interactive_apps;
    record.app = apps[table.sample(rng)];
    record.resource = resource_for(plan, rng, record.app);
    record.client_app = client_app(plan, rng, user, record.device);
    if let Some(error) =
        primary_failure(plan, rng, user, &record, plan.preset.activity.failure_rate)
    {
        // Wrong credentials never carry a risk detection (concept-identity-protection-risks).
        record.error = error;
        record.risk = 0;
        push(plan, out, record);
        return;
    }
    let demands = demands(plan, &record);
    if let Some(error) = blocked(plan, demands, &record) {
        record.error = error;
        push(plan, out, record);
        return;
    }
    if demands.mfa {
        let away = record.flags & (flags::TRAVEL | flags::VPN) != 0;
        if rng.random_bool(0.04) {
            // Interrupted for MFA (50076 from an unfamiliar place), then the same flow completes with MFA.
            let mut interrupted = record;
            interrupted.error = plan.error_code(if away { 50076 } else { 50074 });
            push(plan, out, interrupted);
            record.key = seq.sign_in();
            record.at = at + rng.random_range(20..120) * TICKS_PER_SECOND;
            if rng.random_bool(0.08) {
                record.error = plan.error_code(500121);
                push(plan, out, record);
                return;
            }
            record.flags |= flags::MFA;
        } else if away || signals::during(record.risk) >= 2 || rng.random_bool(0.3) {
            record.flags |= flags::MFA;
        } else {
            record.flags |= flags::MFA_CLAIM;
        }
    }
    record.error = late_failure(plan, rng);
    push(plan, out, record);
}

/// A failure before Conditional Access: a disabled account, or a random
/// credential or session error at `rate`.
fn primary_failure(
    plan: &Plan,
    rng: &mut Rng,
    user: &User,
    record: &SignIn,
    rate: f64,
) -> Option<u16> {
    if !user.enabled_at(crate::store::records::datetime(record.at)) {
        return Some(plan.error_code(50057));
    }
    let rate = rate
        * 0.6
        * if signals::during(record.risk) >= 2 {
            4.0
        } else {
            1.0
        };
    let (errors, table) = &plan.user_errors;
    (rng.random_bool(rate.clamp(0.0, 1.0)) && !errors.is_empty())
        .then(|| errors[table.sample(rng)] + 1)
}

/// The Conditional Access outcome that stops a sign-in, if any.
fn blocked(plan: &Plan, demands: Demands, record: &SignIn) -> Option<u16> {
    if demands.block {
        Some(plan.error_code(53003))
    } else if demands.compliant_device && !crate::model::ca::compliant(plan, record) {
        Some(plan.error_code(53000))
    } else {
        None
    }
}

fn late_failure(plan: &Plan, rng: &mut Rng) -> u16 {
    let rate = plan.preset.activity.failure_rate * 0.3;
    let (errors, table) = &plan.late_errors;
    if rng.random_bool(rate.clamp(0.0, 1.0)) && !errors.is_empty() {
        errors[table.sample(rng)] + 1
    } else {
        0
    }
}

/// An administrator's interactive sign-in to the Azure portal at `at` (with
/// MFA, from a compliant device), made before admin work; returns its
/// correlation key (`corr`, or its own key), which the work's audits share.
/// None when the user has no compliant device (the portal would refuse them).
pub(crate) fn portal_sign_in(
    plan: &Plan,
    rng: &mut Rng,
    index: u32,
    at: i64,
    corr: Option<u64>,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) -> Option<u64> {
    arm_sign_in(plan, rng, (index, PORTAL_APP_ID), at, corr, seq, out).map(|(corr, _)| corr)
}

/// The Azure portal's application id.
pub(crate) const PORTAL_APP_ID: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
/// The Azure CLI's application id (the real event of reference A2.5 carries it).
pub(crate) const CLI_APP_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// Azure Resource Manager ("Windows Azure Service Management API").
const ARM_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// An administrator's interactive sign-in to Azure Resource Manager through `client`
/// (the portal in a browser, or the Azure CLI), with MFA on a compliant device; its
/// correlation key and client IP address, or None when the user cannot sign in.
pub(crate) fn arm_sign_in(
    plan: &Plan,
    rng: &mut Rng,
    (index, client): (u32, &str),
    at: i64,
    corr: Option<u64>,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) -> Option<(u64, [u8; 4])> {
    let portal = plan.first_party(client)?;
    let arm = plan.first_party(ARM_APP_ID)?;
    let user = plan.tenant.user(index);
    if !user.enabled_at(crate::store::records::datetime(at)) {
        return None;
    }
    let device = *user
        .devices
        .iter()
        .find(|&&d| plan.tenant.devices[d as usize].is_compliant)?;
    let mut record = blank(SignInKind::Interactive, at, seq.sign_in(), index);
    place(plan, rng, user, at, &mut record);
    record.device = device;
    record.app = portal;
    record.resource = arm;
    record.client_app = plan.client_app(if client == PORTAL_APP_ID {
        "Browser"
    } else {
        "Mobile Apps and Desktop clients"
    });
    if demands(plan, &record)
        != (Demands {
            block: false,
            mfa: true,
            compliant_device: true,
        })
    {
        return None;
    }
    record.flags |= flags::MFA;
    record.risk = 0;
    record.corr = corr.unwrap_or(record.key);
    push(plan, out, record);
    Some((record.corr, record.ip))
}

/// A deployment pipeline's service-principal sign-in to Azure Resource Manager
/// (client credentials, always succeeding); its client IP address.
pub(crate) fn pipeline_sign_in(
    plan: &Plan,
    rng: &mut Rng,
    sp: u32,
    at: i64,
    seq: &mut Sequencer,
    out: &mut HourOutput,
) -> Option<[u8; 4]> {
    let arm = plan.first_party(ARM_APP_ID)?;
    let mut record = service_principal(plan, rng, sp, at, seq.sign_in());
    record.resource = arm;
    record.error = 0;
    let ip = record.ip;
    push(plan, out, record);
    Some(ip)
}

fn client_app(plan: &Plan, rng: &mut Rng, user: &User, device: u32) -> u8 {
    if user.kind == UserKind::ServiceAccount || rng.random_bool(0.015) {
        let (clients, table) = &plan.legacy_clients;
        if !clients.is_empty() {
            return clients[table.sample(rng)];
        }
    }
    let rich = device != NONE && {
        let agent =
            &plan.catalog.user_agents[plan.tenant.devices[device as usize].user_agent as usize];
        agent.browser.starts_with("Rich Client") || agent.mobile && rng.random_bool(0.5)
    };
    plan.client_app(if rich {
        "Mobile Apps and Desktop clients"
    } else {
        "Browser"
    })
}

/// The resource a client signs in to: itself for line-of-business apps, else a weighted first-party resource.
fn resource_for(plan: &Plan, rng: &mut Rng, app: u32) -> u32 {
    if matches!(
        plan.tenant.sp(app).origin,
        crate::tenant::SpOrigin::LineOfBusiness(_)
    ) {
        return app;
    }
    let (resources, table) = &plan.resources;
    if resources.is_empty() {
        app
    } else {
        resources[table.sample(rng)]
    }
}

fn background_sign_in(plan: &Plan, rng: &mut Rng, index: u32, at: i64, key: u64) -> SignIn {
    let user = plan.tenant.user(index);
    let mut record = blank(SignInKind::NonInteractive, at, key, index);
    place(plan, rng, user, at, &mut record);
    let (apps, table) = &plan.background_apps;
    record.app = if apps.is_empty() {
        plan.interactive_apps.0[0]
    } else {
        apps[table.sample(rng)]
    };
    record.resource = resource_for(plan, rng, record.app);
    record.client_app = if user.kind == UserKind::ServiceAccount {
        client_app(plan, rng, user, record.device)
    } else {
        plan.client_app("Mobile Apps and Desktop clients")
    };
    if !user.enabled_at(crate::store::records::datetime(at)) {
        // A disabled account's refresh tokens are refused.
        record.error = plan.error_code(50057);
        return record;
    }
    let rate = plan.preset.activity.failure_rate / 3.0;
    if rng.random_bool(rate.clamp(0.0, 1.0)) && !plan.background_errors.0.is_empty() {
        let (errors, table) = &plan.background_errors;
        record.error = errors[table.sample(rng)] + 1;
        return record;
    }
    let demands = demands(plan, &record);
    if let Some(error) = blocked(plan, demands, &record) {
        record.error = error;
    } else if demands.mfa {
        record.flags |= flags::MFA_CLAIM;
    }
    record
}

fn service_principal(plan: &Plan, rng: &mut Rng, sp: u32, at: i64, key: u64) -> SignIn {
    let mut record = blank(SignInKind::ServicePrincipal, at, key, sp);
    record.app = sp;
    let graph = plan.first_party("00000003-0000-0000-c000-000000000000");
    record.resource = match graph {
        Some(g) if rng.random_bool(0.8) => g,
        _ => resource_for(plan, rng, plan.interactive_apps.0[0]),
    };
    let location = plan.locations.sample(rng) as u16;
    record.location = location;
    record.ip = [
        20,
        rng.random_range(30..200),
        rng.random(),
        rng.random_range(1..255),
    ];
    if let crate::tenant::SpOrigin::LineOfBusiness(app) = plan.tenant.sp(sp).origin {
        let has_cert = !plan.tenant.applications[app as usize]
            .certificates
            .is_empty();
        if has_cert && rng.random_bool(0.7) {
            record.flags |= flags::CERTIFICATE;
        }
    }
    if rng.random_bool((plan.preset.activity.failure_rate / 2.0).clamp(0.0, 1.0))
        && !plan.app_errors.0.is_empty()
    {
        let (errors, table) = &plan.app_errors;
        record.error = errors[table.sample(rng)] + 1;
    }
    record
}

fn managed_identity(plan: &Plan, rng: &mut Rng, mi: usize, at: i64, key: u64) -> SignIn {
    let identity = &plan.tenant.managed_identities[mi];
    let mut record = blank(
        SignInKind::ManagedIdentity,
        at,
        key,
        identity.service_principal,
    );
    record.app = identity.service_principal;
    record.resource = match identity.resources.len() {
        0 => plan
            .first_party("cfa8b339-82a2-471a-a3c9-0fc0be7a4093")
            .unwrap_or(identity.service_principal),
        n => identity.resources[rng.random_range(0..n)] as u32,
    };
    if rng.random_bool(0.004) {
        record.error = plan.error_code(70011);
    }
    record
}

/// New users' first sign-in, in which they register security info.
fn registrations(plan: &Plan, rng: &mut Rng, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let Some(events) = plan.lifecycle.get(&hour) else {
        return;
    };
    for &(at, event) in events {
        let Lifecycle::Registered(index) = event else {
            continue;
        };
        let user = plan.tenant.user(index);
        if !user.exists_at(crate::store::records::datetime(at)) {
            continue;
        }
        let mut record = blank(SignInKind::Interactive, at, seq.sign_in(), index);
        place(plan, rng, user, at, &mut record);
        record.app = plan
            .first_party("4765445b-32c6-49b0-83e6-1d93765276ca")
            .unwrap_or(plan.interactive_apps.0[0]);
        record.resource = record.app;
        record.client_app = plan.client_app("Browser");
        record.flags |= flags::MFA | flags::REGISTRATION;
        record.risk = 0;
        push(plan, out, record);
    }
}

/// The attempts of the day's password spray that fall in `hour`: failed
/// sign-ins from the attacker's address, and, where the password was right, a
/// high-risk `passwordSpray` sign-in that Conditional Access stops for MFA.
fn sprays(plan: &Plan, hour: i64, seq: &mut Sequencer, out: &mut HourOutput) {
    let start = hour * TICKS_PER_HOUR;
    let Some(spray) = episodes::spray(plan, start.div_euclid(signals::DAY)) else {
        return;
    };
    let app = plan.first_party("1b730954-1685-4b74-9bfd-dac224a7b894");
    let resource = plan.first_party("00000002-0000-0000-c000-000000000000");
    let (Some(app), Some(resource)) = (app, resource) else {
        return;
    };
    let attempts = spray
        .attempts
        .iter()
        .filter(|a| a.at.div_euclid(TICKS_PER_HOUR) == hour);
    for attempt in attempts {
        let mut record = blank(
            SignInKind::Interactive,
            attempt.at,
            seq.sign_in(),
            attempt.user,
        );
        record.app = app;
        record.resource = resource;
        record.ip = spray.ip;
        record.location = spray.location;
        record.client_app = plan.client_app("Mobile Apps and Desktop clients");
        record.error = match attempt.outcome {
            episodes::Outcome::Failed(code) => plan.error_code(code),
            episodes::Outcome::Guessed => {
                record.risk = signals::SPRAY | 3;
                let demands = demands(plan, &record);
                match blocked(plan, demands, &record) {
                    Some(error) => error,
                    None if demands.mfa => plan.error_code(50076),
                    None => 0,
                }
            }
        };
        push(plan, out, record);
    }
}

/// What a scenario asks of one sign-in (see [`scripted_user`]).
#[derive(Debug, Clone, Copy)]
pub struct Scripted {
    pub kind: SignInKind,
    pub at: i64,
    pub key: u64,
    /// Address and catalog location; None for the subject's usual ones.
    pub place: Option<([u8; 4], u16)>,
    /// AADSTS code to fail with; 0 to succeed (if Conditional Access lets it).
    pub error: i32,
    /// The user performs MFA.
    pub mfa: bool,
    /// On one of the user's own devices (else an unknown one).
    pub own_device: bool,
}

/// Hook for scenarios: a user sign-in where and how the script says, completed
/// as any sign-in is (app, client, risk, a disabled account, Conditional Access, latency).
pub fn scripted_user(plan: &Plan, rng: &mut Rng, index: u32, s: &Scripted) -> SignIn {
    let user = plan.tenant.user(index);
    let mut record = blank(s.kind, s.at, s.key, index);
    record.device = match (s.own_device, user.devices.len()) {
        (true, n) if n > 0 => user.devices[rng.random_range(0..n)],
        _ => NONE,
    };
    (record.ip, record.location) = s.place.unwrap_or((user.home_ip, user.home));
    if record.location != user.home {
        record.flags |= flags::TRAVEL;
    }
    record.risk = signals::realtime(rng, &record);
    let (apps, table) = match s.kind {
        SignInKind::NonInteractive if !plan.background_apps.0.is_empty() => &plan.background_apps,
        _ => &plan.interactive_apps,
    };
    record.app = apps[table.sample(rng)];
    record.resource = resource_for(plan, rng, record.app);
    record.client_app = client_app(plan, rng, user, record.device);
    record.error = outcome(plan, &mut record, s);
    finished(plan, record)
}

/// The error a scripted user sign-in ends with: the account's state first,
/// then the script's failure, then Conditional Access (which may demand MFA).
fn outcome(plan: &Plan, record: &mut SignIn, s: &Scripted) -> u16 {
    if !plan
        .tenant
        .user(record.subject)
        .enabled_at(crate::store::records::datetime(s.at))
    {
        return plan.error_code(50057);
    }
    if s.error != 0 {
        return plan.error_code(s.error);
    }
    let demands = demands(plan, record);
    if let Some(error) = blocked(plan, demands, record) {
        return error;
    }
    if s.mfa || demands.mfa {
        record.flags |= flags::MFA;
    }
    0
}

/// Hook for scenarios: a service principal signing in with its own credential
/// from the script's address, completed as any such sign-in is.
pub fn scripted_service_principal(plan: &Plan, rng: &mut Rng, sp: u32, s: &Scripted) -> SignIn {
    let mut record = service_principal(plan, rng, sp, s.at, s.key);
    if let Some(place) = s.place {
        (record.ip, record.location) = place;
    }
    record.error = if s.error != 0 {
        plan.error_code(s.error)
    } else {
        0
    };
    finished(plan, record)
}

/// A sign-in in whole seconds with its drawn delay, as [`push`] files it.
fn finished(plan: &Plan, record: SignIn) -> SignIn {
    let mut out = HourOutput::default();
    push(plan, &mut out, record);
    out.sign_ins[0]
}

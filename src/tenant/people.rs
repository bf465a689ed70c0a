//! Users and the devices they sign in from.

use super::generate::Draft;
use super::{Device, User, UserKind, UserSource};
use crate::rng::{WeightedIndex, guid};
use chrono::{DateTime, Duration, Utc};
use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use rand::RngExt;
use std::collections::BTreeSet;

const MFA_METHODS: [(&str, u64); 5] = [
    ("Mobile app notification", 60),
    ("Text message", 15),
    ("OATH verification code", 10),
    ("FIDO2 security key", 5),
    ("Windows Hello for Business", 10),
];

/// Every user of the tenant: members (some admins), service accounts, guests.
pub(super) fn users(draft: &mut Draft) {
    let shape = draft.preset.tenant.clone();
    let mut taken = BTreeSet::new();
    for n in 0..shape.members {
        let is_admin = n < shape.admins;
        let user = person(draft, &mut taken, UserKind::Member, is_admin);
        draft.tenant.users.push(user);
    }
    for _ in 0..shape.service_accounts {
        let user = service_account(draft, &mut taken);
        draft.tenant.users.push(user);
    }
    for _ in 0..shape.guests {
        let user = person(draft, &mut taken, UserKind::Guest, false);
        draft.tenant.users.push(user);
    }
    lifecycle(draft);
    managers(draft);
}

fn person(draft: &mut Draft, taken: &mut BTreeSet<String>, kind: UserKind, admin: bool) -> User {
    let rng = &mut draft.rng;
    let given: String = FirstName().fake_with_rng(rng);
    let surname: String = LastName().fake_with_rng(rng);
    let local = unique_local(taken, &format!("{}.{}", slug(&given), slug(&surname)));
    let catalog = draft.catalog;
    let home = draft.locations.sample(rng) as u16;
    let department = &catalog.departments[rng.random_range(0..catalog.departments.len())];
    let title = department.job_titles[rng.random_range(0..department.job_titles.len())].clone();
    let (upn, sign_in_name, mail, home_domain) = match kind {
        UserKind::Guest => {
            let company: String = CompanyName().fake_with_rng(rng);
            let domain = format!("{}.com", slug(&company).replace('.', ""));
            let address = format!("{local}@{domain}");
            let upn = format!("{}_{}#EXT#@{}", local, domain, draft.tenant.initial_domain);
            (upn, address.clone(), address, Some(domain))
        }
        _ => {
            let address = format!("{local}@{}", draft.tenant.default_domain());
            (address.clone(), address.clone(), address, None)
        }
    };
    let created = draft.tenant.anchor - Duration::days(rng.random_range(45..2500));
    let ip = draft.catalog.locations[home as usize].ip_prefix;
    User {
        id: guid(rng),
        display_name: format!("{given} {surname}"),
        given_name: given,
        surname,
        user_principal_name: upn,
        sign_in_name,
        mail,
        department: (kind == UserKind::Member).then(|| department.name.clone()),
        job_title: (kind == UserKind::Member).then_some(title),
        employee_id: (kind == UserKind::Member)
            .then(|| format!("E{:06}", rng.random_range(1..999_999))),
        home,
        home_ip: [ip[0], ip[1], rng.random(), rng.random_range(1..255)],
        account_enabled: true,
        disabled_at: None,
        suspended: None,
        kind,
        source: UserSource::Cloud,
        is_admin: admin,
        created,
        deleted: None,
        manager: None,
        devices: Vec::new(),
        home_tenant_id: home_domain.as_ref().map(|d| {
            crate::rng::guid_for(draft.tenant.seed, 0x6e7d, crate::rng::mix64(hash(d)), 0)
        }),
        home_domain,
        mfa_method: mfa_method(rng, admin),
    }
}

fn mfa_method(rng: &mut crate::rng::Rng, admin: bool) -> Option<&'static str> {
    if !admin && rng.random_bool(0.12) {
        return None;
    }
    let table = WeightedIndex::new(MFA_METHODS.iter().map(|m| m.1));
    Some(MFA_METHODS[table.sample(rng)].0)
}

fn service_account(draft: &mut Draft, taken: &mut BTreeSet<String>) -> User {
    const PURPOSES: [&str; 8] = [
        "svc-backup",
        "svc-scanner",
        "svc-sql",
        "svc-sharepoint",
        "svc-crm-sync",
        "svc-print",
        "svc-monitoring",
        "svc-reporting",
    ];
    let rng = &mut draft.rng;
    let base = PURPOSES[rng.random_range(0..PURPOSES.len())];
    let local = unique_local(taken, base);
    let address = format!("{local}@{}", draft.tenant.default_domain());
    let home = draft.locations.sample(rng) as u16;
    let ip = draft.catalog.locations[home as usize].ip_prefix;
    User {
        id: guid(rng),
        display_name: local.clone(),
        given_name: String::new(),
        surname: String::new(),
        user_principal_name: address.clone(),
        sign_in_name: address.clone(),
        mail: address,
        department: Some("IT".into()),
        job_title: None,
        employee_id: None,
        home,
        home_ip: [ip[0], ip[1], rng.random(), rng.random_range(1..255)],
        account_enabled: true,
        disabled_at: None,
        suspended: None,
        kind: UserKind::ServiceAccount,
        source: UserSource::Cloud,
        is_admin: false,
        created: draft.tenant.anchor - Duration::days(rng.random_range(200..3000)),
        deleted: None,
        manager: None,
        devices: Vec::new(),
        home_domain: None,
        home_tenant_id: None,
        mfa_method: None,
    }
}

/// Disabled accounts, users created inside the log window (some by Workday
/// provisioning) and users soft-deleted inside it.
fn lifecycle(draft: &mut Draft) {
    let shape = draft.preset.tenant.clone();
    let window = draft.tenant.anchor - draft.tenant.window_start;
    let count = draft.tenant.users.len();
    let admins = shape.admins as usize;
    for i in admins..count {
        let rng = &mut draft.rng;
        let user = &mut draft.tenant.users[i];
        if user.kind == UserKind::Member
            && rng.random_bool(shape.created_in_window_fraction.clamp(0.0, 1.0))
        {
            user.created = draft.tenant.window_start + random_within(rng, window);
            user.source = match rng.random_range(0..20) {
                0..12 => UserSource::Workday,
                12..15 => UserSource::ApiDriven,
                _ => UserSource::Cloud,
            };
        } else if rng.random_bool(shape.disabled_fraction.clamp(0.0, 1.0)) {
            user.account_enabled = false;
            // Half were disabled inside the window (their audit shows it), half long before.
            user.disabled_at = Some(if rng.random_bool(0.5) {
                draft.tenant.window_start + random_within(rng, window)
            } else {
                draft.tenant.window_start - Duration::days(rng.random_range(1..400))
            });
        }
    }
    let mut deleted = 0;
    let mut attempts = 0;
    while deleted < shape.soft_deleted && attempts < shape.soft_deleted * 50 && count > admins {
        attempts += 1;
        let rng = &mut draft.rng;
        let i = rng.random_range(admins..count);
        let user = &mut draft.tenant.users[i];
        if user.kind == UserKind::ServiceAccount || user.deleted.is_some() {
            continue;
        }
        let from = user.created.max(draft.tenant.window_start) + Duration::hours(6);
        if from >= draft.tenant.anchor {
            continue;
        }
        user.deleted = Some(from + random_within(rng, draft.tenant.anchor - from));
        deleted += 1;
    }
}

/// A manager chain: each member reports to one of the first eight members of
/// the same department listed before them (linear: only those eight are kept).
fn managers(draft: &mut Draft) {
    let users = &mut draft.tenant.users;
    let mut seniors: std::collections::BTreeMap<Option<String>, Vec<u32>> = Default::default();
    for (i, user) in users.iter_mut().enumerate() {
        if user.kind != UserKind::Member {
            continue;
        }
        let list = seniors.entry(user.department.clone()).or_default();
        if !list.is_empty() {
            let pick = draft.rng.random_range(0..list.len());
            user.manager = Some(list[pick]);
        }
        if list.len() < 8 {
            list.push(i as u32);
        }
    }
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// One to `max_devices_per_user` devices for every person.
pub(super) fn devices(draft: &mut Draft) {
    let max = draft.preset.tenant.max_devices_per_user.max(1);
    let agents = WeightedIndex::new(draft.catalog.user_agents.iter().map(|u| u.weight as u64));
    for owner in 0..draft.tenant.users.len() {
        let count = draft.rng.random_range(1..=max);
        for n in 0..count {
            let device = device(draft, &agents, owner as u32, n);
            draft.tenant.devices.push(device);
            let index = draft.tenant.devices.len() as u32 - 1;
            draft.tenant.users[owner].devices.push(index);
        }
    }
}

fn device(draft: &mut Draft, agents: &WeightedIndex, owner: u32, n: u32) -> Device {
    let rng = &mut draft.rng;
    let ua = agents.sample(rng) as u16;
    let agent = &draft.catalog.user_agents[ua as usize];
    let user = &draft.tenant.users[owner as usize];
    let managed = user.kind == UserKind::Member && (n == 0 || !agent.mobile);
    let trust_type = match (managed, agent.mobile) {
        (true, false) if rng.random_bool(0.3) => Some("Hybrid Azure AD joined"),
        (true, false) => Some("Azure AD joined"),
        (_, true) if rng.random_bool(0.5) => Some("Azure AD registered"),
        _ => None,
    };
    let prefix = if agent.mobile { "PHONE" } else { "LAPTOP" };
    // A user's first device joins when the account starts; later ones some days on.
    let registered = user.created
        + Duration::hours(if n == 0 {
            1
        } else {
            rng.random_range(24..24 * 200)
        });
    let registered = registered
        .min(draft.tenant.anchor - Duration::hours(1))
        .max(user.created);
    let admin_laptop = user.is_admin && n == 0;
    Device {
        device_id: guid(rng),
        display_name: format!("{prefix}-{}", &guid(rng)[..7].to_uppercase()),
        owner,
        user_agent: ua,
        trust_type,
        is_compliant: trust_type.is_some() && (admin_laptop || rng.random_bool(0.9)),
        is_managed: trust_type.is_some_and(|t| t != "Azure AD registered"),
        registered,
    }
}

/// A random offset in `[0, span)`, at whole-second precision.
pub(super) fn random_within(rng: &mut crate::rng::Rng, span: Duration) -> Duration {
    let secs = span.num_seconds().max(1);
    Duration::seconds(rng.random_range(0..secs))
}

/// Lower-case ASCII letters, digits and dots only.
pub(super) fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '.' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn unique_local(taken: &mut BTreeSet<String>, base: &str) -> String {
    let base = if base.trim_matches('.').is_empty() {
        "user"
    } else {
        base.trim_matches('.')
    };
    let mut candidate = base.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    candidate
}

/// Midnight UTC of the day containing `at`.
pub(super) fn day_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
}

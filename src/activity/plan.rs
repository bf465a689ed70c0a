//! Per-tenant tables the generators draw from, built once.

use super::latency::LatencyModel;
use crate::catalog::{Catalog, ErrorKind, ErrorScope};
use crate::config::Preset;
use crate::model::ca::{Stage, stage};
use crate::rng::WeightedIndex;
use crate::store::records::{hour_of, ticks};
use crate::tenant::{SpOrigin, Tenant, UserKind};
use std::collections::BTreeMap;

/// A user lifecycle event that the logs must show at its exact time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Created(u32),
    Deleted(u32),
    /// First sign-in of a new user, registering security info.
    Registered(u32),
    /// A service principal (managed identity, app) added inside the window.
    SpCreated(u32),
    /// A deleted user-assigned identity's service principal leaving the directory.
    SpDeleted(u32),
    /// A PIM eligibility granted inside the window.
    Eligible(u32),
    /// A directory change (index into `tenant.history`).
    Change(u32),
}

/// The tenant plus the weighted tables every hour's generators use.
pub struct Plan {
    pub tenant: std::sync::Arc<Tenant>,
    pub preset: Preset,
    pub catalog: &'static Catalog,
    pub latency: LatencyModel,
    /// Client apps of interactive sign-ins (service principal indices) and their weights.
    pub interactive_apps: (Vec<u32>, WeightedIndex),
    /// Client apps that refresh tokens silently.
    pub background_apps: (Vec<u32>, WeightedIndex),
    /// Resources users sign in to.
    pub resources: (Vec<u32>, WeightedIndex),
    /// Catalog error indices of interactive failures before Conditional Access
    /// is evaluated (bad password, locked account...).
    pub user_errors: (Vec<u16>, WeightedIndex),
    /// Catalog error indices of interactive failures and interrupts after
    /// Conditional Access was satisfied (consent, app assignment, KMSI...).
    pub late_errors: (Vec<u16>, WeightedIndex),
    /// Catalog error indices for non-interactive failures.
    pub background_errors: (Vec<u16>, WeightedIndex),
    /// Catalog error indices for service-principal failures.
    pub app_errors: (Vec<u16>, WeightedIndex),
    /// Catalog client-app indices of legacy protocols.
    pub legacy_clients: (Vec<u8>, WeightedIndex),
    pub locations: WeightedIndex,
    /// Catalog weights of the activities drawn at random: lifecycle activities
    /// (those that change what the directory holds) have weight 0, their
    /// records come only from the directory's history.
    pub audit_activities: WeightedIndex,
    /// Service principals of the tenant's own apps and agents (sign in with credentials).
    pub workload_sps: Vec<u32>,
    /// Line-of-business service principals allowed to write the directory
    /// (a `*.ReadWrite.All` Graph permission; never the test clients).
    pub directory_apps: Vec<u32>,
    /// Holders of permanent admin roles: (user, role display name, since).
    pub role_holders: Vec<(u32, &'static str, i64)>,
    /// Per catalog location: inside the countries where the tenant has people.
    pub allowed_location: Vec<bool>,
    /// Lifecycle events by hour.
    pub lifecycle: BTreeMap<i64, Vec<(i64, Lifecycle)>>,
}

impl Plan {
    /// Builds the tables for a tenant.
    pub fn new(tenant: std::sync::Arc<Tenant>, preset: Preset, latency: LatencyModel) -> Plan {
        let catalog = Catalog::embedded();
        let fp = |f: fn(&crate::catalog::FirstPartyApp) -> u32| {
            weighted(tenant_first_party(&tenant, catalog, f))
        };
        let interactive = {
            let mut apps = tenant_first_party(&tenant, catalog, |a| a.client_weight);
            let lob: Vec<u32> = lob_sps(&tenant);
            let share = apps.iter().map(|a| a.1).sum::<u64>() / 6 / (lob.len() as u64).max(1);
            apps.extend(lob.iter().map(|&s| (s, share.max(1))));
            weighted(apps)
        };
        Plan {
            interactive_apps: interactive,
            background_apps: fp(|a| a.non_interactive_weight),
            resources: fp(|a| a.resource_weight),
            user_errors: errors(catalog, |e| {
                e.applies_to != ErrorScope::App && stage(e.code) == Stage::Primary
            }),
            late_errors: errors(catalog, |e| {
                e.applies_to != ErrorScope::App && stage(e.code) == Stage::Late
            }),
            background_errors: errors(catalog, |e| {
                e.applies_to != ErrorScope::App
                    && e.kind == ErrorKind::Failure
                    && stage(e.code) == Stage::Primary
            }),
            app_errors: errors(catalog, |e| e.applies_to == ErrorScope::App),
            legacy_clients: {
                let list: Vec<(u8, u64)> = catalog
                    .client_apps
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.modern)
                    .map(|(i, c)| (i as u8, c.weight as u64))
                    .collect();
                weighted(list)
            },
            locations: WeightedIndex::new(catalog.locations.iter().map(|l| l.weight as u64)),
            audit_activities: WeightedIndex::new(catalog.audit_activities.iter().map(|a| {
                if super::audits::is_lifecycle(a) {
                    0
                } else {
                    a.weight as u64
                }
            })),
            directory_apps: directory_apps(&tenant),
            role_holders: role_holders(&tenant, catalog),
            allowed_location: allowed_locations(&tenant, catalog),
            workload_sps: tenant
                .service_principals
                .iter()
                .enumerate()
                .filter(|(_, sp)| {
                    matches!(sp.origin, SpOrigin::LineOfBusiness(_) | SpOrigin::Agent)
                })
                .map(|(i, _)| i as u32)
                .collect(),
            lifecycle: lifecycle(&tenant),
            tenant,
            preset,
            catalog,
            latency,
        }
    }

    /// Catalog index of the client app with this name (0 if absent).
    pub fn client_app(&self, name: &str) -> u8 {
        self.catalog
            .client_apps
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
            .unwrap_or(0) as u8
    }

    /// Catalog error index + 1 for an AADSTS code, or 0 if the catalog lacks it.
    pub fn error_code(&self, code: i32) -> u16 {
        self.catalog
            .sign_in_errors
            .iter()
            .position(|e| e.code == code)
            .map_or(0, |i| i as u16 + 1)
    }

    /// Catalog audit-activity index by (service, activity name).
    pub fn activity(&self, service: &str, name: &str) -> Option<u16> {
        self.catalog
            .audit_activities
            .iter()
            .position(|a| a.service == service && a.activity == name)
            .map(|i| i as u16)
    }

    /// Service principal index of a first-party app by appId.
    pub fn first_party(&self, app_id: &str) -> Option<u32> {
        self.tenant.sp_by_app_id(app_id)
    }
}

fn tenant_first_party(
    tenant: &Tenant,
    catalog: &Catalog,
    weight: fn(&crate::catalog::FirstPartyApp) -> u32,
) -> Vec<(u32, u64)> {
    tenant
        .service_principals
        .iter()
        .enumerate()
        .filter_map(|(i, sp)| match sp.origin {
            SpOrigin::FirstParty(c) => Some((
                i as u32,
                weight(&catalog.first_party_apps[c as usize]) as u64,
            )),
            _ => None,
        })
        .filter(|(_, w)| *w > 0)
        .collect()
}

fn lob_sps(tenant: &Tenant) -> Vec<u32> {
    let test_apps: Vec<u32> = tenant.test_clients.iter().map(|c| c.application).collect();
    tenant
        .service_principals
        .iter()
        .enumerate()
        .filter(
            |(_, sp)| matches!(sp.origin, SpOrigin::LineOfBusiness(a) if !test_apps.contains(&a)),
        )
        .map(|(i, _)| i as u32)
        .collect()
}

fn directory_apps(tenant: &Tenant) -> Vec<u32> {
    lob_sps(tenant)
        .into_iter()
        .filter(|&s| match tenant.sp(s).origin {
            SpOrigin::LineOfBusiness(a) => tenant.applications[a as usize]
                .graph_permissions
                .iter()
                .any(|p| p.ends_with("ReadWrite.All")),
            _ => false,
        })
        .collect()
}

fn role_holders(tenant: &Tenant, catalog: &'static Catalog) -> Vec<(u32, &'static str, i64)> {
    tenant
        .role_assignments
        .iter()
        .filter(|a| !a.principal_is_sp)
        .map(|a| {
            let name = catalog.directory_roles[a.role as usize]
                .display_name
                .as_str();
            (a.principal, name, ticks(a.created))
        })
        .collect()
}

fn allowed_locations(tenant: &Tenant, catalog: &Catalog) -> Vec<bool> {
    let countries: std::collections::BTreeSet<&str> = tenant
        .users
        .iter()
        .filter(|u| u.kind == UserKind::Member)
        .map(|u| catalog.locations[u.home as usize].country.as_str())
        .collect();
    catalog
        .locations
        .iter()
        .map(|l| countries.contains(l.country.as_str()))
        .collect()
}

fn weighted<T: Copy>(items: Vec<(T, u64)>) -> (Vec<T>, WeightedIndex) {
    let table = WeightedIndex::new(items.iter().map(|i| i.1));
    (items.into_iter().map(|i| i.0).collect(), table)
}

fn errors(
    catalog: &Catalog,
    keep: impl Fn(&crate::catalog::SignInError) -> bool,
) -> (Vec<u16>, WeightedIndex) {
    let list: Vec<(u16, u64)> = catalog
        .sign_in_errors
        .iter()
        .enumerate()
        .filter(|(_, e)| keep(e))
        .map(|(i, e)| (i as u16, e.weight as u64))
        .collect();
    weighted(list)
}

/// Creation, deletion and first sign-in of users inside the window, by hour.
fn lifecycle(tenant: &Tenant) -> BTreeMap<i64, Vec<(i64, Lifecycle)>> {
    let mut by_hour: BTreeMap<i64, Vec<(i64, Lifecycle)>> = BTreeMap::new();
    let mut add =
        |at: i64, event: Lifecycle| by_hour.entry(hour_of(at)).or_default().push((at, event));
    for (i, user) in tenant.users.iter().enumerate() {
        let i = i as u32;
        if user.created >= tenant.window_start {
            let at = ticks(user.created);
            add(at, Lifecycle::Created(i));
            if user.kind == UserKind::Member && user.mfa_method.is_some() {
                let delay = 3600 + (crate::rng::mix64(i as u64) % (20 * 3600)) as i64;
                add(at + delay * 10_000_000, Lifecycle::Registered(i));
            }
        }
        if let Some(deleted) = user.deleted {
            add(ticks(deleted), Lifecycle::Deleted(i));
        }
    }
    for (i, sp) in tenant.service_principals.iter().enumerate() {
        let own = !matches!(sp.origin, SpOrigin::FirstParty(_));
        if own && sp.created >= tenant.window_start {
            add(ticks(sp.created), Lifecycle::SpCreated(i as u32));
        }
    }
    for mi in &tenant.managed_identities {
        if let Some(deleted) = mi.deleted {
            add(ticks(deleted), Lifecycle::SpDeleted(mi.service_principal));
        }
    }
    for (i, schedule) in tenant.eligibility_schedules.iter().enumerate() {
        if schedule.created >= tenant.window_start {
            add(ticks(schedule.created), Lifecycle::Eligible(i as u32));
        }
    }
    for (i, change) in tenant.history.iter().enumerate() {
        add(ticks(change.at), Lifecycle::Change(i as u32));
    }
    by_hour
}

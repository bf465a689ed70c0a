//! The tenant generator: a pure function of (seed, preset, licence, anchor day).

use super::{Lookup, Tenant};
use crate::catalog::Catalog;
use crate::config::{License, Preset, TenantSettings};
use crate::rng::{Rng, Seed, WeightedIndex, guid};
use chrono::{DateTime, Duration, Utc};
use fake::Fake;
use fake::faker::company::en::CompanyName;
use rand::RngExt;

/// Work in progress of one tenant, with the generator it draws from.
pub(super) struct Draft<'a> {
    pub tenant: Tenant,
    pub preset: &'a Preset,
    pub catalog: &'static Catalog,
    pub rng: Rng,
    pub locations: WeightedIndex,
}

/// Generates tenant number `index` of the settings, anchored at the UTC day of `now`.
pub fn generate(settings: &TenantSettings, index: u32, now: DateTime<Utc>) -> Tenant {
    let seed = Seed(settings.seed.0.wrapping_add(index as u64));
    let catalog = Catalog::embedded();
    let mut rng = seed.stream("tenant", 0);
    let anchor = super::people::day_of(now);
    let tenant = identity(
        &mut rng,
        seed,
        index,
        settings.license,
        anchor,
        &settings.preset,
    );
    let mut draft = Draft {
        tenant,
        preset: &settings.preset,
        catalog,
        rng: seed.stream("directory", 0),
        locations: WeightedIndex::new(catalog.locations.iter().map(|l| l.weight as u64)),
    };
    super::people::users(&mut draft);
    draft.rng = seed.stream("devices", 0);
    super::people::devices(&mut draft);
    draft.rng = seed.stream("groups", 0);
    super::groups::groups(&mut draft);
    draft.rng = seed.stream("roles", 0);
    super::roles::roles(&mut draft);
    super::roles::ca_policies(&mut draft);
    draft.rng = seed.stream("applications", 0);
    super::apps::applications(&mut draft);
    draft.rng = seed.stream("history", 0);
    super::history::history(&mut draft);
    draft.rng = seed.stream("grants", 0);
    super::grants::grants(&mut draft);
    super::apps::identity_deletions(&mut draft.tenant);
    draft.tenant.build_lookup();
    draft.tenant
}

fn identity(
    rng: &mut Rng,
    seed: Seed,
    index: u32,
    license: License,
    anchor: DateTime<Utc>,
    preset: &Preset,
) -> Tenant {
    let organization = if preset.tenant.organization.is_empty() {
        CompanyName().fake_with_rng::<String, _>(rng)
    } else {
        preset.tenant.organization.clone()
    };
    let stem: String = super::people::slug(&organization).replace('.', "");
    let stem = if stem.is_empty() {
        "contoso".to_string()
    } else {
        stem
    };
    let initial_domain = format!("{stem}{}.onmicrosoft.com", rng.random_range(100..999));
    let custom_domains = (0..preset.tenant.custom_domains)
        .map(|n| {
            if n == 0 {
                format!("{stem}.com")
            } else {
                format!("{stem}{n}.com")
            }
        })
        .collect();
    Tenant {
        index,
        seed,
        id: guid(rng),
        organization,
        initial_domain,
        custom_domains,
        license,
        anchor,
        window_start: anchor - Duration::days(preset.days as i64),
        users: Vec::new(),
        devices: Vec::new(),
        groups: Vec::new(),
        applications: Vec::new(),
        service_principals: Vec::new(),
        managed_identities: Vec::new(),
        role_definitions: Vec::new(),
        role_assignments: Vec::new(),
        eligibility_schedules: Vec::new(),
        assignment_schedules: Vec::new(),
        ca_policies: Vec::new(),
        provisioning_jobs: Vec::new(),
        test_clients: Vec::new(),
        subscriptions: Vec::new(),
        app_role_grants: Vec::new(),
        delegated_grants: Vec::new(),
        azure_role_assignments: Vec::new(),
        history: Vec::new(),
        lookup: Lookup::default(),
    }
}

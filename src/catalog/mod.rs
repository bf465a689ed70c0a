//! The seed data under `seed/` (embedded in the binary), parsed once into typed tables.
//!
//! Each table is a tab-separated file with one header row; `Catalog::parse` checks headers,
//! column counts, value spellings and uniqueness, and names file and line on any problem.
//! Presets are exposed as TOML text only; `config` owns their schema.

mod apps;
mod audit;
mod directory;
mod sign_in;
mod tsv;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

pub use apps::{AzureResourceType, Direction, FirstPartyApp, ProvisioningApp, ThirdPartyApp};
pub use audit::{AuditActivity, TargetType};
pub use directory::{
    CaAudience, CaPolicyTemplate, CaState, Department, GraphPermission, RoleTemplate,
};
pub use sign_in::{ClientApp, ErrorKind, ErrorScope, Location, SignInError, UserAgent};

/// A problem in a seed table.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The first line is not the expected column list.
    #[error("{file} line 1: header \"{found}\" is not \"{expected}\"")]
    Header {
        file: &'static str,
        found: String,
        expected: String,
    },
    /// A data row is malformed.
    #[error("{file} line {line}: {problem}")]
    Row {
        file: &'static str,
        line: usize,
        problem: String,
    },
    /// The table as a whole is unusable.
    #[error("{file}: {problem}")]
    Table { file: &'static str, problem: String },
}

/// The text of every seed table, one field per file.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub audit_activities: &'a str,
    pub directory_roles: &'a str,
    pub first_party_apps: &'a str,
    pub locations: &'a str,
    pub user_agents: &'a str,
    pub sign_in_errors: &'a str,
    pub client_apps: &'a str,
    pub departments: &'a str,
    pub azure_resource_types: &'a str,
    pub provisioning_apps: &'a str,
    pub graph_permissions: &'a str,
    pub ca_policies: &'a str,
    pub third_party_apps: &'a str,
}

impl Sources<'static> {
    /// The tables compiled into the binary from `seed/`.
    pub fn embedded() -> Sources<'static> {
        Sources {
            audit_activities: include_str!("../../seed/audit_activities.tsv"),
            directory_roles: include_str!("../../seed/directory_roles.tsv"),
            first_party_apps: include_str!("../../seed/first_party_apps.tsv"),
            locations: include_str!("../../seed/locations.tsv"),
            user_agents: include_str!("../../seed/user_agents.tsv"),
            sign_in_errors: include_str!("../../seed/sign_in_errors.tsv"),
            client_apps: include_str!("../../seed/client_apps.tsv"),
            departments: include_str!("../../seed/departments.tsv"),
            azure_resource_types: include_str!("../../seed/azure_resource_types.tsv"),
            provisioning_apps: include_str!("../../seed/provisioning_apps.tsv"),
            graph_permissions: include_str!("../../seed/graph_permissions.tsv"),
            ca_policies: include_str!("../../seed/ca_policies.tsv"),
            third_party_apps: include_str!("../../seed/third_party_apps.tsv"),
        }
    }
}

/// The embedded presets, by name.
const PRESET_SOURCES: [(&str, &str); 4] = [
    ("small", include_str!("../../seed/presets/small.toml")),
    ("default", include_str!("../../seed/presets/default.toml")),
    (
        "enterprise",
        include_str!("../../seed/presets/enterprise.toml"),
    ),
    ("loadtest", include_str!("../../seed/presets/loadtest.toml")),
];

/// Every seed table, typed.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub audit_activities: Vec<AuditActivity>,
    pub directory_roles: Vec<RoleTemplate>,
    pub first_party_apps: Vec<FirstPartyApp>,
    pub locations: Vec<Location>,
    pub user_agents: Vec<UserAgent>,
    pub sign_in_errors: Vec<SignInError>,
    pub client_apps: Vec<ClientApp>,
    pub departments: Vec<Department>,
    pub azure_resource_types: Vec<AzureResourceType>,
    pub provisioning_apps: Vec<ProvisioningApp>,
    pub graph_permissions: Vec<GraphPermission>,
    pub ca_policies: Vec<CaPolicyTemplate>,
    pub third_party_apps: Vec<ThirdPartyApp>,
}

impl Catalog {
    /// Names of the embedded presets.
    pub const PRESETS: &'static [&'static str] = &["small", "default", "enterprise", "loadtest"];

    /// The catalog embedded in the binary (parsed once; panics only if the embedded data is
    /// broken, which a unit test rules out).
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(&Sources::embedded())
                .unwrap_or_else(|e| panic!("embedded seed data is broken: {e}"))
        })
    }

    /// Parse from the given texts (used by `embedded()` and tests).
    pub fn parse(sources: &Sources) -> Result<Catalog, CatalogError> {
        let catalog = Catalog {
            audit_activities: audit::parse(sources.audit_activities)?,
            directory_roles: directory::parse_roles(sources.directory_roles)?,
            first_party_apps: apps::parse_first_party(sources.first_party_apps)?,
            locations: sign_in::parse_locations(sources.locations)?,
            user_agents: sign_in::parse_user_agents(sources.user_agents)?,
            sign_in_errors: sign_in::parse_errors(sources.sign_in_errors)?,
            client_apps: sign_in::parse_client_apps(sources.client_apps)?,
            departments: directory::parse_departments(sources.departments)?,
            azure_resource_types: apps::parse_resource_types(sources.azure_resource_types)?,
            provisioning_apps: apps::parse_provisioning(sources.provisioning_apps)?,
            graph_permissions: directory::parse_permissions(sources.graph_permissions)?,
            ca_policies: directory::parse_ca_policies(sources.ca_policies)?,
            third_party_apps: apps::parse_third_party(sources.third_party_apps)?,
        };
        catalog.check_weights()?;
        Ok(catalog)
    }

    /// The TOML text of an embedded preset.
    pub fn preset_source(name: &str) -> Option<&'static str> {
        PRESET_SOURCES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
    }

    /// Weighted tables must have some weight to draw from.
    fn check_weights(&self) -> Result<(), CatalogError> {
        let totals: [(&'static str, u64); 8] = [
            (
                "seed/audit_activities.tsv",
                total(&self.audit_activities, |a| a.weight),
            ),
            ("seed/locations.tsv", total(&self.locations, |l| l.weight)),
            (
                "seed/user_agents.tsv",
                total(&self.user_agents, |u| u.weight),
            ),
            (
                "seed/sign_in_errors.tsv",
                total(&self.sign_in_errors, |e| e.weight),
            ),
            (
                "seed/client_apps.tsv",
                total(&self.client_apps, |c| c.weight),
            ),
            (
                "seed/azure_resource_types.tsv",
                total(&self.azure_resource_types, |t| t.weight),
            ),
            (
                "seed/provisioning_apps.tsv",
                total(&self.provisioning_apps, |p| p.weight),
            ),
            (
                "seed/third_party_apps.tsv",
                total(&self.third_party_apps, |t| t.weight),
            ),
        ];
        match totals.iter().find(|(_, sum)| *sum == 0) {
            Some((file, _)) => Err(CatalogError::Table {
                file,
                problem: "all weights are zero".into(),
            }),
            None => Ok(()),
        }
    }
}

fn total<T>(rows: &[T], weight: impl Fn(&T) -> u32) -> u64 {
    rows.iter().map(|r| u64::from(weight(r))).sum()
}

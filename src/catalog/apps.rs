//! Application tables: Microsoft first-party apps, third-party SaaS, Azure resource types, provisioning apps.

use std::collections::HashSet;

use super::CatalogError;
use super::directory::unique;
use super::tsv;

/// A well-known Microsoft first-party application (`seed/first_party_apps.tsv`).
#[derive(Debug, Clone)]
pub struct FirstPartyApp {
    /// The real appId (lowercase GUID).
    pub app_id: String,
    /// The display name sign-in logs show.
    pub display_name: String,
    /// How often it is the app a user signs in to interactively.
    pub client_weight: u32,
    /// How often it is the resource being accessed.
    pub resource_weight: u32,
    /// How often it refreshes tokens silently (non-interactive sign-ins).
    pub non_interactive_weight: u32,
}

/// A multi-tenant SaaS application tenants consent to (`seed/third_party_apps.tsv`).
#[derive(Debug, Clone)]
pub struct ThirdPartyApp {
    /// e.g. "Zoom".
    pub display_name: String,
    /// The publisher's name.
    pub publisher: String,
    /// Relative popularity.
    pub weight: u32,
}

/// An Azure resource type that carries managed identities (`seed/azure_resource_types.tsv`).
#[derive(Debug, Clone)]
pub struct AzureResourceType {
    /// Resource provider and type, e.g. "Microsoft.Web/sites".
    pub provider: String,
    /// Human label, e.g. "Function App"; "User-assigned identity" for user-assigned identities.
    pub label: String,
    /// Prefix for generated resource names, e.g. "func-".
    pub name_prefix: String,
    /// Relative frequency.
    pub weight: u32,
}

/// Which way a provisioning job moves identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From an HR system or API into the directory (e.g. Workday to AD).
    Inbound,
    /// From Microsoft Entra ID into a SaaS application.
    Outbound,
}

impl Direction {
    /// "inbound" or "outbound", as in the seed.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    fn parse(s: &str) -> Option<Direction> {
        [Direction::Inbound, Direction::Outbound]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A provisioning (synchronization) application (`seed/provisioning_apps.tsv`).
#[derive(Debug, Clone)]
pub struct ProvisioningApp {
    /// e.g. "Workday to Active Directory User Provisioning".
    pub display_name: String,
    /// Synchronization template id, the first part of `jobId` (`<templateId>.<tenant>.<guid>`).
    pub template_id: String,
    /// Inbound or outbound.
    pub direction: Direction,
    /// `sourceSystem.displayName`.
    pub source_system: String,
    /// `targetSystem.displayName`.
    pub target_system: String,
    /// `sourceIdentity.identityType` values it handles, e.g. ["User", "Group"].
    pub identity_types: Vec<String>,
    /// Relative frequency.
    pub weight: u32,
}

/// Parses `seed/first_party_apps.tsv`; app ids must be unique lowercase GUIDs.
pub(super) fn parse_first_party(text: &str) -> Result<Vec<FirstPartyApp>, CatalogError> {
    let columns = &[
        "app_id",
        "display_name",
        "client_weight",
        "resource_weight",
        "non_interactive_weight",
    ];
    let mut seen = HashSet::new();
    tsv::parse("seed/first_party_apps.tsv", text, columns, |row| {
        let app = FirstPartyApp {
            app_id: row.guid(0)?,
            display_name: row.text(1)?,
            client_weight: row.number(2)?,
            resource_weight: row.number(3)?,
            non_interactive_weight: row.number(4)?,
        };
        unique(row, &mut seen, &app.app_id)?;
        Ok(app)
    })
}

/// Parses `seed/third_party_apps.tsv`.
pub(super) fn parse_third_party(text: &str) -> Result<Vec<ThirdPartyApp>, CatalogError> {
    tsv::parse(
        "seed/third_party_apps.tsv",
        text,
        &["display_name", "publisher", "weight"],
        |row| {
            Ok(ThirdPartyApp {
                display_name: row.text(0)?,
                publisher: row.text(1)?,
                weight: row.number(2)?,
            })
        },
    )
}

/// Parses `seed/azure_resource_types.tsv`.
pub(super) fn parse_resource_types(text: &str) -> Result<Vec<AzureResourceType>, CatalogError> {
    tsv::parse(
        "seed/azure_resource_types.tsv",
        text,
        &["provider", "label", "name_prefix", "weight"],
        |row| {
            Ok(AzureResourceType {
                provider: row.text(0)?,
                label: row.text(1)?,
                name_prefix: row.text(2)?,
                weight: row.number(3)?,
            })
        },
    )
}

/// Parses `seed/provisioning_apps.tsv`.
pub(super) fn parse_provisioning(text: &str) -> Result<Vec<ProvisioningApp>, CatalogError> {
    let columns = &[
        "display_name",
        "template_id",
        "direction",
        "source_system",
        "target_system",
        "identity_types",
        "weight",
    ];
    tsv::parse("seed/provisioning_apps.tsv", text, columns, |row| {
        Ok(ProvisioningApp {
            display_name: row.text(0)?,
            template_id: row.text(1)?,
            direction: row.choice(2, "inbound, outbound", Direction::parse)?,
            source_system: row.text(3)?,
            target_system: row.text(4)?,
            identity_types: row.list(5)?,
            weight: row.number(6)?,
        })
    })
}

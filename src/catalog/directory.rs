//! Directory-side tables: role templates, departments, Graph app permissions, Conditional Access templates.

use std::collections::HashSet;

use super::CatalogError;
use super::tsv::{self, Row};

/// A built-in Microsoft Entra role (`seed/directory_roles.tsv`).
#[derive(Debug, Clone)]
pub struct RoleTemplate {
    /// e.g. "Global Administrator".
    pub display_name: String,
    /// The real, immutable `roleTemplateId` (lowercase GUID).
    pub template_id: String,
    /// Whether Microsoft labels the role PRIVILEGED.
    pub privileged: bool,
    /// Microsoft's one-line description of the role.
    pub description: String,
}

/// A department and the job titles found in it (`seed/departments.tsv`).
#[derive(Debug, Clone)]
pub struct Department {
    /// e.g. "Engineering".
    pub name: String,
    /// At least one job title.
    pub job_titles: Vec<String>,
}

/// A Microsoft Graph application permission (app role) (`seed/graph_permissions.tsv`).
#[derive(Debug, Clone)]
pub struct GraphPermission {
    /// e.g. "AuditLog.Read.All".
    pub name: String,
    /// The app role's real id (lowercase GUID).
    pub id: String,
}

/// A Conditional Access policy state as Graph spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaState {
    Enabled,
    Disabled,
    ReportOnly,
}

impl CaState {
    /// "enabled", "disabled" or "enabledForReportingButNotEnforced".
    pub fn as_str(&self) -> &'static str {
        match self {
            CaState::Enabled => "enabled",
            CaState::Disabled => "disabled",
            CaState::ReportOnly => "enabledForReportingButNotEnforced",
        }
    }

    fn parse(s: &str) -> Option<CaState> {
        [CaState::Enabled, CaState::Disabled, CaState::ReportOnly]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Which sign-ins a Conditional Access template targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaAudience {
    All,
    Admins,
    Guests,
    Legacy,
    AzureManagement,
    OutsideCountries,
    /// Sign-ins whose own risk is medium or high (Identity Protection, P2).
    SignInRisk,
    /// Users whose risk is high when they sign in (Identity Protection, P2).
    UserRisk,
}

impl CaAudience {
    /// The seed spelling: all, admins, guests, legacy, azureManagement, outsideCountries,
    /// signInRisk, userRisk.
    pub fn as_str(&self) -> &'static str {
        match self {
            CaAudience::All => "all",
            CaAudience::Admins => "admins",
            CaAudience::Guests => "guests",
            CaAudience::Legacy => "legacy",
            CaAudience::AzureManagement => "azureManagement",
            CaAudience::OutsideCountries => "outsideCountries",
            CaAudience::SignInRisk => "signInRisk",
            CaAudience::UserRisk => "userRisk",
        }
    }

    fn parse(s: &str) -> Option<CaAudience> {
        use CaAudience::*;
        [
            All,
            Admins,
            Guests,
            Legacy,
            AzureManagement,
            OutsideCountries,
            SignInRisk,
            UserRisk,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A Conditional Access policy a tenant may have (`seed/ca_policies.tsv`).
#[derive(Debug, Clone)]
pub struct CaPolicyTemplate {
    /// e.g. "Require MFA for administrators".
    pub display_name: String,
    /// Enabled, disabled or report-only.
    pub state: CaState,
    /// Which sign-ins it applies to.
    pub applies_to: CaAudience,
    /// Graph `enforcedGrantControls` values, e.g. "Mfa", "Block", "RequireCompliantDevice", "TOU".
    pub grant_controls: Vec<String>,
    /// Graph `enforcedSessionControls` values, e.g. "SignInFrequency".
    pub session_controls: Vec<String>,
    /// Whether a matching sign-in is blocked outright.
    pub blocks: bool,
}

/// Parses `seed/directory_roles.tsv`; template ids must be unique lowercase GUIDs.
pub(super) fn parse_roles(text: &str) -> Result<Vec<RoleTemplate>, CatalogError> {
    let mut seen = HashSet::new();
    tsv::parse(
        "seed/directory_roles.tsv",
        text,
        &["display_name", "template_id", "privileged", "description"],
        |row| {
            let role = RoleTemplate {
                display_name: row.text(0)?,
                template_id: row.guid(1)?,
                privileged: row.flag(2)?,
                description: row.text(3)?,
            };
            unique(row, &mut seen, &role.template_id)?;
            Ok(role)
        },
    )
}

/// Parses `seed/departments.tsv`.
pub(super) fn parse_departments(text: &str) -> Result<Vec<Department>, CatalogError> {
    tsv::parse(
        "seed/departments.tsv",
        text,
        &["department", "job_titles"],
        |row| {
            let job_titles = row.list(1)?;
            match job_titles.is_empty() {
                true => Err(row.error("job_titles is empty")),
                false => Ok(Department {
                    name: row.text(0)?,
                    job_titles,
                }),
            }
        },
    )
}

/// Parses `seed/graph_permissions.tsv` (application permissions only).
pub(super) fn parse_permissions(text: &str) -> Result<Vec<GraphPermission>, CatalogError> {
    let mut seen = HashSet::new();
    tsv::parse(
        "seed/graph_permissions.tsv",
        text,
        &["name", "id", "kind"],
        |row| {
            if row.raw(2) != "application" {
                return Err(row.error(format!("kind {:?} is not application", row.raw(2))));
            }
            let permission = GraphPermission {
                name: row.text(0)?,
                id: row.guid(1)?,
            };
            unique(row, &mut seen, &permission.id)?;
            Ok(permission)
        },
    )
}

/// Parses `seed/ca_policies.tsv`.
pub(super) fn parse_ca_policies(text: &str) -> Result<Vec<CaPolicyTemplate>, CatalogError> {
    let columns = &[
        "display_name",
        "state",
        "applies_to",
        "grant_controls",
        "session_controls",
        "blocks",
    ];
    tsv::parse("seed/ca_policies.tsv", text, columns, |row| {
        Ok(CaPolicyTemplate {
            display_name: row.text(0)?,
            state: row.choice(
                1,
                "enabled, disabled, enabledForReportingButNotEnforced",
                CaState::parse,
            )?,
            applies_to: row.choice(
                2,
                "all, admins, guests, legacy, azureManagement, outsideCountries",
                CaAudience::parse,
            )?,
            grant_controls: row.list(3)?,
            session_controls: row.list(4)?,
            blocks: row.flag(5)?,
        })
    })
}

/// Fails when `key` was already seen in this table.
pub(super) fn unique(row: &Row, seen: &mut HashSet<String>, key: &str) -> Result<(), CatalogError> {
    match seen.insert(key.to_string()) {
        true => Ok(()),
        false => Err(row.error(format!("{key:?} repeats an earlier row"))),
    }
}

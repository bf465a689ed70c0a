//! The audit-activity catalog (`seed/audit_activities.tsv`): what directoryAudits can record.

use std::collections::HashSet;

use super::CatalogError;
use super::tsv::{self, Row};

const FILE: &str = "seed/audit_activities.tsv";
const COLUMNS: &[&str] = &[
    "service",
    "category",
    "activity",
    "operation_type",
    "target_type",
    "weight",
];
const OPERATION_TYPES: &[&str] = &["Add", "Update", "Delete", "Assign", "Unassign", "Other"];

/// One activity a service can log: `loggedByService`, `category`, `activityDisplayName`.
#[derive(Debug, Clone)]
pub struct AuditActivity {
    /// Graph's `loggedByService`, e.g. "Core Directory" or "PIM".
    pub service: String,
    /// Graph's `category`, e.g. "UserManagement".
    pub category: String,
    /// Graph's `activityDisplayName`, e.g. "Update user".
    pub activity: String,
    /// Graph's free-string `operationType`: Add, Update, Delete, Assign, Unassign or Other.
    pub operation_type: String,
    /// The type of `targetResources[0]`.
    pub target_type: TargetType,
    /// Relative frequency among all activities (1 for rare ones).
    pub weight: u32,
}

/// The `type` of an audit record's first target resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetType {
    User,
    Group,
    Application,
    ServicePrincipal,
    Role,
    Policy,
    Device,
    Directory,
    Request,
    Other,
}

const TARGET_TYPES: [TargetType; 10] = [
    TargetType::User,
    TargetType::Group,
    TargetType::Application,
    TargetType::ServicePrincipal,
    TargetType::Role,
    TargetType::Policy,
    TargetType::Device,
    TargetType::Directory,
    TargetType::Request,
    TargetType::Other,
];

impl TargetType {
    /// The spelling Graph uses in `targetResources[].type`.
    pub fn as_str(&self) -> &'static str {
        match self {
            TargetType::User => "User",
            TargetType::Group => "Group",
            TargetType::Application => "Application",
            TargetType::ServicePrincipal => "ServicePrincipal",
            TargetType::Role => "Role",
            TargetType::Policy => "Policy",
            TargetType::Device => "Device",
            TargetType::Directory => "Directory",
            TargetType::Request => "Request",
            TargetType::Other => "Other",
        }
    }

    fn parse(s: &str) -> Option<TargetType> {
        TARGET_TYPES.into_iter().find(|t| t.as_str() == s)
    }
}

/// Parses the audit-activity table and checks each (service, category, activity) is unique.
pub(super) fn parse(text: &str) -> Result<Vec<AuditActivity>, CatalogError> {
    let mut seen = HashSet::new();
    tsv::parse(FILE, text, COLUMNS, |row| {
        let activity = activity(row)?;
        match seen.insert((
            activity.service.clone(),
            activity.category.clone(),
            activity.activity.clone(),
        )) {
            true => Ok(activity),
            false => Err(row.error("repeats an earlier (service, category, activity)")),
        }
    })
}

fn activity(row: &Row) -> Result<AuditActivity, CatalogError> {
    let operation_type = row.text(3)?;
    if !OPERATION_TYPES.contains(&operation_type.as_str()) {
        return Err(row.error(format!(
            "operation_type {operation_type:?} is not one of {}",
            OPERATION_TYPES.join(", ")
        )));
    }
    Ok(AuditActivity {
        service: row.text(0)?,
        category: row.text(1)?,
        activity: row.text(2)?,
        operation_type,
        target_type: row.choice(4, "the TargetType names", TargetType::parse)?,
        weight: row.number(5)?,
    })
}

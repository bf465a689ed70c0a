//! Which Graph application permissions each collection needs, and which
//! collections a tenant's licence opens.

use super::caller::Caller;
use super::error::GraphError;
use crate::config::License;

/// Refuses the request when the caller lacks the permission the path needs.
pub fn require(caller: &Caller, path: &[&str]) -> Result<(), GraphError> {
    let has = |p: &str| caller.roles.iter().any(|r| r.eq_ignore_ascii_case(p));
    match path.first() {
        Some(&"auditlogs") if !has("AuditLog.Read.All") => Err(GraphError::new(
            403,
            "Authentication_MSGraphPermissionMissing",
            "Calling principal does not have required MSGraph permissions AuditLog.Read.All",
        )),
        Some(&first) if first != "auditlogs" && !directory_allowed(first, &has) => {
            Err(GraphError::new(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ))
        }
        _ => Ok(()),
    }
}

/// Directory reads: Directory.Read.All, or the narrower permission of the collection.
fn directory_allowed(first: &str, has: &dyn Fn(&str) -> bool) -> bool {
    let narrow: &[&str] = match first {
        "users" => &["User.Read.All", "User.ReadWrite.All"],
        "groups" => &["Group.Read.All", "Group.ReadWrite.All"],
        "applications" | "serviceprincipals" => {
            &["Application.Read.All", "Application.ReadWrite.All"]
        }
        "rolemanagement" => &["RoleManagement.Read.Directory", "RoleManagement.Read.All"],
        _ => &[],
    };
    has("Directory.Read.All") || has("Directory.ReadWrite.All") || narrow.iter().any(|p| has(p))
}

/// Refuses sign-in reads on a tenant without Entra ID P1 or P2 (graph-api.md §1.4), before
/// the id or the query options are judged: the licence check comes first in Graph.
pub fn require_licence(license: License, path: &[&str]) -> Result<(), GraphError> {
    match path {
        ["auditlogs", "signins", ..] if license == License::Free => Err(GraphError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        )),
        _ => Ok(()),
    }
}

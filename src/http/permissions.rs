//! Which Graph application permissions each collection needs.

use super::caller::Caller;
use super::error::GraphError;

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

//! Which Graph application permissions each collection needs, and which
//! collections a tenant's licence opens.

use super::caller::Caller;
use super::error::GraphError;
use crate::config::License;
use crate::model::directory::DeletedType;

/// Refuses the request when the caller lacks the permission the path needs.
pub fn require(caller: &Caller, path: &[&str]) -> Result<(), GraphError> {
    let has = |p: &str| caller.roles.iter().any(|r| r.eq_ignore_ascii_case(p));
    match path.first() {
        Some(&"auditlogs") if !has("AuditLog.Read.All") => Err(GraphError::new(
            403,
            "Authentication_MSGraphPermissionMissing",
            "Calling principal does not have required MSGraph permissions AuditLog.Read.All",
        )),
        // Identity Protection takes its own permissions, Directory.Read.All does not
        // open it (reference §A.2, S18/S5).
        Some(&"identityprotection") if !protection_allowed(path, &has) => Err(GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )),
        Some(&"identityprotection") => Ok(()),
        // Each report takes its own permission (crate::reports::access).
        Some(&"reports") => Ok(()),
        Some(&first) if first != "auditlogs" && !directory_allowed(path, &has) => {
            Err(GraphError::new(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ))
        }
        _ => Ok(()),
    }
}

/// Identity Protection reads: riskyUsers take IdentityRiskyUser.*, detections IdentityRiskEvent.*.
fn protection_allowed(path: &[&str], has: &dyn Fn(&str) -> bool) -> bool {
    let needed: &[&str] = match path.get(1) {
        Some(&"riskyusers") => &[
            "IdentityRiskyUser.Read.All",
            "IdentityRiskyUser.ReadWrite.All",
        ],
        Some(&"riskyserviceprincipals") => &[
            "IdentityRiskyServicePrincipal.Read.All",
            "IdentityRiskyServicePrincipal.ReadWrite.All",
        ],
        _ => &[
            "IdentityRiskEvent.Read.All",
            "IdentityRiskEvent.ReadWrite.All",
        ],
    };
    needed.iter().any(|p| has(p))
}

/// Directory reads: Directory.Read.All, or the narrower permission of the collection.
fn directory_allowed(path: &[&str], has: &dyn Fn(&str) -> bool) -> bool {
    const USERS: &[&str] = &["User.Read.All", "User.ReadWrite.All"];
    const GROUPS: &[&str] = &["Group.Read.All", "Group.ReadWrite.All"];
    const APPS: &[&str] = &["Application.Read.All", "Application.ReadWrite.All"];
    let narrow: &[&str] = match path {
        ["users", ..] => USERS,
        ["groups", ..] => GROUPS,
        ["applications" | "serviceprincipals", ..] => APPS,
        // `servicePrincipals(appId='…')`, `applications(appId='…')`: the set's own permission.
        [key, ..] if key.starts_with("serviceprincipals(") || key.starts_with("applications(") => {
            APPS
        }
        ["rolemanagement", ..] => &["RoleManagement.Read.Directory", "RoleManagement.Read.All"],
        ["directory", "deleteditems", item] => match DeletedType::from_cast(item) {
            Some(DeletedType::Group) => GROUPS,
            Some(DeletedType::Application | DeletedType::ServicePrincipal) => APPS,
            // A cast to users, or an id: the only objects ever deleted are users.
            Some(DeletedType::User) | None => USERS,
        },
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

#[cfg(test)]
mod tests {
    use super::directory_allowed;

    fn allowed(path: &str, roles: &[&str]) -> bool {
        let path: Vec<&str> = path.split('/').collect();
        directory_allowed(&path, &|p: &str| roles.contains(&p))
    }

    #[test]
    fn each_collection_takes_its_narrow_permission_or_directory_read_all() {
        assert!(allowed("users", &["User.Read.All"]));
        assert!(allowed("groups", &["Group.Read.All"]));
        assert!(allowed("serviceprincipals", &["Application.Read.All"]));
        assert!(!allowed("groups", &["User.Read.All"]));
        assert!(allowed("groups", &["Directory.Read.All"]));
    }

    #[test]
    fn deleted_items_take_the_permission_of_their_cast() {
        let users = "directory/deleteditems/microsoft.graph.user";
        assert!(allowed(users, &["User.Read.All"]));
        assert!(!allowed(users, &["Group.Read.All"]));
        let groups = "directory/deleteditems/microsoft.graph.group";
        assert!(allowed(groups, &["Group.Read.All"]));
        assert!(!allowed(groups, &["User.Read.All"]));
        let by_id = "directory/deleteditems/a9406f91-456f-4782-a67b-6f5d3c548eb6";
        assert!(allowed(by_id, &["User.Read.All"]));
        assert!(!allowed("directory/deleteditems", &["User.Read.All"]));
        assert!(allowed("directory/deleteditems", &["Directory.Read.All"]));
    }
}

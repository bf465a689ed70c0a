//! Which Graph application permissions each collection needs, and which
//! collections a tenant's licence opens.

use super::caller::Caller;
use super::error::GraphError;
use crate::config::License;
use crate::model::directory::DeletedType;

/// Refuses the request when the caller lacks the permission the path needs, or, for a
/// user's (delegated) token, when the user holds none of the roles Graph requires there.
pub fn require(caller: &Caller, path: &[&str]) -> Result<(), GraphError> {
    permission(caller, path)?;
    match &caller.user_roles {
        Some(wids) => user_role(wids, path),
        None => Ok(()),
    }
}

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";

/// The directory roles (template ids) a signed-in user needs besides the delegated
/// permission (reference C.1: S32 sign-ins, S31 audit logs, S12 Identity Protection, S28/S30
/// reports). Global Administrator is allowed everywhere (inferred, C.1). Other paths need
/// no role.
fn roles_for(path: &[&str]) -> Option<&'static [&'static str]> {
    match path.first() {
        Some(&"auditlogs") => Some(&[
            GLOBAL_ADMINISTRATOR,
            GLOBAL_READER,
            REPORTS_READER,
            SECURITY_ADMINISTRATOR,
            SECURITY_OPERATOR,
            SECURITY_READER,
        ]),
        Some(&"identityprotection") => Some(&[
            GLOBAL_ADMINISTRATOR,
            GLOBAL_READER,
            SECURITY_ADMINISTRATOR,
            SECURITY_OPERATOR,
            SECURITY_READER,
        ]),
        Some(&"reports") => Some(&[
            GLOBAL_ADMINISTRATOR,
            GLOBAL_READER,
            REPORTS_READER,
            SECURITY_ADMINISTRATOR,
            SECURITY_READER,
        ]),
        _ => None,
    }
}

/// A user without the role: the reporting back end's 403 (reference C.2, S35; the same
/// for a user filtering on their own sign-ins, S34); Identity Protection's exact code is
/// not captured (GAP), so its generic 403 is used there.
fn user_role(wids: &[String], path: &[&str]) -> Result<(), GraphError> {
    let Some(allowed) = roles_for(path) else {
        return Ok(());
    };
    if wids
        .iter()
        .any(|w| allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
    {
        return Ok(());
    }
    Err(match path.first() {
        Some(&"identityprotection") => GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        _ => GraphError::new(
            403,
            "Authentication_RequestFromUnsupportedUserRole",
            "User is not in the allowed roles",
        ),
    })
}

fn permission(caller: &Caller, path: &[&str]) -> Result<(), GraphError> {
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
    use super::{REPORTS_READER, directory_allowed, user_role};

    #[test]
    fn a_user_needs_a_log_reading_role_for_the_logs_but_not_for_the_directory() {
        let member = vec!["b79fbf4d-3ef9-4689-8143-76b194e85509".to_string()];
        let reader = vec![REPORTS_READER.to_string()];
        let refused = user_role(&member, &["auditlogs", "signins"]).unwrap_err();
        assert_eq!(
            refused.code,
            "Authentication_RequestFromUnsupportedUserRole"
        );
        assert!(user_role(&reader, &["auditlogs", "signins"]).is_ok());
        assert!(user_role(&member, &["users"]).is_ok());
        assert!(user_role(&reader, &["identityprotection", "riskyusers"]).is_err());
    }

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

//! Permissions as navigation properties: users' and service principals'
//! `appRoleAssignments`, service principals' `appRoleAssignedTo` and
//! `oauth2PermissionGrants`, from the tenant's grant tables (`tenant --json`).
//!
//! The generator grants app roles to service principals only and consents for
//! all principals, so a user's `appRoleAssignments` and `oauth2PermissionGrants`
//! are empty collections, as Graph answers for a user that holds none.

use super::directory_keys::Object;
use crate::tenant::{AppRoleGrant, DelegatedGrant, Tenant};
use chrono::SecondsFormat;
use serde_json::{Value, json};

/// The grants a navigation property lists, or `None` when it is not one of these.
pub(super) fn listing(t: &Tenant, owner: Object, nav: &str) -> Option<Vec<Value>> {
    let roles = |keep: &dyn Fn(&AppRoleGrant) -> bool| {
        t.app_role_grants
            .iter()
            .filter(|g| keep(g))
            .map(|g| app_role_assignment(t, g))
            .collect()
    };
    Some(match (owner, nav) {
        (Object::User(_), "approleassignments" | "oauth2permissiongrants") => Vec::new(),
        (Object::ServicePrincipal(s), "approleassignments") => {
            roles(&|g| g.principal as usize == s)
        }
        (Object::ServicePrincipal(s), "approleassignedto") => roles(&|g| g.resource as usize == s),
        (Object::ServicePrincipal(s), "oauth2permissiongrants") => t
            .delegated_grants
            .iter()
            .filter(|g| g.client as usize == s)
            .map(|g| permission_grant(t, g))
            .collect(),
        _ => return None,
    })
}

/// The `@odata.context` fragment of such a listing, as Graph writes it.
pub fn context(set: &str, id: &str, nav: &str) -> String {
    format!("{set}('{id}')/{nav}")
}

/// Graph's `appRoleAssignment`.
pub fn app_role_assignment(t: &Tenant, g: &AppRoleGrant) -> Value {
    let principal = &t.service_principals[g.principal as usize];
    let resource = &t.service_principals[g.resource as usize];
    json!({
        "id": g.id,
        "deletedDateTime": null,
        "appRoleId": g.app_role_id,
        "createdDateTime": g.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        "principalDisplayName": principal.display_name,
        "principalId": principal.id,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": resource.display_name,
        "resourceId": resource.id,
    })
}

/// Graph's `oAuth2PermissionGrant` (tenant-wide admin consent).
pub fn permission_grant(t: &Tenant, g: &DelegatedGrant) -> Value {
    json!({
        "id": g.id,
        "clientId": t.service_principals[g.client as usize].id,
        "consentType": "AllPrincipals",
        "principalId": null,
        "resourceId": t.service_principals[g.resource as usize].id,
        "scope": g.scope,
    })
}

//! Directory objects `entrasim tenant --json` lists beyond the served
//! collections: devices, Conditional Access policies, soft-deleted users, PIM
//! role settings, application permissions, delegated consents and the Azure
//! role assignments of managed identities.

use crate::catalog::Catalog;
use crate::tenant::Tenant;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// (key, array) pairs to add to the tenant document, as of `now`.
pub fn extras(tenant: &Tenant, now: DateTime<Utc>) -> Vec<(&'static str, Value)> {
    vec![
        ("devices", devices(tenant, now)),
        ("conditionalAccessPolicies", ca_policies(tenant)),
        (
            "deletedUsers",
            super::directory::deleted_users_with_manager(tenant, now).collect(),
        ),
        ("roleManagementPolicies", role_settings(tenant)),
        ("appRoleAssignments", app_role_assignments(tenant)),
        ("oauth2PermissionGrants", delegated_grants(tenant)),
        ("azureRoleAssignments", azure_roles(tenant)),
    ]
}

/// Devices registered by `now` whose owner is still present.
fn devices(tenant: &Tenant, now: DateTime<Utc>) -> Value {
    let catalog = Catalog::embedded();
    tenant
        .devices
        .iter()
        .filter(|d| d.exists_at(tenant, now))
        .map(|d| {
            let agent = &catalog.user_agents[d.user_agent as usize];
            json!({
                "id": d.device_id, "deviceId": d.device_id, "displayName": d.display_name,
                "operatingSystem": agent.os, "trustType": d.trust_type, "isCompliant": d.is_compliant,
                "isManaged": d.is_managed, "accountEnabled": true,
                "registrationDateTime": time(d.registered),
                "registeredOwners": [tenant.user(d.owner).id],
            })
        })
        .collect()
}

fn ca_policies(tenant: &Tenant) -> Value {
    let catalog = Catalog::embedded();
    tenant
        .ca_policies
        .iter()
        .map(|p| {
            let t = &catalog.ca_policies[p.template as usize];
            json!({
                "id": p.id, "displayName": t.display_name, "state": t.state.as_str(),
                "conditions": {"audience": t.applies_to.as_str()},
                "grantControls": {"operator": "AND", "builtInControls": t.grant_controls},
                "sessionControls": t.session_controls,
            })
        })
        .collect()
}

/// PIM settings per role, as a simplified `unifiedRoleManagementPolicy` with
/// its expiration and approval rules for end-user activation.
fn role_settings(tenant: &Tenant) -> Value {
    tenant
        .role_definitions
        .iter()
        .map(|r| {
            json!({
                "id": format!("DirectoryRole_{}_{}", tenant.id, r.id),
                "scopeId": "/", "scopeType": "DirectoryRole", "roleDefinitionId": r.id,
                "rules": [
                    {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
                     "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true,
                     "maximumDuration": format!("PT{}H", r.activation_hours)},
                    {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
                     "id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": r.approval_required}},
                ],
            })
        })
        .collect()
}

fn app_role_assignments(tenant: &Tenant) -> Value {
    tenant
        .app_role_grants
        .iter()
        .map(|g| {
            let (principal, resource) = (tenant.sp(g.principal), tenant.sp(g.resource));
            json!({
                "id": g.id, "appRoleId": g.app_role_id, "appRoleValue": g.value,
                "principalId": principal.id, "principalDisplayName": principal.display_name,
                "principalType": "ServicePrincipal", "resourceId": resource.id,
                "resourceDisplayName": resource.display_name, "createdDateTime": time(g.created),
            })
        })
        .collect()
}

fn delegated_grants(tenant: &Tenant) -> Value {
    tenant
        .delegated_grants
        .iter()
        .map(|g| {
            json!({
                "id": g.id, "clientId": tenant.sp(g.client).id, "consentType": "AllPrincipals",
                "principalId": null, "resourceId": tenant.sp(g.resource).id, "scope": g.scope,
            })
        })
        .collect()
}

fn azure_roles(tenant: &Tenant) -> Value {
    tenant
        .azure_role_assignments
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "principalId": tenant.sp(a.principal).id, "principalType": "ServicePrincipal",
                "roleDefinitionName": a.role, "scope": a.scope,
            })
        })
        .collect()
}

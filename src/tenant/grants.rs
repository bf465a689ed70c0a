//! Permissions held by service principals: application permissions on
//! Microsoft Graph (appRoleAssignments), tenant-wide delegated consents to
//! multi-tenant apps (oauth2PermissionGrants) and the Azure RBAC roles of
//! managed identities on the resources they read.

use super::generate::Draft;
use super::{AppRoleGrant, AzureRoleAssignment, DelegatedGrant, SpOrigin};
use crate::rng::guid;

const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const KEY_VAULT: &str = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";
const STORAGE: &str = "e406a681-f3d4-42a8-90b6-c2b029497af1";
const ARM: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
/// What a managed identity that calls Graph is granted.
const MI_GRAPH_PERMISSION: &str = "User.Read.All";
/// What the log-collecting managed identity is granted besides.
const LOG_PERMISSION: &str = "AuditLog.Read.All";
/// Named stream of the log collector's grant id.
const LOG_COLLECTOR_STREAM: u64 = 0x6c6f_6763_6f6c_6c63;
/// The scopes admins consent to for SaaS apps on behalf of everyone.
const SAAS_SCOPE: &str = "openid profile email offline_access User.Read";

/// Fills the tenant's grant tables (after applications and managed identities exist).
pub(super) fn grants(draft: &mut Draft) {
    let Some(graph) = sp_of(draft, GRAPH) else {
        return;
    };
    for sp in 0..draft.tenant.service_principals.len() as u32 {
        match draft.tenant.service_principals[sp as usize].origin {
            SpOrigin::LineOfBusiness(a) => {
                let permissions = draft.tenant.applications[a as usize]
                    .graph_permissions
                    .clone();
                for p in permissions {
                    app_role(draft, sp, graph, &p);
                }
            }
            SpOrigin::ThirdParty(_) => {
                let id = guid(&mut draft.rng);
                let created = draft.tenant.service_principals[sp as usize].created;
                draft.tenant.delegated_grants.push(DelegatedGrant {
                    id,
                    client: sp,
                    resource: graph,
                    scope: SAAS_SCOPE,
                    created,
                });
            }
            SpOrigin::ManagedIdentity(m) => managed_identity(draft, sp, m, graph),
            _ => {}
        }
    }
    log_collector(draft, graph);
}

/// The first system-assigned managed identity that calls Graph (else the first one) also reads the
/// activity logs, as SIEM collectors in Azure Functions do (issue 12). Its grant id comes
/// from its own named stream so that nothing else in the tenant moves.
fn log_collector(draft: &mut Draft, graph: u32) {
    let calls_graph = |sp: u32| {
        draft
            .tenant
            .app_role_grants
            .iter()
            .any(|g| g.principal == sp && g.resource == graph)
    };
    // System-assigned first: the app's own identity is what ManagedIdentityCredential uses
    // by default.
    let mut identities: Vec<(bool, u32)> = draft
        .tenant
        .managed_identities
        .iter()
        .map(|m| {
            (
                m.kind != super::MsiType::SystemAssigned,
                m.service_principal,
            )
        })
        .collect();
    identities.sort_by_key(|(user_assigned, _)| *user_assigned);
    let identities: Vec<u32> = identities.into_iter().map(|(_, sp)| sp).collect();
    let Some(sp) = identities
        .iter()
        .copied()
        .find(|&sp| calls_graph(sp))
        .or_else(|| identities.first().copied())
    else {
        return;
    };
    let Some(permission) = draft
        .catalog
        .graph_permissions
        .iter()
        .find(|g| g.name == LOG_PERMISSION)
    else {
        return;
    };
    draft.tenant.app_role_grants.push(AppRoleGrant {
        id: crate::rng::guid_for(draft.tenant.seed, LOG_COLLECTOR_STREAM, u64::from(sp), 0),
        principal: sp,
        resource: graph,
        app_role_id: permission.id.clone(),
        value: permission.name.clone(),
        created: draft.tenant.service_principals[sp as usize].created,
    });
}

fn sp_of(draft: &Draft, app_id: &str) -> Option<u32> {
    draft
        .tenant
        .service_principals
        .iter()
        .position(|s| s.app_id == app_id)
        .map(|i| i as u32)
}

fn app_role(draft: &mut Draft, principal: u32, resource: u32, value: &str) {
    let Some(permission) = draft
        .catalog
        .graph_permissions
        .iter()
        .find(|g| g.name == value)
    else {
        return;
    };
    let id = guid(&mut draft.rng);
    draft.tenant.app_role_grants.push(AppRoleGrant {
        id,
        principal,
        resource,
        app_role_id: permission.id.clone(),
        value: permission.name.clone(),
        created: draft.tenant.service_principals[principal as usize].created,
    });
}

/// A managed identity gets a Graph permission if it calls Graph, and an
/// Azure role on each Azure resource it reads tokens for.
fn managed_identity(draft: &mut Draft, sp: u32, m: u32, graph: u32) {
    let identity = &draft.tenant.managed_identities[m as usize];
    let group = identity
        .resource_id
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    let stem = group.rsplit("rg-").next().unwrap_or("app").to_string();
    // An identity with no listed resource reads Key Vault (as its sign-ins show).
    let mut resources: Vec<String> = identity
        .resources
        .iter()
        .map(|&r| draft.tenant.service_principals[r as usize].app_id.clone())
        .collect();
    if resources.is_empty() {
        resources.push(KEY_VAULT.to_string());
    }
    for app_id in resources {
        let (role, scope) = match app_id.as_str() {
            GRAPH => {
                app_role(draft, sp, graph, MI_GRAPH_PERMISSION);
                continue;
            }
            KEY_VAULT => (
                "Key Vault Secrets User",
                format!("{group}/providers/Microsoft.KeyVault/vaults/kv-{stem}"),
            ),
            STORAGE => (
                "Storage Blob Data Reader",
                format!(
                    "{group}/providers/Microsoft.Storage/storageAccounts/st{}",
                    stem.replace('-', "")
                ),
            ),
            ARM => ("Reader", group.clone()),
            _ => continue,
        };
        let id = guid(&mut draft.rng);
        draft
            .tenant
            .azure_role_assignments
            .push(AzureRoleAssignment {
                id,
                principal: sp,
                role,
                scope,
            });
    }
}

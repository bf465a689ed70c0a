//! What ARM holds for a tenant, derived from the generated directory: its subscriptions,
//! resource groups, identity-bearing resources, user-assigned identities and Azure role
//! assignments (the managed identities' own, plus the test clients' roles).

use super::roles::{self, BuiltInRole};
use crate::activity_log::generate::{ASSIGNMENT_AFTER_SECONDS, standing_removed};
use crate::store::records::ticks;
use crate::tenant::{MsiType, SpOrigin, Tenant};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Where every resource lives [INFERRED: one region for the whole tenant].
pub const LOCATION: &str = "eastus";

/// A resource group: its subscription and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceGroup {
    pub subscription: String,
    pub name: String,
}

/// An Azure resource that carries identities, or is the scope of a role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    /// `Microsoft.Web/sites`, ...
    pub kind: String,
    pub name: String,
    /// Index of its system-assigned identity, if it has one.
    pub system: Option<u32>,
    /// Indices of the user-assigned identities attached to it.
    pub user_assigned: Vec<u32>,
}

/// One Azure role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub role: &'static BuiltInRole,
    pub principal_id: String,
    pub principal_type: &'static str,
    /// `createdOn` [INFERRED: when the principal's service principal was created].
    pub created: DateTime<Utc>,
}

/// The ARM view of one tenant.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub subscriptions: Vec<String>,
    pub groups: Vec<ResourceGroup>,
    /// By lower-cased resource id.
    pub resources: BTreeMap<String, Resource>,
    pub assignments: Vec<Assignment>,
}

/// The test client given Reader on every subscription (the first); the others hold no
/// Azure role, so they meet ARM's 403 [INFERRED: entrasim's choice, listed in /_entrasim/tenant].
pub const READER_CLIENT: usize = 0;

impl Inventory {
    /// Derives the ARM view of `tenant` at `now`: deleted user-assigned identities and
    /// the role assignments removed by then are gone (transient ones are added by
    /// [`Inventory::with_transients`]).
    pub fn at(tenant: &Tenant, now: DateTime<Utc>) -> Inventory {
        let mut resources = BTreeMap::new();
        let mut groups = std::collections::BTreeSet::new();
        for (i, mi) in tenant.managed_identities.iter().enumerate() {
            for id in [&mi.resource_id, &mi.used_by] {
                if let Some(g) = group_of(id) {
                    groups.insert(g);
                }
            }
            let host = resource_entry(&mut resources, &mi.used_by);
            match mi.kind {
                MsiType::SystemAssigned => host.system = Some(i as u32),
                MsiType::UserAssigned if mi.alive_at(now) => host.user_assigned.push(i as u32),
                MsiType::UserAssigned => {}
            }
        }
        // Resources that are only scopes of role assignments (storage accounts, vaults...).
        for a in &tenant.azure_role_assignments {
            if a.scope.contains("/providers/") {
                resource_entry(&mut resources, &a.scope);
                groups.extend(group_of(&a.scope));
            }
        }
        let at = ticks(now);
        let mut assignments: Vec<Assignment> = (0..tenant.azure_role_assignments.len())
            .filter(|&i| standing_removed(tenant, i as u32).is_none_or(|gone| gone > at))
            .filter_map(|i| standing(tenant, i))
            .filter(|a| a.created <= now)
            .collect();
        assignments.extend(client_roles(tenant));
        assignments.extend(owner_roles(tenant));
        assignments.extend(pipeline_roles(tenant));
        Inventory {
            subscriptions: tenant.subscriptions.clone(),
            groups: groups.into_iter().collect(),
            resources,
            assignments,
        }
    }

    /// Adds the role assignments made inside the window that exist at the instant
    /// (from the Activity Log's own operations, see `activity_log::live`).
    pub fn with_transients(mut self, transients: Vec<Assignment>) -> Inventory {
        self.assignments.extend(transients);
        self
    }

    /// The user-assigned identity with this ARM id living at `now` (case-insensitive).
    pub fn identity<'t>(
        tenant: &'t Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Option<&'t crate::tenant::ManagedIdentity> {
        tenant.managed_identities.iter().find(|m| {
            m.kind == MsiType::UserAssigned
                && m.resource_id.eq_ignore_ascii_case(id)
                && Self::identity_exists(tenant, m, now)
        })
    }

    /// Whether a user-assigned identity exists at `now`: written, not yet deleted.
    pub fn identity_exists(
        tenant: &Tenant,
        m: &crate::tenant::ManagedIdentity,
        now: DateTime<Utc>,
    ) -> bool {
        tenant.sp(m.service_principal).created <= now && m.alive_at(now)
    }

    /// The subscription with this id (case-insensitive), as stored.
    pub fn subscription(&self, id: &str) -> Option<&str> {
        self.subscriptions
            .iter()
            .find(|s| s.eq_ignore_ascii_case(id))
            .map(|s| s.as_str())
    }

    /// The resource group (case-insensitive).
    pub fn group(&self, subscription: &str, name: &str) -> Option<&ResourceGroup> {
        self.groups.iter().find(|g| {
            g.subscription.eq_ignore_ascii_case(subscription) && g.name.eq_ignore_ascii_case(name)
        })
    }

    /// The identity-bearing resource with this ARM id (case-insensitive).
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.get(&id.to_ascii_lowercase())
    }

    /// Whether `principal` holds a role granting `action` at `scope` or above.
    pub fn allows(&self, principal: &str, action: &str, scope: &str) -> bool {
        self.assignments.iter().any(|a| {
            a.principal_id.eq_ignore_ascii_case(principal)
                && is_at_or_above(&a.scope, scope)
                && a.role.grants(action)
        })
    }
}

/// Whether `outer` is `inner` or one of its ancestors (ARM ids compare case-insensitively).
pub fn is_at_or_above(outer: &str, inner: &str) -> bool {
    let outer = outer.trim_end_matches('/').to_ascii_lowercase();
    let inner = inner.trim_end_matches('/').to_ascii_lowercase();
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
}

fn resource_entry<'a>(map: &'a mut BTreeMap<String, Resource>, id: &str) -> &'a mut Resource {
    map.entry(id.to_ascii_lowercase()).or_insert_with(|| {
        let (kind, name) = kind_and_name(id);
        Resource {
            id: id.to_string(),
            kind,
            name,
            system: None,
            user_assigned: Vec::new(),
        }
    })
}

/// `Microsoft.Web/sites` and `app-x` from `/subscriptions/../providers/Microsoft.Web/sites/app-x`.
pub fn kind_and_name(id: &str) -> (String, String) {
    let tail = id.rsplit_once("/providers/").map(|(_, t)| t).unwrap_or(id);
    let parts: Vec<&str> = tail.split('/').collect();
    let name = parts.last().copied().unwrap_or_default().to_string();
    let kind = parts[..parts.len().saturating_sub(1)].join("/");
    (kind, name)
}

/// The resource group an ARM id lies in.
pub fn group_of(id: &str) -> Option<ResourceGroup> {
    let parts: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    match parts.as_slice() {
        ["subscriptions", sub, rg, name, ..] if rg.eq_ignore_ascii_case("resourceGroups") => {
            Some(ResourceGroup {
                subscription: sub.to_string(),
                name: name.to_string(),
            })
        }
        _ => None,
    }
}

/// An assignment of `role` to `principal` (a service principal) named `name` at `scope`.
pub fn assignment(
    name: &str,
    scope: &str,
    role: &'static BuiltInRole,
    principal: &str,
    created: DateTime<Utc>,
) -> Assignment {
    Assignment {
        id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        name: name.to_string(),
        scope: scope.to_string(),
        role,
        principal_id: principal.to_string(),
        principal_type: "ServicePrincipal",
        created,
    }
}

/// The managed identity's standing role assignment `index` (`tenant.azure_role_assignments`),
/// created [`ASSIGNMENT_AFTER_SECONDS`] after its service principal, as the Activity Log shows.
pub fn standing(tenant: &Tenant, index: usize) -> Option<Assignment> {
    let a = tenant.azure_role_assignments.get(index)?;
    let role = roles::by_name(a.role)?;
    let sp = &tenant.service_principals[a.principal as usize];
    let created = sp.created + chrono::Duration::seconds(ASSIGNMENT_AFTER_SECONDS);
    Some(assignment(&a.id, &a.scope, role, &sp.id, created))
}

/// Owner on every subscription for the tenant's permanent Global Administrators, who
/// make the role assignments the Activity Log shows [INFERRED: entrasim's choice].
fn owner_roles(tenant: &Tenant) -> Vec<Assignment> {
    let owner = roles::by_name("Owner").expect("Owner is built in");
    let mut out = Vec::new();
    for a in &tenant.role_assignments {
        let global =
            tenant.role_definitions[a.role as usize].display_name == "Global Administrator";
        if a.principal_is_sp || !global {
            continue;
        }
        let user = &tenant.users[a.principal as usize];
        for sub in &tenant.subscriptions {
            let name = name_uuid(&format!("{}/{}/{sub}/Owner", tenant.id, user.id));
            let scope = format!("/subscriptions/{sub}");
            let mut owned = assignment(&name, &scope, owner, &user.id, a.created);
            owned.principal_type = "User";
            out.push(owned);
        }
    }
    out
}

/// The deployment pipeline that makes ARM operations with client credentials: the
/// tenant's first line-of-business service principal that is not a test client
/// [INFERRED: entrasim's choice; Owner on every subscription, see `pipeline_roles`].
pub fn pipeline(tenant: &Tenant) -> Option<u32> {
    let test_apps: Vec<u32> = tenant.test_clients.iter().map(|c| c.application).collect();
    (0..tenant.service_principals.len() as u32).find(
        |&s| matches!(tenant.sp(s).origin, SpOrigin::LineOfBusiness(a) if !test_apps.contains(&a)),
    )
}

/// Owner on every subscription for the deployment pipeline.
fn pipeline_roles(tenant: &Tenant) -> Vec<Assignment> {
    let Some(sp) = pipeline(tenant) else {
        return Vec::new();
    };
    let principal = tenant.sp(sp);
    let owner = roles::by_name("Owner").expect("Owner is built in");
    tenant
        .subscriptions
        .iter()
        .map(|sub| {
            let name = name_uuid(&format!("{}/{}/{sub}/Owner", tenant.id, principal.app_id));
            let scope = format!("/subscriptions/{sub}");
            assignment(&name, &scope, owner, &principal.id, principal.created)
        })
        .collect()
}

/// Reader on every subscription for the first test client; ids are name-based UUIDs of
/// the tenant, client and subscription, so they are stable without drawing on the RNG.
fn client_roles(tenant: &Tenant) -> Vec<Assignment> {
    let Some(client) = tenant.test_clients.get(READER_CLIENT) else {
        return Vec::new();
    };
    let app = &tenant.applications[client.application as usize];
    let Some(sp) = tenant.sp_by_app_id(&app.app_id) else {
        return Vec::new();
    };
    let principal = &tenant.service_principals[sp as usize];
    let reader = roles::by_name("Reader").expect("Reader is built in");
    tenant
        .subscriptions
        .iter()
        .map(|sub| {
            let seed = format!("{}/{}/{sub}/Reader", tenant.id, app.app_id);
            let name = name_uuid(&seed);
            let scope = format!("/subscriptions/{sub}");
            assignment(&name, &scope, reader, &principal.id, principal.created)
        })
        .collect()
}

/// A UUID made from a hash of `seed` (version-4 layout, no RNG).
pub fn name_uuid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_scope_is_above_its_resources() {
        assert!(is_at_or_above(
            "/subscriptions/A",
            "/subscriptions/a/resourceGroups/rg"
        ));
        assert!(!is_at_or_above(
            "/subscriptions/a/resourceGroups/rg",
            "/subscriptions/a"
        ));
        assert!(!is_at_or_above("/subscriptions/a", "/subscriptions/ab"));
    }

    #[test]
    fn a_resource_id_splits_into_type_and_name() {
        let (kind, name) =
            kind_and_name("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app-1");
        assert_eq!(
            (kind.as_str(), name.as_str()),
            ("Microsoft.Web/sites", "app-1")
        );
        let group = group_of("/subscriptions/s/resourceGroups/rg/providers/x/y/z").unwrap();
        assert_eq!(group.name, "rg");
    }
}

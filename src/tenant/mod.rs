//! The synthetic directory: users, groups, applications, service principals,
//! managed identities, devices, roles with PIM, Conditional Access policies and
//! provisioning jobs. Generated once per (seed, preset, anchor day) and then
//! read-only; log records refer to its objects by index.

mod apps;
mod generate;
mod grants;
mod groups;
mod history;
mod people;
mod roles;

pub use generate::generate;

use crate::config::License;
use crate::rng::Seed;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Microsoft's own tenant, owner of first-party applications.
pub const MICROSOFT_TENANT_ID: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// One generated tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Position among the server's tenants (0 for the first).
    pub index: u32,
    pub seed: Seed,
    pub id: String,
    pub organization: String,
    /// The `*.onmicrosoft.com` domain.
    pub initial_domain: String,
    /// Verified custom domains; the first one is the default when present.
    pub custom_domains: Vec<String>,
    pub license: License,
    /// Midnight (UTC) of the day the tenant was generated for.
    pub anchor: DateTime<Utc>,
    /// Start of the generated history.
    pub window_start: DateTime<Utc>,
    pub users: Vec<User>,
    pub devices: Vec<Device>,
    pub groups: Vec<Group>,
    pub applications: Vec<Application>,
    pub service_principals: Vec<ServicePrincipal>,
    pub managed_identities: Vec<ManagedIdentity>,
    pub role_definitions: Vec<RoleDefinition>,
    pub role_assignments: Vec<RoleAssignment>,
    pub eligibility_schedules: Vec<EligibilitySchedule>,
    pub assignment_schedules: Vec<AssignmentSchedule>,
    pub ca_policies: Vec<CaPolicy>,
    pub provisioning_jobs: Vec<ProvisioningJob>,
    pub test_clients: Vec<TestClient>,
    /// Azure subscription ids the managed identities live in.
    pub subscriptions: Vec<String>,
    /// Application permissions granted to service principals (appRoleAssignments).
    pub app_role_grants: Vec<AppRoleGrant>,
    /// Tenant-wide delegated consents (oauth2PermissionGrants).
    pub delegated_grants: Vec<DelegatedGrant>,
    /// Azure RBAC role assignments of managed identities on their resources.
    pub azure_role_assignments: Vec<AzureRoleAssignment>,
    /// Directory changes inside the window, oldest first: each has its audit.
    pub history: Vec<Change>,
    lookup: Lookup,
}

/// Id → index maps, for resolving references in filters and injected records.
#[derive(Debug, Clone, Default)]
struct Lookup {
    users_by_id: HashMap<String, u32>,
    users_by_upn: HashMap<String, u32>,
    sps_by_id: HashMap<String, u32>,
    sps_by_app_id: HashMap<String, u32>,
    groups_by_id: HashMap<String, u32>,
    apps_by_app_id: HashMap<String, u32>,
}

/// What sort of account a user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Member,
    Guest,
    ServiceAccount,
}

/// Where an account came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSource {
    Cloud,
    /// Created by the Workday-to-Active Directory provisioning job.
    Workday,
    /// Created by the API-driven inbound provisioning job (HR API to Entra).
    ApiDriven,
}

/// A user account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    /// As stored in the directory (`#EXT#` form for guests).
    pub user_principal_name: String,
    /// The address the person signs in with (a guest's home address).
    pub sign_in_name: String,
    pub mail: String,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub employee_id: Option<String>,
    /// Index into the catalog's locations: office and usual sign-in place.
    pub home: u16,
    pub home_ip: [u8; 4],
    pub account_enabled: bool,
    /// When the account was disabled (before or inside the window), if it is.
    pub disabled_at: Option<DateTime<Utc>>,
    /// A temporary suspension inside the window: disabled, then enabled again.
    pub suspended: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub kind: UserKind,
    pub source: UserSource,
    pub is_admin: bool,
    pub created: DateTime<Utc>,
    pub deleted: Option<DateTime<Utc>>,
    pub manager: Option<u32>,
    pub devices: Vec<u32>,
    /// Guest's home tenant domain.
    pub home_domain: Option<String>,
    /// Guest's home tenant id.
    pub home_tenant_id: Option<String>,
    /// Registered for MFA (and which method).
    pub mfa_method: Option<&'static str>,
}

impl User {
    /// Still present in the directory at `at`.
    pub fn exists_at(&self, at: DateTime<Utc>) -> bool {
        self.created <= at && self.deleted.is_none_or(|d| d > at)
    }

    /// Present and not disabled at `at`.
    pub fn enabled_at(&self, at: DateTime<Utc>) -> bool {
        self.exists_at(at)
            && self.disabled_at.is_none_or(|d| d > at)
            && self
                .suspended
                .is_none_or(|(from, to)| at < from || at >= to)
    }
}

/// A device users sign in from.
#[derive(Debug, Clone)]
pub struct Device {
    pub device_id: String,
    pub display_name: String,
    pub owner: u32,
    /// Index into the catalog's user agents.
    pub user_agent: u16,
    /// "Azure AD joined", "Hybrid Azure AD joined", "Azure AD registered" or none.
    pub trust_type: Option<&'static str>,
    pub is_compliant: bool,
    pub is_managed: bool,
    /// When the device joined or registered with the directory.
    pub registered: DateTime<Utc>,
}

impl Device {
    /// Registered and its owner still present at `at`.
    pub fn exists_at(&self, tenant: &Tenant, at: DateTime<Utc>) -> bool {
        self.registered <= at && tenant.user(self.owner).exists_at(at)
    }
}

/// A security or Microsoft 365 group.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub mail_nickname: String,
    pub unified: bool,
    pub security_enabled: bool,
    pub is_assignable_to_role: bool,
    pub membership_rule: Option<String>,
    pub created: DateTime<Utc>,
    pub owners: Vec<u32>,
    pub members: Vec<u32>,
    pub member_groups: Vec<u32>,
}

impl Group {
    /// Membership is assigned by people (not a dynamic rule).
    pub fn is_assigned(&self) -> bool {
        self.membership_rule.is_none()
    }
}

/// A client secret of an application.
#[derive(Debug, Clone)]
pub struct PasswordCredential {
    pub key_id: String,
    pub display_name: String,
    pub hint: String,
    pub secret: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A certificate credential of an application.
#[derive(Debug, Clone)]
pub struct KeyCredential {
    pub key_id: String,
    pub display_name: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Set for the test clients, whose private keys are published.
    pub public_key_pem: Option<String>,
}

/// An app role an application defines.
#[derive(Debug, Clone)]
pub struct AppRole {
    pub id: String,
    pub value: String,
    pub display_name: String,
}

/// An application registered in this tenant.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub created: DateTime<Utc>,
    pub sign_in_audience: &'static str,
    pub owners: Vec<u32>,
    pub app_roles: Vec<AppRole>,
    /// Microsoft Graph application permissions granted (names).
    pub graph_permissions: Vec<String>,
    pub passwords: Vec<PasswordCredential>,
    pub certificates: Vec<KeyCredential>,
    /// Index of its service principal.
    pub service_principal: u32,
}

/// What a service principal stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpOrigin {
    /// A Microsoft application (index into the catalog's first-party apps).
    FirstParty(u16),
    /// An application of this tenant (index into `applications`).
    LineOfBusiness(u32),
    /// A multi-tenant SaaS app consented to (index into the catalog's third-party apps).
    ThirdParty(u16),
    /// A managed identity (index into `managed_identities`).
    ManagedIdentity(u32),
    /// The enterprise app of a provisioning job (index into `provisioning_jobs`).
    Provisioning(u32),
    /// An agent identity (Microsoft Entra Agent ID).
    Agent,
}

/// Agentic identity kind (beta `agent.agentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentType {
    NotAgentic,
    AgenticApp,
    AgenticAppInstance,
}

impl AgentType {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentType::NotAgentic => "notAgentic",
            AgentType::AgenticApp => "agenticApp",
            AgentType::AgenticAppInstance => "agenticAppInstance",
        }
    }
}

/// A service principal (enterprise application or managed identity).
#[derive(Debug, Clone)]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub origin: SpOrigin,
    pub app_owner_organization_id: String,
    pub created: DateTime<Utc>,
    pub alternative_names: Vec<String>,
    pub tags: Vec<&'static str>,
    pub agent: AgentType,
    /// For agent instances: the parent application's appId.
    pub agent_parent_app_id: Option<String>,
    /// Agents sign in with a federated identity credential (its id).
    pub federated_credential_id: Option<String>,
}

impl ServicePrincipal {
    /// `Application` or `ManagedIdentity`, as Graph writes `servicePrincipalType`.
    pub fn service_principal_type(&self) -> &'static str {
        match self.origin {
            SpOrigin::ManagedIdentity(_) => "ManagedIdentity",
            _ => "Application",
        }
    }
}

/// System- or user-assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsiType {
    SystemAssigned,
    UserAssigned,
}

impl MsiType {
    /// Graph's `msiType` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MsiType::SystemAssigned => "systemAssigned",
            MsiType::UserAssigned => "userAssigned",
        }
    }
}

/// A managed identity and the Azure resource that uses it.
#[derive(Debug, Clone)]
pub struct ManagedIdentity {
    pub kind: MsiType,
    pub name: String,
    /// ARM id of the identity's own resource (the VM for system-assigned ones).
    pub resource_id: String,
    /// Label of the resource type ("Virtual machine", "Function App"...).
    pub resource_label: String,
    pub service_principal: u32,
    /// First-party resources (service principal indices) it reads tokens for.
    pub resources: Vec<u16>,
    /// ARM id of the Azure resource that uses the identity (for a system-assigned
    /// identity, the resource itself; for a user-assigned one, the resource it is attached to).
    pub used_by: String,
    /// Label of `used_by`'s resource type.
    pub used_by_label: String,
    /// When a user-assigned identity was deleted (its service principal leaves the
    /// directory at that instant); None while it lives.
    pub deleted: Option<DateTime<Utc>>,
}

impl ManagedIdentity {
    /// Whether the identity (and its service principal) still exists at `at`.
    pub fn alive_at(&self, at: DateTime<Utc>) -> bool {
        self.deleted.is_none_or(|d| d > at)
    }
}

/// A directory role (built-in).
#[derive(Debug, Clone)]
pub struct RoleDefinition {
    pub id: String,
    pub template_id: String,
    pub display_name: String,
    pub description: String,
    pub privileged: bool,
    /// Maximum PIM activation, hours.
    pub activation_hours: u32,
    pub approval_required: bool,
}

/// A role held permanently (active assignment).
#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub id: String,
    pub role: u32,
    /// A user index, or a service principal index when `principal_is_sp`.
    pub principal: u32,
    pub principal_is_sp: bool,
    pub created: DateTime<Utc>,
}

/// A PIM eligibility: the user may activate the role.
#[derive(Debug, Clone)]
pub struct EligibilitySchedule {
    pub id: String,
    pub role: u32,
    pub principal: u32,
    pub start: DateTime<Utc>,
    /// None for permanent eligibility.
    pub end: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    /// Granted afresh, or a renewal of an expired eligibility.
    pub renewal: bool,
    /// When the end date was extended inside the window (the old end was a week earlier).
    pub extended: Option<DateTime<Utc>>,
}

/// A PIM assignment schedule (an active assignment with its time bounds).
#[derive(Debug, Clone)]
pub struct AssignmentSchedule {
    pub id: String,
    pub role: u32,
    pub principal: u32,
    pub principal_is_sp: bool,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
}

/// A Conditional Access policy sign-ins are evaluated against.
#[derive(Debug, Clone)]
pub struct CaPolicy {
    pub id: String,
    /// Index into the catalog's CA policy templates.
    pub template: u16,
}

/// An application permission held by a service principal (Graph `appRoleAssignment`).
#[derive(Debug, Clone)]
pub struct AppRoleGrant {
    pub id: String,
    /// The service principal holding the permission.
    pub principal: u32,
    /// The resource service principal defining the app role (e.g. Microsoft Graph).
    pub resource: u32,
    pub app_role_id: String,
    /// The app role's value, e.g. "User.Read.All".
    pub value: String,
    pub created: DateTime<Utc>,
}

/// Admin consent for all users to a multi-tenant app (Graph `oAuth2PermissionGrant`).
#[derive(Debug, Clone)]
pub struct DelegatedGrant {
    pub id: String,
    pub client: u32,
    pub resource: u32,
    pub scope: &'static str,
    pub created: DateTime<Utc>,
}

/// An Azure RBAC role held by a managed identity on an Azure scope.
#[derive(Debug, Clone)]
pub struct AzureRoleAssignment {
    pub id: String,
    pub principal: u32,
    pub role: &'static str,
    pub scope: String,
}

/// A directory change inside the log window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub kind: ChangeKind,
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    MemberAdded {
        group: u32,
        user: u32,
    },
    MemberRemoved {
        group: u32,
        user: u32,
    },
    OwnerAdded {
        group: u32,
        user: u32,
    },
    AccountDisabled(u32),
    AccountEnabled(u32),
    GroupCreated(u32),
    ApplicationCreated(u32),
    DeviceRegistered(u32),
    /// A permanent role assignment (index) made inside the window.
    RoleAssigned(u32),
    /// An eligibility (index) whose end date was extended.
    EligibilityExtended(u32),
}

/// A provisioning job of an enterprise app.
#[derive(Debug, Clone)]
pub struct ProvisioningJob {
    /// `<templateId>.<tenantId without hyphens>.<guid>`.
    pub id: String,
    /// Index into the catalog's provisioning apps.
    pub app: u16,
    pub service_principal: u32,
    /// Users this job provisions (inbound jobs: the users it created).
    pub users: Vec<u32>,
    pub groups: Vec<u32>,
}

/// A ready-made application tests may authenticate as.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub name: &'static str,
    pub application: u32,
}

impl Tenant {
    /// The domain user names are made on: the custom one if any.
    pub fn default_domain(&self) -> &str {
        self.custom_domains.first().unwrap_or(&self.initial_domain)
    }

    /// User index by object id.
    pub fn user_by_id(&self, id: &str) -> Option<u32> {
        self.lookup
            .users_by_id
            .get(&id.to_ascii_lowercase())
            .copied()
    }

    /// User index by user principal name or sign-in name (any case).
    pub fn user_by_upn(&self, upn: &str) -> Option<u32> {
        self.lookup.users_by_upn.get(&upn.to_lowercase()).copied()
    }

    /// Service principal index by object id.
    pub fn sp_by_id(&self, id: &str) -> Option<u32> {
        self.lookup.sps_by_id.get(&id.to_ascii_lowercase()).copied()
    }

    /// Service principal index by appId.
    pub fn sp_by_app_id(&self, app_id: &str) -> Option<u32> {
        self.lookup
            .sps_by_app_id
            .get(&app_id.to_ascii_lowercase())
            .copied()
    }

    /// Group index by object id.
    pub fn group_by_id(&self, id: &str) -> Option<u32> {
        self.lookup
            .groups_by_id
            .get(&id.to_ascii_lowercase())
            .copied()
    }

    /// Application index by appId.
    pub fn application_by_app_id(&self, app_id: &str) -> Option<u32> {
        self.lookup
            .apps_by_app_id
            .get(&app_id.to_ascii_lowercase())
            .copied()
    }

    /// The service principal of a user-facing application (for sign-ins).
    pub fn sp(&self, index: u32) -> &ServicePrincipal {
        &self.service_principals[index as usize]
    }

    /// When service principal `index` left the directory: only the service principals
    /// of deleted user-assigned identities do.
    pub fn sp_deleted(&self, index: u32) -> Option<DateTime<Utc>> {
        match self.sp(index).origin {
            SpOrigin::ManagedIdentity(mi) => self.managed_identities[mi as usize].deleted,
            _ => None,
        }
    }

    /// Whether service principal `index` is in the directory at `at` (not yet deleted).
    pub fn sp_alive_at(&self, index: u32, at: DateTime<Utc>) -> bool {
        self.sp_deleted(index).is_none_or(|d| d > at)
    }

    /// A user by index.
    pub fn user(&self, index: u32) -> &User {
        &self.users[index as usize]
    }

    fn build_lookup(&mut self) {
        let mut lookup = Lookup::default();
        for (i, u) in self.users.iter().enumerate() {
            lookup.users_by_id.insert(u.id.clone(), i as u32);
            lookup
                .users_by_upn
                .insert(u.user_principal_name.to_lowercase(), i as u32);
            lookup
                .users_by_upn
                .insert(u.sign_in_name.to_lowercase(), i as u32);
        }
        for (i, sp) in self.service_principals.iter().enumerate() {
            lookup.sps_by_id.insert(sp.id.clone(), i as u32);
            lookup.sps_by_app_id.insert(sp.app_id.clone(), i as u32);
        }
        for (i, g) in self.groups.iter().enumerate() {
            lookup.groups_by_id.insert(g.id.clone(), i as u32);
        }
        for (i, a) in self.applications.iter().enumerate() {
            lookup.apps_by_app_id.insert(a.app_id.clone(), i as u32);
        }
        self.lookup = lookup;
    }
}

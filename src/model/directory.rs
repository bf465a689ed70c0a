//! Directory objects (users, groups, applications, service principals, role
//! definitions, assignments and PIM schedules) as Graph JSON.

use crate::tenant::{Tenant, UserKind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Which directory collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Users,
    Groups,
    Applications,
    ServicePrincipals,
    RoleDefinitions,
    RoleAssignments,
    RoleEligibilitySchedules,
    RoleAssignmentSchedules,
}

impl Collection {
    /// Path under the version root, also the `@odata.context` fragment.
    pub fn path(self) -> &'static str {
        match self {
            Collection::Users => "users",
            Collection::Groups => "groups",
            Collection::Applications => "applications",
            Collection::ServicePrincipals => "servicePrincipals",
            Collection::RoleDefinitions => "roleManagement/directory/roleDefinitions",
            Collection::RoleAssignments => "roleManagement/directory/roleAssignments",
            Collection::RoleEligibilitySchedules => {
                "roleManagement/directory/roleEligibilitySchedules"
            }
            Collection::RoleAssignmentSchedules => {
                "roleManagement/directory/roleAssignmentSchedules"
            }
        }
    }

    /// Every object of the collection as Graph JSON, in directory order.
    /// Soft-deleted users are not listed (Graph keeps them under deletedItems).
    pub fn objects(self, tenant: &Tenant, now: DateTime<Utc>) -> Vec<Value> {
        match self {
            Collection::Users => (0..tenant.users.len())
                .filter(|&u| tenant.users[u].exists_at(now))
                .map(|u| user(tenant, u))
                .collect(),
            Collection::Groups => (0..tenant.groups.len()).map(|g| group(tenant, g)).collect(),
            Collection::Applications => (0..tenant.applications.len())
                .map(|a| application(tenant, a))
                .collect(),
            Collection::ServicePrincipals => (0..tenant.service_principals.len())
                .map(|s| service_principal(tenant, s))
                .collect(),
            Collection::RoleDefinitions => (0..tenant.role_definitions.len())
                .map(|r| role_definition(tenant, r))
                .collect(),
            Collection::RoleAssignments => (0..tenant.role_assignments.len())
                .map(|r| role_assignment(tenant, r))
                .collect(),
            Collection::RoleEligibilitySchedules => (0..tenant.eligibility_schedules.len())
                .map(|e| eligibility(tenant, e))
                .collect(),
            Collection::RoleAssignmentSchedules => (0..tenant.assignment_schedules.len())
                .map(|a| assignment_schedule(tenant, a))
                .collect(),
        }
    }
}

/// A user.
pub fn user(tenant: &Tenant, index: usize) -> Value {
    let u = &tenant.users[index];
    let location = &crate::catalog::Catalog::embedded().locations[u.home as usize];
    json!({
        "id": u.id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": (!u.given_name.is_empty()).then_some(&u.given_name),
        "surname": (!u.surname.is_empty()).then_some(&u.surname),
        "jobTitle": u.job_title,
        "department": u.department,
        "mail": u.mail,
        "mobilePhone": null,
        "officeLocation": (u.kind == UserKind::Member).then_some(&location.city),
        "preferredLanguage": "en-US",
        "userPrincipalName": u.user_principal_name,
        "accountEnabled": u.account_enabled,
        "userType": if u.kind == UserKind::Guest { "Guest" } else { "Member" },
        "usageLocation": location.country,
        "city": location.city,
        "country": location.country,
        "employeeId": u.employee_id,
        "createdDateTime": time(u.created),
        "creationType": if u.kind == UserKind::Guest { Some("Invitation") } else { None },
        "externalUserState": if u.kind == UserKind::Guest { Some("Accepted") } else { None },
        "manager": u.manager.map(|m| json!({"id": tenant.users[m as usize].id, "displayName": tenant.users[m as usize].display_name})),
    })
}

/// A group.
pub fn group(tenant: &Tenant, index: usize) -> Value {
    let g = &tenant.groups[index];
    let mut types: Vec<&str> = Vec::new();
    if g.unified {
        types.push("Unified");
    }
    if g.membership_rule.is_some() {
        types.push("DynamicMembership");
    }
    json!({
        "id": g.id,
        "displayName": g.display_name,
        "description": g.description,
        "mailNickname": g.mail_nickname,
        "mail": g.unified.then(|| format!("{}@{}", g.mail_nickname, tenant.default_domain())),
        "mailEnabled": g.unified,
        "securityEnabled": g.security_enabled,
        "groupTypes": types,
        "isAssignableToRole": g.is_assignable_to_role,
        "membershipRule": g.membership_rule,
        "membershipRuleProcessingState": g.membership_rule.as_ref().map(|_| "On"),
        "visibility": g.unified.then_some("Private"),
        "createdDateTime": time(g.created),
        "owners": g.owners.iter().map(|&o| tenant.users[o as usize].id.clone()).collect::<Vec<_>>(),
        "members": g.members.iter().map(|&m| json!({"@odata.type": "#microsoft.graph.user", "id": tenant.users[m as usize].id})).chain(
            g.member_groups.iter().map(|&n| json!({"@odata.type": "#microsoft.graph.group", "id": tenant.groups[n as usize].id}))).collect::<Vec<_>>(),
    })
}

/// An application registration.
pub fn application(tenant: &Tenant, index: usize) -> Value {
    let a = &tenant.applications[index];
    let graph_roles: Vec<Value> = a
        .graph_permissions
        .iter()
        .filter_map(|p| {
            crate::catalog::Catalog::embedded()
                .graph_permissions
                .iter()
                .find(|g| &g.name == p)
        })
        .map(|p| json!({"id": p.id, "type": "Role"}))
        .collect();
    json!({
        "id": a.id,
        "appId": a.app_id,
        "displayName": a.display_name,
        "createdDateTime": time(a.created),
        "signInAudience": a.sign_in_audience,
        "publisherDomain": tenant.default_domain(),
        "owners": a.owners.iter().map(|&o| tenant.users[o as usize].id.clone()).collect::<Vec<_>>(),
        "appRoles": a.app_roles.iter().map(|r| json!({"id": r.id, "value": r.value, "displayName": r.display_name,
            "description": r.display_name, "allowedMemberTypes": ["User", "Application"], "isEnabled": true})).collect::<Vec<_>>(),
        "requiredResourceAccess": if graph_roles.is_empty() { json!([]) } else {
            json!([{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": graph_roles}]) },
        "passwordCredentials": a.passwords.iter().map(|p| json!({"keyId": p.key_id, "displayName": p.display_name, "hint": p.hint,
            "startDateTime": time(p.start), "endDateTime": time(p.end), "secretText": null, "customKeyIdentifier": null})).collect::<Vec<_>>(),
        "keyCredentials": a.certificates.iter().map(|k| json!({"keyId": k.key_id, "displayName": k.display_name, "type": "AsymmetricX509Cert",
            "usage": "Verify", "customKeyIdentifier": k.thumbprint, "startDateTime": time(k.start), "endDateTime": time(k.end), "key": null})).collect::<Vec<_>>(),
    })
}

/// A service principal.
pub fn service_principal(tenant: &Tenant, index: usize) -> Value {
    let s = &tenant.service_principals[index];
    json!({
        "id": s.id,
        "appId": s.app_id,
        "displayName": s.display_name,
        "appDisplayName": s.display_name,
        "servicePrincipalType": s.service_principal_type(),
        "accountEnabled": true,
        "appOwnerOrganizationId": s.app_owner_organization_id,
        "alternativeNames": s.alternative_names,
        "servicePrincipalNames": [s.app_id.clone()],
        "tags": s.tags,
        "createdDateTime": time(s.created),
    })
}

/// A built-in role definition.
pub fn role_definition(tenant: &Tenant, index: usize) -> Value {
    let r = &tenant.role_definitions[index];
    json!({
        "id": r.id,
        "description": r.description,
        "displayName": r.display_name,
        "isBuiltIn": true,
        "isEnabled": true,
        "isPrivileged": r.privileged,
        "templateId": r.template_id,
        "version": "1",
        "resourceScopes": ["/"],
        "rolePermissions": [],
    })
}

fn principal_id(tenant: &Tenant, index: u32, is_sp: bool) -> &str {
    if is_sp {
        &tenant.service_principals[index as usize].id
    } else {
        &tenant.users[index as usize].id
    }
}

/// A permanent role assignment.
pub fn role_assignment(tenant: &Tenant, index: usize) -> Value {
    let a = &tenant.role_assignments[index];
    json!({
        "id": a.id,
        "principalId": principal_id(tenant, a.principal, a.principal_is_sp),
        "roleDefinitionId": tenant.role_definitions[a.role as usize].id,
        "directoryScopeId": "/",
        "appScopeId": null,
    })
}

/// A PIM eligibility schedule.
pub fn eligibility(tenant: &Tenant, index: usize) -> Value {
    let e = &tenant.eligibility_schedules[index];
    json!({
        "id": e.id,
        "principalId": tenant.users[e.principal as usize].id,
        "roleDefinitionId": tenant.role_definitions[e.role as usize].id,
        "directoryScopeId": "/",
        "appScopeId": null,
        "createdUsing": e.id,
        "createdDateTime": time(e.created),
        "modifiedDateTime": null,
        "status": "Provisioned",
        "memberType": "Direct",
        "scheduleInfo": schedule_info(e.start, e.end),
    })
}

/// A PIM assignment schedule.
pub fn assignment_schedule(tenant: &Tenant, index: usize) -> Value {
    let a = &tenant.assignment_schedules[index];
    json!({
        "id": a.id,
        "principalId": principal_id(tenant, a.principal, a.principal_is_sp),
        "roleDefinitionId": tenant.role_definitions[a.role as usize].id,
        "directoryScopeId": "/",
        "appScopeId": null,
        "createdUsing": a.id,
        "createdDateTime": time(a.created),
        "modifiedDateTime": null,
        "status": "Provisioned",
        "assignmentType": "Assigned",
        "memberType": "Direct",
        "scheduleInfo": schedule_info(a.start, a.end),
    })
}

fn schedule_info(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Value {
    json!({
        "startDateTime": time(start),
        "recurrence": null,
        "expiration": match end {
            Some(end) => json!({"type": "afterDateTime", "endDateTime": time(end), "duration": null}),
            None => json!({"type": "noExpiration", "endDateTime": null, "duration": null}),
        },
    })
}

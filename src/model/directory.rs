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
    /// PIM's eligibilities in force (served from `http::pim_instances`).
    RoleEligibilityScheduleInstances,
    /// PIM's assignments in force, permanent and activated.
    RoleAssignmentScheduleInstances,
    /// PIM's assignment requests (admin assignments and self-activations).
    RoleAssignmentScheduleRequests,
    /// `directory/deletedItems/microsoft.graph.{type}`: the OData cast is required.
    Deleted(DeletedType),
    /// `directory/deletedItems/{id}`: every deleted object, each with its `@odata.type`.
    DeletedItems,
}

/// The OData casts `directory/deletedItems` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedType {
    User,
    Group,
    Application,
    ServicePrincipal,
}

impl DeletedType {
    /// From the cast segment, `microsoft.graph.user` or its alias `graph.user` (which
    /// the Kiota SDKs send), in any case.
    pub fn from_cast(segment: &str) -> Option<DeletedType> {
        let lower = segment.to_ascii_lowercase();
        Some(match lower.strip_prefix("microsoft.").unwrap_or(&lower) {
            "graph.user" => DeletedType::User,
            "graph.group" => DeletedType::Group,
            "graph.application" => DeletedType::Application,
            "graph.serviceprincipal" => DeletedType::ServicePrincipal,
            _ => return None,
        })
    }

    /// The collection of live objects of this type.
    pub fn live(self) -> Collection {
        match self {
            DeletedType::User => Collection::Users,
            DeletedType::Group => Collection::Groups,
            DeletedType::Application => Collection::Applications,
            DeletedType::ServicePrincipal => Collection::ServicePrincipals,
        }
    }
}

/// Builds one directory object from its index in the tenant.
type Build = fn(&Tenant, usize) -> Value;

/// Graph keeps a deleted object restorable for 30 days, then purges it.
const RESTORABLE_DAYS: i64 = 30;

impl Collection {
    /// Path under the version root; also the `@odata.context` fragment, except for
    /// deleted items (see [`Collection::context`]).
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
            Collection::RoleEligibilityScheduleInstances => {
                "roleManagement/directory/roleEligibilityScheduleInstances"
            }
            Collection::RoleAssignmentScheduleInstances => {
                "roleManagement/directory/roleAssignmentScheduleInstances"
            }
            Collection::RoleAssignmentScheduleRequests => {
                "roleManagement/directory/roleAssignmentScheduleRequests"
            }
            Collection::Deleted(DeletedType::User) => "directory/deletedItems/microsoft.graph.user",
            Collection::Deleted(DeletedType::Group) => {
                "directory/deletedItems/microsoft.graph.group"
            }
            Collection::Deleted(DeletedType::Application) => {
                "directory/deletedItems/microsoft.graph.application"
            }
            Collection::Deleted(DeletedType::ServicePrincipal) => {
                "directory/deletedItems/microsoft.graph.servicePrincipal"
            }
            Collection::DeletedItems => "directory/deletedItems",
        }
    }

    /// The `@odata.context` fragment: a cast listing names the entity set of its
    /// type (`#users`), a single deleted item is a `directoryObject`.
    pub fn context(self) -> &'static str {
        match self {
            Collection::Deleted(t) => t.live().path(),
            Collection::DeletedItems => "directoryObjects",
            other => other.path(),
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
            // A deleted user-assigned identity's service principal leaves the directory.
            Collection::ServicePrincipals => (0..tenant.service_principals.len())
                .filter(|&s| tenant.sp_alive_at(s as u32, now))
                .map(|s| service_principal(tenant, s))
                .collect(),
            Collection::Deleted(DeletedType::User) => deleted_users(tenant, now).collect(),
            // The generator deletes users only (README, Known gaps): these casts are
            // Graph's answer for a tenant that has deleted none of that type.
            Collection::Deleted(_) => Vec::new(),
            Collection::DeletedItems => deleted_users(tenant, now)
                .map(|mut user| {
                    let mut typed = serde_json::Map::new();
                    typed.insert("@odata.type".into(), json!("#microsoft.graph.user"));
                    typed.append(user.as_object_mut().expect("a user is an object"));
                    Value::Object(typed)
                })
                .collect(),
            // Derived from the logs as well: see `http::pim_instances`.
            Collection::RoleEligibilityScheduleInstances
            | Collection::RoleAssignmentScheduleInstances
            | Collection::RoleAssignmentScheduleRequests => Vec::new(),
            listed => {
                let (count, build) = listed.builder(tenant).expect("a listed collection");
                (0..count).map(|i| build(tenant, i)).collect()
            }
        }
    }

    /// The collection as `tenant --json` prints it: Graph's objects plus the
    /// relationships Graph serves only through navigation or `$expand` (a user's
    /// `manager`, a group's `owners` and `members`, an application's `owners`),
    /// which the tenant document has always carried, in their former places.
    pub fn with_relationships(self, tenant: &Tenant, now: DateTime<Utc>) -> Vec<Value> {
        match self {
            Collection::Users => (0..tenant.users.len())
                .filter(|&u| tenant.users[u].exists_at(now))
                .map(|u| user_with_manager(tenant, u))
                .collect(),
            Collection::Groups => (0..tenant.groups.len())
                .map(|g| {
                    let (mut object, relations) = (group(tenant, g), &tenant.groups[g]);
                    object["owners"] = json!(user_ids(tenant, &relations.owners));
                    let users = relations.members.iter().map(|&m| {
                        json!({"@odata.type": "#microsoft.graph.user", "id": tenant.users[m as usize].id})
                    });
                    let groups = relations.member_groups.iter().map(|&n| {
                        json!({"@odata.type": "#microsoft.graph.group", "id": tenant.groups[n as usize].id})
                    });
                    object["members"] = Value::Array(users.chain(groups).collect());
                    object
                })
                .collect(),
            Collection::Applications => (0..tenant.applications.len())
                .map(|a| {
                    let owners = json!(user_ids(tenant, &tenant.applications[a].owners));
                    insert_after(application(tenant, a), "publisherDomain", "owners", owners)
                })
                .collect(),
            other => other.objects(tenant, now),
        }
    }

    /// The type's navigation properties: Graph returns them only on `$expand` or
    /// at their own path, so a `$select` naming one is taken and leaves it out
    /// (inferred: no source shows Graph refusing it; README).
    pub fn navigation_properties(self) -> &'static [&'static str] {
        match self {
            Collection::Users => &[
                "manager",
                "memberOf",
                "transitiveMemberOf",
                "directReports",
                "ownedObjects",
                "appRoleAssignments",
            ],
            Collection::Groups => &["members", "owners", "transitiveMembers", "memberOf"],
            Collection::Applications => &["owners"],
            Collection::ServicePrincipals => &[
                "owners",
                "appRoleAssignedTo",
                "appRoleAssignments",
                "oauth2PermissionGrants",
                "memberOf",
            ],
            _ => &[],
        }
    }

    /// Whether `name` is one of [`Collection::navigation_properties`].
    pub fn is_navigation(self, name: &str) -> bool {
        self.navigation_properties()
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether `$select` may name `name`: a property of the type's objects, judged
    /// on the tenant's first one, so that an empty page refuses what a full one does.
    pub fn has_property(self, tenant: &Tenant, name: &str) -> bool {
        match self {
            Collection::Deleted(t) => {
                name.eq_ignore_ascii_case("deletedDateTime") || t.live().has_property(tenant, name)
            }
            Collection::DeletedItems => {
                Collection::Deleted(DeletedType::User).has_property(tenant, name)
            }
            Collection::RoleEligibilityScheduleInstances
            | Collection::RoleAssignmentScheduleInstances
            | Collection::RoleAssignmentScheduleRequests => self
                .properties()
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name)),
            live => live
                .builder(tenant)
                .is_some_and(|(count, build)| count > 0 && has_key(&build(tenant, 0), name)),
        }
    }

    /// The properties of the PIM collections derived from the logs (for `$select`).
    fn properties(self) -> &'static [&'static str] {
        const BASE: [&str; 5] = [
            "id",
            "principalId",
            "roleDefinitionId",
            "directoryScopeId",
            "appScopeId",
        ];
        match self {
            Collection::RoleEligibilityScheduleInstances => &[
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                BASE[4],
                "startDateTime",
                "endDateTime",
                "memberType",
                "roleEligibilityScheduleId",
            ],
            Collection::RoleAssignmentScheduleInstances => &[
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                BASE[4],
                "startDateTime",
                "endDateTime",
                "assignmentType",
                "memberType",
                "roleAssignmentOriginId",
                "roleAssignmentScheduleId",
            ],
            _ => &[
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                BASE[4],
                "status",
                "createdDateTime",
                "completedDateTime",
                "approvalId",
                "customData",
                "action",
                "isValidationOnly",
                "targetScheduleId",
                "justification",
                "createdBy",
                "scheduleInfo",
                "ticketInfo",
            ],
        }
    }

    /// How many objects the tenant holds of a directly listed type, and how one is
    /// built from its index.
    fn builder(self, tenant: &Tenant) -> Option<(usize, Build)> {
        Some(match self {
            Collection::Users => (tenant.users.len(), user),
            Collection::Groups => (tenant.groups.len(), group),
            Collection::Applications => (tenant.applications.len(), application),
            Collection::ServicePrincipals => (tenant.service_principals.len(), service_principal),
            Collection::RoleDefinitions => (tenant.role_definitions.len(), role_definition),
            Collection::RoleAssignments => (tenant.role_assignments.len(), role_assignment),
            Collection::RoleEligibilitySchedules => {
                (tenant.eligibility_schedules.len(), eligibility)
            }
            Collection::RoleAssignmentSchedules => {
                (tenant.assignment_schedules.len(), assignment_schedule)
            }
            Collection::Deleted(_)
            | Collection::DeletedItems
            | Collection::RoleEligibilityScheduleInstances
            | Collection::RoleAssignmentScheduleInstances
            | Collection::RoleAssignmentScheduleRequests => return None,
        })
    }
}

/// Users soft-deleted at or before `now` and not yet purged, each with its
/// `deletedDateTime`, in directory order.
pub fn deleted_users(tenant: &Tenant, now: DateTime<Utc>) -> impl Iterator<Item = Value> + '_ {
    deleted_users_as(tenant, now, user)
}

/// Deleted users as `tenant --json` prints them (with their manager).
pub fn deleted_users_with_manager(
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> impl Iterator<Item = Value> + '_ {
    deleted_users_as(tenant, now, user_with_manager)
}

fn deleted_users_as(
    tenant: &Tenant,
    now: DateTime<Utc>,
    build: Build,
) -> impl Iterator<Item = Value> + '_ {
    (0..tenant.users.len()).filter_map(move |u| {
        let deleted = tenant.users[u].deleted?;
        let restorable = deleted <= now && now < deleted + chrono::Duration::days(RESTORABLE_DAYS);
        restorable.then(|| {
            let mut user = build(tenant, u);
            user["deletedDateTime"] = json!(time(deleted));
            user
        })
    })
}

/// A user with its `manager {id, displayName}` (`tenant --json` only; Graph
/// returns the manager on `$expand` or `/manager`).
fn user_with_manager(tenant: &Tenant, index: usize) -> Value {
    let mut object = user(tenant, index);
    object["manager"] = json!(tenant.users[index].manager.map(|m| json!({
        "id": tenant.users[m as usize].id,
        "displayName": tenant.users[m as usize].display_name,
    })));
    object
}

fn user_ids(tenant: &Tenant, users: &[u32]) -> Vec<String> {
    users
        .iter()
        .map(|&u| tenant.users[u as usize].id.clone())
        .collect()
}

/// The object with `key` placed right after `after` (properties keep their order).
fn insert_after(object: Value, after: &str, key: &str, value: Value) -> Value {
    let Value::Object(fields) = object else {
        return object;
    };
    let mut out = serde_json::Map::new();
    for (name, v) in fields {
        let here = name == after;
        out.insert(name, v);
        if here {
            out.insert(key.into(), value.clone());
        }
    }
    Value::Object(out)
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

/// The object id of a role's principal: a user, or a service principal.
pub fn principal_id(tenant: &Tenant, index: u32, is_sp: bool) -> &str {
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

/// Whether a JSON object has this property; `$select` names match case-insensitively,
/// as Graph matches them (`$select=UserType, Mail` in public tools, issue 13).
fn has_key(object: &Value, name: &str) -> bool {
    object
        .as_object()
        .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(name)))
}

/// The OData type name of a live collection's items (`user`, `group`, …).
pub fn type_name(collection: Collection) -> &'static str {
    match collection {
        Collection::Users => "user",
        Collection::Groups => "group",
        Collection::Applications => "application",
        _ => "servicePrincipal",
    }
}

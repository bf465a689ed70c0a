//! `$expand` on directory listings and entities: which navigation properties
//! Graph expands per type, at most 20 objects per expanded collection and no
//! nextLink ("Use query parameters": directoryObject resources), and Graph's
//! error for a name the type does not have.

use super::directory_keys::{Object, any_by_id, related};
use super::error::GraphError;
use crate::model::directory::{self as model, Collection};
use crate::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Objects an expanded collection holds at most.
pub const MAX_EXPANDED: usize = 20;

/// One validated `$expand` item: its canonical name and an optional nested `$select`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub name: &'static str,
    pub select: Option<Vec<String>>,
}

/// The navigation properties a collection's items expand, and the OData type named
/// in the error for any other.
fn expandable(collection: Collection) -> (&'static [&'static str], &'static str) {
    const ROLE: &[&str] = &["roleDefinition", "principal"];
    match collection {
        Collection::Users => (&["manager", "memberOf", "directReports"], "user"),
        Collection::Groups => (&["members", "owners"], "group"),
        Collection::ServicePrincipals => (&["owners"], "servicePrincipal"),
        Collection::Applications => (&["owners"], "application"),
        Collection::RoleDefinitions => (&[], "unifiedRoleDefinition"),
        Collection::RoleAssignments => (ROLE, "unifiedRoleAssignment"),
        Collection::RoleEligibilitySchedules => (ROLE, "unifiedRoleEligibilitySchedule"),
        Collection::RoleAssignmentSchedules => (ROLE, "unifiedRoleAssignmentSchedule"),
        Collection::RoleEligibilityScheduleInstances => {
            (ROLE, "unifiedRoleEligibilityScheduleInstance")
        }
        Collection::RoleAssignmentScheduleInstances => {
            (ROLE, "unifiedRoleAssignmentScheduleInstance")
        }
        Collection::RoleAssignmentScheduleRequests => {
            (ROLE, "unifiedRoleAssignmentScheduleRequest")
        }
        Collection::Deleted(t) => (&[], model::type_name(t.live())),
        Collection::DeletedItems => (&[], "directoryObject"),
    }
}

/// Parses and checks `$expand` items (`members`, `members($select=id,displayName)`).
pub fn check(collection: Collection, items: &[String]) -> Result<Vec<Expansion>, GraphError> {
    let (names, type_name) = expandable(collection);
    items
        .iter()
        .map(|item| {
            let (name, nested) = match item.split_once('(') {
                Some((name, rest)) => (name.trim(), Some(rest.strip_suffix(')').unwrap_or(rest))),
                None => (item.trim(), None),
            };
            let canonical = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    GraphError::bad_request(format!(
                        "Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'."
                    ))
                })?;
            Ok(Expansion {
                name: canonical,
                select: nested.map(nested_select).transpose()?,
            })
        })
        .collect()
}

/// `$select=a,b` inside an expand item; other nested options are refused.
fn nested_select(options: &str) -> Result<Vec<String>, GraphError> {
    let (name, value) = options.split_once('=').unwrap_or((options, ""));
    if !name.trim().eq_ignore_ascii_case("$select") {
        return Err(GraphError::bad_request(format!(
            "Query option '{}' is not allowed inside $expand.",
            name.trim()
        )));
    }
    Ok(value.split(',').map(|s| s.trim().to_string()).collect())
}

/// Adds each expansion to each object of the page.
pub fn apply(tenant: &Tenant, now: DateTime<Utc>, expansions: &[Expansion], page: &mut [Value]) {
    for object in page.iter_mut() {
        for e in expansions {
            let value = expanded(tenant, now, e, object);
            if let Value::Object(fields) = object {
                // A single-valued property with nothing behind it is left out.
                match value {
                    Value::Null => fields.remove(e.name),
                    value => fields.insert(e.name.into(), value),
                };
            }
        }
    }
}

fn expanded(tenant: &Tenant, now: DateTime<Utc>, e: &Expansion, object: &Value) -> Value {
    let shape = |o: Object| project(o.typed(tenant), e.select.as_deref());
    let text = |name: &str| object[name].as_str().unwrap_or_default().to_string();
    match e.name {
        "roleDefinition" => {
            let id = text("roleDefinitionId");
            (0..tenant.role_definitions.len())
                .find(|&r| tenant.role_definitions[r].id.eq_ignore_ascii_case(&id))
                .map_or(Value::Null, |r| {
                    project(model::role_definition(tenant, r), e.select.as_deref())
                })
        }
        "principal" => any_by_id(tenant, &text("principalId"), now).map_or(Value::Null, shape),
        nav => {
            let lower = nav.to_ascii_lowercase();
            let Ok(owner) = any_by_id(tenant, &text("id"), now) else {
                // A principal imported records added: no manager, empty collections.
                return if lower == "manager" {
                    Value::Null
                } else {
                    Value::Array(Vec::new())
                };
            };
            if lower == "manager" {
                return match owner {
                    Object::User(u) => tenant.users[u]
                        .manager
                        .map(|m| Object::User(m as usize))
                        .filter(|m| matches!(m, Object::User(i) if tenant.users[*i].exists_at(now)))
                        .map_or(Value::Null, shape),
                    _ => Value::Null,
                };
            }
            let list = related(tenant, now, owner, &lower).unwrap_or_default();
            Value::Array(list.into_iter().take(MAX_EXPANDED).map(shape).collect())
        }
    }
}

/// `@odata.type`, `id` and the nested `$select` names, or the whole object.
fn project(object: Value, select: Option<&[String]>) -> Value {
    let Some(select) = select else {
        return object;
    };
    let mut picked = Map::new();
    if let Value::Object(fields) = object {
        for (key, value) in fields {
            let keep = key == "@odata.type"
                || key == "id"
                || select.iter().any(|s| s.eq_ignore_ascii_case(&key));
            if keep {
                picked.insert(key, value);
            }
        }
    }
    Value::Object(picked)
}

/// Puts expanded properties back after a `$select` projection dropped them.
pub fn keep(expansions: &[Expansion], full: &Value, projected: &mut Value) {
    for e in expansions {
        if let (Some(v), Value::Object(fields)) = (full.get(e.name), &mut *projected) {
            fields.insert(e.name.into(), v.clone());
        }
    }
}

//! Users, applications and service principals that imported records name and
//! the tenant lacks, kept beside the tenant (run-time state a reset clears) so
//! the directory answers for everyone the imported logs mention.
//!
//! Only what the records say is known: a user's id, userPrincipalName and
//! displayName; an app's appId, displayName and service principal id. Every
//! other property is served as Graph serves an unset one (`null`, or `[]`
//! for a collection), in the tenant's own objects' property order.

use crate::rng::{Seed, guid_from_bits};
use crate::tenant::Tenant;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A user named by imported records.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenUser {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
}

/// An app named by imported records (its application and service principal).
#[derive(Debug, Clone, PartialEq)]
pub struct SeenApp {
    pub app_id: String,
    pub display_name: Option<String>,
    /// The application object's id (derived: records never carry it).
    pub application_id: String,
    /// The service principal's id, as the records gave it or derived.
    pub service_principal_id: String,
}

/// The principals imported records added, keyed by lower-case id / appId.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principals {
    pub users: BTreeMap<String, SeenUser>,
    pub apps: BTreeMap<String, SeenApp>,
}

impl Principals {
    /// Notes the principals one imported record names (sign-in, audit or
    /// provisioning JSON in Graph's shape) that `tenant` lacks.
    pub fn note(&mut self, tenant: &Tenant, record: &Value) {
        let mut users = vec![user(
            record,
            "userId",
            "userPrincipalName",
            "userDisplayName",
        )];
        users.push(user(
            &record["initiatedBy"]["user"],
            "id",
            "userPrincipalName",
            "displayName",
        ));
        for target in record["targetResources"].as_array().into_iter().flatten() {
            if text(target, "type").is_some_and(|t| t.eq_ignore_ascii_case("user")) {
                users.push(user(target, "id", "userPrincipalName", "displayName"));
            }
        }
        for (id, upn, name) in users {
            if let Some(id) = id {
                self.note_user(tenant, id, upn, name);
            }
        }
        let app = &record["initiatedBy"]["app"];
        for (app_id, name, sp_id) in [
            (
                text(record, "appId"),
                text(record, "appDisplayName"),
                text(record, "servicePrincipalId"),
            ),
            (
                text(app, "appId"),
                text(app, "displayName"),
                text(app, "servicePrincipalId"),
            ),
        ] {
            if let Some(app_id) = app_id {
                self.note_app(tenant, app_id, name, sp_id);
            }
        }
    }

    fn note_user(&mut self, tenant: &Tenant, id: &str, upn: Option<&str>, name: Option<&str>) {
        let key = id.to_ascii_lowercase();
        let known = tenant.users.iter().any(|u| {
            u.id.eq_ignore_ascii_case(id)
                || upn.is_some_and(|n| u.user_principal_name.eq_ignore_ascii_case(n))
        });
        if !is_object_id(id) || known {
            return;
        }
        let seen = self.users.entry(key).or_insert_with(|| SeenUser {
            id: id.to_string(),
            user_principal_name: None,
            display_name: None,
        });
        fill(&mut seen.user_principal_name, upn);
        fill(&mut seen.display_name, name);
    }

    fn note_app(&mut self, tenant: &Tenant, app_id: &str, name: Option<&str>, sp: Option<&str>) {
        let key = app_id.to_ascii_lowercase();
        let known = tenant
            .service_principals
            .iter()
            .any(|s| s.app_id.eq_ignore_ascii_case(app_id))
            || tenant
                .applications
                .iter()
                .any(|a| a.app_id.eq_ignore_ascii_case(app_id));
        if !is_object_id(app_id) || known {
            return;
        }
        let derived = |purpose: &str| derived_id(tenant.seed, purpose, &key);
        let seen = self.apps.entry(key.clone()).or_insert_with(|| SeenApp {
            app_id: app_id.to_string(),
            display_name: None,
            application_id: derived("imported-application"),
            service_principal_id: derived("imported-service-principal"),
        });
        fill(&mut seen.display_name, name);
        // The records' own service principal id, unless it is a tenant object's.
        let taken = |id: &str| tenant.service_principals.iter().any(|s| s.id == id);
        if let Some(id) = sp.filter(|id| is_object_id(id) && !taken(id)) {
            seen.service_principal_id = id.to_string();
        }
    }

    /// The added users as `GET /users` serves them.
    pub fn users_json(&self, template: Option<Value>) -> Vec<Value> {
        self.users
            .values()
            .map(|u| {
                blank(
                    template.clone(),
                    [
                        ("id", json!(u.id)),
                        ("displayName", json!(u.display_name)),
                        ("userPrincipalName", json!(u.user_principal_name)),
                    ],
                )
            })
            .collect()
    }

    /// The added applications as `GET /applications` serves them.
    pub fn applications_json(&self, template: Option<Value>) -> Vec<Value> {
        self.apps
            .values()
            .map(|a| {
                blank(
                    template.clone(),
                    [
                        ("id", json!(a.application_id)),
                        ("appId", json!(a.app_id)),
                        ("displayName", json!(a.display_name)),
                    ],
                )
            })
            .collect()
    }

    /// The added service principals as `GET /servicePrincipals` serves them.
    pub fn service_principals_json(&self, template: Option<Value>) -> Vec<Value> {
        self.apps
            .values()
            .map(|a| {
                blank(
                    template.clone(),
                    [
                        ("id", json!(a.service_principal_id)),
                        ("appId", json!(a.app_id)),
                        ("appDisplayName", json!(a.display_name)),
                        ("displayName", json!(a.display_name)),
                    ],
                )
            })
            .collect()
    }

    /// The added user with this id or userPrincipalName.
    pub fn user_by_key(&self, key: &str) -> Option<&SeenUser> {
        self.users.values().find(|u| {
            u.id.eq_ignore_ascii_case(key)
                || u.user_principal_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(key))
        })
    }

    /// The added app with this appId.
    pub fn app(&self, app_id: &str) -> Option<&SeenApp> {
        self.apps.get(&app_id.to_ascii_lowercase())
    }
}

/// A user's (id, userPrincipalName, displayName) under these names.
fn user<'a>(v: &'a Value, id: &str, upn: &str, name: &str) -> UserNames<'a> {
    (text(v, id), text(v, upn), text(v, name))
}

type UserNames<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn text<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value[name].as_str().filter(|s| !s.trim().is_empty())
}

fn fill(slot: &mut Option<String>, value: Option<&str>) {
    if slot.is_none() {
        *slot = value.map(str::to_string);
    }
}

/// A non-nil GUID (sign-ins of unknown accounts carry `""` or the nil GUID).
fn is_object_id(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| !u.is_nil())
}

/// A GUID from the seed and an appId, the same on every import of the app.
fn derived_id(seed: Seed, purpose: &str, app_id: &str) -> String {
    let key = seed.key(&format!("{purpose}/{app_id}"), 0);
    let half = |i: usize| u64::from_be_bytes(key[i..i + 8].try_into().expect("8 bytes"));
    guid_from_bits(half(0), half(8))
}

/// The template's properties unset (collections empty, the rest `null`), with
/// `known` filled in; without a template, `known` alone.
fn blank<const N: usize>(template: Option<Value>, known: [(&str, Value); N]) -> Value {
    let mut object: Map<String, Value> = match template {
        Some(Value::Object(fields)) => fields
            .into_iter()
            .map(|(k, v)| {
                let unset = if v.is_array() { json!([]) } else { Value::Null };
                (k, unset)
            })
            .collect(),
        _ => Map::new(),
    };
    for (name, value) in known {
        object.insert(name.to_string(), value);
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_all_zero_ids_name_nobody() {
        assert!(!is_object_id(""));
        assert!(!is_object_id("00000000-0000-0000-0000-000000000000"));
        assert!(!is_object_id("not-a-guid"));
        assert!(is_object_id("3f6e2b9a-1c4d-4e8f-9a7b-5c6d7e8f9a0b"));
    }

    #[test]
    fn unsaid_properties_are_null_and_collections_empty_in_the_template_order() {
        let template =
            json!({"id": "x", "businessPhones": ["1"], "mail": "a@b", "displayName": "A"});
        let added = blank(
            Some(template),
            [("id", json!("y")), ("displayName", json!(null))],
        );
        let names: Vec<_> = added.as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, ["id", "businessPhones", "mail", "displayName"]);
        assert_eq!(
            added,
            json!({"id": "y", "businessPhones": [], "mail": null, "displayName": null})
        );
    }

    #[test]
    fn derived_ids_are_stable_guids_that_differ_by_purpose() {
        let app = "8d2c4e6f-7a9b-4c1d-8e2f-3a4b5c6d7e8f";
        let a = derived_id(Seed(7), "imported-application", app);
        assert_eq!(a, derived_id(Seed(7), "imported-application", app));
        assert_ne!(a, derived_id(Seed(7), "imported-service-principal", app));
        assert!(is_object_id(&a));
    }
}

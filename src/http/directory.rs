//! The read-only directory: users, groups, applications, service principals
//! and the role-management collections, with `$top`, `$filter`, `$select`,
//! `$count` and skip-token paging.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::logs::{cursor_of, decoded, version_name};
use super::middleware::JSON;
use super::{advanced, expand, pim_instances, sign_in_activity};
use crate::activity::Plan;
use crate::app::AppState;
use crate::model::directory::Collection;
use crate::query::QueryError;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options::{self, Options};
use crate::query::skiptoken::{Cursor, query_hash};
use crate::store::TenantLogs;
use crate::store::records::{datetime, ticks};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The capability-table resource of a collection.
pub fn resource(collection: Collection) -> Resource {
    match collection {
        Collection::Users => Resource::Users,
        Collection::Groups => Resource::Groups,
        Collection::Applications => Resource::Applications,
        Collection::ServicePrincipals => Resource::ServicePrincipals,
        Collection::RoleDefinitions => Resource::RoleDefinitions,
        Collection::RoleAssignments => Resource::RoleAssignments,
        Collection::RoleEligibilitySchedules => Resource::RoleEligibilitySchedules,
        Collection::RoleAssignmentSchedules => Resource::RoleAssignmentSchedules,
        Collection::RoleEligibilityScheduleInstances => Resource::RoleEligibilityScheduleInstances,
        Collection::RoleAssignmentScheduleInstances => Resource::RoleAssignmentScheduleInstances,
        Collection::RoleAssignmentScheduleRequests => Resource::RoleAssignmentScheduleRequests,
        Collection::Deleted(t) => resource(t.live()),
        // Only ever read by id, never filtered.
        Collection::DeletedItems => Resource::Users,
    }
}

fn context(version: ApiVersion, fragment: &str) -> String {
    let v = if version == ApiVersion::V1 {
        "v1.0"
    } else {
        "beta"
    };
    format!("https://graph.microsoft.com/{v}/$metadata#{fragment}")
}

/// The objects of a collection at `at`: the tenant's, or for PIM's instances and
/// requests, the tenant's schedules with the audit log's activation chains.
pub fn objects_at(collection: Collection, logs: &TenantLogs, at: DateTime<Utc>) -> Vec<Value> {
    match collection {
        Collection::RoleEligibilityScheduleInstances => {
            pim_instances::eligibility_instances(&logs.plan, at)
        }
        Collection::RoleAssignmentScheduleInstances => {
            pim_instances::assignment_instances(logs, at)
        }
        Collection::RoleAssignmentScheduleRequests => pim_instances::assignment_requests(logs, at),
        other => {
            let mut objects = other.objects(&logs.plan.tenant, at);
            objects.extend(imported(other, logs));
            objects
        }
    }
}

/// The users, applications and service principals imported records added,
/// shaped like the tenant's own (its first object gives the property order).
pub(super) fn imported(collection: Collection, logs: &TenantLogs) -> Vec<Value> {
    let (tenant, added) = (&logs.plan.tenant, &logs.principals);
    if added.users.is_empty() && added.apps.is_empty() {
        return Vec::new();
    }
    use crate::model::directory as model;
    match collection {
        Collection::Users => {
            added.users_json((!tenant.users.is_empty()).then(|| model::user(tenant, 0)))
        }
        Collection::Applications => added.applications_json(
            (!tenant.applications.is_empty()).then(|| model::application(tenant, 0)),
        ),
        Collection::ServicePrincipals => added.service_principals_json(
            (!tenant.service_principals.is_empty()).then(|| model::service_principal(tenant, 0)),
        ),
        _ => Vec::new(),
    }
}

/// `GET /{version}/{collection}` (and, with `count_only`, `/{collection}/$count`).
pub fn list(
    collection: Collection,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    serve_list(collection, req, state, caller, version, false)
}

/// `GET /{version}/{collection}/$count`: the number as text/plain.
pub fn count(
    collection: Collection,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    serve_list(collection, req, state, caller, version, true)
}

/// Options of a directory listing, with the advanced-query rules applied.
fn list_options(
    collection: Collection,
    req: &HttpRequest,
    version: ApiVersion,
    count_only: bool,
) -> Result<Options, GraphError> {
    let resource = resource(collection);
    let mut options = options::parse(
        req.query_string(),
        resource,
        version,
        options::rules(resource, true),
    )?;
    if resource.is_directory_object() {
        if count_only && !advanced::eventual(req) {
            return Err(advanced::count_refused());
        }
        advanced::admit(req, &mut options)?;
    } else if count_only {
        // `/$count` is an advanced query of directory objects only.
        return Err(GraphError::no_segment("$count"));
    }
    Ok(options)
}

fn serve_list(
    collection: Collection,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    count_only: bool,
) -> Result<HttpResponse, GraphError> {
    let resource = resource(collection);
    let mut options = list_options(collection, req, version, count_only)?;
    let now = state.clock.now();
    let world = state.world();
    let hash = hash_of(collection, version, &options, caller.tenant);
    let key = state.token_key();
    let cursor = cursor_of(
        &key,
        options.skiptoken.as_deref(),
        hash,
        world.epoch,
        caller.tenant,
    )?;
    // The walk reads the directory as it stood on its first page.
    let as_of = cursor.map_or(now, |c| datetime(c.as_of));
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    let plan = &logs.plan;
    check_select(collection, plan, &options)?;
    let expansions = match &options.expand {
        Some(items) => expand::check(collection, items)?,
        None => Vec::new(),
    };
    let activity = if collection == Collection::Users {
        sign_in_activity::Asked::of(&options)
    } else {
        sign_in_activity::Asked::default()
    };
    if activity.any() {
        sign_in_activity::require(caller, plan.tenant.license)?;
        sign_in_activity::check_filter(&options)?;
        options.top = options.top.min(sign_in_activity::MAX_PAGE);
    }
    let mut objects = objects_at(collection, logs, as_of);
    if activity.filtered {
        sign_in_activity::attach(logs, &mut objects, ticks(as_of), true);
    }
    if let Some((_, expr)) = &options.filter {
        capability::check(expr, resource, version, as_of).map_err(QueryError::filter)?;
        let predicate = compile::<Value>(expr, plan).map_err(QueryError::filter)?;
        objects.retain(|o| predicate(plan, o));
    }
    if let Some(text) = &options.search {
        let clauses = advanced::parse_search(text, searchable(collection))?;
        objects.retain(|o| advanced::matches(&clauses, o));
    }
    let total = objects.len();
    if count_only {
        return Ok(HttpResponse::Ok()
            .content_type("text/plain")
            .body(total.to_string()));
    }
    let start = cursor.map_or(0, |c| c.last_key as usize);
    let end = (start + options.top as usize).min(total);
    let mut page: Vec<Value> = objects.get(start..end).unwrap_or_default().to_vec();
    if activity.selected && !activity.filtered {
        // A few users: their posting lists; a page of many: one pass over the log is cheaper.
        let whole_log = page.len() > sign_in_activity::POSTINGS_UP_TO;
        sign_in_activity::attach(logs, &mut page, ticks(as_of), whole_log);
    }
    expand::apply(&plan.tenant, as_of, &expansions, &mut page);
    page = page
        .into_iter()
        .map(|o| {
            shape(
                collection,
                o,
                options.select.as_deref(),
                &expansions,
                activity.selected,
            )
        })
        .collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(version, collection.context())),
    );
    if options.count {
        body.insert("@odata.count".into(), json!(total));
    }
    if end < total {
        let cursor = Cursor {
            as_of: ticks(as_of),
            last_at: 0,
            last_key: end as u64,
            query: hash,
            epoch: world.epoch,
            page: cursor.map_or(1, |c| c.page + 1),
            tenant: caller.tenant as u32,
        };
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(req, &options.passthrough, &key.encode(&cursor))),
        );
    }
    body.insert("value".into(), Value::Array(page));
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(&body).expect("json")))
}

/// Refuses a `$select` name the collection's objects do not have.
fn check_select(collection: Collection, plan: &Plan, options: &Options) -> Result<(), GraphError> {
    let known = |name: &str| {
        collection.has_property(&plan.tenant, name)
            || collection.is_navigation(name)
            || (collection == Collection::Users
                && name.eq_ignore_ascii_case(sign_in_activity::PROPERTY))
    };
    match options.select.iter().flatten().find(|name| !known(name)) {
        Some(name) => Err(GraphError::bad_request(format!(
            "Could not find a property named '{name}' on type 'microsoft.graph.directoryObject'."
        ))),
        None => Ok(()),
    }
}

/// An object as served: projected on `$select` (expanded properties kept), and
/// without `signInActivity` unless selected (a filter alone does not return it).
pub fn shape(
    collection: Collection,
    mut object: Value,
    select: Option<&[String]>,
    expansions: &[expand::Expansion],
    activity_selected: bool,
) -> Value {
    if !activity_selected && let Value::Object(fields) = &mut object {
        fields.remove(sign_in_activity::PROPERTY);
    }
    match select {
        Some(names) => {
            let mut projected = project(collection, &object, names);
            expand::keep(expansions, &object, &mut projected);
            projected
        }
        None => object,
    }
}

/// The properties `$search` may name (Graph: displayName and description on
/// groups and applications; the name properties on users).
pub(super) fn searchable(collection: Collection) -> &'static [&'static str] {
    match collection {
        Collection::Users => &[
            "displayName",
            "givenName",
            "surname",
            "mail",
            "userPrincipalName",
        ],
        Collection::Groups => &["displayName", "description", "mail", "mailNickname"],
        _ => &["displayName", "description"],
    }
}

/// Binds a token to everything that shapes the pages: collection, version,
/// filter, page size, `$select`, `$count` and tenant.
fn hash_of(collection: Collection, version: ApiVersion, options: &Options, tenant: usize) -> u64 {
    let filter = options.filter.as_ref().map_or("", |(t, _)| t.as_str());
    let select = options
        .select
        .as_ref()
        .map(|s| s.join(","))
        .unwrap_or_default();
    query_hash(&[
        collection.path(),
        version_name(version),
        filter,
        &options.top.to_string(),
        &select,
        if options.count { "count" } else { "" },
        options.search.as_deref().unwrap_or_default(),
        &options
            .expand
            .as_ref()
            .map(|e| e.join(","))
            .unwrap_or_default(),
        &tenant.to_string(),
    ])
}

/// The object reduced to `id` and the selected properties (already checked by
/// name); a navigation property not expanded is left out.
fn project(collection: Collection, object: &Value, select: &[String]) -> Value {
    let mut picked = Map::new();
    picked.insert("id".into(), object["id"].clone());
    // Names match case-insensitively; the response uses the schema's spelling.
    for name in select {
        let found = object
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)));
        match found {
            Some((key, value)) => picked.insert(key.clone(), value.clone()),
            None if collection.is_navigation(name) => None,
            None => picked.insert(name.clone(), Value::Null),
        };
    }
    Value::Object(picked)
}

/// `GET /{version}/{collection}/{id}`.
pub fn get(
    collection: Collection,
    id: &str,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let id = &decoded(id);
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::not_found(id))?;
    let guid_ids = !matches!(
        collection,
        Collection::RoleAssignments
            | Collection::RoleEligibilitySchedules
            | Collection::RoleAssignmentSchedules
            | Collection::RoleEligibilityScheduleInstances
            | Collection::RoleAssignmentScheduleInstances
            | Collection::RoleAssignmentScheduleRequests
    );
    if guid_ids && uuid::Uuid::parse_str(id).is_err() {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{id}'."
        )));
    }
    let now = state.clock.now();
    let objects = objects_at(collection, logs, now);
    let found = objects
        .into_iter()
        .find(|o| o["id"].as_str().is_some_and(|v| v.eq_ignore_ascii_case(id)));
    let object = found.ok_or_else(|| GraphError::not_found(id))?;
    let object = entity_shape(collection, req, state, caller, version, logs, object)?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(
            version,
            &format!("{}/$entity", collection.context())
        )),
    );
    if let Value::Object(mut fields) = object {
        body.append(&mut fields);
    }
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(&body).expect("json")))
}

/// One object shaped by the request's `$select` and `$expand` (with the
/// `signInActivity` rules on users).
pub fn entity_shape(
    collection: Collection,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    logs: &TenantLogs,
    object: Value,
) -> Result<Value, GraphError> {
    let resource = resource(collection);
    let options = options::parse(
        req.query_string(),
        resource,
        version,
        options::rules(resource, true),
    )?;
    check_select(collection, &logs.plan, &options)?;
    let expansions = match &options.expand {
        Some(items) => expand::check(collection, items)?,
        None => Vec::new(),
    };
    let selected = collection == Collection::Users && sign_in_activity::selects(&options);
    let mut one = [object];
    if selected {
        sign_in_activity::require(caller, logs.plan.tenant.license)?;
        sign_in_activity::attach(logs, &mut one, ticks(state.clock.now()), false);
    }
    expand::apply(&logs.plan.tenant, state.clock.now(), &expansions, &mut one);
    let [object] = one;
    Ok(shape(
        collection,
        object,
        options.select.as_deref(),
        &expansions,
        selected,
    ))
}

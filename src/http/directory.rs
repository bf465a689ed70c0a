//! The read-only directory: users, groups, applications, service principals
//! and the role-management collections, with `$top`, `$filter`, `$select`,
//! `$count` and skip-token paging.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::logs::{cursor_of, decoded, version_name};
use super::middleware::JSON;
use crate::app::AppState;
use crate::model::directory::Collection;
use crate::query::QueryError;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options::{self, Options};
use crate::query::skiptoken::{Cursor, query_hash};
use crate::store::records::{datetime, ticks};
use actix_web::{HttpRequest, HttpResponse};
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

/// `GET /{version}/{collection}`.
pub fn list(
    collection: Collection,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let resource = resource(collection);
    let options = options::parse(
        req.query_string(),
        resource,
        version,
        options::rules(resource, true),
    )?;
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
    let plan = &world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?
        .plan;
    if let Some(name) = options
        .select
        .iter()
        .flatten()
        .find(|name| !collection.has_property(&plan.tenant, name))
    {
        return Err(GraphError::bad_request(format!(
            "Could not find a property named '{name}' on type 'microsoft.graph.directoryObject'."
        )));
    }
    let mut objects = collection.objects(&plan.tenant, as_of);
    if let Some((_, expr)) = &options.filter {
        capability::check(expr, resource, version, as_of).map_err(QueryError::filter)?;
        let predicate = compile::<Value>(expr, plan).map_err(QueryError::filter)?;
        objects.retain(|o| predicate(plan, o));
    }
    let total = objects.len();
    let start = cursor.map_or(0, |c| c.last_key as usize);
    let end = (start + options.top as usize).min(total);
    let mut page: Vec<Value> = objects.get(start..end).unwrap_or_default().to_vec();
    if let Some(select) = &options.select {
        page = page.into_iter().map(|o| project(&o, select)).collect();
    }
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
        &tenant.to_string(),
    ])
}

/// The object reduced to `id` and the selected properties (already checked by name).
fn project(object: &Value, select: &[String]) -> Value {
    let mut picked = Map::new();
    picked.insert("id".into(), object["id"].clone());
    // Names match case-insensitively; the response uses the schema's spelling.
    for name in select {
        let found = object
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)));
        match found {
            Some((key, value)) => picked.insert(key.clone(), value.clone()),
            None => picked.insert(name.clone(), Value::Null),
        };
    }
    Value::Object(picked)
}

/// `GET /{version}/{collection}/{id}`.
pub fn get(
    collection: Collection,
    id: &str,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let id = &decoded(id);
    let world = state.world();
    let plan = &world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::not_found(id))?
        .plan;
    let guid_ids = !matches!(
        collection,
        Collection::RoleAssignments
            | Collection::RoleEligibilitySchedules
            | Collection::RoleAssignmentSchedules
    );
    if guid_ids && uuid::Uuid::parse_str(id).is_err() {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{id}'."
        )));
    }
    let objects = collection.objects(&plan.tenant, state.clock.now());
    let found = objects
        .into_iter()
        .find(|o| o["id"].as_str().is_some_and(|v| v.eq_ignore_ascii_case(id)));
    let mut object = found.ok_or_else(|| GraphError::not_found(id))?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(
            version,
            &format!("{}/$entity", collection.context())
        )),
    );
    body.append(
        object
            .as_object_mut()
            .expect("directory objects are objects"),
    );
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(&body).expect("json")))
}

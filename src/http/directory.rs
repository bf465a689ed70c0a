//! The read-only directory: users, groups, applications, service principals
//! and the role-management collections, with `$top`, `$filter`, `$select`,
//! `$count` and skip-token paging.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::middleware::JSON;
use crate::app::AppState;
use crate::model::directory::Collection;
use crate::query::QueryError;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options;
use crate::query::skiptoken::{Cursor, query_hash};
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
    let plan = &world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?
        .plan;
    let mut objects = collection.objects(&plan.tenant, now);
    if let Some((_, expr)) = &options.filter {
        capability::check(expr, resource, version, now).map_err(QueryError::filter)?;
        let predicate = compile::<Value>(expr, plan).map_err(QueryError::filter)?;
        objects.retain(|o| predicate(plan, o));
    }
    let total = objects.len();
    let filter = options.filter.as_ref().map_or("", |(t, _)| t.as_str());
    let hash = query_hash(&[
        collection.path(),
        filter,
        &options.top.to_string(),
        &caller.tenant.to_string(),
    ]);
    let key = state.token_key();
    let start = match &options.skiptoken {
        Some(token) => {
            super::logs::check_cursor(key.decode(token)?, hash, world.epoch, caller.tenant)?
                .last_key as usize
        }
        None => 0,
    };
    let end = (start + options.top as usize).min(total);
    let mut page: Vec<Value> = objects.get(start..end).unwrap_or_default().to_vec();
    if let Some(select) = &options.select {
        page = page
            .into_iter()
            .map(|o| project(&o, select))
            .collect::<Result<_, _>>()?;
    }
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(version, collection.path())),
    );
    if options.count {
        body.insert("@odata.count".into(), json!(total));
    }
    if end < total {
        let cursor = Cursor {
            as_of: 0,
            last_at: 0,
            last_key: end as u64,
            query: hash,
            epoch: world.epoch,
            page: 0,
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

fn project(object: &Value, select: &[String]) -> Result<Value, GraphError> {
    let mut picked = Map::new();
    picked.insert("id".into(), object["id"].clone());
    for name in select {
        let value = object.get(name).ok_or_else(|| GraphError::bad_request(format!("Could not find a property named '{name}' on type 'microsoft.graph.directoryObject'.")))?;
        picked.insert(name.clone(), value.clone());
    }
    Ok(Value::Object(picked))
}

/// `GET /{version}/{collection}/{id}`.
pub fn get(
    collection: Collection,
    id: &str,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
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
        json!(context(version, &format!("{}/$entity", collection.path()))),
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

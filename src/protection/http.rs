//! `/identityProtection/riskDetections` and `/identityProtection/riskyUsers`
//! (+ `/{id}` and `/{id}/history`), v1.0 and beta.

use super::{detections, users};
use crate::app::AppState;
use crate::http::caller::Caller;
use crate::http::error::GraphError;
use crate::http::links::next_link;
use crate::http::logs::{cursor_of, decoded, version_name};
use crate::http::middleware::JSON;
use crate::query::QueryError;
use crate::query::capability::{ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options::{self, Options, Rules};
use crate::query::skiptoken::{Cursor, query_hash};
use crate::store::TenantLogs;
use crate::store::records::ticks;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

/// "The default page size is 20 objects while the maximum with `$top` is 500"
/// (riskDetections, S5; riskyUsers: max 500 per S18, default INFERRED 20).
const RULES: Rules = Rules {
    default_top: 20,
    max_top: 500,
    order_property: None,
    select: true,
    count: false,
};

/// Routes a lowercased path under `identityProtection`.
pub fn route(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    lower: &[&str],
    rest: &[String],
) -> Result<HttpResponse, GraphError> {
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    let beta = version == ApiVersion::Beta;
    match lower {
        ["identityprotection", "riskdetections", tail @ ..] => {
            if !detections::licensed(logs.plan.tenant.license) {
                // No body is documented for an unlicensed tenant; the reporting API's
                // premium-licence 403 is the documented one (reference §A.3, S35, INFERRED).
                return Err(GraphError::new(
                    403,
                    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                    "Neither tenant is B2C or tenant doesn't have premium license",
                ));
            }
            let found = detections::risky_sign_ins(logs, ticks(state.clock.now()));
            let all: Vec<Value> = found
                .iter()
                .map(|r| detections::to_json(&logs.plan, r, beta))
                .collect();
            match tail {
                [] => list(req, state, caller, version, logs, "riskDetections", all),
                [_] => get(version, "riskDetections", all, &decoded(&rest[2])),
                _ => Err(GraphError::no_segment(&rest[3])),
            }
        }
        ["identityprotection", "riskyusers", tail @ ..] => {
            let found = detections::risky_sign_ins(logs, ticks(state.clock.now()));
            let risky = users::risky_users(&logs.plan, &found);
            let pick = |id: &str| {
                risky
                    .iter()
                    .find(|u| logs.plan.tenant.user(u.subject).id.eq_ignore_ascii_case(id))
                    .ok_or_else(|| GraphError::not_found(id))
            };
            match tail {
                [] => {
                    let all = risky
                        .iter()
                        .map(|u| users::to_json(&logs.plan, u))
                        .collect();
                    list(req, state, caller, version, logs, "riskyUsers", all)
                }
                [_] => get(
                    version,
                    "riskyUsers",
                    risky
                        .iter()
                        .map(|u| users::to_json(&logs.plan, u))
                        .collect(),
                    &decoded(&rest[2]),
                ),
                [_, "history"] => {
                    let user = pick(&decoded(&rest[2]))?;
                    let items = users::history(&logs.plan, user);
                    let context = format!("riskyUsers('{}')/history", decoded(&rest[2]));
                    list(req, state, caller, version, logs, &context, items)
                }
                [_, _, ..] => Err(GraphError::no_segment(&rest[3])),
            }
        }
        _ => Err(GraphError::no_segment(rest.get(1).unwrap_or(&rest[0]))),
    }
}

fn context(version: ApiVersion, fragment: &str) -> String {
    format!(
        "https://graph.microsoft.com/{}/$metadata#{fragment}",
        version_name(version)
    )
}

/// A page of `all` after `$filter`, with `$select` and skip-token paging.
fn list(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    logs: &TenantLogs,
    fragment: &str,
    mut all: Vec<Value>,
) -> Result<HttpResponse, GraphError> {
    // The option parser needs a resource only for its wording; Users gives Graph's generic one.
    let options = options::parse(req.query_string(), Resource::Users, version, RULES)?;
    let world = state.world();
    let hash = hash_of(fragment, version, &options, caller.tenant);
    let key = state.token_key();
    let cursor = cursor_of(
        &key,
        options.skiptoken.as_deref(),
        hash,
        world.epoch,
        caller.tenant,
    )?;
    if let Some((_, expr)) = &options.filter {
        let predicate = compile::<Value>(expr, &logs.plan).map_err(QueryError::filter)?;
        all.retain(|o| predicate(&logs.plan, o));
    }
    let start = cursor.map_or(0, |c| c.last_key as usize);
    let end = (start + options.top as usize).min(all.len());
    let mut page: Vec<Value> = all.get(start..end).unwrap_or_default().to_vec();
    if let Some(select) = &options.select {
        page = page.iter().map(|o| project(o, select)).collect();
    }
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context(version, fragment)));
    if end < all.len() {
        let next = Cursor {
            as_of: ticks(state.clock.now()),
            last_at: 0,
            last_key: end as u64,
            query: hash,
            epoch: world.epoch,
            page: cursor.map_or(1, |c| c.page + 1),
            tenant: caller.tenant as u32,
        };
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(req, &options.passthrough, &key.encode(&next))),
        );
    }
    body.insert("value".into(), Value::Array(page));
    Ok(ok(&body))
}

fn get(
    version: ApiVersion,
    fragment: &str,
    all: Vec<Value>,
    id: &str,
) -> Result<HttpResponse, GraphError> {
    let found = all
        .into_iter()
        .find(|o| o["id"].as_str().is_some_and(|v| v.eq_ignore_ascii_case(id)));
    let Some(Value::Object(mut object)) = found else {
        return Err(GraphError::not_found(id));
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(version, &format!("{fragment}/$entity"))),
    );
    body.append(&mut object);
    Ok(ok(&body))
}

fn ok(body: &Map<String, Value>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(body).expect("json"))
}

/// Binds a token to the collection, version, filter, page size, `$select` and tenant.
fn hash_of(fragment: &str, version: ApiVersion, options: &Options, tenant: usize) -> u64 {
    let filter = options.filter.as_ref().map_or("", |(t, _)| t.as_str());
    let select = options
        .select
        .as_ref()
        .map(|s| s.join(","))
        .unwrap_or_default();
    query_hash(&[
        "identityProtection",
        fragment,
        version_name(version),
        filter,
        &options.top.to_string(),
        &select,
        &tenant.to_string(),
    ])
}

/// The object reduced to `id` and the selected properties.
fn project(object: &Value, select: &[String]) -> Value {
    let mut picked = Map::new();
    picked.insert("id".into(), object["id"].clone());
    for name in select {
        if let Some(v) = object.get(name) {
            picked.insert(name.clone(), v.clone());
        }
    }
    Value::Object(picked)
}

//! The three audit-log collections: list with OData options and paging, and
//! get by id.

mod body;
mod spec;

pub use spec::{AUDITS, LogSpec, PROVISIONING, SIGN_INS};

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::middleware::JSON;
use crate::activity::Plan;
use crate::app::AppState;
use crate::config::License;
use crate::model::ids::time0;
use crate::query::QueryError;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::{Fields, Predicate, compile};
use crate::query::options::{self, Direction, Options};
use crate::query::page::{LogQuery, execute, time_bounds};
use crate::query::served::Served;
use crate::query::skiptoken::{Cursor, TokenKey, query_hash};
use crate::store::records::{datetime, ticks};
use crate::store::{Keyed, TenantLogs};
use actix_web::{HttpRequest, HttpResponse};

fn licensed(spec_resource: Resource, plan: &Plan) -> Result<(), GraphError> {
    if spec_resource == Resource::SignIns && plan.tenant.license == License::Free {
        return Err(GraphError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    Ok(())
}

/// `GET /{version}/auditLogs/{log}`.
///
/// A continuation page reads the log as of its token's snapshot: the filter's
/// 90-day limit is checked against that instant, and a token whose pending
/// records have left the store is refused rather than ending the walk early.
pub fn list<R: Keyed + Fields>(
    spec: &LogSpec<R>,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let rules = options::rules(spec.resource, state.settings.select_on_sign_ins);
    let options = options::parse(req.query_string(), spec.resource, version, rules)?;
    // Read before the snapshot, which is generated up to at least this instant.
    let now = state.clock.now();
    let world = state.world();
    let hash = hash_of(spec, version, &options, caller.tenant);
    let key = state.token_key();
    let cursor = cursor_of(
        &key,
        options.skiptoken.as_deref(),
        hash,
        world.epoch,
        caller.tenant,
    )?;
    let as_of = cursor.map_or(ticks(now), |c| c.as_of);
    if let Some((_, expr)) = &options.filter {
        capability::check(expr, spec.resource, version, datetime(as_of))
            .map_err(QueryError::filter)?;
    }
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    licensed(spec.resource, &logs.plan)?;
    let query = log_query(spec, &options, logs, version, as_of, cursor)?;
    if let Some(cursor) = cursor {
        still_held(logs, &query, cursor)?;
    }
    let (records, more) = execute(logs, &query);
    let next = (more && !records.is_empty()).then(|| {
        let last = records.last().expect("non-empty");
        let token = key.encode(&Cursor {
            as_of,
            last_at: last.at(),
            last_key: last.key(),
            query: hash,
            epoch: world.epoch,
            page: cursor.map_or(1, |c| c.page + 1),
            tenant: caller.tenant as u32,
        });
        state
            .verdicts
            .issued(&caller.app_id, &token, state.clock.window_ms());
        next_link(req, &options.passthrough, &token)
    });
    let more = next.is_some();
    let body = body::page(
        spec,
        &logs.plan,
        &logs.overlays,
        version,
        &options,
        &records,
        next,
    )?;
    let log = spec.context.rsplit('/').next().unwrap_or(spec.context);
    let version_label = version_name(version);
    state
        .metrics
        .page(log, version_label, cursor.is_none(), more);
    Ok(HttpResponse::Ok().content_type(JSON).body(body))
}

/// The query a request asks for, as of `as_of` and after `cursor`.
fn log_query<R: Keyed + Fields>(
    spec: &LogSpec<R>,
    options: &Options,
    logs: &TenantLogs,
    version: ApiVersion,
    as_of: i64,
    cursor: Option<Cursor>,
) -> Result<LogQuery<R>, QueryError> {
    let retention = as_of - crate::store::retention_ticks(&logs.plan);
    let expr = options.filter.as_ref().map(|(_, e)| e);
    let (lo, hi) = time_bounds(expr, spec.time_property);
    let filter = expr
        .map(|e| compile::<R>(e, &logs.plan))
        .transpose()
        .map_err(QueryError::filter)?;
    let supplied = !logs.overlays.is_empty();
    let filter = match expr {
        Some(e) if supplied => Some(over_served(spec, e, logs, version, filter)?),
        _ => filter,
    };
    Ok(LogQuery {
        predicate: combine(filter, (spec.restrict)(options, version)),
        direction: options.direction,
        top: options.top as usize,
        bounds: (lo.max(retention), hi.min(as_of)),
        after: cursor.map(|c| (c.last_at, c.last_key)),
        as_of,
        // Supplied values may differ from the compact record the indexes read.
        index: (spec.index)(expr, &logs.plan).filter(|_| !supplied || index_holds(expr, logs)),
    })
}

/// Whether the posting lists still find every match on a tenant holding
/// supplied properties: no record supplied a property an equality of the
/// filter reads, so every record's served value there is its compact one
/// (the value the lists are built from). Overlaid records the lists do find
/// are still tested on their served JSON.
fn index_holds(expr: Option<&crate::query::filter::Expr>, logs: &TenantLogs) -> bool {
    let mut roots = Vec::new();
    if let Some(expr) = expr {
        equality_roots(expr, &mut roots);
    }
    !logs.overlays.supplies_any(&roots)
}

/// The top-level property names of the filter's `and`ed equalities
/// (`status` for `status/errorCode eq 50126`).
fn equality_roots(expr: &crate::query::filter::Expr, out: &mut Vec<String>) {
    use crate::query::filter::Expr;
    match expr {
        Expr::And(a, b) => {
            equality_roots(a, out);
            equality_roots(b, out);
        }
        _ => {
            if let Some((path, _)) = expr.as_equality() {
                let path = path.as_string();
                out.push(path.split('/').next().unwrap_or_default().to_string());
            }
        }
    }
}

/// The filter for a tenant holding records with supplied properties: those
/// are tested on their served JSON, the others as compiled.
fn over_served<R: Keyed + Fields>(
    spec: &LogSpec<R>,
    expr: &crate::query::filter::Expr,
    logs: &TenantLogs,
    version: ApiVersion,
    compact: Option<Predicate<R>>,
) -> Result<Predicate<R>, QueryError> {
    let on_json = compile::<Served<R>>(expr, &logs.plan).map_err(QueryError::filter)?;
    let overlays = logs.overlays.clone();
    let write = spec.write;
    let beta = version == ApiVersion::Beta;
    Ok(Box::new(move |plan, r| match overlays.get(r.key()) {
        None => compact.as_ref().is_none_or(|f| f(plan, r)),
        Some(overlay) => {
            let mut generated = Vec::new();
            write(&mut generated, plan, r, version);
            let json = crate::store::overlay::apply(&generated, overlay, beta);
            on_json(plan, &Served::new(serde_json::Value::Object(json)))
        }
    }))
}

/// Refuses a continuation whose records still to serve include hours the
/// store has dropped since the token was issued (the clock moved on by more
/// than the day the store keeps beyond retention).
fn still_held<R>(logs: &TenantLogs, query: &LogQuery<R>, cursor: Cursor) -> Result<(), QueryError> {
    let (lo, hi) = query.bounds;
    let (from, to) = match query.direction {
        Direction::Desc => (lo, hi.min(cursor.last_at)),
        Direction::Asc => (lo.max(cursor.last_at), hi),
    };
    let held = logs.held_since();
    if from >= held || from > to {
        return Ok(());
    }
    Err(QueryError::skip_token(format!(
        "the skip token outlived the records it pages through: it reads the log as of {}, but records it has yet to return, from {} on, left the emulator's store before {} as the clock moved on; start the query again without $skiptoken",
        time0(cursor.as_of),
        time0(from),
        time0(held),
    )))
}

fn combine<R: 'static>(a: Option<Predicate<R>>, b: Option<Predicate<R>>) -> Option<Predicate<R>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Box::new(move |p, r| b(p, r) && a(p, r))),
        (a, b) => a.or(b),
    }
}

fn hash_of<R>(spec: &LogSpec<R>, version: ApiVersion, options: &Options, tenant: usize) -> u64 {
    let filter = options
        .filter
        .as_ref()
        .map_or("", |(text, _)| text.as_str());
    let top = options.top.to_string();
    let select = options
        .select
        .as_ref()
        .map(|s| s.join(","))
        .unwrap_or_default();
    let direction = if options.direction == Direction::Asc {
        "asc"
    } else {
        "desc"
    };
    let tenant = tenant.to_string();
    query_hash(&[
        spec.context,
        version_name(version),
        filter,
        &top,
        direction,
        &select,
        &tenant,
    ])
}

/// `v1.0` or `beta`.
pub fn version_name(version: ApiVersion) -> &'static str {
    if version == ApiVersion::V1 {
        "v1.0"
    } else {
        "beta"
    }
}

/// The cursor a request's `$skiptoken` carries (none on a first page), checked
/// to belong to this query, epoch and tenant.
pub fn cursor_of(
    key: &TokenKey,
    token: Option<&str>,
    hash: u64,
    epoch: u64,
    tenant: usize,
) -> Result<Option<Cursor>, QueryError> {
    let Some(token) = token else {
        return Ok(None);
    };
    let cursor = key.decode(token)?;
    if cursor.epoch != epoch {
        return Err(QueryError::skip_token(
            "the skip token was issued before the emulator was reset",
        ));
    }
    if cursor.query != hash || cursor.tenant as usize != tenant {
        return Err(QueryError::skip_token(
            "the skip token belongs to a different query: resend the nextLink exactly as received",
        ));
    }
    Ok(Some(cursor))
}

/// A path segment as the client meant it (percent-decoding undone).
pub fn decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// `GET /{version}/auditLogs/{log}/{id}`: found by its key, not by a scan.
pub fn get<R: Keyed>(
    spec: &LogSpec<R>,
    raw_id: &str,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let id = decoded(raw_id);
    if spec.resource != Resource::DirectoryAudits && uuid::Uuid::parse_str(&id).is_err() {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{id}'."
        )));
    }
    let now = ticks(state.clock.now());
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::not_found(&id))?;
    licensed(spec.resource, &logs.plan)?;
    let from = now - crate::store::retention_ticks(&logs.plan);
    let supplied = logs
        .overlays
        .key_of(&id)
        .map(|key| logs.find::<R>(crate::store::Indexed::Key(key)))
        .unwrap_or_default();
    let record = supplied
        .into_iter()
        .chain(
            (spec.find)(logs, &id)
                .into_iter()
                .filter(|r| logs.overlays.get(r.key()).and_then(|o| o.id()).is_none())
                .filter(|r| (spec.id_of)(&logs.plan, r).eq_ignore_ascii_case(&id)),
        )
        .find(|r| r.at() >= from && r.visible_at() <= now && (spec.by_id)(r, version))
        .ok_or_else(|| GraphError::not_found(&id))?;
    let out = body::entity(spec, &logs.plan, &logs.overlays, &record, version);
    Ok(HttpResponse::Ok().content_type(JSON).body(out))
}

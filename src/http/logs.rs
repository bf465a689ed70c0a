//! The three audit-log collections: list with OData options and paging, and
//! get by id.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::middleware::JSON;
use crate::activity::Plan;
use crate::app::AppState;
use crate::config::License;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::{Fields, Predicate, compile};
use crate::query::options::{self, Direction, Options};
use crate::query::page::{LogQuery, execute, sign_in_index, time_bounds};
use crate::query::skiptoken::{Cursor, query_hash};
use crate::query::{QueryError, mentions};
use crate::store::LogOf;
use crate::store::records::{Audit, Provisioning, SignIn, SignInKind, ticks};
use actix_web::{HttpRequest, HttpResponse};

/// How one log is served.
pub struct LogSpec<R> {
    pub resource: Resource,
    /// `@odata.context` fragment.
    pub context: &'static str,
    pub time_property: &'static str,
    pub write: fn(&mut Vec<u8>, &Plan, &R, ApiVersion),
    /// Extra restriction (beta/v1 sign-in event types).
    pub restrict: fn(&Options, ApiVersion) -> Option<Predicate<R>>,
}

/// The sign-in log.
pub const SIGN_INS: LogSpec<SignIn> = LogSpec {
    resource: Resource::SignIns,
    context: "auditLogs/signIns",
    time_property: "createdDateTime",
    write: crate::model::sign_in::write,
    restrict: interactive_unless_asked,
};

/// The directory audit log.
pub const AUDITS: LogSpec<Audit> = LogSpec {
    resource: Resource::DirectoryAudits,
    context: "auditLogs/directoryAudits",
    time_property: "activityDateTime",
    write: crate::model::audit::write,
    restrict: |_, _| None,
};

/// The provisioning log.
pub const PROVISIONING: LogSpec<Provisioning> = LogSpec {
    resource: Resource::Provisioning,
    context: "auditLogs/provisioning",
    time_property: "activityDateTime",
    write: crate::model::provisioning::write,
    restrict: |_, _| None,
};

/// v1.0 serves interactive sign-ins only; beta too unless the filter names `signInEventTypes`.
fn interactive_unless_asked(options: &Options, version: ApiVersion) -> Option<Predicate<SignIn>> {
    let asked = options
        .filter
        .as_ref()
        .is_some_and(|(_, e)| mentions(e, "signInEventTypes"));
    (version == ApiVersion::V1 || !asked).then(|| {
        Box::new(|_: &Plan, r: &SignIn| r.kind == SignInKind::Interactive) as Predicate<SignIn>
    })
}

fn context_url(version: ApiVersion, fragment: &str) -> String {
    let v = if version == ApiVersion::V1 {
        "v1.0"
    } else {
        "beta"
    };
    format!("https://graph.microsoft.com/{v}/$metadata#{fragment}")
}

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
pub fn list<R: LogOf + Fields + Copy>(
    spec: &LogSpec<R>,
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
) -> Result<HttpResponse, GraphError> {
    let rules = options::rules(spec.resource, state.settings.select_on_sign_ins);
    let options = options::parse(req.query_string(), spec.resource, version, rules)?;
    let now = state.clock.now();
    if let Some((_, expr)) = &options.filter {
        capability::check(expr, spec.resource, version, now).map_err(QueryError::filter)?;
    }
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    licensed(spec.resource, &logs.plan)?;
    let hash = hash_of(spec, version, &options, caller.tenant);
    let key = state.token_key();
    let cursor = match &options.skiptoken {
        Some(token) => Some(check_cursor(
            key.decode(token)?,
            hash,
            world.epoch,
            caller.tenant,
        )?),
        None => None,
    };
    let as_of = cursor.map_or(ticks(now), |c| c.as_of);
    let retention = as_of - crate::store::retention_ticks(&logs.plan);
    let expr = options.filter.as_ref().map(|(_, e)| e);
    let (lo, hi) = time_bounds(expr, spec.time_property);
    let predicate = combine(
        expr.map(|e| compile::<R>(e, &logs.plan))
            .transpose()
            .map_err(QueryError::filter)?,
        (spec.restrict)(&options, version),
    );
    let query = LogQuery {
        predicate,
        direction: options.direction,
        top: options.top as usize,
        bounds: (lo.max(retention), hi.min(as_of)),
        after: cursor.map(|c| (c.last_at, c.last_key)),
        as_of,
        index: if spec.resource == Resource::SignIns {
            sign_in_index(expr, &logs.plan)
        } else {
            None
        },
    };
    let (records, more) = execute(logs, &query);
    let next = (more && !records.is_empty()).then(|| {
        let last = records.last().expect("non-empty");
        let page = cursor.map_or(1, |c| c.page + 1);
        let token = key.encode(&Cursor {
            as_of,
            last_at: last.at(),
            last_key: last.key(),
            query: hash,
            epoch: world.epoch,
            page,
            tenant: caller.tenant as u32,
        });
        state
            .verdicts
            .issued(&caller.app_id, &token, state.clock.window_ms());
        next_link(req, &options.passthrough, &token)
    });
    let body = page_body(spec, &logs.plan, version, &options, &records, next)?;
    Ok(HttpResponse::Ok().content_type(JSON).body(body))
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

fn version_name(version: ApiVersion) -> &'static str {
    if version == ApiVersion::V1 {
        "v1.0"
    } else {
        "beta"
    }
}

/// Checks a decoded cursor belongs to this query, epoch and tenant.
pub fn check_cursor(
    cursor: Cursor,
    hash: u64,
    epoch: u64,
    tenant: usize,
) -> Result<Cursor, QueryError> {
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
    Ok(cursor)
}

fn page_body<R>(
    spec: &LogSpec<R>,
    plan: &Plan,
    version: ApiVersion,
    options: &Options,
    records: &[R],
    next: Option<String>,
) -> Result<Vec<u8>, GraphError> {
    let mut context = spec.context.to_string();
    if let Some(select) = &options.select {
        context = format!("{context}({})", select.join(","));
    }
    let mut out = Vec::with_capacity(256 + records.len() * 1800);
    out.extend_from_slice(b"{\"@odata.context\":");
    serde_json::to_writer(&mut out, &context_url(version, &context)).expect("json");
    if let Some(next) = next {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        serde_json::to_writer(&mut out, &next).expect("json");
    }
    if spec.resource == Resource::DirectoryAudits && options.select.is_none() {
        out.extend_from_slice(br#","@microsoft.graph.tips":"Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET auditLogs/directoryAudits?$select=activityDateTime,activityDisplayName""#);
    }
    out.extend_from_slice(b",\"value\":[");
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match &options.select {
            None => (spec.write)(&mut out, plan, record, version),
            Some(select) => write_selected(spec, plan, record, version, select, &mut out)?,
        }
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn write_selected<R>(
    spec: &LogSpec<R>,
    plan: &Plan,
    record: &R,
    version: ApiVersion,
    select: &[String],
    out: &mut Vec<u8>,
) -> Result<(), GraphError> {
    let mut full = Vec::new();
    (spec.write)(&mut full, plan, record, version);
    let full: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&full).expect("own json");
    let mut picked = serde_json::Map::new();
    for name in select {
        let value = full.get(name).ok_or_else(|| {
            let kind = spec.context.rsplit('/').next().unwrap_or_default();
            GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.{}'.",
                type_name(kind)
            ))
        })?;
        picked.insert(name.clone(), value.clone());
    }
    serde_json::to_writer(out, &picked).expect("json");
    Ok(())
}

fn type_name(collection: &str) -> &'static str {
    match collection {
        "signIns" => "signIn",
        "directoryAudits" => "directoryAudit",
        _ => "provisioningObjectSummary",
    }
}

/// `GET /{version}/auditLogs/{log}/{id}`.
pub fn get<R: LogOf + Copy>(
    spec: &LogSpec<R>,
    id: &str,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    id_of: fn(&Plan, &R) -> String,
) -> Result<HttpResponse, GraphError> {
    if spec.resource != Resource::DirectoryAudits && uuid::Uuid::parse_str(id).is_err() {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{id}'."
        )));
    }
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::not_found(id))?;
    licensed(spec.resource, &logs.plan)?;
    let now = ticks(state.clock.now());
    let from = now - crate::store::retention_ticks(&logs.plan);
    let wanted = id.to_ascii_lowercase();
    let found = logs
        .hours
        .values()
        .flat_map(|h| R::log(h).iter())
        .find(|r| {
            r.at() >= from
                && r.visible_at() <= now
                && id_of(&logs.plan, r).eq_ignore_ascii_case(&wanted)
        });
    let record = found.ok_or_else(|| GraphError::not_found(id))?;
    let mut out = Vec::with_capacity(2048);
    let context = context_url(version, &format!("{}/$entity", spec.context));
    out.extend_from_slice(b"{\"@odata.context\":");
    serde_json::to_writer(&mut out, &context).expect("json");
    out.push(b',');
    let mut body = Vec::new();
    (spec.write)(&mut body, &logs.plan, record, version);
    out.extend_from_slice(&body[1..]);
    Ok(HttpResponse::Ok().content_type(JSON).body(out))
}

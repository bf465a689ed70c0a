//! `GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values` and
//! the tenant-level `/providers/...` variant: api-version, `$filter`, `$select`, newest-first
//! pages of 200 with a `nextLink` that pins the first page's instant, and the flat
//! `{"code","message"}` errors the Activity Log writes (reference A1).

use super::filter::{self, LogFilter, Narrow};
use super::json;
use super::record::ArmEvent;
use crate::arm::ArmError;
use crate::store::World;
use crate::store::records::{Record, TICKS_PER_HOUR, Ticks};
use crate::tenant::Tenant;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

/// The Activity Log's only api-version (S1).
pub const API_VERSION: &str = "2015-04-01";
/// Events per page [INFERRED: Azure/azure-sdk-for-java#1908 saw 200].
pub const PAGE_SIZE: usize = 200;
/// How far back events are kept and may be asked for (S7).
pub const RETENTION_DAYS: i64 = 90;

/// An Activity Log validation error: flat `{"code","message"}` (S1 `ErrorResponse`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct LogError {
    pub code: &'static str,
    pub message: String,
}

impl LogError {
    /// 400 `BadRequest` with this message.
    pub fn bad_request(message: impl Into<String>) -> LogError {
        LogError {
            code: "BadRequest",
            message: message.into(),
        }
    }
}

impl ResponseError for LogError {
    fn status_code(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::BadRequest().json(json!({"code": self.code, "message": self.message}))
    }
}

/// Which Activity Log a path names: a subscription's, or the tenant's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogScope {
    Subscription(String),
    Tenant,
}

/// The Activity Log a path names, if it names one (ARM paths are case-insensitive).
pub fn scope_of(segments: &[&str]) -> Option<LogScope> {
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let tail = |s: &[&str]| {
        matches!(s, [p, ns, e, m, v] if eq(p, "providers") && eq(ns, "Microsoft.Insights")
            && eq(e, "eventtypes") && eq(m, "management") && eq(v, "values"))
    };
    match segments {
        [s, id, rest @ ..] if eq(s, "subscriptions") && tail(rest) => {
            Some(LogScope::Subscription(id.to_string()))
        }
        rest if tail(rest) => Some(LogScope::Tenant),
        _ => None,
    }
}

/// The action and scope ARM checks (S16, S18).
pub fn required(scope: &LogScope) -> (String, String) {
    let action = "Microsoft.Insights/eventtypes/values/read".to_string();
    match scope {
        LogScope::Subscription(s) => (action, format!("/subscriptions/{s}")),
        LogScope::Tenant => (
            action,
            "/providers/microsoft.insights/eventtypes/management".into(),
        ),
    }
}

/// A validated request.
pub struct LogRequest {
    pub scope: LogScope,
    pub filter: Option<LogFilter>,
    pub select: Option<Vec<&'static str>>,
    pub skiptoken: Option<Cursor>,
    /// The raw `$filter` and `$select`, for the nextLink.
    raw: Vec<(String, String)>,
}

/// Where the next page starts: the instant the first page was answered at (what is
/// visible then is the whole result, so arriving events neither shift nor repeat
/// rows), and the last row served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: u64,
    pub as_of: Ticks,
    pub at: Ticks,
    pub key: u64,
}

impl Cursor {
    fn encode(&self) -> String {
        format!(
            "{:x}.{:x}.{:x}.{:x}",
            self.epoch, self.as_of, self.at, self.key
        )
    }

    fn decode(text: &str) -> Option<Cursor> {
        let parts: Vec<u64> = text
            .split('.')
            .map(|p| u64::from_str_radix(p, 16).ok())
            .collect::<Option<_>>()?;
        match parts.as_slice() {
            [epoch, as_of, at, key] => Some(Cursor {
                epoch: *epoch,
                as_of: *as_of as i64,
                at: *at as i64,
                key: *key,
            }),
            _ => None,
        }
    }
}

/// Parses the query: api-version (ARM's wrapped errors), then `$filter`, `$select` and
/// `$skiptoken` (the Activity Log's flat ones).
pub fn parse(scope: LogScope, query: &str) -> Result<Result<LogRequest, LogError>, ArmError> {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let version = get("api-version").ok_or_else(ArmError::missing_api_version)?;
    if version != API_VERSION {
        return Err(ArmError::no_registered_provider(
            &version,
            "eventtypes",
            &[API_VERSION],
        ));
    }
    Ok(validated(scope, &params, &get))
}

fn validated(
    scope: LogScope,
    params: &[(String, String)],
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<LogRequest, LogError> {
    // Required on the subscription log (S1, azure-rest-api-specs#2467), optional on the tenant's (S2).
    let filter = match (get("$filter"), &scope) {
        (Some(text), _) => Some(filter::parse(&text)?),
        (None, LogScope::Tenant) => None,
        (None, LogScope::Subscription(_)) => {
            return Err(LogError::bad_request(
                "$filter searching parameters invalid",
            ));
        }
    };
    let skiptoken = match get("$skiptoken") {
        Some(t) => Some(
            Cursor::decode(&t)
                .ok_or_else(|| LogError::bad_request("The $skiptoken value is invalid."))?,
        ),
        None => None,
    };
    let raw = params
        .iter()
        .filter(|(k, _)| {
            ["$filter", "$select"]
                .iter()
                .any(|n| k.eq_ignore_ascii_case(n))
        })
        .cloned()
        .collect();
    Ok(LogRequest {
        scope,
        select: filter::select(get("$select").as_deref()),
        filter,
        skiptoken,
        raw,
    })
}

/// One page of the log at `now`, with the link to the next.
pub fn page(
    world: &World,
    tenant: usize,
    request: &LogRequest,
    now: Ticks,
    origin: &str,
    path: &str,
) -> Result<Value, LogError> {
    let as_of = request.skiptoken.map_or(now, |c| c.as_of);
    if request.skiptoken.is_some_and(|c| c.epoch != world.epoch) {
        return Err(LogError::bad_request("The $skiptoken value is invalid."));
    }
    let oldest = as_of - RETENTION_DAYS * 24 * TICKS_PER_HOUR;
    if let Some(f) = &request.filter
        && f.start < oldest
    {
        // azure-cli#4885: a start over 90 days back is a 400 (the message is inferred).
        return Err(LogError::bad_request(format!(
            "The start time of the query cannot be earlier than {RETENTION_DAYS} days ago."
        )));
    }
    let Some(logs) = world.tenants.get(tenant) else {
        return Ok(json!({"value": []}));
    };
    let t = &logs.plan.tenant;
    let (start, end) = match &request.filter {
        Some(f) => (f.start.max(oldest), f.end.unwrap_or(as_of).min(as_of)),
        None => (oldest, as_of),
    };
    let mut rows: Vec<&ArmEvent> = Vec::new();
    let mut more = false;
    let last = crate::store::records::hour_of(end);
    let held = logs.hours.keys().next().copied().unwrap_or(i64::MAX);
    let buckets = logs
        .hours
        .range(..=last)
        .rev()
        .map(|(h, hour)| (*h, hour.activity_log.as_slice()))
        .chain(logs.activity_archive.newest_first(last, held));
    for (hour, events) in buckets {
        if (hour + 1) * TICKS_PER_HOUR <= start {
            break;
        }
        if collect(events, t, request, (start, end, as_of), &mut rows) {
            more = true;
            break;
        }
    }
    let next = more.then(|| {
        let last = rows[PAGE_SIZE - 1];
        Cursor {
            epoch: world.epoch,
            as_of,
            at: last.at,
            key: last.key,
        }
    });
    rows.truncate(PAGE_SIZE);
    let select = request.select.as_deref();
    let value: Vec<Value> = rows.iter().map(|e| json::event(t, e, select)).collect();
    let mut body = json!({ "value": value });
    if let Some(cursor) = next {
        body["nextLink"] = json!(next_link(origin, path, &request.raw, &cursor));
    }
    Ok(body)
}

/// Adds an hour's matching rows, newest first, after the cursor; true once a page and one more are held.
fn collect<'a>(
    events: &'a [ArmEvent],
    tenant: &Tenant,
    request: &LogRequest,
    (start, end, as_of): (Ticks, Ticks, Ticks),
    rows: &mut Vec<&'a ArmEvent>,
) -> bool {
    for e in events.iter().rev() {
        let after_cursor = request
            .skiptoken
            .is_none_or(|c| (e.at, e.key) < (c.at, c.key));
        if e.at < start || e.at > end || e.visible_at() > as_of || !after_cursor {
            continue;
        }
        if matches(tenant, e, request) {
            rows.push(e);
            if rows.len() > PAGE_SIZE {
                return true;
            }
        }
    }
    false
}

/// Whether an event is in the request's log and passes its filter (values compare in any case).
fn matches(tenant: &Tenant, e: &ArmEvent, request: &LogRequest) -> bool {
    let Some(t) = json::target(tenant, e) else {
        return false;
    };
    // The tenant-level log holds only tenant-level events (S2); these are all subscription events.
    let LogScope::Subscription(sub) = &request.scope else {
        return false;
    };
    if !t.subscription.eq_ignore_ascii_case(sub) {
        return false;
    }
    let Some(f) = &request.filter else {
        return true;
    };
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let narrow = match &f.narrow {
        None => true,
        Some(Narrow::ResourceGroup(g)) => same(&t.group, g),
        Some(Narrow::Resource(id)) => crate::arm::inventory::is_at_or_above(id, &t.resource_id),
        Some(Narrow::ResourceProvider(p)) => same(e.op.value().split('/').next().unwrap_or(""), p),
        Some(Narrow::CorrelationId(c)) => same(
            &crate::model::ids::id(
                tenant.seed,
                crate::model::ids::Purpose::ArmOperation,
                e.corr,
            ),
            c,
        ),
    };
    let listed = |list: &Option<Vec<String>>, value: &str| {
        list.as_ref()
            .is_none_or(|l| l.iter().any(|v| same(v, value)))
    };
    narrow
        && f.caller
            .as_ref()
            .is_none_or(|c| same(&json::caller(tenant, e.caller), c))
        && f.status.as_ref().is_none_or(|s| same(status_of(e), s))
        && listed(&f.channels, "Operation")
        && listed(&f.levels, level_of(e))
}

fn status_of(e: &ArmEvent) -> &'static str {
    match e.phase {
        super::record::Phase::Started => "Started",
        super::record::Phase::Succeeded => "Succeeded",
        super::record::Phase::Failed => "Failed",
    }
}

fn level_of(e: &ArmEvent) -> &'static str {
    match e.phase {
        super::record::Phase::Failed => "Error",
        _ => "Informational",
    }
}

/// The absolute next-page URL: the same path, api-version, `$filter` and `$select`, plus `$skiptoken`.
fn next_link(origin: &str, path: &str, raw: &[(String, String)], cursor: &Cursor) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("api-version", API_VERSION);
    for (k, v) in raw {
        query.append_pair(k, v);
    }
    query.append_pair("$skiptoken", &cursor.encode());
    format!("{origin}{path}?{}", query.finish())
}

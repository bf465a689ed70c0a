//! Pages of a collection computed in memory as Graph JSON (Identity Protection,
//! reports): `$filter`, `$orderby` on the listed properties, `$top`, `$select`
//! and skip-token paging bound to the query.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::logs::{cursor_of, version_name};
use super::middleware::JSON;
use crate::app::AppState;
use crate::query::QueryError;
use crate::query::capability::{ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options::{self, Options, Rules};
use crate::query::skiptoken::{Cursor, query_hash};
use crate::store::TenantLogs;
use crate::store::records::ticks;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// How one collection pages and sorts.
#[derive(Clone, Copy)]
pub struct Listing<'a> {
    /// `@odata.context` fragment after `$metadata#`.
    pub fragment: &'a str,
    pub default_top: u32,
    pub max_top: u32,
    /// Properties `$orderby` may name (empty: Graph refuses `$orderby`).
    pub order: &'a [&'a str],
    /// Whether `$select` is taken.
    pub select: bool,
    /// Whether `$count=true` adds `@odata.count`.
    pub count: bool,
}

/// The context URL of a fragment.
pub fn context(version: ApiVersion, fragment: &str) -> String {
    format!(
        "https://graph.microsoft.com/{}/$metadata#{fragment}",
        version_name(version)
    )
}

/// A page of `all` after `$filter` and `$orderby`, with `$select` and skip-token paging.
pub fn list(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    logs: &TenantLogs,
    listing: Listing<'_>,
    mut all: Vec<Value>,
) -> Result<HttpResponse, GraphError> {
    let (query, order) = split_orderby(req.query_string(), version, listing.order)?;
    let rules = Rules {
        default_top: listing.default_top,
        max_top: listing.max_top,
        order_property: None,
        select: listing.select,
        count: listing.count,
    };
    // The option parser needs a resource only for its wording; Users gives Graph's generic one.
    let mut options = options::parse(&query, Resource::Users, version, rules)?;
    if let Some((name, text, _, _)) = &order {
        options.passthrough.push((name.clone(), text.clone()));
    }
    let world = state.world();
    let order_text = order.as_ref().map_or("", |o| o.1.as_str());
    let hash = hash_of(
        listing.fragment,
        version,
        &options,
        order_text,
        caller.tenant,
    );
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
    if let Some((_, _, property, descending)) = &order {
        sort(&mut all, property, *descending);
    }
    let total = all.len();
    let start = cursor.map_or(0, |c| c.last_key as usize);
    let end = (start + options.top as usize).min(all.len());
    let mut page: Vec<Value> = all.get(start..end).unwrap_or_default().to_vec();
    if let Some(select) = &options.select {
        page = page.iter().map(|o| project(o, select)).collect();
    }
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(version, listing.fragment)),
    );
    if options.count {
        body.insert("@odata.count".into(), json!(total));
    }
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

/// The member of `all` whose `key` property equals `id` (case-insensitively), as an entity.
pub fn get(
    version: ApiVersion,
    fragment: &str,
    all: Vec<Value>,
    key: &str,
    id: &str,
) -> Result<HttpResponse, GraphError> {
    let found = all
        .into_iter()
        .find(|o| o[key].as_str().is_some_and(|v| v.eq_ignore_ascii_case(id)));
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

/// A 200 with a JSON object.
pub fn ok(body: &Map<String, Value>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(body).expect("json"))
}

/// An ordering taken out of the query: (option name, text, property, descending).
type Order = (String, String, String, bool);

/// Takes `$orderby` out of the query string (the shared parser knows one
/// property only) and checks it names one of `allowed`.
fn split_orderby(
    query: &str,
    version: ApiVersion,
    allowed: &[&str],
) -> Result<(String, Option<Order>), GraphError> {
    let mut kept = form_urlencoded::Serializer::new(String::new());
    let mut order = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let bare = name
            .strip_prefix('$')
            .or((version == ApiVersion::Beta).then_some(&*name));
        if bare.is_some_and(|b| b.eq_ignore_ascii_case("filter")) {
            kept.append_pair(&name, &strip_enum_casts(&value));
            continue;
        }
        if !bare.is_some_and(|b| b.eq_ignore_ascii_case("orderby")) {
            kept.append_pair(&name, &value);
            continue;
        }
        if order.is_some() {
            return Err(GraphError::bad_request(
                "Query option 'OrderBy' was specified more than once, but it must be specified at most once.",
            ));
        }
        order = Some(parse_order(&name, &value, allowed)?);
    }
    Ok((kept.finish(), order))
}

/// `microsoft.graph.riskLevel'medium'` → `'medium'`: enum literals with their type
/// cast, as the beta docs write them (reference §A.8), outside string literals.
fn strip_enum_casts(filter: &str) -> String {
    const PREFIX: &str = "microsoft.graph.";
    let mut out = String::with_capacity(filter.len());
    let mut rest = filter;
    let mut quoted = false;
    while let Some(c) = rest.chars().next() {
        if !quoted
            && rest
                .get(..PREFIX.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(PREFIX))
        {
            let after = &rest[PREFIX.len()..];
            let name = after
                .find(|ch: char| !ch.is_ascii_alphanumeric())
                .unwrap_or(after.len());
            if name > 0 && after[name..].starts_with('\'') {
                rest = &after[name..];
                continue;
            }
        }
        if c == '\'' {
            quoted = !quoted;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn parse_order(name: &str, value: &str, allowed: &[&str]) -> Result<Order, GraphError> {
    if allowed.is_empty() {
        return Err(QueryError::not_allowed("OrderBy").into());
    }
    let mut words = value.split_whitespace();
    let property = words.next().unwrap_or_default();
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "Syntax error at position {}: '{other}' is not asc or desc.",
                value.len()
            )));
        }
    };
    let known = allowed.iter().find(|a| a.eq_ignore_ascii_case(property));
    match known {
        Some(known) if words.next().is_none() => Ok((
            name.to_string(),
            value.to_string(),
            known.to_string(),
            descending,
        )),
        _ => Err(GraphError::bad_request(format!(
            "OrderBy not supported for property '{property}'."
        ))),
    }
}

/// A stable sort on one property path (`a/b`; strings case-insensitively, numbers numerically, nulls first).
fn sort(all: &mut [Value], property: &str, descending: bool) {
    let pointer = format!("/{property}");
    let field = |v: &'_ Value| v.pointer(&pointer).cloned().unwrap_or(Value::Null);
    all.sort_by(|a, b| {
        let order = compare(&field(a), &field(b));
        if descending { order.reverse() } else { order }
    });
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Binds a token to the collection, version, filter, order, page size, `$select` and tenant.
fn hash_of(
    fragment: &str,
    version: ApiVersion,
    options: &Options,
    order: &str,
    tenant: usize,
) -> u64 {
    let filter = options.filter.as_ref().map_or("", |(t, _)| t.as_str());
    let select = options
        .select
        .as_ref()
        .map(|s| s.join(","))
        .unwrap_or_default();
    query_hash(&[
        "jsonPages",
        fragment,
        version_name(version),
        filter,
        order,
        &options.top.to_string(),
        &select,
        &tenant.to_string(),
    ])
}

/// The object reduced to `id` and the selected properties.
fn project(object: &Value, select: &[String]) -> Value {
    let mut picked = Map::new();
    if let Some(id) = object.get("id") {
        picked.insert("id".into(), id.clone());
    }
    for name in select {
        if let Some(v) = object.get(name) {
            picked.insert(name.clone(), v.clone());
        }
    }
    Value::Object(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderby_is_taken_out_of_the_query_and_checked() {
        let (rest, order) = split_orderby(
            "%24top=5&%24orderby=userPrincipalName%20desc",
            ApiVersion::V1,
            &["userDisplayName", "userPrincipalName"],
        )
        .unwrap();
        assert_eq!(rest, "%24top=5");
        let order = order.unwrap();
        assert_eq!((order.2.as_str(), order.3), ("userPrincipalName", true));
        assert!(split_orderby("$orderby=id", ApiVersion::V1, &["userDisplayName"]).is_err());
        assert!(split_orderby("$orderby=id", ApiVersion::V1, &[]).is_err());
    }

    #[test]
    fn enum_casts_are_dropped_outside_string_literals() {
        assert_eq!(
            strip_enum_casts("riskLevel eq microsoft.graph.riskLevel'medium'"),
            "riskLevel eq 'medium'"
        );
        assert_eq!(
            strip_enum_casts("é microsoft.graph.x"),
            "é microsoft.graph.x"
        );
        let literal = "userDisplayName eq 'microsoft.graph.riskLevel'";
        assert_eq!(strip_enum_casts(literal), literal);
    }

    #[test]
    fn sorting_puts_nulls_first_and_compares_numbers_as_numbers() {
        let mut all = vec![json!({"n": 10}), json!({"n": null}), json!({"n": 9})];
        sort(&mut all, "n", false);
        assert_eq!(
            all,
            vec![json!({"n": null}), json!({"n": 9}), json!({"n": 10})]
        );
    }
}

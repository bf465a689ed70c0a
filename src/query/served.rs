//! `$filter` over a record's served JSON: how records with supplied
//! (injected or imported) properties are filtered, so a filter sees exactly
//! the values a client is served. Property names match case-insensitively,
//! string comparison follows the record type `R`.

use super::eval::{Fields, Getter};
use super::value::Value;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};

/// A record of type `R` as served (JSON).
pub struct Served<R> {
    json: Json,
    of: PhantomData<fn() -> R>,
}

impl<R> Served<R> {
    /// Wraps a served JSON object.
    pub fn new(json: Json) -> Served<R> {
        Served {
            json,
            of: PhantomData,
        }
    }
}

impl<R: Fields> Fields for Served<R> {
    const CASE_SENSITIVE: bool = R::CASE_SENSITIVE;

    fn getter(path: &str) -> Option<Getter<Self>> {
        let segments: Vec<String> = path.split('/').map(str::to_string).collect();
        Some(Box::new(move |_, served| {
            let found = segments.iter().try_fold(&served.json, |v, s| member(v, s));
            value(found)
        }))
    }
}

/// The member of an object named `name` in any case (the exact spelling first).
fn member<'a>(object: &'a Json, name: &str) -> Option<&'a Json> {
    let map = object.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A JSON value as `$filter` sees it: date-time strings as times, arrays of
/// objects as object items (one level deep).
fn value(json: Option<&Json>) -> Value<'_> {
    match json {
        None | Some(Json::Null) | Some(Json::Object(_)) => Value::Null,
        Some(Json::Bool(b)) => Value::Bool(*b),
        Some(Json::Number(n)) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or_default()), Value::Int),
        Some(Json::String(s)) => time(s).map_or(Value::Str(Cow::Borrowed(s)), Value::Time),
        Some(Json::Array(items)) if items.iter().any(Json::is_object) => Value::Objects(
            items
                .iter()
                .map(|item| {
                    item.as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (intern(k), value(Some(v))))
                        .collect()
                })
                .collect(),
        ),
        Some(Json::Array(items)) => Value::List(items.iter().map(|i| value(Some(i))).collect()),
    }
}

fn time(text: &str) -> Option<i64> {
    if text.len() < 20 || text.as_bytes()[10] != b'T' {
        return None;
    }
    let at = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some(crate::store::records::ticks(at.to_utc()))
}

/// A static copy of a property name of an object item. The names come from
/// records checked against the resource's schema, so the set stays small.
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::eval::compile;
    use crate::query::filter::parse;
    use crate::store::records::SignIn;
    use serde_json::json;

    fn matches(filter: &str, record: Json) -> bool {
        let plan = crate::query::engine_tests::plan();
        let expr = parse(filter).unwrap();
        let predicate = compile::<Served<SignIn>>(&expr, plan).unwrap();
        predicate(plan, &Served::new(record))
    }

    #[test]
    fn nested_supplied_values_are_what_filters_see() {
        let record = json!({"status": {"errorCode": 50126}, "Location": {"city": "Oslo"},
            "appliedConditionalAccessPolicies": [{"id": "p", "result": "failure"}]});
        assert!(matches("status/errorCode eq 50126", record.clone()));
        assert!(matches("location/city eq 'oslo'", record.clone()));
        assert!(matches(
            "appliedConditionalAccessPolicies/any(p: p/result eq 'failure')",
            record.clone()
        ));
        assert!(!matches("status/errorCode eq 0", record));
    }

    #[test]
    fn supplied_times_compare_as_times() {
        let record = json!({"createdDateTime": "2026-06-01T10:00:00.5Z"});
        assert!(matches(
            "createdDateTime gt 2026-06-01T10:00:00Z",
            record.clone()
        ));
        assert!(!matches("createdDateTime ge 2026-06-02", record));
    }
}

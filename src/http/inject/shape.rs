//! The shape a supplied Graph property must have: the union of what the
//! log's records look like when served (by both API versions, over a sample
//! of the store and the record being injected). A property is known if some
//! served record has it; its JSON type must match (a date-time where Graph
//! serves one, an integer where Graph serves integers). Properties Graph only
//! ever serves as null, and items of collections always served empty, accept
//! any value (the schema gives no type to check against).

use super::Problems;
use serde_json::{Map, Value};

/// Served shapes of one log: per version, and both together.
pub struct Shape {
    pub v1: Value,
    pub beta: Value,
    /// Both versions together.
    pub both: Value,
}

impl Shape {
    /// An empty shape, widened by [`Shape::add`].
    pub fn new() -> Shape {
        Shape {
            v1: Value::Object(Map::new()),
            beta: Value::Object(Map::new()),
            both: Value::Object(Map::new()),
        }
    }

    /// A copy widened with one more record (see [`Shape::add`]).
    pub fn with(&self, v1: &[u8], beta: &[u8]) -> Shape {
        let mut shape = Shape {
            v1: self.v1.clone(),
            beta: self.beta.clone(),
            both: self.both.clone(),
        };
        shape.add(v1, beta);
        shape
    }

    /// Widens the shape with one record as each version serves it.
    pub fn add(&mut self, v1: &[u8], beta: &[u8]) {
        for (shape, bytes) in [(&mut self.v1, v1), (&mut self.beta, beta)] {
            if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
                unite(shape, &value);
                unite(&mut self.both, &value);
            }
        }
    }

    /// Checks supplied top-level properties; names the ones a version lacks.
    /// Returns (beta-only, v1-only) names.
    pub fn check(
        &self,
        supplied: &Map<String, Value>,
        problems: &mut Problems,
    ) -> (Vec<String>, Vec<String>) {
        let (mut beta_only, mut v1_only) = (Vec::new(), Vec::new());
        for (name, value) in supplied {
            let Some(shape) = self.both.get(name) else {
                continue;
            };
            match (self.v1.get(name).is_some(), self.beta.get(name).is_some()) {
                (false, _) => beta_only.push(name.clone()),
                (_, false) => v1_only.push(name.clone()),
                _ => {}
            }
            conforms(value, shape, name, problems);
        }
        (beta_only, v1_only)
    }

    /// True when either version serves a property of this name.
    pub fn has(&self, name: &str) -> bool {
        self.both.get(name).is_some()
    }

    /// The property of this name in another case, if any (for a hint).
    pub fn spelled(&self, name: &str) -> Option<String> {
        [&self.v1, &self.beta]
            .into_iter()
            .filter_map(Value::as_object)
            .flat_map(|m| m.keys())
            .find(|k| k.eq_ignore_ascii_case(name))
            .cloned()
    }
}

/// Widens `shape` so `value` fits it: objects take every property, arrays one
/// item shape, null gives way to a type, integers to floats.
pub fn unite(shape: &mut Value, value: &Value) {
    match (shape, value) {
        (Value::Object(have), Value::Object(more)) => {
            for (name, v) in more {
                match have.get_mut(name) {
                    Some(slot) => unite(slot, v),
                    None => {
                        have.insert(name.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(have), Value::Array(more)) => {
            let mut item = Value::Null;
            for v in have.iter().chain(more) {
                unite(&mut item, v);
            }
            *have = if item.is_null() { vec![] } else { vec![item] };
        }
        (shape @ Value::Null, v) => {
            *shape = v.clone();
            if let Value::Array(_) = v {
                let mut fresh = Value::Array(vec![]);
                unite(&mut fresh, v);
                *shape = fresh;
            }
        }
        (shape @ Value::Number(_), Value::Number(n)) if n.is_f64() => {
            *shape = Value::Number(n.clone())
        }
        _ => {}
    }
}

/// Checks a supplied value against a shape, naming `path` in each problem.
fn conforms(value: &Value, shape: &Value, path: &str, problems: &mut Problems) {
    match (shape, value) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Bool(_), Value::Bool(_)) => {}
        (Value::Number(n), Value::Number(v)) => {
            if !(n.is_f64() || v.is_i64() || v.is_u64()) {
                problems.add(path, "must be an integer");
            }
        }
        (Value::String(s), Value::String(v)) => {
            if is_time(s) && !is_time(v) {
                problems.add(path, "must be an RFC 3339 date-time");
            }
        }
        (Value::Array(items), Value::Array(given)) => {
            if let Some(item) = items.first() {
                for (i, v) in given.iter().enumerate() {
                    conforms(v, item, &format!("{path}[{i}]"), problems);
                }
            }
        }
        (Value::Object(props), Value::Object(given)) => {
            for (name, v) in given {
                match props.get(name) {
                    Some(inner) => conforms(v, inner, &format!("{path}/{name}"), problems),
                    None => problems.add(&format!("{path}/{name}"), unknown(props, name)),
                }
            }
        }
        (shape, _) => problems.add(path, format!("must be {}", kind(shape))),
    }
}

/// "unknown property", with the known spelling when only the case differs.
pub fn unknown(props: &Map<String, Value>, name: &str) -> String {
    match props.keys().find(|k| k.eq_ignore_ascii_case(name)) {
        Some(k) => format!("unknown property (Graph spells it '{k}')"),
        None => "unknown property".to_string(),
    }
}

fn kind(shape: &Value) -> &'static str {
    match shape {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(s) if is_time(s) => "an RFC 3339 date-time",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        Value::Null => "null",
    }
}

fn is_time(text: &str) -> bool {
    text.len() >= 20
        && text.as_bytes()[10] == b'T'
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape() -> Shape {
        let mut s = Shape::new();
        let v1 = json!({"createdDateTime": "2026-06-01T12:00:00Z", "status": {"errorCode": 0},
            "location": {"geoCoordinates": {"latitude": 1.5}}, "applied": [], "tags": ["a"]});
        let mut beta = v1.clone();
        beta["signInEventTypes"] = json!(["interactiveUser"]);
        s.add(v1.to_string().as_bytes(), beta.to_string().as_bytes());
        s
    }

    fn problems(supplied: Value) -> Vec<String> {
        let mut p = Problems::default();
        shape().check(supplied.as_object().unwrap(), &mut p);
        p.into_list(super::super::Mode::Inject)
    }

    #[test]
    fn well_typed_nested_values_pass() {
        let ok = json!({"status": {"errorCode": 50126}, "createdDateTime": "2026-06-01T10:00:00.123Z",
            "location": {"geoCoordinates": {"latitude": 59}}, "applied": [{"any": 1}], "tags": null});
        assert_eq!(problems(ok), Vec::<String>::new());
    }

    #[test]
    fn each_bad_field_is_named_by_its_path() {
        let bad = json!({"status": {"errorCode": "x", "bogus": 1}, "createdDateTime": "yesterday",
            "tags": [1]});
        let found = problems(bad);
        assert!(
            found.contains(&"status/errorCode: must be a number".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"status/bogus: unknown property".to_string()),
            "{found:?}"
        );
        assert!(found.contains(&"createdDateTime: must be an RFC 3339 date-time".to_string()));
        assert!(
            found.contains(&"tags[0]: must be a string".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn properties_of_one_version_are_named() {
        let mut p = Problems::default();
        let (beta_only, v1_only) = shape().check(
            json!({"signInEventTypes": ["servicePrincipal"]})
                .as_object()
                .unwrap(),
            &mut p,
        );
        assert_eq!(
            (beta_only, v1_only),
            (vec!["signInEventTypes".to_string()], vec![])
        );
    }
}

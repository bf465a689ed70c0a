//! Graph properties a user supplied for injected and imported records, kept
//! beside the compact record and laid over its generated JSON when served.
//!
//! The compact record still carries the time, key, kind and tenant references
//! (so paging, visibility and the version rules work as for generated
//! records); the overlay holds the supplied JSON exactly as given. Served
//! bytes stay deterministic: the generated JSON fixes the property order, the
//! overlay replaces values, and properties the generated record lacks follow
//! in the order they were supplied.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The supplied properties of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The properties as supplied (Graph names and shapes).
    pub props: Map<String, Value>,
    /// Supplied properties that v1.0's resource lacks (left out there).
    pub beta_only: Vec<String>,
    /// Supplied properties that beta's resource lacks (left out there).
    pub v1_only: Vec<String>,
    /// Supplied objects replace generated ones whole (imported, complete
    /// records) instead of property by property (injected, partial ones).
    pub whole: bool,
}

impl Overlay {
    /// The supplied `id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.props.get("id").and_then(Value::as_str)
    }
}

/// Every overlay of a tenant, by record key, and the supplied ids.
#[derive(Debug, Default, Clone)]
pub struct Overlays {
    by_key: BTreeMap<u64, Arc<Overlay>>,
    /// Lower-case supplied id -> record key.
    by_id: BTreeMap<String, u64>,
}

impl Overlays {
    /// The overlay of the record with this key.
    pub fn get(&self, key: u64) -> Option<&Overlay> {
        self.by_key.get(&key).map(|o| &**o)
    }

    /// The key of the record whose supplied id is `id` (any case).
    pub fn key_of(&self, id: &str) -> Option<u64> {
        self.by_id.get(&id.to_ascii_lowercase()).copied()
    }

    /// Files the overlay of the record with `key`.
    pub fn insert(&mut self, key: u64, overlay: Overlay) {
        if let Some(id) = overlay.id() {
            self.by_id.insert(id.to_ascii_lowercase(), key);
        }
        self.by_key.insert(key, Arc::new(overlay));
    }

    /// True when no record has an overlay.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether any record's supplied properties include one of these
    /// top-level names (any case).
    pub fn supplies_any(&self, names: &[String]) -> bool {
        !names.is_empty()
            && self.by_key.values().any(|o| {
                o.props
                    .keys()
                    .any(|k| names.iter().any(|n| n.eq_ignore_ascii_case(k)))
            })
    }

    /// Number of records with an overlay.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }
}

/// The generated JSON object of a record with its overlay laid over it, for
/// an API version (`beta` true for beta).
pub fn apply(generated: &[u8], overlay: &Overlay, beta: bool) -> Map<String, Value> {
    let mut out: Map<String, Value> = serde_json::from_slice(generated).unwrap_or_default();
    let absent = if beta {
        &overlay.v1_only
    } else {
        &overlay.beta_only
    };
    for (name, value) in &overlay.props {
        if absent.contains(name) {
            continue;
        }
        match out.get_mut(name) {
            Some(slot) if !overlay.whole => merge(slot, value),
            Some(slot) => *slot = value.clone(),
            None => {
                out.insert(name.clone(), value.clone());
            }
        }
    }
    out
}

/// Lays `supplied` over `slot`: objects property by property (the slot's
/// order first), anything else replaced whole.
fn merge(slot: &mut Value, supplied: &Value) {
    match (slot, supplied) {
        (Value::Object(have), Value::Object(given)) => {
            for (name, value) in given {
                match have.get_mut(name) {
                    Some(inner) => merge(inner, value),
                    None => {
                        have.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        (slot, supplied) => *slot = supplied.clone(),
    }
}

/// Writes a record: its generated JSON, with its overlay if it has one.
pub fn write_with(out: &mut Vec<u8>, generated: &[u8], overlay: Option<&Overlay>, beta: bool) {
    match overlay {
        None => out.extend_from_slice(generated),
        Some(o) => serde_json::to_writer(out, &apply(generated, o, beta)).expect("json"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(props: Value) -> Overlay {
        Overlay {
            props: props.as_object().unwrap().clone(),
            beta_only: vec!["signInEventTypes".into()],
            v1_only: vec![],
            whole: false,
        }
    }

    #[test]
    fn supplied_values_replace_generated_ones_in_generated_order() {
        let generated = br#"{"id":"a","status":{"errorCode":0,"failureReason":"Other."},"ipAddress":"1.2.3.4"}"#;
        let o = overlay(json!({"ipAddress": "::1", "status": {"errorCode": 50126}}));
        let served = serde_json::to_string(&apply(generated, &o, true)).unwrap();
        assert_eq!(
            served,
            r#"{"id":"a","status":{"errorCode":50126,"failureReason":"Other."},"ipAddress":"::1"}"#
        );
    }

    #[test]
    fn a_property_one_version_lacks_is_left_out_there() {
        let o = overlay(json!({"signInEventTypes": ["nonInteractiveUser"]}));
        assert!(!apply(b"{}", &o, false).contains_key("signInEventTypes"));
        assert!(apply(b"{}", &o, true).contains_key("signInEventTypes"));
    }

    #[test]
    fn supplied_ids_are_found_in_any_case() {
        let mut all = Overlays::default();
        all.insert(7, overlay(json!({"id": "AbC"})));
        assert_eq!(all.key_of("abc"), Some(7));
        assert_eq!(all.get(7).and_then(Overlay::id), Some("AbC"));
    }
}

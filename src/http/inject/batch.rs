//! One record or many: a body is an object, an array of objects or a Graph
//! collection document (`{"value": [...]}`). Every record is checked (flat
//! control fields, then Graph-shaped properties against the served shape)
//! before any is stored, and all are filed in one snapshot.

use super::shape::{Shape, unknown};
use super::{CONTROL_FIELDS, Common, Mode, Problems, common};
use crate::activity::Plan;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::http::logs::LogSpec;
use crate::http::middleware::JSON;
use crate::query::capability::ApiVersion;
use crate::store::overlay::{Overlay, write_with};
use crate::store::records::make_key;
use crate::store::{INJECTED_HOUR, Keyed, World};
use actix_web::HttpResponse;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// How one log's records are injected.
pub(crate) trait Injected: Keyed + Copy {
    /// The flat fields the control surface has always taken (some are Graph properties too).
    const FIELDS: &'static [&'static str];
    /// The event-time property.
    const TIME: &'static str;
    /// How the log is served.
    fn spec() -> &'static LogSpec<Self>;
    /// The record from the flat fields (without key and delay), noting problems.
    fn build(
        plan: &Plan,
        body: &Map<String, Value>,
        common: &Common,
        problems: &mut Problems,
    ) -> Self;
    /// The record with its key and visibility delay.
    fn finish(self, plan: &Plan, key: u64, common: &Common) -> Self;
}

/// A checked record, ready to file.
pub(crate) struct Ready<R> {
    common: Common,
    record: R,
    overlay: Option<Overlay>,
}

/// The records of a body, and whether it held many (an array or a collection).
fn items(value: Value) -> Result<(Vec<Value>, bool), String> {
    match value {
        Value::Array(items) => Ok((items, true)),
        Value::Object(mut map) if map.get("value").is_some_and(Value::is_array) => {
            match map.remove("value") {
                Some(Value::Array(items)) => Ok((items, true)),
                _ => Err("value: must be an array".into()),
            }
        }
        Value::Object(map) => Ok((vec![Value::Object(map)], false)),
        _ => Err("the body must be a JSON object, an array of objects or a collection document ({\"value\": [...]})".into()),
    }
}

/// The problems of one record, by its position.
pub(crate) type Failed = (usize, Vec<String>);

/// Checks every record: the good ones ready to file, and the problems of each
/// bad one. `ids` holds the supplied ids seen so far (across calls).
pub(crate) fn check_all<R: Injected>(
    state: &AppState,
    world: &World,
    items: &[Value],
    mode: Mode,
    ids: &mut BTreeSet<String>,
) -> (Vec<Ready<R>>, Vec<Failed>) {
    let sample = sample::<R>(world);
    let mut ready = Vec::with_capacity(items.len());
    let mut failed = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match check_one::<R>(state, world, &sample, item, mode, ids) {
            Ok(r) => ready.push(r),
            Err(problems) => failed.push((i, problems)),
        }
    }
    (ready, failed)
}

/// The served shape of the log over a sample of tenant 0's newest records.
fn sample<R: Injected>(world: &World) -> Shape {
    let mut shape = Shape::new();
    let logs = &world.tenants[0];
    let records = logs
        .hours
        .values()
        .rev()
        .flat_map(|h| R::log(h).iter())
        .take(400);
    for r in records {
        add(&mut shape, &logs.plan, r);
    }
    shape
}

fn add<R: Injected>(shape: &mut Shape, plan: &Plan, r: &R) {
    let (mut v1, mut beta) = (Vec::new(), Vec::new());
    (R::spec().write)(&mut v1, plan, r, ApiVersion::V1);
    (R::spec().write)(&mut beta, plan, r, ApiVersion::Beta);
    shape.add(&v1, &beta);
}

fn check_one<R: Injected>(
    state: &AppState,
    world: &World,
    sample: &Shape,
    item: &Value,
    mode: Mode,
    ids: &mut BTreeSet<String>,
) -> Result<Ready<R>, Vec<String>> {
    let Some(raw) = item.as_object() else {
        return Err(vec!["the record must be a JSON object".into()]);
    };
    let mut flat = Value::Object(raw.clone());
    super::super::control::integral_floats(&mut flat);
    let flat = flat.as_object().cloned().unwrap_or_default();
    let mut problems = Problems::default();
    let common = common(&flat, R::TIME, state, world, mode, &mut problems);
    let record = R::build(&common.plan, &flat, &common, &mut problems);
    let overlay = overlay::<R>(sample, raw, &common, &record, mode, &mut problems);
    if let Some(id) = overlay.as_ref().and_then(Overlay::id) {
        let known = world.tenants[common.tenant].overlays.key_of(id).is_some();
        if known || !ids.insert(id.to_ascii_lowercase()) {
            problems.add("id", format!("a record with id '{id}' is already held"));
        }
    }
    let problems = problems.into_list(mode);
    if problems.is_empty() {
        Ok(Ready {
            common,
            record,
            overlay,
        })
    } else {
        Err(problems)
    }
}

/// The supplied Graph properties, checked against the served shape; unknown
/// fields are problems.
fn overlay<R: Injected>(
    sample: &Shape,
    raw: &Map<String, Value>,
    common: &Common,
    record: &R,
    mode: Mode,
    problems: &mut Problems,
) -> Option<Overlay> {
    // The record's own JSON widens the sample only when the sample lacks a property.
    let own;
    let shape = if raw.keys().all(|k| sample.has(k)) {
        sample
    } else {
        let (mut v1, mut beta) = (Vec::new(), Vec::new());
        (R::spec().write)(&mut v1, &common.plan, record, ApiVersion::V1);
        (R::spec().write)(&mut beta, &common.plan, record, ApiVersion::Beta);
        own = sample.with(&v1, &beta);
        &own
    };
    let mut props = Map::new();
    for (name, value) in raw {
        if shape.has(name) {
            props.insert(name.clone(), value.clone());
        } else if mode == Mode::Import || !control_field::<R>(name) {
            problems.add(name, unknown_field::<R>(shape, name));
        }
    }
    let (beta_only, v1_only) = shape.check(&props, problems);
    if mode == Mode::Inject {
        unchanged::<R>(&mut props, &common.plan, record);
    }
    (!props.is_empty()).then_some(Overlay {
        props,
        beta_only,
        v1_only,
        whole: mode == Mode::Import,
    })
}

/// Drops supplied values the completed record serves anyway (a flat
/// `userPrincipalName` naming a tenant user as the tenant spells it): a
/// record without an overlay keeps the tenant's filter indexes usable.
fn unchanged<R: Injected>(props: &mut Map<String, Value>, plan: &Plan, record: &R) {
    let served = |version| {
        let mut out = Vec::new();
        (R::spec().write)(&mut out, plan, record, version);
        serde_json::from_slice::<Map<String, Value>>(&out).unwrap_or_default()
    };
    let (v1, beta) = (served(ApiVersion::V1), served(ApiVersion::Beta));
    props.retain(|name, value| {
        let generated: Vec<&Value> = [v1.get(name), beta.get(name)]
            .into_iter()
            .flatten()
            .collect();
        generated.is_empty() || generated.iter().any(|g| *g != value)
    });
}

fn control_field<R: Injected>(name: &str) -> bool {
    R::FIELDS.contains(&name) || CONTROL_FIELDS.contains(&name)
}

fn unknown_field<R: Injected>(shape: &Shape, name: &str) -> String {
    if let Some(spelled) = shape.spelled(name) {
        return format!("unknown property (Graph spells it '{spelled}')");
    }
    let mut text = unknown(&Map::new(), name);
    text.push_str(&format!(
        " of the resource (nor a control field: {}, {}, {})",
        R::FIELDS.join(", "),
        R::TIME,
        CONTROL_FIELDS.join(", ")
    ));
    text
}

/// A filed record: its tenant's plan, the record and its supplied properties.
pub(crate) type Stored<R> = (Arc<Plan>, R, Option<Overlay>);

/// Files every record under its tenant's next injected keys, in one snapshot;
/// refused whole if a tenant was rebuilt meanwhile.
pub(crate) fn store_all<R: Injected>(
    state: &AppState,
    ready: Vec<Ready<R>>,
) -> Result<Vec<Stored<R>>, GraphError> {
    state.update(|world| {
        let stale = ready
            .iter()
            .any(|r| !Arc::ptr_eq(&world.tenants[r.common.tenant].plan, &r.common.plan));
        if stale {
            return Err(super::reset_meanwhile());
        }
        let mut stored = Vec::with_capacity(ready.len());
        for Ready {
            common,
            record,
            overlay,
        } in ready
        {
            let logs = &mut world.tenants[common.tenant];
            logs.injected += 1;
            let key = make_key(INJECTED_HOUR, logs.injected);
            let record = record.finish(&common.plan, key, &common);
            logs.insert(record);
            if let Some(o) = &overlay {
                Arc::make_mut(&mut logs.overlays).insert(key, o.clone());
            }
            stored.push((common.plan, record, overlay));
        }
        Ok(stored)
    })
}

/// `POST /_entrasim/{log}`: 201 with the record (or `{"value": [...]}`) as beta serves it.
pub(crate) fn inject<R: Injected>(
    state: &AppState,
    body: &[u8],
) -> Result<HttpResponse, GraphError> {
    let value = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| GraphError::bad_request(format!("The body is not valid JSON: {e}.")))?
    };
    let (items, many) = items(value).map_err(GraphError::bad_request)?;
    if items.is_empty() {
        return Err(GraphError::bad_request(
            "The batch is empty: send at least one record.",
        ));
    }
    let world = state.world();
    let (ready, failed) = check_all::<R>(state, &world, &items, Mode::Inject, &mut BTreeSet::new());
    if !failed.is_empty() {
        return Err(refusal(&failed, many));
    }
    let stored = store_all(state, ready)?;
    let mut out = Vec::new();
    if many {
        out.extend_from_slice(b"{\"value\":[");
    }
    for (i, (plan, record, overlay)) in stored.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut generated = Vec::new();
        (R::spec().write)(&mut generated, plan, record, ApiVersion::Beta);
        write_with(&mut out, &generated, overlay.as_ref(), true);
    }
    if many {
        out.extend_from_slice(b"]}");
    }
    Ok(HttpResponse::Created().content_type(JSON).body(out))
}

/// The 400 naming every bad field (by record position in a batch).
fn refusal(failed: &[Failed], many: bool) -> GraphError {
    let lines: Vec<String> = failed
        .iter()
        .flat_map(|(i, problems)| {
            problems.iter().map(move |p| {
                if many {
                    format!("[{i}] {p}")
                } else {
                    p.clone()
                }
            })
        })
        .collect();
    let message = if many {
        format!(
            "The batch is invalid; nothing was stored: {}",
            lines.join("; ")
        )
    } else {
        format!("The record is invalid: {}", lines.join("; "))
    };
    GraphError::bad_request(message).with_detail(lines.join("\n"))
}

//! The Azure Monitor record envelope that storage blobs and Event Hubs carry, built
//! around the Graph object of the same record (reference B2.3, B2.4; casing quirks
//! kept: sign-ins `Level: 4`, audits `level: "Informational"`).

use super::category::Category;
use crate::activity::Plan;
use crate::query::capability::ApiVersion;
use crate::store::records::{Audit, Provisioning, SignIn};
use serde_json::{Map, Value, json};

/// One record ready to route: its category, the Graph object and the envelope.
#[derive(Debug, Clone)]
pub struct Routed {
    pub category: Category,
    /// The Graph (beta) object as the API serves it.
    pub graph: Value,
    /// The Azure Monitor record (`properties` holds the adjusted Graph object, or null
    /// when built for a table, which reads the Graph object instead).
    pub envelope: Value,
    /// Bytes of the Graph object's JSON.
    pub size: usize,
}

/// Whether to build `properties` (storage, Event Hubs) or leave it out (tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Full,
    Lean,
}

/// `2026-06-01T11:57:10Z` -> `2026-06-01T11:57:10.0000000Z` (envelope `time`, S24).
pub fn seven_digits(graph_time: &str) -> String {
    let body = graph_time.trim_end_matches('Z');
    match body.split_once('.') {
        Some((secs, fraction)) => format!("{secs}.{fraction:0<7.7}Z"),
        None => format!("{body}.0000000Z"),
    }
}

/// The same instant with a `+00:00` offset, as inside `properties` (S24).
pub fn with_offset(graph_time: &str) -> String {
    let seven = seven_digits(graph_time);
    format!("{}+00:00", seven.trim_end_matches('Z'))
}

fn graph_json(write: impl FnOnce(&mut Vec<u8>)) -> (Value, usize) {
    let mut out = Vec::with_capacity(4096);
    write(&mut out);
    let value = serde_json::from_slice(&out).expect("the model writes valid JSON");
    (value, out.len())
}

/// The Graph object as `properties`, with `adjust` applied (or null for tables).
fn properties(graph: &Value, shape: Shape, adjust: impl FnOnce(&mut Map<String, Value>)) -> Value {
    if shape == Shape::Lean {
        return Value::Null;
    }
    let mut props = graph.as_object().cloned().unwrap_or_default();
    adjust(&mut props);
    Value::Object(props)
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn offset_field(map: &mut Map<String, Value>, key: &str) {
    if let Some(Value::String(s)) = map.get(key) {
        let moved = with_offset(s);
        map.insert(key.into(), Value::String(moved));
    }
}

fn resource_id(plan: &Plan) -> String {
    format!("/tenants/{}/providers/Microsoft.aadiam", plan.tenant.id)
}

/// A sign-in: S24's envelope around the beta `signIn`.
pub fn sign_in(plan: &Plan, r: &SignIn, shape: Shape) -> Routed {
    let (graph, size) =
        graph_json(|out| crate::model::sign_in::write(out, plan, r, ApiVersion::Beta));
    let category = Category::of_sign_in(r.kind);
    let props = properties(&graph, shape, |props| {
        offset_field(props, "createdDateTime");
        if let Some(Value::Array(steps)) = props.get_mut("authenticationDetails") {
            for step in steps.iter_mut().filter_map(Value::as_object_mut) {
                offset_field(step, "authenticationStepDateTime");
            }
        }
        // Keys the storage record carries beyond Graph's (S24 sample).
        let v2 = props.get("riskEventTypes_v2").cloned().unwrap_or(json!([]));
        props.entry("riskEventTypes").or_insert(v2);
        props.entry("privateLinkDetails").or_insert(json!({}));
        props.entry("ssoExtensionVersion").or_insert(json!(""));
    });
    let status = &graph["status"];
    let identity = if r.kind.is_user() {
        text(&graph, "userDisplayName")
    } else {
        text(&graph, "servicePrincipalName")
    };
    let mut envelope = json!({
        "time": seven_digits(graph["createdDateTime"].as_str().unwrap_or_default()),
        "resourceId": resource_id(plan),
        "operationName": "Sign-in activity",
        "operationVersion": "1.0",
        "category": category.name,
        "tenantId": plan.tenant.id,
        "resultType": status["errorCode"].as_i64().unwrap_or(0).to_string(),
        "resultSignature": "None",
        "resultDescription": text(status, "failureReason"),
        "durationMs": 0,
        "callerIpAddress": graph["ipAddress"],
        "correlationId": graph["correlationId"],
        "identity": identity,
        "Level": 4,
        "location": graph["location"]["countryOrRegion"],
        "properties": props,
    });
    // Managed-identity sign-ins carry no IP address (S8).
    if graph["ipAddress"].is_null() {
        envelope
            .as_object_mut()
            .expect("object")
            .remove("callerIpAddress");
    }
    Routed {
        category,
        graph,
        envelope,
        size,
    }
}

/// An audit: S25's 2018-12 envelope around the beta `directoryAudit` (`result` as the
/// sample's integer: 0 success, 1 otherwise [INFERRED for failures]).
pub fn audit(plan: &Plan, r: &Audit, shape: Shape) -> Routed {
    let (graph, size) =
        graph_json(|out| crate::model::audit::write(out, plan, r, ApiVersion::Beta));
    let result = i64::from(graph["result"].as_str() != Some("success"));
    let props = properties(&graph, shape, |props| {
        offset_field(props, "activityDateTime");
        props.insert("result".into(), json!(result));
    });
    let by = &graph["initiatedBy"];
    let (identity, ip) = match (&by["user"], &by["app"]) {
        (user, _) if user.is_object() => (text(user, "userPrincipalName"), text(user, "ipAddress")),
        (_, app) => (text(app, "displayName"), String::new()),
    };
    let envelope = json!({
        "time": seven_digits(graph["activityDateTime"].as_str().unwrap_or_default()),
        "resourceId": resource_id(plan),
        "operationName": graph["activityDisplayName"],
        "operationVersion": "1.0",
        "category": "AuditLogs",
        "tenantId": plan.tenant.id,
        "resultSignature": "None",
        "durationMs": 0,
        "callerIpAddress": if ip.is_empty() { "<null>".to_string() } else { ip },
        "correlationId": graph["correlationId"],
        "identity": identity,
        "level": "Informational",
        "properties": props,
    });
    Routed {
        category: Category::find("AuditLogs").expect("listed"),
        graph,
        envelope,
        size,
    }
}

/// A provisioning change [INFERRED envelope: no published sample; the audit shape with
/// `category` `ProvisioningLogs`, reference B2.4].
pub fn provisioning(plan: &Plan, r: &Provisioning, shape: Shape) -> Routed {
    let (graph, size) =
        graph_json(|out| crate::model::provisioning::write(out, plan, r, ApiVersion::Beta));
    let props = properties(&graph, shape, |props| {
        offset_field(props, "activityDateTime")
    });
    let status = text(&graph["provisioningStatusInfo"], "status");
    let envelope = json!({
        "time": seven_digits(graph["activityDateTime"].as_str().unwrap_or_default()),
        "resourceId": resource_id(plan),
        "operationName": "Provisioning activity",
        "operationVersion": "1.0",
        "category": "ProvisioningLogs",
        "tenantId": plan.tenant.id,
        "resultType": capitalised(&status),
        "resultSignature": "None",
        "durationMs": graph["durationInMilliseconds"],
        "callerIpAddress": "<null>",
        "correlationId": graph["changeId"],
        "identity": graph["initiatedBy"]["displayName"],
        "level": "Informational",
        "properties": props,
    });
    Routed {
        category: Category::find("ProvisioningLogs").expect("listed"),
        graph,
        envelope,
        size,
    }
}

/// `success` -> `Success` (the column's documented values, S33).
pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_times_carry_seven_digits_and_properties_an_offset() {
        assert_eq!(
            seven_digits("2026-06-01T11:57:10Z"),
            "2026-06-01T11:57:10.0000000Z"
        );
        assert_eq!(
            seven_digits("2026-06-01T11:57:10.12Z"),
            "2026-06-01T11:57:10.1200000Z"
        );
        assert_eq!(
            with_offset("2026-06-01T11:57:10.1234567Z"),
            "2026-06-01T11:57:10.1234567+00:00"
        );
    }

    #[test]
    fn results_are_capitalised_as_the_table_documents() {
        assert_eq!(capitalised("skipped"), "Skipped");
        assert_eq!(capitalised(""), "");
    }
}

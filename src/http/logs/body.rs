//! The JSON of a log page and of a single record.

use super::spec::LogSpec;
use crate::activity::Plan;
use crate::http::error::GraphError;
use crate::query::capability::{ApiVersion, Resource};
use crate::query::options::Options;
use crate::store::Keyed;
use crate::store::overlay::{Overlays, write_with};

/// Writes one record as served: generated JSON, with supplied properties laid over it.
pub fn write_record<R: Keyed>(
    spec: &LogSpec<R>,
    plan: &Plan,
    overlays: &Overlays,
    record: &R,
    version: ApiVersion,
    out: &mut Vec<u8>,
) {
    match overlays.get(record.key()) {
        None => (spec.write)(out, plan, record, version),
        Some(overlay) => {
            let mut generated = Vec::new();
            (spec.write)(&mut generated, plan, record, version);
            write_with(out, &generated, Some(overlay), version == ApiVersion::Beta);
        }
    }
}

/// `https://graph.microsoft.com/{version}/$metadata#{fragment}`.
pub fn context_url(version: ApiVersion, fragment: &str) -> String {
    let v = if version == ApiVersion::V1 {
        "v1.0"
    } else {
        "beta"
    };
    format!("https://graph.microsoft.com/{v}/$metadata#{fragment}")
}

/// A collection page: context, nextLink, tips, then the records.
pub fn page<R: Keyed>(
    spec: &LogSpec<R>,
    plan: &Plan,
    overlays: &Overlays,
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
    let start = out.len();
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match &options.select {
            None => write_record(spec, plan, overlays, record, version, &mut out),
            Some(select) => {
                write_selected(spec, plan, overlays, record, version, select, &mut out)?
            }
        }
        if i == 0 {
            // Size the page from its first record: one allocation instead of a dozen copies.
            out.reserve((out.len() - start + 1) * records.len() * 9 / 8);
        }
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn write_selected<R: Keyed>(
    spec: &LogSpec<R>,
    plan: &Plan,
    overlays: &Overlays,
    record: &R,
    version: ApiVersion,
    select: &[String],
    out: &mut Vec<u8>,
) -> Result<(), GraphError> {
    let mut full = Vec::new();
    write_record(spec, plan, overlays, record, version, &mut full);
    let full: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&full).expect("own json");
    let mut picked = serde_json::Map::new();
    for name in select {
        // Names match case-insensitively; the response uses the schema's spelling.
        let (key, value) = full
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let kind = spec.context.rsplit('/').next().unwrap_or_default();
                GraphError::bad_request(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.{}'.",
                    type_name(kind)
                ))
            })?;
        picked.insert(key.clone(), value.clone());
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

/// One record with its `$entity` context.
pub fn entity<R: Keyed>(
    spec: &LogSpec<R>,
    plan: &Plan,
    overlays: &Overlays,
    record: &R,
    version: ApiVersion,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(2048);
    let context = context_url(version, &format!("{}/$entity", spec.context));
    out.extend_from_slice(b"{\"@odata.context\":");
    serde_json::to_writer(&mut out, &context).expect("json");
    out.push(b',');
    let mut body = Vec::new();
    write_record(spec, plan, overlays, record, version, &mut body);
    out.extend_from_slice(&body[1..]);
    out
}

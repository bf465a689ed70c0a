//! The `$batch` request body, parsed and validated into [`Batch`] before anything runs.
//!
//! Rules (reference part D, sources S43/S51): at most 20 items; `id`, `method` and
//! `url` required; ids unique ignoring case; `dependsOn` (or the Python SDK's
//! `depends_on`) names earlier items only, so a cycle or an unknown id is refused.

use super::BatchError;
use actix_web::http::Method;
use serde_json::{Map, Value};

/// Graph's limit on the items of one batch (S43: "up to 20").
pub const MAX_ITEMS: usize = 20;

/// A validated batch: items in the order the client sent them.
#[derive(Debug)]
pub struct Batch {
    pub items: Vec<Item>,
}

/// One request of a batch.
#[derive(Debug)]
pub struct Item {
    pub id: String,
    pub method: Method,
    /// Path and query below the version, always starting with `/`.
    pub path: String,
    /// Item headers, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Indexes of the (earlier) items this one depends on.
    pub depends_on: Vec<usize>,
}

/// Parses a batch body.
pub fn parse(body: &[u8]) -> Result<Batch, BatchError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| BatchError::Format)?;
    let requests = value
        .get("requests")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or(BatchError::Format)?;
    if requests.len() > MAX_ITEMS {
        return Err(BatchError::TooMany(requests.len()));
    }
    let mut items: Vec<Item> = Vec::with_capacity(requests.len());
    for request in requests {
        let object = request.as_object().ok_or(BatchError::Format)?;
        let id = text(object, "id")?;
        if items.iter().any(|i| i.id.eq_ignore_ascii_case(&id)) {
            return Err(BatchError::DuplicateId(id));
        }
        let depends_on = dependencies(object, &id, &items)?;
        let headers = headers(object)?;
        let body = object.get("body").map(|b| body_bytes(b, &headers));
        items.push(Item {
            method: Method::from_bytes(text(object, "method")?.to_ascii_uppercase().as_bytes())
                .map_err(|_| BatchError::Format)?,
            path: normalise(&text(object, "url")?),
            headers,
            body,
            depends_on,
            id,
        });
    }
    Ok(Batch { items })
}

fn text(object: &Map<String, Value>, key: &str) -> Result<String, BatchError> {
    match object.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        // Graph's ids are strings; the JS SDK's are too, but a number is read as its text.
        Some(Value::Number(n)) if key == "id" => Ok(n.to_string()),
        _ => Err(BatchError::Format),
    }
}

/// `dependsOn` (documented) or `depends_on` (what msgraph-core for Python writes, S45).
fn dependencies(
    object: &Map<String, Value>,
    id: &str,
    earlier: &[Item],
) -> Result<Vec<usize>, BatchError> {
    // Both spellings are read, and each must be a list of ids (either may stand alone).
    let mut names = Vec::new();
    for key in ["dependsOn", "depends_on"] {
        match object.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => names.extend(list),
            Some(_) => return Err(BatchError::Format),
        }
    }
    let mut found: Vec<usize> = names
        .iter()
        .map(|d| {
            let name = d.as_str().ok_or(BatchError::Format)?;
            // An id that is not an earlier item (unknown, itself, later: any cycle
            // needs one) is refused: Graph answers "Invalid dependency for request Id ..."
            // when a dependency does not appear earlier (msgraph-sdk-dotnet-core#891).
            earlier
                .iter()
                .position(|i| i.id.eq_ignore_ascii_case(name))
                .ok_or_else(|| BatchError::Dependency(id.to_string()))
        })
        .collect::<Result<_, _>>()?;
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

fn headers(object: &Map<String, Value>) -> Result<Vec<(String, String)>, BatchError> {
    match object.get("headers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| match value {
                Value::String(s) => Ok((name.clone(), s.clone())),
                _ => Err(BatchError::Format),
            })
            .collect(),
        Some(_) => Err(BatchError::Format),
    }
}

/// A JSON body as its bytes; a string body for a non-JSON content type is base64 (S43).
fn body_bytes(body: &Value, headers: &[(String, String)]) -> Vec<u8> {
    use base64::Engine;
    let json = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .is_none_or(|(_, v)| v.to_ascii_lowercase().contains("json"));
    match body {
        Value::String(s) if !json => base64::engine::general_purpose::STANDARD
            .decode(s)
            .unwrap_or_else(|_| s.clone().into_bytes()),
        other => serde_json::to_vec(other).unwrap_or_default(),
    }
}

/// The item url below the version: SDKs send absolute urls
/// (`https://graph.microsoft.com/v1.0/users`, Python), version-prefixed ones
/// (`/v1.0/users`, Python's `set_url`) and plain ones (`/users`, `users?...`, S43);
/// all resolve against the batch's own version (S43's 405 for a beta url in a v1.0 batch).
pub fn normalise(url: &str) -> String {
    let mut rest = url.trim();
    for scheme in ["https://", "http://"] {
        // `get`, not slicing: a url may start with any characters (schemathesis sends astral ones).
        if rest
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        {
            let after = &rest[scheme.len()..];
            rest = after.find('/').map_or("", |i| &after[i..]);
        }
    }
    let rest = rest.trim_start_matches('/');
    let rest = ["v1.0", "beta"]
        .iter()
        .find_map(|v| {
            let head = rest.get(..v.len())?;
            let tail = &rest[v.len()..];
            (head.eq_ignore_ascii_case(v) && (tail.is_empty() || tail.starts_with(['/', '?'])))
                .then_some(tail)
        })
        .unwrap_or(rest);
    format!("/{}", rest.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_form_an_sdk_sends_names_the_same_path() {
        for url in [
            "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=1",
            "/v1.0/auditLogs/signIns?$top=1",
            "/beta/auditLogs/signIns?$top=1",
            "/auditLogs/signIns?$top=1",
            "auditLogs/signIns?$top=1",
        ] {
            assert_eq!(normalise(url), "/auditLogs/signIns?$top=1", "{url}");
        }
        assert_eq!(normalise("/v1.0x/users"), "/v1.0x/users");
    }

    #[test]
    fn a_url_of_multibyte_characters_is_read_without_panicking() {
        assert_eq!(normalise("\u{1061c1}\u{2f5d7}O\r"), "/\u{1061c1}\u{2f5d7}O");
        assert_eq!(normalise("é"), "/é");
    }

    #[test]
    fn a_dependency_on_a_later_item_is_refused() {
        let body = br#"{"requests":[{"id":"1","method":"GET","url":"/users","dependsOn":["2"]},{"id":"2","method":"GET","url":"/users"}]}"#;
        assert!(matches!(parse(body), Err(BatchError::Dependency(id)) if id == "1"));
    }

    #[test]
    fn both_dependency_spellings_are_read_and_each_must_be_a_list_of_ids() {
        let body = br#"{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"GET","url":"/users","dependsOn":["1"],"depends_on":[{}]}]}"#;
        assert!(matches!(parse(body), Err(BatchError::Format)));
        let body = br#"{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"GET","url":"/users","dependsOn":["1"],"depends_on":["1"]}]}"#;
        assert_eq!(parse(body).unwrap().items[1].depends_on, vec![0]);
    }

    #[test]
    fn ids_are_unique_ignoring_case() {
        let body = br#"{"requests":[{"id":"a","method":"GET","url":"/users"},{"id":"A","method":"GET","url":"/users"}]}"#;
        assert!(matches!(parse(body), Err(BatchError::DuplicateId(id)) if id == "A"));
    }

    #[test]
    fn the_python_sdks_depends_on_key_is_read() {
        let body = br#"{"requests":[{"id":"1","method":"get","url":"/users","depends_on":[]},{"id":"2","method":"GET","url":"/users","depends_on":["1"]}]}"#;
        let batch = parse(body).unwrap();
        assert_eq!(batch.items[1].depends_on, vec![0]);
        assert_eq!(batch.items[0].method, Method::GET);
    }
}

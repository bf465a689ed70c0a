//! JSON batching: `POST /{v1.0|beta}/$batch` runs up to 20 Graph requests through
//! the server's own routing, in-process, and answers them in one body (reference part D).
//!
//! Items run in the order sent; an item whose dependency did not succeed answers 424
//! without running. Every item passes the same authentication, permission checks and
//! throttle as a request of its own, so a throttled item is a 429 item with
//! `Retry-After` among its headers (S43, S44) while the batch itself is 200.

mod payload;

use super::error::{GraphError, RequestMeta, envelope};
use super::middleware::{JSON, envelope_layer};
use crate::app::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, guard, test, web};
use payload::Item;
use serde_json::{Map, Value, json};

/// Why a batch body is refused: 400 for the whole batch (S43: "If the batch request
/// itself is malformed, the status code is 400").
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Not JSON, no `requests` array, an empty one, or an item without id/method/url.
    #[error("Invalid batch payload format.")]
    Format,
    /// More than 20 items.
    #[error("more than 20 requests: {0}")]
    TooMany(usize),
    /// Two items share an id (ignoring case).
    #[error("Request Id {0} has to be unique in a batch.")]
    DuplicateId(String),
    /// `dependsOn` names an id that is not an earlier item.
    #[error("Invalid dependency for request Id {0}.")]
    Dependency(String),
}

impl From<BatchError> for GraphError {
    fn from(e: BatchError) -> GraphError {
        match e {
            // S51 (a third-party fixture of Graph's answer) for a payload Graph cannot read.
            BatchError::Format => GraphError::bad_request(e.to_string()),
            // Graph's own message for a 21st item is not recorded (reference D.4 GAP):
            // its payload message, with ours in details.
            BatchError::TooMany(n) => GraphError::bad_request("Invalid batch payload format.")
                .with_detail(format!(
                    "A batch holds at most {} requests; this one has {n}.",
                    payload::MAX_ITEMS
                )),
            // S51: "Request Id 1 has to be unique in a batch."
            BatchError::DuplicateId(_) => GraphError::bad_request(e.to_string()),
            // Graph's words quoted in msgraph-sdk-dotnet-core#891 (prefix; the rest INFERRED).
            BatchError::Dependency(_) => GraphError::bad_request(e.to_string()),
        }
    }
}

/// Marks the app that serves batch items: a batch inside a batch is not a batch
/// (the SDK design: "requests cannot contain a batch request payload").
#[derive(Clone, Copy)]
struct Nested;

/// Registers the batch route (before the Graph dispatcher, which answers other methods).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/{version}/{batch}")
            .guard(guard::Post())
            .guard(guard::fn_guard(|ctx| {
                ctx.app_data::<Nested>().is_none() && is_batch_path(ctx.head().uri.path())
            }))
            .to(handle),
    );
}

/// `/v1.0/$batch` or `/beta/$batch` (any case, `$` possibly percent-encoded).
pub fn is_batch_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    matches!(segments.as_slice(), [version, name]
        if super::routes::is_version(version)
            && (name.eq_ignore_ascii_case("$batch") || name.eq_ignore_ascii_case("%24batch")))
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, GraphError> {
    // The batch itself needs a valid token, as any Graph request does.
    super::caller::identify(&req, &state)?;
    let batch = payload::parse(&body)?;
    let version = req
        .path()
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("v1.0")
        .to_ascii_lowercase();
    let meta = req.extensions().get::<RequestMeta>().cloned();
    let app = items_app(state.clone()).await;
    let mut answers: Vec<Answer> = Vec::with_capacity(batch.items.len());
    for item in &batch.items {
        let failed = item
            .depends_on
            .iter()
            .any(|&d| !(200..300).contains(&answers[d].status));
        let answer = if failed {
            failed_dependency(meta.as_ref())
        } else {
            run(&app, &req, &version, item).await
        };
        answers.push(answer);
    }
    let responses: Vec<Value> = batch
        .items
        .iter()
        .zip(answers)
        .map(|(item, answer)| answer.into_json(&item.id))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .json(json!({ "responses": responses })))
}

/// The server's own app, as the listeners serve it, for items.
async fn items_app(
    state: web::Data<AppState>,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    let control = state.settings.control;
    let app = App::new()
        .app_data(state)
        .app_data(Nested)
        .app_data(web::PayloadConfig::new(1 << 20))
        .wrap(from_fn(envelope_layer))
        .wrap(from_fn(super::head_as_get))
        .configure(|cfg| super::configure(cfg, control));
    test::init_service(app).await
}

/// One item's answer.
struct Answer {
    status: u16,
    headers: Map<String, Value>,
    body: Option<Value>,
}

impl Answer {
    fn into_json(self, id: &str) -> Value {
        let mut item = json!({"id": id, "status": self.status, "headers": self.headers});
        if let Some(body) = self.body {
            item["body"] = body;
        }
        item
    }
}

/// 424 for an item whose dependency failed (S43). The body is INFERRED (reference D.6 GAP).
fn failed_dependency(meta: Option<&RequestMeta>) -> Answer {
    let error = GraphError::new(424, "FailedDependency", "Failed dependency.");
    let body = meta.map_or_else(
        || json!({"error": {"code": error.code, "message": error.message}}),
        |meta| envelope(&error, meta),
    );
    Answer {
        status: 424,
        headers: headers_of(&[("Content-Type", "application/json")]),
        body: Some(body),
    }
}

fn headers_of(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), Value::String(v.to_string())))
        .collect()
}

/// Characters a request target cannot hold as they are (controls, space, non-ASCII and
/// the delimiters RFC 3986 excludes); `%`, `?`, `&`, `=`, `/`, `$` and `'` pass.
const NOT_IN_URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The item's target below the batch's version. Item urls are JSON strings, so they may
/// hold spaces or non-ASCII text as written (`$filter=displayName eq 'Zoë Ng'`); they are
/// percent-encoded here, as a client encodes them on the wire, and decoded by the route.
fn request_uri(version: &str, path: &str) -> String {
    percent_encoding::utf8_percent_encode(&format!("/{version}{path}"), NOT_IN_URI).to_string()
}

/// Runs one item through the app with the batch's caller, connection and headers.
async fn run<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    outer: &HttpRequest,
    version: &str,
    item: &Item,
) -> Answer {
    let mut request = test::TestRequest::default()
        .method(item.method.clone())
        .uri(&request_uri(version, &item.path));
    if let Some(peer) = outer.peer_addr() {
        request = request.peer_addr(peer);
    }
    for (name, value) in outer.headers() {
        if !SKIPPED.contains(&name.as_str()) {
            request = request.append_header((name.clone(), value.clone()));
        }
    }
    for (name, value) in &item.headers {
        // Items carry no token of their own: the batch's Authorization header is used (D.6).
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) && name != "authorization"
        {
            request = request.insert_header((name, value));
        }
    }
    if let Some(body) = &item.body {
        request = request.set_payload(body.clone());
    }
    let response = match app.call(request.to_request()).await {
        Ok(response) => response,
        Err(error) => {
            let response = error.error_response();
            return Answer {
                status: response.status().as_u16(),
                headers: headers_of(&[("Content-Type", "application/json")]),
                body: None,
            };
        }
    };
    answer(response).await
}

/// Outer headers not passed to items: they describe the batch body, not the item.
const SKIPPED: [&str; 6] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "content-encoding",
    "accept-encoding",
    "expect",
];

/// Item headers as Graph spells them (the JS SDK reads `Content-Type` case-sensitively, S46).
const KEPT: [(&str, &str); 7] = [
    ("content-type", "Content-Type"),
    ("retry-after", "Retry-After"),
    ("location", "Location"),
    ("allow", "Allow"),
    ("www-authenticate", "WWW-Authenticate"),
    ("preference-applied", "Preference-Applied"),
    ("odata-version", "OData-Version"),
];

async fn answer<B: MessageBody>(response: ServiceResponse<B>) -> Answer {
    let status = response.status().as_u16();
    // S43's items all carry `Cache-Control: no-cache`.
    let mut headers = headers_of(&[("Cache-Control", "no-cache")]);
    for (lower, spelled) in KEPT {
        if let Some(value) = response.headers().get(lower).and_then(|v| v.to_str().ok()) {
            headers.insert(spelled.to_string(), Value::String(value.to_string()));
        }
    }
    let bytes = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        None
    } else {
        // JSON as an object; anything else base64, as Graph returns binary items (S43).
        Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            use base64::Engine;
            Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes))
        }))
    };
    Answer {
        status,
        headers,
        body,
    }
}

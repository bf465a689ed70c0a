//! Replicas sharing their run-time state (`--state redis://...`): before a
//! request, this replica replays the control changes others journaled; a
//! change made here is journaled before its answer returns, under a lease so
//! changes are made one at a time and replayed everywhere in the same order;
//! client events are sent before the answer returns. Without `--state` the
//! layer passes every request through untouched.

use super::error::GraphError;
use crate::app::AppState;
use crate::clock::{Snapshot, pinned};
use crate::state::{Entry, Replica, SharedState, StateError};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use chrono::{DateTime, Utc};

/// Seconds a client is asked to wait while the shared state is unreachable.
pub const RETRY_AFTER: u64 = 2;

/// The control changes every replica replays: (method, route under `/_entrasim/`).
const JOURNALED: [(&str, &str); 9] = [
    ("POST", "clock"),
    ("POST", "reset"),
    ("POST", "signIns"),
    ("POST", "directoryAudits"),
    ("POST", "provisioning"),
    ("POST", "activityLog"),
    ("POST", "import"),
    ("PUT", "throttling"),
    ("PUT", "faults"),
];

/// Paths served from this process alone (they need nothing shared).
const LOCAL: [&str; 4] = [
    "/_entrasim/health",
    "/_entrasim/ca.pem",
    "/metrics",
    "/openapi.yaml",
];

/// The 503 a request that needs the shared state gets while it is unreachable.
pub fn unavailable(error: &StateError) -> GraphError {
    let mut graph = GraphError::new(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable. Please retry after a short while.",
    )
    .with_detail(format!("entrasim: {error}"));
    graph.retry_after = Some(RETRY_AFTER);
    graph
}

/// The middleware.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("state is registered")
        .clone();
    let Some(shared) = state.shared.clone() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if LOCAL.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let response = match journaled(req.method().as_str(), req.path()) {
        Some(_) => change(&state, &*shared, req, next).await?,
        None => match catch_up(&state, &*shared).await {
            Ok(()) => next.call(req).await?.map_into_boxed_body(),
            Err(error) => refuse(req, &error),
        },
    };
    send_events(&state, &*shared).await;
    Ok(response)
}

fn refuse(req: ServiceRequest, error: &StateError) -> ServiceResponse<BoxBody> {
    tracing::warn!("{error}");
    req.into_response(unavailable(error).error_response())
}

/// The control route a journaled change names.
fn journaled(method: &str, path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("/_entrasim/")?;
    JOURNALED
        .iter()
        .find(|(m, n)| *m == method && *n == name)
        .map(|(_, n)| *n)
}

/// Replays what other replicas journaled since this one last looked.
async fn catch_up(state: &web::Data<AppState>, shared: &dyn SharedState) -> Result<(), StateError> {
    let length = shared.length().await?;
    if length == 0 {
        // The run is to be started (or restored): that needs the lease, taken first.
        let lease = shared.lease().await?;
        let synced = {
            let mut replica = shared.replica().lock().await;
            replay_pending(state, shared, &mut replica, Some(&lease)).await
        };
        shared.release(lease).await?;
        return synced;
    }
    let mut replica = shared.replica().lock().await;
    if replica.applied == length && !replica.diverged {
        return Ok(());
    }
    replay_pending(state, shared, &mut replica, None).await
}

/// Starts the shared run with this replica's seed, anchor and clock if nobody has.
async fn begin(state: &AppState, shared: &dyn SharedState, lease: &str) -> Result<(), StateError> {
    if shared.length().await? > 0 {
        return Ok(());
    }
    let (seed, at) = state.built();
    let entry = Entry {
        method: "GENESIS".into(),
        path: String::new(),
        query: String::new(),
        body: serde_json::json!({ "seed": seed.0 }).to_string(),
        at_us: at.timestamp_micros(),
        clock: state.clock.snapshot(),
    };
    shared.append(0, &entry, lease).await
}

/// Replays the journal's entries this replica has not, in order. An empty
/// journal is started (or restored, if Redis lost it) by a caller holding the lease.
async fn replay_pending(
    state: &web::Data<AppState>,
    shared: &dyn SharedState,
    replica: &mut Replica,
    lease: Option<&str>,
) -> Result<(), StateError> {
    let mut length = shared.length().await?;
    if length == 0 {
        let Some(lease) = lease else {
            return Ok(());
        };
        if replica.applied > 0 {
            return restore(shared, replica, lease).await;
        }
        begin(state, shared, lease).await?;
        length = 1;
    }
    if replica.diverged || length < replica.applied {
        (replica.applied, replica.diverged) = (0, false);
        replica.entries.clear();
        state.forget_build();
    }
    if length == replica.applied {
        return Ok(());
    }
    for entry in shared.entries(replica.applied).await? {
        replay(state, &entry).await;
        noted(shared, replica, entry);
    }
    Ok(())
}

/// Redis came back empty (it lost its data): the entries this replica replayed
/// are journaled again, so no change made before is lost.
async fn restore(
    shared: &dyn SharedState,
    replica: &mut Replica,
    lease: &str,
) -> Result<(), StateError> {
    if shared.length().await? == 0 {
        tracing::warn!(
            "{} lost the journal; restoring {} entries",
            shared.url(),
            replica.entries.len()
        );
        for (n, entry) in replica.entries.iter().enumerate() {
            shared.append(n as u64, entry, lease).await?;
        }
    }
    Ok(())
}

/// Counts an entry as replayed and moves the counters' generations on.
fn noted(shared: &dyn SharedState, replica: &mut Replica, entry: Entry) {
    replica.applied += 1;
    let name = entry.path.strip_prefix("/_entrasim/").unwrap_or_default();
    let generations = shared
        .generations()
        .after(replica.applied, &entry.method, name);
    shared.set_generations(generations);
    replica.entries.push(entry);
}

/// Makes a change here and journals it, one replica at a time.
async fn change(
    state: &web::Data<AppState>,
    shared: &dyn SharedState,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lease = match shared.lease().await {
        Ok(lease) => lease,
        Err(error) => return Ok(refuse(req, &error)),
    };
    let response = leased(state, shared, req, next, &lease).await;
    if let Err(error) = shared.release(lease).await {
        tracing::warn!("{error}");
    }
    response
}

async fn leased(
    state: &web::Data<AppState>,
    shared: &dyn SharedState,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    lease: &str,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut replica = shared.replica().lock().await;
    if let Err(error) = replay_pending(state, shared, &mut replica, Some(lease)).await {
        return Ok(refuse(req, &error));
    }
    let body = req.extract::<web::Bytes>().await?;
    req.set_payload(actix_web::dev::Payload::from(body.clone()));
    let (method, path) = (req.method().to_string(), req.path().to_string());
    let query = req.query_string().to_string();
    let at = state.clock.now();
    let response = pinned(at, next.call(req)).await?.map_into_boxed_body();
    if !response.status().is_success() {
        return Ok(response);
    }
    let entry = Entry {
        method,
        path,
        query,
        body: String::from_utf8_lossy(&body).into_owned(),
        at_us: at.timestamp_micros(),
        clock: state.clock.snapshot(),
    };
    match shared.append(replica.applied, &entry, lease).await {
        Ok(()) => {
            noted(shared, &mut replica, entry);
            Ok(response)
        }
        Err(error) => {
            // Made here but not journaled: start over from the journal next time.
            replica.diverged = true;
            let (req, _) = response.into_parts();
            let refusal = unavailable(&error).error_response();
            Ok(ServiceResponse::new(req, refusal))
        }
    }
}

/// Replays one journaled change at the instant it was made, then takes over
/// the clock it left.
async fn replay(state: &web::Data<AppState>, entry: &Entry) {
    let at = DateTime::<Utc>::from_timestamp_micros(entry.at_us).unwrap_or_default();
    let outcome = pinned(at, apply(state, entry, at)).await;
    if let Err(error) = outcome {
        tracing::warn!(
            "replaying {} {} failed here: {error}",
            entry.method,
            entry.path
        );
    }
    adopt(state, &entry.clock);
}

fn adopt(state: &AppState, clock: &Snapshot) {
    state.clock.adopt(clock);
}

async fn apply(
    state: &web::Data<AppState>,
    entry: &Entry,
    at: DateTime<Utc>,
) -> Result<(), GraphError> {
    let body = web::Bytes::from(entry.body.clone());
    let name = entry.path.strip_prefix("/_entrasim/").unwrap_or_default();
    let state = state.clone();
    match (entry.method.as_str(), name) {
        ("GENESIS", _) => {
            let seed = serde_json::from_str::<serde_json::Value>(&entry.body)
                .ok()
                .and_then(|v| v["seed"].as_u64())
                .ok_or_else(|| GraphError::bad_request("the genesis names no seed"))?;
            state.start_over(crate::rng::Seed(seed), at);
            Ok(())
        }
        ("POST", "clock") => super::control::set_clock(state, body).await.map(drop),
        ("POST", "reset") => super::control::reset(state, body).await.map(drop),
        ("POST", "signIns") => super::inject::sign_in(state, body).await.map(drop),
        ("POST", "directoryAudits") => super::inject::audit(state, body).await.map(drop),
        ("POST", "provisioning") => super::inject::provisioning(state, body).await.map(drop),
        ("POST", "activityLog") => super::inject::activity_log(state, body).await.map(drop),
        ("POST", "import") => {
            let uri = format!("/_entrasim/import?{}", entry.query);
            let req = actix_web::test::TestRequest::post()
                .uri(&uri)
                .to_http_request();
            super::import::import(req, state, body).await.map(drop)
        }
        ("PUT", "throttling") => super::pressure::put_throttling(state, body).await.map(drop),
        ("PUT", "faults") => super::pressure::put_faults(state, body).await.map(drop),
        (method, _) => Err(GraphError::bad_request(format!(
            "no replay for {method} {}",
            entry.path
        ))),
    }
}

/// Sends the client events this replica kept; kept for the next try if Redis is away.
async fn send_events(state: &AppState, shared: &dyn SharedState) {
    let events = state.verdicts.take_outbox();
    if events.is_empty() {
        return;
    }
    if let Err(error) = shared.send_events(&events).await {
        tracing::warn!("{error}");
        state.verdicts.return_outbox(events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_control_changes_are_journaled() {
        assert_eq!(journaled("POST", "/_entrasim/clock"), Some("clock"));
        assert_eq!(journaled("PUT", "/_entrasim/faults"), Some("faults"));
        assert_eq!(journaled("GET", "/_entrasim/clock"), None);
        assert_eq!(journaled("POST", "/v1.0/auditLogs/signIns"), None);
        assert_eq!(journaled("POST", "/_entrasim/clock/x"), None);
    }

    #[test]
    fn the_refusal_is_graphs_503_with_retry_after() {
        let error = unavailable(&StateError::Unreachable {
            url: "redis://127.0.0.1:1/0".into(),
            reason: "connection refused".into(),
        });
        assert_eq!((error.status, error.retry_after), (503, Some(RETRY_AFTER)));
        assert_eq!(error.code, "serviceNotAvailable");
    }
}

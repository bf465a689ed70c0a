//! The delivery engine: as the simulated clock passes the delivery delay after a
//! record became visible, each diagnostic setting sends it to its destinations;
//! a destination that is down is retried with backoff while the backlog stays bounded
//! (the watermark waits; records are never dropped, since the store still holds them).

use super::config::RoutingConfig;
use super::setting::Setting;
use super::sink::{HubSink, Line, StorageSink};
use super::window::{self, Mark};
use crate::app::AppState;
use crate::store::records::{TICKS_PER_SECOND, Ticks, datetime, ticks};
use chrono::{Datelike, Timelike};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How far one setting got.
#[derive(Debug)]
pub struct Progress {
    /// Everything up to this mark has reached every destination.
    pub mark: Mark,
    pub delivered: u64,
    /// Records of the batch waiting for a destination.
    pub backlog: usize,
    pub failures: u32,
    pub last_error: Option<String>,
    retry_at: Option<Instant>,
    storage: Option<StorageSink>,
    hub: Option<HubSink>,
}

/// The routing side of a server: configuration, settings and their progress.
#[derive(Debug, Default)]
pub struct Routing {
    pub config: RoutingConfig,
    pub settings: super::setting::Settings,
    progress: Mutex<BTreeMap<(usize, String), Progress>>,
    started: AtomicBool,
}

impl Routing {
    pub fn new(config: RoutingConfig) -> Routing {
        Routing {
            config,
            ..Routing::default()
        }
    }

    /// Stores a setting; delivery starts with what becomes visible after `now`.
    pub fn put(
        &self,
        tenant: usize,
        setting: Setting,
        now: Ticks,
    ) -> Result<bool, crate::arm::ArmError> {
        let key = (tenant, setting.name.to_ascii_lowercase());
        let created = self.settings.put(tenant, setting.clone())?;
        let mut progress = crate::throttle::lock(&self.progress);
        let entry = progress.entry(key).or_insert_with(|| Progress {
            mark: window::mark_at(now),
            delivered: 0,
            backlog: 0,
            failures: 0,
            last_error: None,
            retry_at: None,
            storage: None,
            hub: None,
        });
        entry.storage = setting
            .storage_account_id
            .as_ref()
            .map(|_| StorageSink::new(self.config.storage.clone()));
        entry.hub = setting
            .event_hub_rule_id
            .as_ref()
            .map(|_| HubSink::new(self.config.hub.clone()));
        Ok(created)
    }

    /// Removes a setting and its progress.
    pub fn delete(&self, tenant: usize, name: &str) -> bool {
        crate::throttle::lock(&self.progress).remove(&(tenant, name.to_ascii_lowercase()));
        self.settings.delete(tenant, name)
    }

    /// The delivery state for `/_entrasim/health`.
    pub fn health(&self) -> Value {
        let progress = crate::throttle::lock(&self.progress);
        let settings: Vec<Value> = progress
            .iter()
            .map(|((tenant, name), p)| {
                json!({"tenant": tenant, "name": name, "deliveredThrough": super::export::time7(p.mark.0),
                       "delivered": p.delivered, "backlog": p.backlog, "failures": p.failures,
                       "lastError": p.last_error})
            })
            .collect();
        let backlog: usize = progress.values().map(|p| p.backlog).sum();
        json!({"backlog": backlog, "backlogLimit": self.config.backlog, "settings": settings})
    }
}

/// Creates the `--diagnostics` settings of the configuration and starts delivering.
pub fn start_configured(state: &Arc<AppState>) {
    let startup = state.routing.config.startup.clone();
    if startup.is_empty() {
        return;
    }
    let now = ticks(state.clock.now());
    for setting in startup {
        for tenant in 0..state.world().tenants.len() {
            // Flags were validated at startup; five settings at most per tenant.
            if let Err(e) = state.routing.put(tenant, setting.clone(), now) {
                tracing::error!(error = %e, "diagnostic setting not created");
            }
        }
    }
    ensure_started(state);
}

/// Starts the delivery thread once (on the first setting).
pub fn ensure_started(state: &Arc<AppState>) {
    if state.routing.started.swap(true, Ordering::SeqCst) {
        return;
    }
    let state = state.clone();
    std::thread::Builder::new()
        .name("entrasim-routing".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(run(state));
        })
        .expect("a routing thread");
}

async fn run(state: Arc<AppState>) {
    loop {
        for (tenant, setting) in state.routing.settings.all() {
            step(&state, tenant, &setting).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One delivery attempt for one setting: the next batch, or a retry of the last one.
async fn step(state: &AppState, tenant: usize, setting: &Setting) {
    let key = (tenant, setting.name.to_ascii_lowercase());
    let Some((mark, mut storage, mut hub)) = take_sinks(state, &key) else {
        return;
    };
    let routing = &state.routing;
    let until = ticks(state.clock.now()) - routing.config.delay_secs * TICKS_PER_SECOND;
    if until <= mark.0 {
        put_back(state, &key, (storage, hub), 0, Ok(None));
        return;
    }
    let world = state.world();
    let Some(logs) = world.tenants.get(tenant) else {
        put_back(state, &key, (storage, hub), 0, Ok(None));
        return;
    };
    let enabled: Vec<_> = setting.enabled().filter(window::deliverable).collect();
    let found = window::marks(logs, &enabled, mark, until, routing.config.backlog);
    let lines = lines(&logs.plan, &found, setting);
    let mut result = Ok(());
    if let (Some(sink), false) = (storage.as_mut(), lines.is_empty()) {
        result = sink.deliver(&lines).await;
    }
    if let (Some(sink), true, false) = (hub.as_mut(), result.is_ok(), lines.is_empty()) {
        let hub_lines: Vec<Line> = lines
            .iter()
            .map(|l| Line {
                container: hub_name(setting, &l.container),
                ..l.clone()
            })
            .collect();
        result = sink.deliver(&hub_lines);
    }
    // A batch that was not cut short holds everything visible up to `until`.
    let last = match found.len() < routing.config.backlog {
        true => Some(window::mark_at(until)),
        false => found.last().map(|(m, _)| *m),
    };
    put_back(
        state,
        &key,
        (storage, hub),
        found.len(),
        result.map(|_| last),
    );
}

type Sinks = (Mark, Option<StorageSink>, Option<HubSink>);

/// Borrows a setting's sinks for one attempt unless it waits for a retry.
fn take_sinks(state: &AppState, key: &(usize, String)) -> Option<Sinks> {
    let mut progress = crate::throttle::lock(&state.routing.progress);
    let p = progress.get_mut(key)?;
    if p.retry_at.is_some_and(|at| Instant::now() < at) {
        return None;
    }
    Some((p.mark, p.storage.take(), p.hub.take()))
}

fn put_back(
    state: &AppState,
    key: &(usize, String),
    (storage, hub): (Option<StorageSink>, Option<HubSink>),
    count: usize,
    outcome: Result<Option<Mark>, super::sink::SinkError>,
) {
    let mut progress = crate::throttle::lock(&state.routing.progress);
    let Some(p) = progress.get_mut(key) else {
        return;
    };
    p.storage = p.storage.take().or(storage);
    p.hub = p.hub.take().or(hub);
    match outcome {
        Ok(last) => {
            if let Some(last) = last {
                p.mark = last;
            }
            p.delivered += count as u64;
            p.backlog = 0;
            p.failures = 0;
            p.retry_at = None;
        }
        Err(e) => {
            p.backlog = count;
            p.failures += 1;
            p.last_error = Some(e.to_string());
            // 0.5 s, 1 s, 2 s ... up to 30 s between attempts.
            let wait = (250u64 << p.failures.min(7)).min(30_000);
            p.retry_at = Some(Instant::now() + Duration::from_millis(wait));
            tracing::warn!(setting = %key.1, error = %e, retry_ms = wait, "diagnostic delivery failed");
        }
    }
}

/// The event hub a category goes to: the setting's hub, else `insights-logs-{category}`.
fn hub_name(setting: &Setting, container: &str) -> String {
    setting
        .event_hub_name
        .clone()
        .unwrap_or_else(|| container.to_string())
}

/// Envelopes of the found records, with container and blob path (hour it became visible).
fn lines(
    plan: &crate::activity::Plan,
    found: &[(Mark, window::Item)],
    _setting: &Setting,
) -> Vec<Line> {
    found
        .iter()
        .map(|(mark, item)| {
            let routed = item.route(plan, super::envelope::Shape::Full);
            Line {
                mark: *mark,
                container: routed.category.container(),
                blob: blob_path(&plan.tenant.id, item.visible_at()),
                json: serde_json::to_vec(&routed.envelope).expect("JSON"),
            }
        })
        .collect()
}

/// `tenantId={tid}/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json` (reference B2.1, S26).
pub fn blob_path(tenant_id: &str, at: Ticks) -> String {
    let t = datetime(at);
    format!(
        "tenantId={tenant_id}/y={:04}/m={:02}/d={:02}/h={:02}/m=00/PT1H.json",
        t.year(),
        t.month(),
        t.day(),
        t.hour()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_name_the_tenant_and_the_hour() {
        let at = ticks("2026-06-01T09:59:59.9Z".parse().unwrap());
        assert_eq!(
            blob_path("t", at),
            "tenantId=t/y=2026/m=06/d=01/h=09/m=00/PT1H.json"
        );
    }
}

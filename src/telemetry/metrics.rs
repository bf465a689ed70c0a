//! The counters behind `GET /metrics`, rendered in Prometheus' text format.
//!
//! Families are sorted by name and series by labels (the `prometheus` crate's
//! gather order), so the same requests give the same text.

use crate::app::AppState;
use crate::store::{Hour, World};
use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Distinct route labels kept; later ones are counted as `other` (bounded cardinality).
const MAX_ROUTES: usize = 200;

/// Every counter and histogram the server keeps.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    throttled: IntCounterVec,
    retry_after: HistogramVec,
    faults: IntCounterVec,
    pages: IntCounterVec,
    walks_started: IntCounterVec,
    walks_completed: IntCounterVec,
    walks_abandoned: IntCounterVec,
    proxy_connections: IntGauge,
    generated: IntCounterVec,
    evicted: IntCounterVec,
    routes: Mutex<BTreeSet<String>>,
}

/// What the access layer saw of one answered request.
pub struct Observed<'a> {
    pub route: &'a str,
    pub version: &'a str,
    pub status: u16,
    pub app: &'a str,
    pub seconds: f64,
    pub retry_after: Option<u64>,
    /// The request carried a `$skiptoken` (a walk's continuation).
    pub continuation: bool,
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("unique metric");
    c
}

fn histogram(registry: &Registry, opts: HistogramOpts, labels: &[&str]) -> HistogramVec {
    let h = HistogramVec::new(opts, labels).expect("valid metric");
    registry
        .register(Box::new(h.clone()))
        .expect("unique metric");
    h
}

impl Default for Metrics {
    fn default() -> Metrics {
        let r = Registry::new();
        Metrics {
            requests: counter(
                &r,
                "entrasim_http_requests_total",
                "Requests answered, by route pattern, API version, status and calling app.",
                &["route", "version", "status", "app"],
            ),
            duration: histogram(
                &r,
                HistogramOpts::new(
                    "entrasim_http_request_duration_seconds",
                    "Time to answer a request, by route pattern.",
                ),
                &["route"],
            ),
            throttled: counter(
                &r,
                "entrasim_throttled_total",
                "Requests answered 429 Too Many Requests, by route pattern and calling app.",
                &["route", "app"],
            ),
            retry_after: histogram(
                &r,
                HistogramOpts::new(
                    "entrasim_retry_after_seconds",
                    "Retry-After values sent, by status (429 throttling, 503 faults).",
                )
                .buckets(vec![1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 180.0]),
                &["status"],
            ),
            faults: counter(
                &r,
                "entrasim_faults_injected_total",
                "Scripted faults injected (PUT /_entrasim/faults), by kind.",
                &["kind"],
            ),
            pages: counter(
                &r,
                "entrasim_pages_served_total",
                "Activity-log pages served (200), by log and API version.",
                &["log", "version"],
            ),
            walks_started: counter(
                &r,
                "entrasim_walks_started_total",
                "First pages served that carried an @odata.nextLink, by log.",
                &["log"],
            ),
            walks_completed: counter(
                &r,
                "entrasim_walks_completed_total",
                "Walks that reached a page without @odata.nextLink (one-page walks included), by log.",
                &["log"],
            ),
            walks_abandoned: counter(
                &r,
                "entrasim_walks_abandoned_total",
                "Walks ended by a refused continuation (a 4xx other than 429 on a $skiptoken request), by log.",
                &["log"],
            ),
            proxy_connections: {
                let g = IntGauge::new(
                    "entrasim_proxy_connections_open",
                    "Connections open on the --proxy-port listener (CONNECT heads, TLS handshakes and tunnels).",
                )
                .expect("valid metric");
                r.register(Box::new(g.clone())).expect("unique metric");
                g
            },
            generated: counter(
                &r,
                "entrasim_records_generated_total",
                "Activity records the generator added to the store (hours the clock reached), by log.",
                &["log"],
            ),
            evicted: counter(
                &r,
                "entrasim_records_evicted_total",
                "Activity records dropped from the store when their hour left retention, by log.",
                &["log"],
            ),
            registry: r,
            routes: Mutex::default(),
        }
    }
}

impl Metrics {
    /// The gauge of open proxy connections (`--proxy-port`), for a connection to hold.
    pub fn proxy_connections(&self) -> IntGauge {
        self.proxy_connections.clone()
    }

    /// Counts one answered request.
    pub fn request(&self, seen: &Observed<'_>) {
        let route = self.bounded(seen.route);
        let status = seen.status.to_string();
        self.requests
            .with_label_values(&[route.as_str(), seen.version, &status, seen.app])
            .inc();
        self.duration
            .with_label_values(&[route.as_str()])
            .observe(seen.seconds);
        if seen.status == 429 {
            self.throttled
                .with_label_values(&[route.as_str(), seen.app])
                .inc();
        }
        if let Some(seconds) = seen.retry_after {
            self.retry_after
                .with_label_values(&[&status])
                .observe(seconds as f64);
        }
        if let Some(log) = log_of(&route)
            && seen.continuation
            && (400..500).contains(&seen.status)
            && seen.status != 429
        {
            self.walks_abandoned.with_label_values(&[log]).inc();
        }
    }

    /// Counts one activity-log page; `first` when it had no `$skiptoken`.
    pub fn page(&self, log: &str, version: &str, first: bool, more: bool) {
        self.pages.with_label_values(&[log, version]).inc();
        if first && more {
            self.walks_started.with_label_values(&[log]).inc();
        }
        if !more {
            self.walks_completed.with_label_values(&[log]).inc();
        }
    }

    /// Counts one injected fault.
    pub fn fault(&self, kind: &str) {
        self.faults.with_label_values(&[kind]).inc();
    }

    /// Counts the records of hours `after` holds and `before` did not (generated) and of hours
    /// `before` held and `after` does not (evicted); `before` is `None` for a newly built world.
    pub fn store_changed(&self, before: Option<&World>, after: &World) {
        let empty = BTreeMap::new();
        for (i, tenant) in after.tenants.iter().enumerate() {
            let old = before
                .and_then(|b| b.tenants.get(i))
                .map_or(&empty, |t| &t.hours);
            let added = tenant.hours.iter().filter(|(h, _)| !old.contains_key(h));
            let dropped = old.iter().filter(|(h, _)| !tenant.hours.contains_key(h));
            add_counts(&self.generated, added.map(|(_, hour)| &**hour));
            add_counts(&self.evicted, dropped.map(|(_, hour)| &**hour));
        }
    }

    fn bounded(&self, route: &str) -> String {
        let mut routes = crate::throttle::lock(&self.routes);
        if routes.contains(route) || routes.len() < MAX_ROUTES {
            routes.insert(route.to_string());
            return route.to_string();
        }
        "other".to_string()
    }

    /// The text exposition: the counters plus what the store and clock hold now.
    pub fn render(&self, state: &AppState) -> String {
        // The snapshot first: reaching a new hour generates it and moves the record counters.
        let world = state.world();
        let mut families = self.registry.gather();
        families.extend(store_families(&world, state));
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&families, &mut out)
            .expect("text encoding");
        String::from_utf8(out).expect("utf-8")
    }
}

/// Adds each log's record count over `hours` to `counter`'s series for that log.
fn add_counts<'a>(counter: &IntCounterVec, hours: impl Iterator<Item = &'a Hour>) {
    let counts = hours.fold([0u64; 3], |[s, a, p], h| {
        [
            s + h.sign_ins.len() as u64,
            a + h.audits.len() as u64,
            p + h.provisioning.len() as u64,
        ]
    });
    for (log, n) in LOGS.iter().zip(counts) {
        if n > 0 {
            counter.with_label_values(&[log]).inc_by(n);
        }
    }
}

/// The activity logs, as their metric label.
const LOGS: [&str; 3] = ["signIns", "directoryAudits", "provisioning"];

/// The log a route pattern reads, if it is an activity log's list.
fn log_of(route: &str) -> Option<&str> {
    match route.strip_prefix("/{version}/auditLogs/")? {
        log @ ("signIns" | "directoryAudits" | "provisioning") => Some(log),
        _ => None,
    }
}

/// Gauges read from the served snapshot and the clock at scrape time.
fn store_families(world: &World, state: &AppState) -> Vec<prometheus::proto::MetricFamily> {
    let registry = Registry::new();
    let held = IntGaugeVec::new(
        Opts::new(
            "entrasim_records_held",
            "Activity records held in the store (generated, within retention), by log.",
        ),
        &["log"],
    )
    .expect("valid metric");
    let clock = Gauge::new(
        "entrasim_clock_seconds",
        "The simulated clock's position, in Unix seconds.",
    )
    .expect("valid metric");
    let mut counts = [0i64; 3];
    for tenant in &world.tenants {
        for hour in tenant.hours.values() {
            counts[0] += hour.sign_ins.len() as i64;
            counts[1] += hour.audits.len() as i64;
            counts[2] += hour.provisioning.len() as i64;
        }
    }
    for (log, n) in LOGS.iter().zip(counts) {
        held.with_label_values(&[log]).set(n);
    }
    clock.set(state.clock.now().timestamp_millis() as f64 / 1000.0);
    registry.register(Box::new(held)).expect("unique metric");
    registry.register(Box::new(clock)).expect("unique metric");
    registry.gather()
}

/// `GET /metrics`: Prometheus' text format, version 0.0.4.
pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(TextEncoder::new().format_type())
        .body(state.metrics.render(&state))
}

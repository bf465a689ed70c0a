//! Server state: settings, the clock, and the current snapshot of every
//! tenant's directory and logs, with reset and injection.

use crate::activity::Plan;
use crate::activity::latency::LatencyModel;
use crate::cli::{AuthMode, GraphMode, ServeArgs, Switch};
use crate::clock::Clock;
use crate::config::{ConfigError, LatencyMode, TenantSettings, TimeSettings};
use crate::query::skiptoken::TokenKey;
use crate::rng::Seed;
use crate::store::World;
use crate::store::records::ticks;
use crate::throttle::lock;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// Validated settings of `entrasim serve`.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub host: String,
    pub port: u16,
    pub https_port: Option<u16>,
    /// The CONNECT proxy's port (`--proxy-port`).
    pub proxy_port: Option<u16>,
    pub throttle: bool,
    pub auth: AuthMode,
    /// Accept tokens whose `aud` is this server's own origin (`--accept-local-audience`).
    pub accept_local_audience: bool,
    pub control: bool,
    pub data_dir: Option<PathBuf>,
    pub tls_san: Vec<String>,
    pub tls_files: Option<(PathBuf, PathBuf)>,
    pub tenant: TenantSettings,
    pub time: TimeSettings,
    /// Accept `$select` on sign-ins (Graph refuses it; `--select-on-sign-ins`).
    pub select_on_sign_ins: bool,
    /// Serve `GET /metrics` with the control surface (`--metrics`).
    pub metrics: bool,
    /// How request logs are written (`--log-format`).
    pub log_format: crate::cli::LogFormat,
    /// Records to import at startup (`--import DIR`) and whether leniently (`--import-lenient`).
    pub import: Option<(PathBuf, bool)>,
    /// Scenarios placed at startup and again after each reset (`--scenario`).
    pub scenarios: Vec<crate::scenario::Request>,
    /// Where replicas share their run-time state (`--state`); none: in this process.
    pub state: Option<String>,
    /// Diagnostic settings and their destinations (`--diagnostics`, `--storage-endpoint`...).
    pub routing: crate::routing::RoutingConfig,
}

impl ServeSettings {
    /// Validates the flags of `serve`.
    pub fn from_args(args: &ServeArgs) -> Result<ServeSettings, ConfigError> {
        if args.state.is_some() && args.import.is_some() {
            return Err(ConfigError::ImportWithState);
        }
        let tenant = TenantSettings::from_args(&args.tenant)?;
        let routing = routing(&args.routing, &tenant.preset.diagnostics)?;
        Ok(ServeSettings {
            host: args.host.clone(),
            port: args.port,
            https_port: args.https_port,
            proxy_port: args.proxy_port,
            throttle: args.throttle == GraphMode::Graph,
            auth: args.auth,
            accept_local_audience: args.accept_local_audience,
            control: args.control == Switch::On,
            data_dir: args.data_dir.clone(),
            tls_san: args.tls_san.clone(),
            tls_files: args.tls_cert.clone().zip(args.tls_key.clone()),
            tenant,
            time: TimeSettings::from_args(&args.clock)?,
            select_on_sign_ins: args.select_on_sign_ins,
            metrics: args.metrics == Switch::On,
            log_format: args.log_format,
            import: args.import.clone().map(|dir| (dir, args.import_lenient)),
            scenarios: args
                .scenario
                .iter()
                .map(|s| crate::scenario::Request::parse(s))
                .collect::<Result<_, _>>()?,
            state: args.state.as_deref().map(state_url).transpose()?,
            routing,
        })
    }
}

/// A `--state` URL: Redis, with an optional database number.
fn state_url(url: &str) -> Result<String, ConfigError> {
    let redis = redis::parse_redis_url(url).is_some_and(|u| u.scheme() == "redis")
        && redis::Client::open(url).is_ok();
    if redis {
        Ok(url.to_string())
    } else {
        Err(ConfigError::State(url.to_string()))
    }
}

/// The routing flags, with the preset's `diagnostics` settings after the flag's.
fn routing(
    args: &crate::cli::RoutingArgs,
    preset: &[String],
) -> Result<crate::routing::RoutingConfig, ConfigError> {
    let specs: Vec<String> = args.diagnostics.iter().chain(preset).cloned().collect();
    crate::routing::RoutingConfig::parse(
        &specs,
        &args.storage_endpoint,
        &args.storage_key,
        &args.eventhub_endpoint,
        args.diagnostics_delay,
        args.diagnostics_backlog,
    )
    .map_err(ConfigError::from)
}

/// Everything a request handler needs.
pub struct AppState {
    pub settings: ServeSettings,
    pub clock: Clock,
    pub throttle: crate::throttle::Throttler,
    pub faults: crate::throttle::faults::Faults,
    pub verdicts: crate::throttle::verdicts::Verdicts,
    pub metrics: crate::telemetry::Metrics,
    /// Authorization codes, refresh tokens and device codes in flight.
    pub flows: crate::auth::flows::Flows,
    /// The state shared with other replicas (`--state`); none: all in this process.
    pub shared: Option<std::sync::Arc<dyn crate::state::SharedState>>,
    /// The seed, anchor and reset count the served snapshot was built from.
    built: Mutex<(Seed, DateTime<Utc>, u64)>,
    /// Diagnostic settings and their delivery.
    pub routing: crate::routing::Routing,
    /// The served snapshot; held only to read or swap the pointer.
    world: RwLock<Arc<World>>,
    /// Held by whoever derives the next snapshot (advance, injection, swap after reset).
    writer: Mutex<()>,
    /// Held by a reset while it rebuilds, so resets run one at a time.
    resetting: Mutex<()>,
    resets: AtomicU64,
    requests: AtomicU64,
    /// Signing keys and test-client certificates, made on first use (RSA is slow).
    keys: Mutex<BTreeMap<u64, Arc<crate::auth::SigningKey>>>,
    certificates: Mutex<BTreeMap<(u64, &'static str), Arc<crate::auth::ClientCertificate>>>,
}

/// Builds the plans (tenant + tables) of every tenant, anchored at `now`.
pub fn plans(tenant: &TenantSettings, latency: LatencyMode, now: DateTime<Utc>) -> Vec<Arc<Plan>> {
    let model = LatencyModel::new(
        latency == LatencyMode::Graph,
        tenant.preset.latency.as_ref(),
    );
    (0..tenant.tenants)
        .map(|i| {
            let generated = Arc::new(crate::tenant::generate(tenant, i, now));
            Arc::new(Plan::new(generated, tenant.preset.clone(), model.clone()))
        })
        .collect()
}

impl AppState {
    /// Generates the tenants and their history up to the clock's reading, and
    /// places the startup scenarios (refused when one cannot be placed).
    pub fn new(settings: ServeSettings) -> Result<AppState, crate::scenario::Unplaceable> {
        let clock = Clock::new(settings.time.clock, settings.time.speed);
        let routing = crate::routing::Routing::new(settings.routing.clone());
        let now = clock.now();
        let seed = settings.tenant.seed;
        let mut world = World::new(
            epoch(seed, now, 0),
            plans(&settings.tenant, settings.time.latency, now),
            ticks(now),
        );
        crate::scenario::place_all(&mut world, &settings.scenarios)?;
        let throttle = crate::throttle::Throttler::new(settings.throttle);
        let metrics = crate::telemetry::Metrics::default();
        metrics.store_changed(None, &world);
        let shared = settings.state.as_deref().map(shared_state);
        let verdicts = crate::throttle::verdicts::Verdicts::default();
        if shared.is_some() {
            verdicts.share();
        }
        Ok(AppState {
            shared,
            built: Mutex::new((seed, now, 0)),
            settings,
            clock,
            throttle,
            faults: Default::default(),
            verdicts,
            metrics,
            flows: Default::default(),
            routing,
            world: RwLock::new(Arc::new(world)),
            writer: Mutex::default(),
            resetting: Mutex::default(),
            resets: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            keys: Mutex::default(),
            certificates: Mutex::default(),
        })
    }

    /// The current snapshot, generated up to the clock's current hour.
    pub fn world(&self) -> Arc<World> {
        let now = ticks(self.clock.now());
        let current = self.snapshot();
        if !current.needs(now) {
            return current;
        }
        // Readers that need no new hour keep reading the old snapshot meanwhile.
        let _writer = lock(&self.writer);
        let current = self.snapshot();
        if !current.needs(now) {
            return current;
        }
        let mut next = (*current).clone();
        next.advance(now);
        self.metrics.store_changed(Some(&current), &next);
        self.publish(next)
    }

    /// The served snapshot as it is, without generating anything.
    fn snapshot(&self) -> Arc<World> {
        self.world
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn publish(&self, next: World) -> Arc<World> {
        let next = Arc::new(next);
        *self.world.write().unwrap_or_else(PoisonError::into_inner) = next.clone();
        next
    }

    /// Derives a new snapshot with `change` (an injection) and serves it;
    /// changes are applied one at a time, each to the latest snapshot.
    pub fn update<T>(&self, change: impl FnOnce(&mut World) -> T) -> T {
        let _ = self.world();
        let _writer = lock(&self.writer);
        let mut next = (*self.snapshot()).clone();
        let result = change(&mut next);
        self.publish(next);
        result
    }

    /// Rebuilds tenants and logs, optionally with a new seed, at the current
    /// time. The rebuild holds no lock requests wait on: they are served the
    /// old snapshot until the new one replaces it whole. Verdicts, throttle
    /// windows and the fault draw sequence start over with it.
    pub fn reset(&self, seed: Option<u64>) -> Arc<World> {
        let _one_at_a_time = lock(&self.resetting);
        let now = self.clock.now();
        let resets = self.resets.fetch_add(1, Ordering::SeqCst) + 1;
        let seed = seed.map_or_else(|| self.seed(), Seed);
        let world = self.rebuild(seed, now, resets);
        self.verdicts.clear();
        self.throttle.forget();
        self.faults.restart();
        world
    }

    /// Starts a shared run over as its first replica began it: the snapshot of
    /// `seed` anchored at `at` (rebuilt only if this one differs), and the
    /// settings, windows, draws and verdicts of a fresh start.
    pub fn start_over(&self, seed: Seed, at: DateTime<Utc>) {
        let _one_at_a_time = lock(&self.resetting);
        if *lock(&self.built) != (seed, at, 0) {
            self.resets.store(0, Ordering::SeqCst);
            self.rebuild(seed, at, 0);
        }
        // Both settings are valid by construction.
        let _ = self
            .throttle
            .set_config(crate::throttle::Config::graph(self.settings.throttle));
        let _ = self.faults.set_config(Default::default());
        self.verdicts.clear();
    }

    /// Makes the next [`AppState::start_over`] rebuild whatever it is given
    /// (a replica replaying its journal from the start drops what it holds).
    pub fn forget_build(&self) {
        lock(&self.built).2 = u64::MAX;
    }

    /// The seed and anchor the served snapshot was built from.
    pub fn built(&self) -> (Seed, DateTime<Utc>) {
        let (seed, at, _) = *lock(&self.built);
        (seed, at)
    }

    /// Builds and serves the snapshot of `seed` anchored at `now` after `resets` resets.
    fn rebuild(&self, seed: Seed, now: DateTime<Utc>, resets: u64) -> Arc<World> {
        let mut tenant = self.settings.tenant.clone();
        tenant.seed = seed;
        let mut world = World::new(
            epoch(tenant.seed, now, resets),
            plans(&tenant, self.settings.time.latency, now),
            ticks(now),
        );
        for request in &self.settings.scenarios {
            // A new seed may leave a startup scenario no one to happen to.
            if let Err(e) = crate::scenario::place_into(&mut world, 0, request) {
                tracing::warn!("after the reset: {e}");
            }
        }
        self.metrics.store_changed(None, &world);
        let world = {
            let _writer = lock(&self.writer);
            self.publish(world)
        };
        *lock(&self.built) = (seed, now, resets);
        world
    }

    /// The seed currently served (tenant 0's: tenant `i` uses seed + `i`).
    pub fn seed(&self) -> Seed {
        self.snapshot().tenants[0].plan.tenant.seed
    }

    /// The skip-token key of the current seed.
    pub fn token_key(&self) -> TokenKey {
        TokenKey::new(self.seed())
    }

    /// The token-signing key of the tenant with this seed.
    pub fn signing_key(&self, seed: u64) -> Arc<crate::auth::SigningKey> {
        let mut keys = lock(&self.keys);
        keys.entry(seed)
            .or_insert_with(|| Arc::new(crate::auth::SigningKey::from_seed(seed)))
            .clone()
    }

    /// The certificate of a test client of the tenant with this seed.
    pub fn client_certificate(
        &self,
        seed: u64,
        name: &'static str,
    ) -> Arc<crate::auth::ClientCertificate> {
        let mut certificates = lock(&self.certificates);
        certificates
            .entry((seed, name))
            .or_insert_with(|| Arc::new(crate::auth::client_certificate(seed, name)))
            .clone()
    }

    /// A fresh request id (deterministic for a given order of requests).
    pub fn next_request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        crate::rng::guid_for(self.seed(), 0x7265_7175, n, 0)
    }
}

/// Opens the shared state; the URL was checked when the flags were read.
fn shared_state(url: &str) -> std::sync::Arc<dyn crate::state::SharedState> {
    let state = crate::state::redis::RedisState::open(url).unwrap_or_else(|e| panic!("{e}"));
    std::sync::Arc::new(state)
}

/// The epoch of a build: skip tokens from other epochs are refused.
fn epoch(seed: Seed, now: DateTime<Utc>, resets: u64) -> u64 {
    let anchor = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp() as u64;
    seed.mix(0x6570_6f63, anchor, resets)
}

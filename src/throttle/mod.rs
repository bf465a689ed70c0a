//! Throttling as Graph does it on the reporting APIs: sliding windows per
//! (tenant, app) and per app across tenants, where requests made while
//! throttled still count; plus scripted throttling, faults and client
//! verdicts for tests.

pub mod faults;
pub mod verdicts;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// Never ask a client to wait longer than this (SDKs give up or stall beyond it).
pub const MAX_RETRY_AFTER: u64 = 180;

/// A limit: so many requests per window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limit {
    pub requests: u32,
    pub window_seconds: u32,
}

/// Throttling settings, readable and replaceable through the control surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Graph: 5 requests per 10 seconds per app per tenant.
    pub per_app_per_tenant: Limit,
    /// Graph: 122 requests per 10 seconds per app across all tenants.
    pub per_app_all_tenants: Limit,
    /// Identity Protection: one request per second per tenant, all apps (S20).
    #[serde(default = "identity_protection")]
    pub identity_protection: Limit,
    /// Limits for particular appIds (any case), replacing the per-tenant one.
    #[serde(default)]
    pub apps: BTreeMap<String, Limit>,
    /// Throttle the next N requests of an app regardless of its window.
    #[serde(default)]
    pub throttle_next: Vec<ThrottleNext>,
    /// ARM: reads per security principal per subscription (or tenant) per window;
    /// 12000 an hour in ARM's documented model (reference A3.4, S15 2023).
    #[serde(default = "arm_reads")]
    pub arm_reads: Limit,
}

fn arm_reads() -> Limit {
    Limit {
        requests: 12000,
        window_seconds: 3600,
    }
}

/// "Throttle the next `count` requests of `app_id`, asking for `retry_after` seconds."
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThrottleNext {
    pub app_id: String,
    pub count: u32,
    #[serde(default = "one")]
    pub retry_after: u64,
}

fn one() -> u64 {
    1
}

fn identity_protection() -> Limit {
    Limit {
        requests: 1,
        window_seconds: 1,
    }
}

impl Config {
    /// Graph's documented reporting limits.
    pub fn graph(enabled: bool) -> Config {
        Config {
            enabled,
            per_app_per_tenant: Limit {
                requests: 5,
                window_seconds: 10,
            },
            per_app_all_tenants: Limit {
                requests: 122,
                window_seconds: 10,
            },
            identity_protection: identity_protection(),
            apps: BTreeMap::new(),
            throttle_next: Vec::new(),
            arm_reads: arm_reads(),
        }
    }

    /// The same settings with appIds lower-cased, as requests are matched.
    fn normalised(mut self) -> Config {
        self.apps = std::mem::take(&mut self.apps)
            .into_iter()
            .map(|(app, limit)| (app.to_ascii_lowercase(), limit))
            .collect();
        for next in &mut self.throttle_next {
            next.app_id.make_ascii_lowercase();
        }
        self
    }

    /// Rejects limits that cannot work.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(next) = self
            .throttle_next
            .iter()
            .find(|t| t.retry_after > MAX_RETRY_AFTER)
        {
            return Err(format!(
                "throttleNext: retryAfter {} must be at most {MAX_RETRY_AFTER} seconds",
                next.retry_after
            ));
        }
        let limits = [
            ("perAppPerTenant", &self.per_app_per_tenant),
            ("perAppAllTenants", &self.per_app_all_tenants),
            ("armReads", &self.arm_reads),
            ("identityProtection", &self.identity_protection),
        ];
        for (name, limit) in limits
            .into_iter()
            .chain(self.apps.iter().map(|(k, v)| (k.as_str(), v)))
        {
            if limit.requests == 0 || limit.window_seconds == 0 || limit.window_seconds > 3600 {
                return Err(format!(
                    "{name}: requests must be at least 1 and windowSeconds between 1 and 3600"
                ));
            }
        }
        Ok(())
    }
}

/// The outcome for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Answer 429 with this Retry-After (seconds).
    Throttle(u64),
}

impl Decision {
    /// The decision for a wait in milliseconds (none: allowed), in whole seconds.
    pub fn after(wait_ms: Option<i64>) -> Decision {
        match wait_ms {
            None => Decision::Allow,
            Some(ms) => Decision::Throttle(
                ((ms.max(1) + 999) / 1000).clamp(1, MAX_RETRY_AFTER as i64) as u64,
            ),
        }
    }
}

/// Request times of one key within its window.
#[derive(Debug, Default)]
struct Window(VecDeque<i64>);

impl Window {
    /// Records a request at `now`; returns the wait (ms) if it exceeds the limit.
    fn hit(&mut self, now: i64, limit: Limit) -> Option<i64> {
        let span = limit.window_seconds as i64 * 1000;
        while self.0.front().is_some_and(|&t| t <= now - span) {
            self.0.pop_front();
        }
        self.0.push_back(now);
        // The retry itself will count too: it is allowed once all but `limit - 1`
        // of the requests now held have left the window, i.e. once `q[over]` has.
        let over = self.0.len().saturating_sub(limit.requests as usize);
        (over > 0).then(|| self.0[over] + span - now)
    }
}

/// Shared throttling state.
#[derive(Debug)]
pub struct Throttler {
    config: Mutex<Config>,
    tenant_windows: Mutex<BTreeMap<(usize, String), Window>>,
    app_windows: Mutex<BTreeMap<String, Window>>,
    /// ARM reads by (scope, principal), both lower-cased.
    arm_windows: Mutex<BTreeMap<(String, String), Window>>,
    protection_windows: Mutex<BTreeMap<usize, Window>>,
}

impl Throttler {
    /// A throttler with Graph's limits, on or off.
    pub fn new(enabled: bool) -> Throttler {
        Throttler {
            config: Mutex::new(Config::graph(enabled)),
            tenant_windows: Mutex::default(),
            app_windows: Mutex::default(),
            arm_windows: Mutex::default(),
            protection_windows: Mutex::default(),
        }
    }

    /// The current settings.
    pub fn config(&self) -> Config {
        lock(&self.config).clone()
    }

    /// Replaces the settings (and forgets past requests).
    pub fn set_config(&self, config: Config) -> Result<(), String> {
        config.validate()?;
        *lock(&self.config) = config.normalised();
        self.forget();
        Ok(())
    }

    /// Forgets past requests (on reset), keeping the settings.
    pub fn forget(&self) {
        lock(&self.tenant_windows).clear();
        lock(&self.app_windows).clear();
        lock(&self.arm_windows).clear();
        lock(&self.protection_windows).clear();
    }

    /// Counts an ARM read of `principal` against `scope` (a subscription id, or "" for
    /// the tenant) at `now_ms`: the reads left in the window, or the wait (seconds) once
    /// none are left. Requests refused still count, as ARM's "a new retry value" says.
    pub fn check_arm(&self, scope: &str, principal: &str, now_ms: i64) -> Result<u32, u64> {
        let config = lock(&self.config);
        let limit = config.arm_reads;
        if !config.enabled {
            return Ok(limit.requests.saturating_sub(1));
        }
        let key = (scope.to_ascii_lowercase(), principal.to_ascii_lowercase());
        let mut windows = lock(&self.arm_windows);
        let window = windows.entry(key).or_default();
        match window.hit(now_ms, limit) {
            None => Ok(limit.requests.saturating_sub(window.0.len() as u32)),
            Some(ms) => Err(((ms.max(1) + 999) / 1000) as u64),
        }
    }

    /// Counts an Identity Protection request of `tenant` at `now_ms`; false when over its limit.
    pub fn check_protection(&self, tenant: usize, now_ms: i64) -> bool {
        let config = lock(&self.config);
        if !config.enabled {
            return true;
        }
        let limit = config.identity_protection;
        drop(config);
        let mut windows = lock(&self.protection_windows);
        windows
            .entry(tenant)
            .or_default()
            .hit(now_ms, limit)
            .is_none()
    }

    /// The limits a request of `app` (lower case) counts against, per tenant and
    /// across tenants; none when throttling is off.
    pub fn limits_for(&self, app: &str) -> Option<(Limit, Limit)> {
        let config = lock(&self.config);
        let tenant = config
            .apps
            .get(app)
            .copied()
            .unwrap_or(config.per_app_per_tenant);
        config
            .enabled
            .then_some((tenant, config.per_app_all_tenants))
    }

    /// The scripted throttle of `app` (lower case) as configured: how many
    /// requests, and the Retry-After (replicas count the requests used in Redis).
    pub fn scripted_for(&self, app: &str) -> Option<(u32, u64)> {
        lock(&self.config)
            .throttle_next
            .iter()
            .find(|t| t.app_id == app && t.count > 0)
            .map(|t| (t.count, t.retry_after.min(MAX_RETRY_AFTER)))
    }

    /// Counts a request of `app` (any case) in `tenant` at `now_ms` and decides.
    pub fn check(&self, tenant: usize, app: &str, now_ms: i64) -> Decision {
        let app = app.to_ascii_lowercase();
        let mut config = lock(&self.config);
        if let Some(scripted) = config
            .throttle_next
            .iter_mut()
            .find(|t| t.app_id == app && t.count > 0)
        {
            scripted.count -= 1;
            let wait = scripted.retry_after.min(MAX_RETRY_AFTER);
            config.throttle_next.retain(|t| t.count > 0);
            return Decision::Throttle(wait);
        }
        if !config.enabled {
            return Decision::Allow;
        }
        let limit = config
            .apps
            .get(&app)
            .copied()
            .unwrap_or(config.per_app_per_tenant);
        let tenant_wait = lock(&self.tenant_windows)
            .entry((tenant, app.clone()))
            .or_default()
            .hit(now_ms, limit);
        let app_wait = lock(&self.app_windows)
            .entry(app)
            .or_default()
            .hit(now_ms, config.per_app_all_tenants);
        Decision::after(tenant_wait.max(app_wait))
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it
/// (every critical section here leaves its data consistent).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_request_in_ten_seconds_is_throttled() {
        let throttler = Throttler::new(true);
        let decisions: Vec<Decision> = (0..6).map(|i| throttler.check(0, "app", i * 100)).collect();
        assert!(decisions[..5].iter().all(|d| *d == Decision::Allow));
        assert_eq!(decisions[5], Decision::Throttle(10));
    }

    #[test]
    fn a_client_that_waits_exactly_retry_after_gets_through() {
        let throttler = Throttler::new(true);
        for i in 0..5 {
            assert_eq!(throttler.check(0, "a", i * 1000), Decision::Allow);
        }
        let Decision::Throttle(wait) = throttler.check(0, "a", 5000) else {
            panic!("the sixth request in ten seconds is throttled");
        };
        assert_eq!(wait, 6);
        assert_eq!(
            throttler.check(0, "a", 5000 + wait as i64 * 1000),
            Decision::Allow
        );
    }

    #[test]
    fn app_limits_and_scripted_throttles_match_app_ids_in_any_case() {
        let throttler = Throttler::new(true);
        let mut config = throttler.config();
        let limit = Limit {
            requests: 1,
            window_seconds: 60,
        };
        config.apps.insert("ABC-App".into(), limit);
        throttler.set_config(config).unwrap();
        assert_eq!(throttler.check(0, "abc-app", 0), Decision::Allow);
        assert!(matches!(
            throttler.check(0, "ABC-APP", 1),
            Decision::Throttle(_)
        ));
    }

    #[test]
    fn another_app_is_unaffected_and_waiting_releases_the_first() {
        let throttler = Throttler::new(true);
        for i in 0..6 {
            throttler.check(0, "a", i);
        }
        assert_eq!(throttler.check(0, "b", 10), Decision::Allow);
        assert!(matches!(throttler.check(0, "a", 20), Decision::Throttle(_)));
        assert_eq!(throttler.check(0, "a", 30_000), Decision::Allow);
    }

    #[test]
    fn requests_made_while_throttled_still_count() {
        let throttler = Throttler::new(true);
        for i in 0..10 {
            throttler.check(0, "a", i * 1000);
        }
        // Ten requests in the last ten seconds: the window is still full at 10.5 s.
        assert!(matches!(
            throttler.check(0, "a", 10_500),
            Decision::Throttle(_)
        ));
    }

    #[test]
    fn throttling_off_allows_everything_but_scripted_throttles() {
        let throttler = Throttler::new(false);
        assert!((0..1000).all(|i| throttler.check(0, "a", i) == Decision::Allow));
        let mut config = throttler.config();
        config.throttle_next.push(ThrottleNext {
            app_id: "a".into(),
            count: 2,
            retry_after: 3,
        });
        throttler.set_config(config).unwrap();
        assert_eq!(throttler.check(0, "a", 0), Decision::Throttle(3));
        assert_eq!(throttler.check(0, "a", 0), Decision::Throttle(3));
        assert_eq!(throttler.check(0, "a", 0), Decision::Allow);
    }

    #[test]
    fn retry_after_never_exceeds_three_minutes() {
        let throttler = Throttler::new(true);
        let mut config = throttler.config();
        config.per_app_per_tenant = Limit {
            requests: 1,
            window_seconds: 3600,
        };
        throttler.set_config(config).unwrap();
        throttler.check(0, "a", 0);
        assert_eq!(
            throttler.check(0, "a", 1),
            Decision::Throttle(MAX_RETRY_AFTER)
        );
    }
}

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
    /// Limits for particular appIds, replacing the per-tenant one.
    #[serde(default)]
    pub apps: BTreeMap<String, Limit>,
    /// Throttle the next N requests of an app regardless of its window.
    #[serde(default)]
    pub throttle_next: Vec<ThrottleNext>,
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
            apps: BTreeMap::new(),
            throttle_next: Vec::new(),
        }
    }

    /// Rejects limits that cannot work.
    pub fn validate(&self) -> Result<(), String> {
        let limits = [
            ("perAppPerTenant", &self.per_app_per_tenant),
            ("perAppAllTenants", &self.per_app_all_tenants),
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
        let over = self.0.len().saturating_sub(limit.requests as usize);
        (over > 0).then(|| self.0[over - 1] + span - now)
    }
}

/// Shared throttling state.
#[derive(Debug)]
pub struct Throttler {
    config: Mutex<Config>,
    tenant_windows: Mutex<BTreeMap<(usize, String), Window>>,
    app_windows: Mutex<BTreeMap<String, Window>>,
}

impl Throttler {
    /// A throttler with Graph's limits, on or off.
    pub fn new(enabled: bool) -> Throttler {
        Throttler {
            config: Mutex::new(Config::graph(enabled)),
            tenant_windows: Mutex::default(),
            app_windows: Mutex::default(),
        }
    }

    /// The current settings.
    pub fn config(&self) -> Config {
        self.config.lock().expect("throttle lock").clone()
    }

    /// Replaces the settings (and forgets past requests).
    pub fn set_config(&self, config: Config) -> Result<(), String> {
        config.validate()?;
        *self.config.lock().expect("throttle lock") = config;
        self.tenant_windows.lock().expect("throttle lock").clear();
        self.app_windows.lock().expect("throttle lock").clear();
        Ok(())
    }

    /// Counts a request of `app` in `tenant` at `now_ms` and decides.
    pub fn check(&self, tenant: usize, app: &str, now_ms: i64) -> Decision {
        let mut config = self.config.lock().expect("throttle lock");
        if let Some(scripted) = config
            .throttle_next
            .iter_mut()
            .find(|t| t.app_id.eq_ignore_ascii_case(app) && t.count > 0)
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
            .get(app)
            .copied()
            .unwrap_or(config.per_app_per_tenant);
        let tenant_wait = self
            .tenant_windows
            .lock()
            .expect("throttle lock")
            .entry((tenant, app.to_string()))
            .or_default()
            .hit(now_ms, limit);
        let app_wait = self
            .app_windows
            .lock()
            .expect("throttle lock")
            .entry(app.to_string())
            .or_default()
            .hit(now_ms, config.per_app_all_tenants);
        match tenant_wait.max(app_wait) {
            None => Decision::Allow,
            Some(ms) => Decision::Throttle(
                ((ms.max(1) + 999) / 1000).clamp(1, MAX_RETRY_AFTER as i64) as u64,
            ),
        }
    }
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

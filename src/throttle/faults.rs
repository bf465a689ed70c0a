//! Scripted faults and response delays: 503/504/500 at a rate, a connection
//! reset, a failure of page K of the next paging session, and slow answers.
//! Random draws come from the seed and the request's position, so the same
//! seed and request sequence fail the same requests.

use super::{MAX_RETRY_AFTER, lock};
use crate::rng::{Seed, mix64};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    #[serde(rename = "503")]
    ServiceUnavailable,
    #[serde(rename = "504")]
    GatewayTimeout,
    #[serde(rename = "500")]
    InternalError,
    #[serde(rename = "reset")]
    ConnectionReset,
}

/// Fail requests at a rate, optionally only on one route or app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// `signIns`, `directoryAudits`, `provisioning` or `*`.
    #[serde(default = "any_route")]
    pub route: String,
    #[serde(default)]
    pub app_id: Option<String>,
    /// Probability in [0, 1].
    pub rate: f64,
    pub fault: Fault,
    /// Retry-After seconds sent with 503 (default 1).
    #[serde(default)]
    pub retry_after: Option<u64>,
}

fn any_route() -> String {
    "*".into()
}

/// Fail page `page` (2 = the first nextLink) of the next `sessions` paging
/// sessions, optionally only those of one app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailPage {
    pub page: u32,
    pub fault: Fault,
    #[serde(default = "one")]
    pub sessions: u32,
    #[serde(default)]
    pub app_id: Option<String>,
}

fn one() -> u32 {
    1
}

/// How long answers take, optionally only on one route or for one app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delay {
    /// A fixed delay in milliseconds (at most [`MAX_DELAY_MS`]); `profile` wins if both are given.
    #[serde(default)]
    pub fixed_ms: Option<u64>,
    /// `graph`: a realistic distribution (median 250 ms, P95 900 ms, P99 1.5 s, max 3 s).
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default = "any_route")]
    pub route: String,
    #[serde(default)]
    pub app_id: Option<String>,
}

/// The longest fixed delay a request may be held: ten seconds (as openapi.yaml says).
pub const MAX_DELAY_MS: u64 = 10_000;

/// The fault settings, readable and replaceable through the control surface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub fail_page: Option<FailPage>,
    #[serde(default)]
    pub delay: Option<Delay>,
}

impl Config {
    /// Rejects settings that cannot work.
    pub fn validate(&self) -> Result<(), String> {
        for rule in &self.rules {
            if !(0.0..=1.0).contains(&rule.rate) {
                return Err(format!("rules: rate {} must be between 0 and 1", rule.rate));
            }
            if rule.retry_after.is_some_and(|s| s > MAX_RETRY_AFTER) {
                return Err(format!(
                    "rules: retryAfter must be at most {MAX_RETRY_AFTER} seconds"
                ));
            }
            check_route(&rule.route)?;
        }
        if let Some(page) = &self.fail_page
            && page.page < 1
        {
            return Err("failPage.page must be at least 1".into());
        }
        if let Some(delay) = &self.delay {
            check_delay(delay)?;
        }
        Ok(())
    }
}

fn check_delay(delay: &Delay) -> Result<(), String> {
    check_route(&delay.route)?;
    if delay.profile.as_deref().is_some_and(|p| p != "graph") {
        return Err("delay.profile must be 'graph'".into());
    }
    if delay.fixed_ms.is_some_and(|ms| ms > MAX_DELAY_MS) {
        return Err(format!(
            "delay.fixedMs must be at most {MAX_DELAY_MS} (ten seconds)"
        ));
    }
    Ok(())
}

/// True when a setting scoped to `scope` (or to every app) applies to `app`.
fn for_app(scope: Option<&str>, app: &str) -> bool {
    scope.is_none_or(|a| a.eq_ignore_ascii_case(app))
}

fn check_route(route: &str) -> Result<(), String> {
    match route {
        "*" | "signIns" | "directoryAudits" | "provisioning" => Ok(()),
        other => Err(format!(
            "route '{other}' must be signIns, directoryAudits, provisioning or *"
        )),
    }
}

/// Shared fault state.
#[derive(Debug, Default)]
pub struct Faults {
    config: Mutex<Config>,
    draws: AtomicU64,
}

/// Response-delay quantiles of the `graph` profile (quantile, milliseconds).
const GRAPH_DELAY: &[(f64, f64)] = &[
    (0.0, 60.0),
    (0.5, 250.0),
    (0.95, 900.0),
    (0.99, 1500.0),
    (1.0, 3000.0),
];

impl Faults {
    /// The current settings.
    pub fn config(&self) -> Config {
        lock(&self.config).clone()
    }

    /// Replaces the settings and restarts the draw sequence.
    pub fn set_config(&self, config: Config) -> Result<(), String> {
        config.validate()?;
        *lock(&self.config) = config;
        self.restart();
        Ok(())
    }

    /// Restarts the draw sequence (on reset), keeping the settings: the same
    /// requests then meet the same faults again.
    pub fn restart(&self) {
        self.draws.store(0, Ordering::SeqCst);
    }

    /// The fault (and Retry-After) for a request of `app` on `route`, page `page`.
    pub fn decide(&self, seed: Seed, route: &str, app: &str, page: u32) -> Option<(Fault, u64)> {
        let mut config = lock(&self.config);
        if let Some(fail) = config
            .fail_page
            .as_mut()
            .filter(|f| f.page == page && f.sessions > 0 && for_app(f.app_id.as_deref(), app))
        {
            fail.sessions -= 1;
            let fault = fail.fault;
            if fail.sessions == 0 {
                config.fail_page = None;
            }
            return Some((fault, 1));
        }
        let n = self.draws.fetch_add(1, Ordering::SeqCst);
        rule_fault(&config, seed, route, app, n)
    }

    /// The page failure that applies to page `page` of `app`, with the sessions it
    /// was set for (replicas count the sessions used in their shared state).
    pub fn page_rule(&self, app: &str, page: u32) -> Option<(Fault, u32)> {
        let config = lock(&self.config);
        let fail = config.fail_page.as_ref()?;
        (fail.page == page && fail.sessions > 0 && for_app(fail.app_id.as_deref(), app))
            .then_some((fail.fault, fail.sessions))
    }

    /// The rule fault for the request that took draw number `n`.
    pub fn fault_at(&self, seed: Seed, route: &str, app: &str, n: u64) -> Option<(Fault, u64)> {
        rule_fault(&lock(&self.config), seed, route, app, n)
    }

    /// How long to hold the answer to a request of `app` on `route`.
    pub fn delay(&self, seed: Seed, route: &str, app: &str) -> Option<std::time::Duration> {
        self.delay_at(seed, route, app, || {
            self.draws.fetch_add(1, Ordering::SeqCst)
        })
    }

    /// Whether the delay of a request of `app` on `route` takes a draw.
    pub fn delay_draws(&self, route: &str, app: &str) -> bool {
        let config = lock(&self.config);
        delay_for(&config, route, app).is_some_and(|d| d.profile.is_some())
    }

    /// The delay of a request of `app` on `route`, drawing from `draw` if it must.
    pub fn delay_at(
        &self,
        seed: Seed,
        route: &str,
        app: &str,
        draw: impl FnOnce() -> u64,
    ) -> Option<std::time::Duration> {
        let config = lock(&self.config);
        let delay = delay_for(&config, route, app)?;
        let ms = match (&delay.profile, delay.fixed_ms) {
            (Some(_), _) => {
                let n = draw();
                let u = (mix64(seed.0 ^ mix64(n ^ 0x6465_6c61)) >> 11) as f64 / (1u64 << 53) as f64;
                crate::activity::latency::quantile(GRAPH_DELAY, u) as u64
            }
            (None, Some(ms)) => ms.min(MAX_DELAY_MS),
            (None, None) => return None,
        };
        Some(std::time::Duration::from_millis(ms))
    }
}

fn delay_for<'a>(config: &'a Config, route: &str, app: &str) -> Option<&'a Delay> {
    config.delay.as_ref().filter(|d| {
        (d.route == "*" || d.route.eq_ignore_ascii_case(route)) && for_app(d.app_id.as_deref(), app)
    })
}

fn rule_fault(config: &Config, seed: Seed, route: &str, app: &str, n: u64) -> Option<(Fault, u64)> {
    config.rules.iter().enumerate().find_map(|(i, rule)| {
        let applies = (rule.route == "*" || rule.route.eq_ignore_ascii_case(route))
            && for_app(rule.app_id.as_deref(), app);
        let u = (seed.mix(0x6661_756c, n, i as u64) >> 11) as f64 / (1u64 << 53) as f64;
        (applies && u < rule.rate).then_some((rule.fault, rule.retry_after.unwrap_or(1)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(rate: f64) -> Faults {
        let faults = Faults::default();
        let rule = Rule {
            route: "*".into(),
            app_id: None,
            rate,
            fault: Fault::ServiceUnavailable,
            retry_after: None,
        };
        faults
            .set_config(Config {
                rules: vec![rule],
                ..Config::default()
            })
            .unwrap();
        faults
    }

    #[test]
    fn the_same_seed_fails_the_same_requests() {
        let run = |f: &Faults| {
            (0..200)
                .map(|_| f.decide(Seed(3), "signIns", "a", 1).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(&faults(0.1)), run(&faults(0.1)));
    }

    #[test]
    fn about_the_requested_share_fails() {
        let f = faults(0.1);
        let failed = (0..5000)
            .filter(|_| f.decide(Seed(3), "signIns", "a", 1).is_some())
            .count();
        assert!((400..600).contains(&failed), "{failed}");
    }

    #[test]
    fn a_page_failure_hits_only_that_page_once() {
        let f = Faults::default();
        f.set_config(Config {
            fail_page: Some(FailPage {
                page: 2,
                fault: Fault::GatewayTimeout,
                sessions: 1,
                app_id: None,
            }),
            ..Config::default()
        })
        .unwrap();
        assert!(f.decide(Seed(1), "signIns", "a", 1).is_none());
        assert_eq!(
            f.decide(Seed(1), "signIns", "a", 2),
            Some((Fault::GatewayTimeout, 1))
        );
        assert!(f.decide(Seed(1), "signIns", "a", 2).is_none());
    }

    #[test]
    fn page_failures_and_delays_can_be_scoped_to_one_app() {
        let f = Faults::default();
        let delay = Delay {
            fixed_ms: Some(5),
            profile: None,
            route: "*".into(),
            app_id: Some("App-B".into()),
        };
        f.set_config(Config {
            fail_page: Some(FailPage {
                page: 2,
                fault: Fault::InternalError,
                sessions: 1,
                app_id: Some("APP-B".into()),
            }),
            delay: Some(delay),
            ..Config::default()
        })
        .unwrap();
        assert!(f.decide(Seed(1), "signIns", "app-a", 2).is_none());
        assert!(f.delay(Seed(1), "signIns", "app-a").is_none());
        assert!(f.decide(Seed(1), "signIns", "app-b", 2).is_some());
        assert!(f.delay(Seed(1), "signIns", "app-b").is_some());
    }

    #[test]
    fn delays_beyond_ten_seconds_and_long_retry_afters_are_refused() {
        let delay = |ms| Config {
            delay: Some(Delay {
                fixed_ms: Some(ms),
                profile: None,
                route: "*".into(),
                app_id: None,
            }),
            ..Config::default()
        };
        assert!(delay(10_000).validate().is_ok());
        assert!(delay(10_001).validate().is_err());
        assert!(delay(999_999_999_999).validate().is_err());
        let mut rule = faults(0.5).config();
        rule.rules[0].retry_after = Some(181);
        assert!(rule.validate().is_err());
    }

    #[test]
    fn restarting_replays_the_same_faults() {
        let f = faults(0.3);
        let run = |f: &Faults| {
            (0..100)
                .map(|_| f.decide(Seed(3), "signIns", "a", 1).is_some())
                .collect::<Vec<_>>()
        };
        let first = run(&f);
        f.restart();
        assert_eq!(run(&f), first);
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let rule = Rule {
            route: "*".into(),
            app_id: None,
            rate: 2.0,
            fault: Fault::InternalError,
            retry_after: None,
        };
        assert!(
            Faults::default()
                .set_config(Config {
                    rules: vec![rule],
                    ..Config::default()
                })
                .is_err()
        );
    }
}

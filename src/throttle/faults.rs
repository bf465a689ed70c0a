//! Scripted faults and response delays: 503/504/500 at a rate, a connection
//! reset, a failure of page K of the next paging session, and slow answers.
//! Random draws come from the seed and the request's position, so the same
//! seed and request sequence fail the same requests.

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

/// Fail page `page` (2 = the first nextLink) of the next `sessions` paging sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailPage {
    pub page: u32,
    pub fault: Fault,
    #[serde(default = "one")]
    pub sessions: u32,
}

fn one() -> u32 {
    1
}

/// How long answers take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delay {
    /// A fixed delay in milliseconds.
    #[serde(default)]
    pub fixed_ms: Option<u64>,
    /// `graph`: a realistic distribution (median 250 ms, P95 900 ms, P99 1.5 s).
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default = "any_route")]
    pub route: String,
}

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
            check_route(&rule.route)?;
        }
        if let Some(page) = &self.fail_page
            && page.page < 1
        {
            return Err("failPage.page must be at least 1".into());
        }
        if let Some(delay) = &self.delay {
            check_route(&delay.route)?;
            if delay.profile.as_deref().is_some_and(|p| p != "graph") {
                return Err("delay.profile must be 'graph'".into());
            }
        }
        Ok(())
    }
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
        self.config.lock().expect("faults lock").clone()
    }

    /// Replaces the settings and restarts the draw sequence.
    pub fn set_config(&self, config: Config) -> Result<(), String> {
        config.validate()?;
        *self.config.lock().expect("faults lock") = config;
        self.draws.store(0, Ordering::SeqCst);
        Ok(())
    }

    /// The fault (and Retry-After) for a request of `app` on `route`, page `page`.
    pub fn decide(&self, seed: Seed, route: &str, app: &str, page: u32) -> Option<(Fault, u64)> {
        let mut config = self.config.lock().expect("faults lock");
        if let Some(fail) = config
            .fail_page
            .as_mut()
            .filter(|f| f.page == page && f.sessions > 0)
        {
            fail.sessions -= 1;
            let fault = fail.fault;
            if fail.sessions == 0 {
                config.fail_page = None;
            }
            return Some((fault, 1));
        }
        let n = self.draws.fetch_add(1, Ordering::SeqCst);
        config.rules.iter().enumerate().find_map(|(i, rule)| {
            let applies = (rule.route == "*" || rule.route.eq_ignore_ascii_case(route))
                && rule
                    .app_id
                    .as_deref()
                    .is_none_or(|a| a.eq_ignore_ascii_case(app));
            let u = (seed.mix(0x6661_756c, n, i as u64) >> 11) as f64 / (1u64 << 53) as f64;
            (applies && u < rule.rate).then_some((rule.fault, rule.retry_after.unwrap_or(1)))
        })
    }

    /// How long to hold the answer to a request on `route`.
    pub fn delay(&self, seed: Seed, route: &str) -> Option<std::time::Duration> {
        let config = self.config.lock().expect("faults lock");
        let delay = config
            .delay
            .as_ref()
            .filter(|d| d.route == "*" || d.route.eq_ignore_ascii_case(route))?;
        let ms = match (&delay.profile, delay.fixed_ms) {
            (Some(_), _) => {
                let n = self.draws.fetch_add(1, Ordering::SeqCst);
                let u = (mix64(seed.0 ^ mix64(n ^ 0x6465_6c61)) >> 11) as f64 / (1u64 << 53) as f64;
                crate::activity::latency::quantile(GRAPH_DELAY, u) as u64
            }
            (None, Some(ms)) => ms,
            (None, None) => return None,
        };
        Some(std::time::Duration::from_millis(ms))
    }
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

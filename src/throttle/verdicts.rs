//! Client verdicts: per calling app, how it behaved — requests, 429s served,
//! retries that came back before Retry-After, skip tokens reused or abandoned.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// A skip token unused this long (window milliseconds) counts as abandoned.
const ABANDONED_AFTER_MS: i64 = 60_000;
/// Tokens remembered per app (oldest forgotten first).
const MAX_TOKENS: usize = 10_000;

#[derive(Debug, Default)]
struct App {
    requests: u64,
    throttled: u64,
    early_retries: u64,
    retry_at_ms: Option<i64>,
    issued: BTreeMap<String, i64>,
    used: BTreeSet<String>,
    reused: u64,
}

/// What the verdicts endpoint reports for one app.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub app_id: String,
    pub requests: u64,
    pub throttled: u64,
    pub early_retries: u64,
    pub skip_tokens_reused: u64,
    pub skip_tokens_abandoned: u64,
    /// Plain-language findings; empty when the client behaved.
    pub verdicts: Vec<String>,
}

/// Shared per-app records.
#[derive(Debug, Default)]
pub struct Verdicts {
    apps: Mutex<BTreeMap<String, App>>,
}

impl Verdicts {
    /// Counts a request; flags it if it came before the app's Retry-After ran out.
    pub fn request(&self, app: &str, now_ms: i64, token: Option<&str>) {
        let mut apps = self.apps.lock().expect("verdicts lock");
        let entry = apps.entry(app.to_string()).or_default();
        entry.requests += 1;
        if entry.retry_at_ms.is_some_and(|at| now_ms < at) {
            entry.early_retries += 1;
        }
        if let Some(token) = token {
            if !entry.used.insert(token.to_string()) {
                entry.reused += 1;
            }
            entry.issued.remove(token);
        }
    }

    /// Records a 429 asking the app to wait `retry_after` seconds.
    pub fn throttled(&self, app: &str, now_ms: i64, retry_after: u64) {
        let mut apps = self.apps.lock().expect("verdicts lock");
        let entry = apps.entry(app.to_string()).or_default();
        entry.throttled += 1;
        entry.retry_at_ms = Some(now_ms + retry_after as i64 * 1000);
    }

    /// Records a skip token handed to the app in a nextLink.
    pub fn issued(&self, app: &str, token: &str, now_ms: i64) {
        let mut apps = self.apps.lock().expect("verdicts lock");
        let entry = apps.entry(app.to_string()).or_default();
        entry.issued.insert(token.to_string(), now_ms);
        if entry.issued.len() > MAX_TOKENS {
            let oldest = entry
                .issued
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(t, _)| t.clone());
            if let Some(oldest) = oldest {
                entry.issued.remove(&oldest);
            }
        }
    }

    /// The report of every app seen.
    pub fn report(&self, now_ms: i64) -> Vec<Report> {
        let apps = self.apps.lock().expect("verdicts lock");
        apps.iter()
            .map(|(id, app)| report(id, app, now_ms))
            .collect()
    }

    /// Forgets everything (on reset).
    pub fn clear(&self) {
        self.apps.lock().expect("verdicts lock").clear();
    }
}

fn report(id: &str, app: &App, now_ms: i64) -> Report {
    let abandoned = app
        .issued
        .values()
        .filter(|&&at| now_ms - at >= ABANDONED_AFTER_MS)
        .count() as u64;
    let mut verdicts = Vec::new();
    if app.early_retries > 0 {
        verdicts.push(format!(
            "retried {} time(s) before Retry-After elapsed",
            app.early_retries
        ));
    }
    if app.reused > 0 {
        verdicts.push(format!(
            "reused {} skip token(s): pages were fetched twice",
            app.reused
        ));
    }
    if abandoned > 0 {
        verdicts.push(format!(
            "abandoned {abandoned} paging session(s) before the last page"
        ));
    }
    Report {
        app_id: id.to_string(),
        requests: app.requests,
        throttled: app.throttled,
        early_retries: app.early_retries,
        skip_tokens_reused: app.reused,
        skip_tokens_abandoned: abandoned,
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_before_retry_after_is_flagged() {
        let v = Verdicts::default();
        v.request("a", 0, None);
        v.throttled("a", 0, 2);
        v.request("a", 500, None);
        v.request("a", 2500, None);
        let report = &v.report(3000)[0];
        assert_eq!(report.early_retries, 1);
        assert_eq!(report.verdicts.len(), 1);
    }

    #[test]
    fn reused_and_abandoned_tokens_are_counted() {
        let v = Verdicts::default();
        v.issued("a", "t1", 0);
        v.issued("a", "t2", 0);
        v.request("a", 10, Some("t1"));
        v.request("a", 20, Some("t1"));
        let report = &v.report(120_000)[0];
        assert_eq!(
            (report.skip_tokens_reused, report.skip_tokens_abandoned),
            (1, 1)
        );
    }

    #[test]
    fn a_well_behaved_client_gets_no_verdicts() {
        let v = Verdicts::default();
        v.issued("a", "t1", 0);
        v.request("a", 10, Some("t1"));
        assert!(v.report(120_000)[0].verdicts.is_empty());
    }
}

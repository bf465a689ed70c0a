//! Client verdicts: per calling app, how it behaved — requests, 429s served,
//! retries that came back before a 429's or 503's Retry-After ran out, pages
//! fetched twice within one walk, and walks abandoned.
//!
//! A skip token handed out in a nextLink is one page *owed* to the app. Serving
//! that page successfully pays the debt; serving it again when nothing is owed
//! is a reuse. So retrying a token after a 429 or 503 (nothing was served), and
//! two identical walks on a frozen clock (each page hands out the same token
//! again), are not reuses; fetching a page already received is. Tokens are kept
//! in least-recently-touched order, at most [`MAX_TOKENS`] per app, and served
//! ones are forgotten after [`FORGET_AFTER_MS`].

use super::lock;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A skip token unused this long (window milliseconds) counts as abandoned.
const ABANDONED_AFTER_MS: i64 = 60_000;
/// Tokens remembered per app (least recently touched forgotten first).
pub const MAX_TOKENS: usize = 10_000;
/// A token whose page was served is forgotten this long after its last use.
pub const FORGET_AFTER_MS: i64 = 15 * 60_000;

/// What is known of one skip token.
#[derive(Debug)]
struct Token {
    /// Position in `Tokens::by_age`.
    touched: (i64, u64),
    /// When it was last handed out.
    issued_at: i64,
    /// Pages handed out with this token and not yet served.
    owed: u32,
}

/// An app's skip tokens, by value and by age.
#[derive(Debug, Default)]
struct Tokens {
    by_token: BTreeMap<String, Token>,
    by_age: BTreeMap<(i64, u64), String>,
    next: u64,
    /// Walks found abandoned when their token was forgotten.
    abandoned: u64,
}

impl Tokens {
    fn touch(&mut self, token: &str, now_ms: i64) -> &mut Token {
        self.next += 1;
        let at = (now_ms, self.next);
        let entry = self
            .by_token
            .entry(token.to_string())
            .or_insert_with(|| Token {
                touched: at,
                issued_at: now_ms,
                owed: 0,
            });
        self.by_age.remove(&entry.touched);
        entry.touched = at;
        self.by_age.insert(at, token.to_string());
        entry
    }

    fn issue(&mut self, token: &str, now_ms: i64) {
        let entry = self.touch(token, now_ms);
        entry.owed += 1;
        entry.issued_at = now_ms;
        self.expire(now_ms);
    }

    /// Records a page served for `token`; true when nothing was owed (a reuse).
    fn serve(&mut self, token: &str, now_ms: i64) -> bool {
        if !self.by_token.contains_key(token) {
            return false;
        }
        let entry = self.touch(token, now_ms);
        let reused = entry.owed == 0;
        entry.owed = entry.owed.saturating_sub(1);
        self.expire(now_ms);
        reused
    }

    /// Forgets the oldest tokens beyond the cap, and served ones gone stale.
    fn expire(&mut self, now_ms: i64) {
        while let Some((&at, token)) = self.by_age.first_key_value() {
            let owed = self.by_token.get(token).map_or(0, |t| t.owed);
            let stale = owed == 0 && now_ms - at.0 >= FORGET_AFTER_MS;
            if self.by_token.len() <= MAX_TOKENS && !stale {
                break;
            }
            let token = self.by_age.pop_first().map(|(_, t)| t).unwrap_or_default();
            if let Some(gone) = self.by_token.remove(&token)
                && now_ms - gone.issued_at >= ABANDONED_AFTER_MS
            {
                self.abandoned += u64::from(gone.owed);
            }
        }
    }

    fn abandoned(&self, now_ms: i64) -> u64 {
        let held: u64 = self
            .by_token
            .values()
            .filter(|t| now_ms - t.issued_at >= ABANDONED_AFTER_MS)
            .map(|t| u64::from(t.owed))
            .sum();
        self.abandoned + held
    }
}

#[derive(Debug, Default)]
struct App {
    requests: u64,
    throttled: u64,
    early_retries: u64,
    retry_at_ms: Option<i64>,
    tokens: Tokens,
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

/// One thing a client did, as replicas exchange it (`--state`): each replica
/// sends its events to the shared state, and a report replays them all.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "e", rename_all = "camelCase")]
pub enum Event {
    Request { app: String, at: i64 },
    Throttled { app: String, at: i64, wait: u64 },
    ToldToWait { app: String, at: i64, wait: u64 },
    Issued { app: String, token: String, at: i64 },
    Served { app: String, token: String, at: i64 },
}

/// Shared per-app records.
#[derive(Debug, Default)]
pub struct Verdicts {
    apps: Mutex<BTreeMap<String, App>>,
    /// Events not yet sent to the shared state; `None` when nothing is shared.
    outbox: Mutex<Option<Vec<Event>>>,
}

impl Verdicts {
    /// Verdicts built from every event of a run, in order.
    pub fn replayed(events: impl IntoIterator<Item = Event>) -> Verdicts {
        let verdicts = Verdicts::default();
        for event in events {
            verdicts.apply(&event);
        }
        verdicts
    }

    /// Keeps every event from now on until [`Verdicts::take_outbox`] collects it.
    pub fn share(&self) {
        lock(&self.outbox).get_or_insert_with(Vec::new);
    }

    /// The events kept since the last call (none when nothing is shared).
    pub fn take_outbox(&self) -> Vec<Event> {
        lock(&self.outbox)
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Puts back events that could not be sent, ahead of newer ones.
    pub fn return_outbox(&self, mut events: Vec<Event>) {
        if let Some(outbox) = lock(&self.outbox).as_mut() {
            events.append(outbox);
            *outbox = events;
        }
    }

    fn record(&self, event: Event) {
        self.apply(&event);
        if let Some(outbox) = lock(&self.outbox).as_mut() {
            outbox.push(event);
        }
    }

    fn apply(&self, event: &Event) {
        match event {
            Event::Request { app, at } => self.with(app, |entry| {
                entry.requests += 1;
                if entry.retry_at_ms.is_some_and(|retry| *at < retry) {
                    entry.early_retries += 1;
                }
            }),
            Event::Throttled { app, at, wait } => self.with(app, |entry| {
                entry.throttled += 1;
                entry.retry_at_ms = Some(at + *wait as i64 * 1000);
            }),
            Event::ToldToWait { app, at, wait } => self.with(app, |entry| {
                entry.retry_at_ms = Some(at + *wait as i64 * 1000);
            }),
            Event::Issued { app, token, at } => {
                self.with(app, |entry| entry.tokens.issue(token, *at))
            }
            Event::Served { app, token, at } => self.with(app, |entry| {
                if entry.tokens.serve(token, *at) {
                    entry.reused += 1;
                }
            }),
        }
    }

    fn with<T>(&self, app: &str, f: impl FnOnce(&mut App) -> T) -> T {
        let mut apps = lock(&self.apps);
        f(apps.entry(app.to_ascii_lowercase()).or_default())
    }

    /// Counts a request; flags it if it came before the app's Retry-After ran out.
    pub fn request(&self, app: &str, now_ms: i64) {
        let app = app.to_string();
        self.record(Event::Request { app, at: now_ms })
    }

    /// Records a 429 asking the app to wait `retry_after` seconds.
    pub fn throttled(&self, app: &str, now_ms: i64, retry_after: u64) {
        let (app, wait) = (app.to_string(), retry_after);
        self.record(Event::Throttled {
            app,
            at: now_ms,
            wait,
        })
    }

    /// Records another answer with Retry-After (a 503): retrying earlier is early.
    pub fn told_to_wait(&self, app: &str, now_ms: i64, retry_after: u64) {
        let (app, wait) = (app.to_string(), retry_after);
        self.record(Event::ToldToWait {
            app,
            at: now_ms,
            wait,
        })
    }

    /// Records a skip token handed to the app in a nextLink.
    pub fn issued(&self, app: &str, token: &str, now_ms: i64) {
        let (app, token) = (app.to_string(), token.to_string());
        self.record(Event::Issued {
            app,
            token,
            at: now_ms,
        })
    }

    /// Records a page served (200) for a request that carried `token`.
    pub fn served(&self, app: &str, token: &str, now_ms: i64) {
        let (app, token) = (app.to_string(), token.to_string());
        self.record(Event::Served {
            app,
            token,
            at: now_ms,
        })
    }

    /// The report of every app seen.
    pub fn report(&self, now_ms: i64) -> Vec<Report> {
        let apps = lock(&self.apps);
        apps.iter()
            .map(|(id, app)| report(id, app, now_ms))
            .collect()
    }

    /// Forgets everything (on reset).
    pub fn clear(&self) {
        lock(&self.apps).clear();
    }
}

fn report(id: &str, app: &App, now_ms: i64) -> Report {
    let abandoned = app.tokens.abandoned(now_ms);
    let mut verdicts = Vec::new();
    if app.early_retries > 0 {
        verdicts.push(format!(
            "retried {} time(s) before Retry-After elapsed",
            app.early_retries
        ));
    }
    if app.reused > 0 {
        verdicts.push(format!(
            "reused {} skip token(s): pages already received were fetched again",
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
        v.request("a", 0);
        v.throttled("a", 0, 2);
        v.request("a", 500);
        v.request("a", 2500);
        let report = &v.report(3000)[0];
        assert_eq!(report.early_retries, 1);
        assert_eq!(report.verdicts.len(), 1);
    }

    #[test]
    fn a_retry_before_a_503s_retry_after_is_flagged_too() {
        let v = Verdicts::default();
        v.request("a", 0);
        v.told_to_wait("a", 0, 5);
        v.request("a", 1000);
        assert_eq!(v.report(1000)[0].early_retries, 1);
    }

    #[test]
    fn reused_and_abandoned_tokens_are_counted() {
        let v = Verdicts::default();
        v.issued("a", "t1", 0);
        v.issued("a", "t2", 0);
        v.served("a", "t1", 10);
        v.served("a", "t1", 20);
        let report = &v.report(120_000)[0];
        assert_eq!(
            (report.skip_tokens_reused, report.skip_tokens_abandoned),
            (1, 1)
        );
    }

    #[test]
    fn retrying_a_token_that_failed_and_repeating_a_whole_walk_are_not_reuse() {
        let v = Verdicts::default();
        for walk in 0..3 {
            let at = walk * 1000;
            // Page 1 hands out t1; page 2 (t1) fails twice, then is served and hands out t2.
            v.issued("a", "t1", at);
            v.request("a", at + 1);
            v.request("a", at + 2);
            v.served("a", "t1", at + 3);
            v.issued("a", "t2", at + 3);
            v.served("a", "t2", at + 4);
        }
        let report = &v.report(300_000)[0];
        assert_eq!(
            (report.skip_tokens_reused, report.skip_tokens_abandoned),
            (0, 0)
        );
        assert!(report.verdicts.is_empty(), "{:?}", report.verdicts);
    }

    #[test]
    fn replaying_the_shared_events_reports_what_the_replica_saw() {
        let v = Verdicts::default();
        v.share();
        v.request("a", 0);
        v.throttled("a", 0, 2);
        v.request("a", 500);
        v.issued("a", "t1", 600);
        let events = v.take_outbox();
        assert_eq!(events.len(), 4);
        assert!(v.take_outbox().is_empty());
        assert_eq!(Verdicts::replayed(events).report(700), v.report(700));
    }

    #[test]
    fn a_well_behaved_client_gets_no_verdicts() {
        let v = Verdicts::default();
        v.issued("a", "t1", 0);
        v.served("a", "t1", 10);
        assert!(v.report(120_000)[0].verdicts.is_empty());
    }

    #[test]
    fn token_memory_stays_bounded_and_forgotten_walks_still_count_as_abandoned() {
        let v = Verdicts::default();
        for n in 0..(MAX_TOKENS as i64 * 3) {
            v.issued("a", &format!("t{n}"), n * 100);
        }
        let apps = lock(&v.apps);
        let tokens = &apps["a"].tokens;
        assert_eq!(tokens.by_token.len(), MAX_TOKENS);
        assert_eq!(tokens.by_age.len(), MAX_TOKENS);
        assert_eq!(tokens.abandoned, MAX_TOKENS as u64 * 2);
    }

    #[test]
    fn served_tokens_are_forgotten_once_stale() {
        let v = Verdicts::default();
        for n in 0..1000 {
            v.issued("a", &format!("t{n}"), n);
            v.served("a", &format!("t{n}"), n);
        }
        v.issued("a", "late", FORGET_AFTER_MS + 1000);
        let apps = lock(&v.apps);
        assert_eq!(apps["a"].tokens.by_token.len(), 1);
        assert_eq!(apps["a"].tokens.by_age.len(), 1);
    }
}

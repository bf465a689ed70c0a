//! Run-time state shared by replicas (`--state redis://host:port/db`): the
//! journal of control-surface changes every replica replays in order, the rate
//! windows, fault draws and page failures counted atomically, and the client
//! events the verdicts are built from. Without `--state` none of this exists and
//! the process keeps its state in memory, as before.

pub mod redis;
mod scripts;

use crate::clock::Snapshot;
use crate::throttle::Limit;
use crate::throttle::verdicts::Event;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// A pending answer of the shared state.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, StateError>> + 'a>>;

/// Why the shared state could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("the shared state at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the shared state at {url} is busy: another replica holds its change lease")]
    Busy { url: String },
    #[error("another replica changed the shared state first")]
    Conflict,
    #[error("the shared state holds an entry this replica cannot read: {0}")]
    Unreadable(String),
}

/// One change made through the control surface (`method` `path?query` with
/// `body`, made at `at_us`), and the clock it left; `GENESIS` starts a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: String,
    pub body: String,
    pub at_us: i64,
    pub clock: Snapshot,
}

/// Journal positions after which counters start over, as they do in one
/// process: windows on reset and new throttling settings, scripted throttles
/// on new throttling settings, fault draws on reset and new fault settings,
/// page failures on new fault settings, client events on reset.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Generations {
    pub resets: u64,
    pub windows: u64,
    pub scripted: u64,
    pub draws: u64,
    pub pages: u64,
}

impl Generations {
    /// The generations after entry number `seq` (from 1), a `method` on control route `name`.
    pub fn after(mut self, seq: u64, method: &str, name: &str) -> Generations {
        match (method, name) {
            ("GENESIS", _) | (_, "reset") => {
                self = Generations {
                    resets: seq,
                    windows: seq,
                    scripted: self.scripted,
                    draws: seq,
                    pages: self.pages,
                };
                if method == "GENESIS" {
                    (self.scripted, self.pages) = (seq, seq);
                }
            }
            (_, "throttling") => (self.windows, self.scripted) = (seq, seq),
            (_, "faults") => (self.draws, self.pages) = (seq, seq),
            _ => {}
        }
        self
    }
}

/// How far this replica has replayed the journal.
#[derive(Debug, Default)]
pub struct Replica {
    /// Entries replayed (the journal's length when up to date).
    pub applied: u64,
    /// A change was made here but could not be journaled: replay all from the start.
    pub diverged: bool,
    /// The entries replayed, kept to restore a journal Redis lost.
    pub entries: Vec<Entry>,
}

/// What one request of an app counts against.
#[derive(Debug, Clone)]
pub struct Ask {
    pub tenant: usize,
    /// Lower case.
    pub app: String,
    pub now_ms: i64,
    /// Per tenant and across tenants; none when throttling is off.
    pub limits: Option<(Limit, Limit)>,
    /// A scripted throttle: requests and Retry-After.
    pub scripted: Option<(u32, u64)>,
    /// A page failure that applies, with the sessions it was set for.
    pub page_sessions: Option<u32>,
    /// Fault draws the request takes when it is let through.
    pub draws: u64,
}

/// What the shared counters decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counted {
    /// A scripted throttle, with its Retry-After.
    Scripted(u64),
    /// Over a window: allowed again in so many milliseconds.
    Over(i64),
    /// The page failure claimed one of its sessions.
    PageFails,
    /// Let through, with the first of its fault draws.
    Through(u64),
}

/// Where replicas keep what they share; Redis is the one implementation.
pub trait SharedState: Send + Sync {
    /// The `--state` URL, for messages.
    fn url(&self) -> &str;
    /// This replica's place in the journal.
    fn replica(&self) -> &tokio::sync::Mutex<Replica>;
    /// The generations counters are kept under.
    fn generations(&self) -> Generations;
    /// Sets the generations (after replaying an entry).
    fn set_generations(&self, generations: Generations);
    /// Answers when the shared state is usable.
    fn ping(&self) -> Pending<'_, ()>;
    /// The journal's length.
    fn length(&self) -> Pending<'_, u64>;
    /// The journal's entries from index `from`.
    fn entries(&self, from: u64) -> Pending<'_, Vec<Entry>>;
    /// Takes the lease that makes one replica at a time change the journal.
    fn lease(&self) -> Pending<'_, String>;
    /// Gives the lease back.
    fn release(&self, lease: String) -> Pending<'_, ()>;
    /// Appends `entry` if the journal holds exactly `expected` entries and `lease` is held.
    fn append<'a>(&'a self, expected: u64, entry: &'a Entry, lease: &'a str) -> Pending<'a, ()>;
    /// Counts a request against the shared windows and fault counters.
    fn count(&self, ask: Ask) -> Pending<'_, Counted>;
    /// Adds client events.
    fn send_events<'a>(&'a self, events: &'a [Event]) -> Pending<'a, ()>;
    /// Every client event since the last reset.
    fn events(&self) -> Pending<'_, Vec<Event>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_starts_windows_draws_and_events_over_but_keeps_settings_counters() {
        let start = Generations::default().after(1, "GENESIS", "");
        assert_eq!(start.pages, 1);
        let throttled = start.after(2, "PUT", "throttling");
        assert_eq!((throttled.windows, throttled.scripted), (2, 2));
        let reset = throttled.after(3, "POST", "reset");
        assert_eq!(
            (reset.resets, reset.windows, reset.draws),
            (3, 3, 3),
            "counters of the run start over"
        );
        assert_eq!((reset.scripted, reset.pages), (2, 1));
        assert_eq!(reset.after(4, "POST", "signIns"), reset);
    }
}

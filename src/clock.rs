//! The simulated clock: the only place in entrasim that reads wall time.
//!
//! Tokens are the one exception to simulated time: they belong to the client's
//! real session (its SDK caches them for an hour of wall time), so they are
//! stamped and checked through [`Clock::wall_now`], whatever the log clock does.
//!
//! Three modes: system time (optionally sped up), fixed (frozen at an instant),
//! and anything in between reached through the control surface. Time never runs
//! backwards: moving it back is refused. Every change is checked arithmetic
//! bounded by [`MAX_JUMP`] and [`latest`], and a change is applied whole or not
//! at all, so no request can poison or half-move the clock.
//!
//! Replicas sharing their state (`--state redis://...`) exchange the clock as a
//! [`Snapshot`] anchored on wall time and replay a change with the instant it was
//! made at [`pinned`], so every replica reads the same time.

use chrono::{DateTime, Duration, Utc};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

tokio::task_local! {
    /// The instant a replayed or journaled change is made at (see [`pinned`]).
    static PINNED: std::cell::Cell<DateTime<Utc>>;
}

/// Runs `work` with the clock reading `at` wherever it is asked inside it: a
/// change replayed from the shared journal sees the instant it was first made at.
pub async fn pinned<F: std::future::Future>(at: DateTime<Utc>, work: F) -> F::Output {
    PINNED.scope(std::cell::Cell::new(at), work).await
}

fn pin() -> Option<DateTime<Utc>> {
    PINNED.try_with(std::cell::Cell::get).ok()
}

/// A change made while pinned moves the pinned instant with it.
fn repin(to: DateTime<Utc>) {
    let _ = PINNED.try_with(|at| at.set(to));
}

/// The clock as replicas exchange it: the reading `now_us` taken at wall time
/// `wall_us` (both microseconds since 1970), so a running clock reads the same
/// on every replica whose wall clock agrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub now_us: i64,
    pub wall_us: i64,
    pub frozen: bool,
    pub speed: f64,
    pub jumps_ms: i64,
}

/// The most one request may move the clock: ten years (3653 days).
pub const MAX_JUMP: Duration = Duration::days(3653);

/// The latest instant the clock may show: 9999-12-31T23:59:59Z (four-digit
/// years, as RFC 3339 and Graph's `DateTimeOffset` write them).
pub fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// How the clock starts, as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockSpec {
    /// Follow wall time (times `speed`).
    System,
    /// Start frozen at this instant.
    Fixed(DateTime<Utc>),
}

/// Why the clock refused a change.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ClockError {
    #[error("the clock cannot move backwards: it is {now} and {requested} was asked for")]
    Backwards {
        now: DateTime<Utc>,
        requested: DateTime<Utc>,
    },
    #[error("advance must not be negative")]
    NegativeAdvance,
    #[error(
        "the clock moves at most 10 years (P3653D) per request; send several requests to go further"
    )]
    TooFar,
    #[error("the clock cannot go past 9999-12-31T23:59:59Z")]
    OutOfRange,
}

/// One change to the clock, applied whole or not at all: jump to `to` (if
/// given), then move forward by `advance` (if given), then freeze or release.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Change {
    pub to: Option<DateTime<Utc>>,
    pub advance: Option<Duration>,
    pub frozen: Option<bool>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    /// Wall instant the clock was created at.
    origin: Instant,
    /// Total simulated time added by jumps (set/advance), in milliseconds.
    jumps_ms: i64,
    /// Simulated time at `anchor`.
    base: DateTime<Utc>,
    /// The wall instant `base` was taken at.
    anchor: Instant,
    /// How many simulated seconds pass per wall second.
    speed: f64,
    frozen: bool,
    /// Rate windows count wall time since 1970 (shared by replicas) instead of since start.
    wall_windows: bool,
}

/// The one clock, shared by every part of the server.
#[derive(Debug)]
pub struct Clock {
    state: RwLock<State>,
}

/// A snapshot of the clock for the control surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockStatus {
    pub now: DateTime<Utc>,
    pub frozen: bool,
    pub speed: f64,
}

impl Clock {
    /// A clock in the given mode running at `speed` (a start past [`latest`] is clamped).
    pub fn new(spec: ClockSpec, speed: f64) -> Clock {
        let (base, frozen) = match spec {
            ClockSpec::System => (Utc::now(), false),
            ClockSpec::Fixed(at) => (at.min(latest()), true),
        };
        let state = State {
            origin: Instant::now(),
            jumps_ms: 0,
            base,
            anchor: Instant::now(),
            speed,
            frozen,
            wall_windows: false,
        };
        Clock {
            state: RwLock::new(state),
        }
    }

    /// A frozen clock, for tests and tools.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::new(ClockSpec::Fixed(at), 1.0)
    }

    // The state is a Copy value replaced whole, so a poisoned lock still holds a
    // consistent reading: recover it rather than fail every later request.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        pin().unwrap_or_else(|| current(&self.read()))
    }

    /// Real wall time, for token `iat`/`nbf`/`exp` and their checks only: a
    /// frozen, fast or jumping log clock must never expire or pre-date a token
    /// a client holds on its own clock (issue 12).
    pub fn wall_now(&self) -> DateTime<Utc> {
        wall_now()
    }

    /// Mode and time, read together.
    pub fn status(&self) -> ClockStatus {
        let state = *self.read();
        ClockStatus {
            now: pin().unwrap_or_else(|| current(&state)),
            frozen: state.frozen,
            speed: state.speed,
        }
    }

    /// Jumps to `to`, which must not be earlier than now.
    pub fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        self.apply(Change {
            to: Some(to),
            ..Change::default()
        })
        .map(|s| s.now)
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        self.apply(Change {
            advance: Some(by),
            ..Change::default()
        })
        .map(|s| s.now)
    }

    /// Stops or restarts the flow of time, keeping the current instant.
    pub fn set_frozen(&self, frozen: bool) -> DateTime<Utc> {
        let mut state = self.write();
        let now = pin().unwrap_or_else(|| current(&state));
        rebase(&mut state, now);
        state.frozen = frozen;
        now
    }

    /// Checks a whole change against the current reading, then applies it
    /// under one lock; on error nothing moves.
    pub fn apply(&self, change: Change) -> Result<ClockStatus, ClockError> {
        let mut state = self.write();
        let now = pin().unwrap_or_else(|| current(&state));
        let target = target(now, &change)?;
        let mut next = *state;
        next.jumps_ms = next
            .jumps_ms
            .saturating_add((target - now).num_milliseconds());
        rebase(&mut next, target);
        if let Some(frozen) = change.frozen {
            next.frozen = frozen;
        }
        *state = next;
        repin(target);
        Ok(ClockStatus {
            now: target,
            frozen: next.frozen,
            speed: next.speed,
        })
    }

    /// Milliseconds for rate windows: wall time since start plus every jump,
    /// so both a real wait and a control-surface advance let windows expire.
    pub fn window_ms(&self) -> i64 {
        let state = self.read();
        let wall = if state.wall_windows {
            wall_now().timestamp_millis()
        } else {
            i64::try_from(state.origin.elapsed().as_millis()).unwrap_or(i64::MAX)
        };
        wall.saturating_add(state.jumps_ms)
    }

    /// The clock as other replicas adopt it.
    pub fn snapshot(&self) -> Snapshot {
        let state = *self.read();
        let wall = wall_now();
        Snapshot {
            now_us: current(&state).timestamp_micros(),
            wall_us: wall.timestamp_micros(),
            frozen: state.frozen,
            speed: state.speed,
            jumps_ms: state.jumps_ms,
        }
    }

    /// Takes over another replica's clock; rate windows then run on wall time.
    pub fn adopt(&self, snapshot: &Snapshot) {
        let elapsed_us = if snapshot.frozen {
            0
        } else {
            let wall = (wall_now().timestamp_micros() - snapshot.wall_us).max(0);
            (wall as f64 * snapshot.speed) as i64
        };
        let now = DateTime::from_timestamp_micros(snapshot.now_us.saturating_add(elapsed_us))
            .map_or(latest(), |at| at.min(latest()));
        let mut state = self.write();
        rebase(&mut state, now);
        state.frozen = snapshot.frozen;
        state.speed = snapshot.speed;
        state.jumps_ms = snapshot.jumps_ms;
        state.wall_windows = true;
    }
}

/// Where `change` would put a clock reading `now`, if it is allowed.
fn target(now: DateTime<Utc>, change: &Change) -> Result<DateTime<Utc>, ClockError> {
    let by = change.advance.unwrap_or_else(Duration::zero);
    if by < Duration::zero() {
        return Err(ClockError::NegativeAdvance);
    }
    if let Some(requested) = change.to.filter(|to| *to < now) {
        return Err(ClockError::Backwards { now, requested });
    }
    let jump = change
        .to
        .map_or_else(Duration::zero, |to| to - now)
        .checked_add(&by)
        .filter(|jump| *jump <= MAX_JUMP)
        .ok_or(ClockError::TooFar)?;
    let to = now
        .checked_add_signed(jump)
        .filter(|to| *to <= latest())
        .ok_or(ClockError::OutOfRange)?;
    Ok(to)
}

fn current(state: &State) -> DateTime<Utc> {
    if state.frozen {
        return state.base;
    }
    let wall = state.anchor.elapsed().as_secs_f64() * state.speed;
    // A sped-up clock that would run past the last instant stops there.
    state
        .base
        .checked_add_signed(Duration::microseconds((wall * 1e6) as i64))
        .map_or(latest(), |at| at.min(latest()))
}

fn rebase(state: &mut State, to: DateTime<Utc>) {
    state.base = to;
    state.anchor = Instant::now();
}

/// Wall time for log lines, certificate validity and tokens, never for records.
pub fn wall_now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_fixed_clock_does_not_move_by_itself() {
        let clock = Clock::fixed(t("2026-06-01T12:00:00Z"));
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now(), t("2026-06-01T12:00:00Z"));
    }

    #[test]
    fn advancing_moves_time_forward_by_exactly_that_much() {
        let clock = Clock::fixed(t("2026-06-01T12:00:00Z"));
        clock.advance(Duration::minutes(10)).unwrap();
        assert_eq!(clock.now(), t("2026-06-01T12:10:00Z"));
    }

    #[test]
    fn setting_the_clock_backwards_is_refused() {
        let clock = Clock::fixed(t("2026-06-01T12:00:00Z"));
        let err = clock.set(t("2026-06-01T11:00:00Z")).unwrap_err();
        assert!(matches!(err, ClockError::Backwards { .. }));
        assert_eq!(clock.now(), t("2026-06-01T12:00:00Z"));
    }

    #[test]
    fn a_sped_up_clock_runs_faster_than_wall_time() {
        let clock = Clock::new(ClockSpec::Fixed(t("2026-06-01T12:00:00Z")), 3600.0);
        clock.set_frozen(false);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() >= t("2026-06-01T12:01:00Z"));
    }

    #[test]
    fn absurd_jumps_are_refused_without_moving_or_breaking_the_clock() {
        let clock = Clock::fixed(t("2026-06-01T12:00:00Z"));
        let huge = Duration::try_milliseconds(i64::MAX / 2).unwrap();
        assert_eq!(clock.advance(huge), Err(ClockError::TooFar));
        assert_eq!(
            clock.advance(Duration::days(99_999_999)),
            Err(ClockError::TooFar)
        );
        assert_eq!(
            clock.set(t("9999-12-31T23:59:59Z")),
            Err(ClockError::TooFar)
        );
        assert_eq!(clock.advance(Duration::days(3654)), Err(ClockError::TooFar));
        assert_eq!(clock.now(), t("2026-06-01T12:00:00Z"));
        assert_eq!(
            clock.advance(Duration::days(3653)).unwrap(),
            t("2036-06-01T12:00:00Z")
        );
    }

    #[test]
    fn the_clock_stops_at_the_last_instant_and_refuses_to_pass_it() {
        let clock = Clock::fixed(t("9999-12-31T23:00:00Z"));
        assert_eq!(
            clock.advance(Duration::hours(2)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(
            clock.advance(Duration::minutes(59)).unwrap().to_string(),
            "9999-12-31 23:59:00 UTC"
        );
        let running = Clock::new(ClockSpec::Fixed(t("9999-12-31T23:59:00Z")), 1e12);
        running.set_frozen(false);
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(running.now(), latest());
    }

    #[test]
    fn a_change_that_fails_leaves_now_and_frozen_untouched() {
        let clock = Clock::fixed(t("2026-06-01T12:00:00Z"));
        let change = Change {
            to: Some(t("2026-06-01T13:00:00Z")),
            advance: Some(Duration::days(4000)),
            frozen: Some(false),
        };
        assert!(clock.apply(change).is_err());
        let status = clock.status();
        assert_eq!(
            (status.now, status.frozen),
            (t("2026-06-01T12:00:00Z"), true)
        );
    }

    #[test]
    fn a_replica_adopting_a_snapshot_reads_the_same_time_and_windows() {
        let first = Clock::fixed(t("2026-06-01T12:00:00Z"));
        first.advance(Duration::minutes(5)).unwrap();
        let second = Clock::fixed(t("2030-01-01T00:00:00Z"));
        second.adopt(&first.snapshot());
        assert_eq!(second.now(), t("2026-06-01T12:05:00Z"));
        let wall_ms = wall_now().timestamp_millis() + 300_000;
        assert!((second.window_ms() - wall_ms).abs() < 1000);
    }

    #[actix_rt::test]
    async fn a_pinned_instant_is_what_the_clock_reads_and_moves_from() {
        let clock = Clock::new(ClockSpec::System, 1.0);
        let at = t("2026-06-01T12:00:00Z");
        let moved = pinned(at, async { clock.advance(Duration::minutes(1)) }).await;
        assert_eq!(moved.unwrap(), t("2026-06-01T12:01:00Z"));
        assert_eq!(pinned(at, async { clock.now() }).await, at);
        let after = pinned(at, async {
            clock.advance(Duration::minutes(2)).unwrap();
            clock.now()
        });
        assert_eq!(after.await, t("2026-06-01T12:02:00Z"));
    }

    #[test]
    fn a_poisoned_lock_does_not_take_the_clock_down() {
        let clock = std::sync::Arc::new(Clock::fixed(t("2026-06-01T12:00:00Z")));
        let held = clock.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.state.write().unwrap();
            panic!("poison the lock");
        })
        .join();
        assert!(clock.state.is_poisoned());
        assert_eq!(clock.now(), t("2026-06-01T12:00:00Z"));
        clock.advance(Duration::minutes(1)).unwrap();
        assert_eq!(clock.now(), t("2026-06-01T12:01:00Z"));
    }
}

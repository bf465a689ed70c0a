//! The simulated clock: the only place in entrasim that reads wall time.
//!
//! Three modes: system time (optionally sped up), fixed (frozen at an instant),
//! and anything in between reached through the control surface. Time never runs
//! backwards: moving it back is refused.

use chrono::{DateTime, Duration, Utc};
use std::sync::RwLock;
use std::time::Instant;

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
    /// A clock in the given mode running at `speed`.
    pub fn new(spec: ClockSpec, speed: f64) -> Clock {
        let (base, frozen) = match spec {
            ClockSpec::System => (Utc::now(), false),
            ClockSpec::Fixed(at) => (at, true),
        };
        let state = State {
            origin: Instant::now(),
            jumps_ms: 0,
            base,
            anchor: Instant::now(),
            speed,
            frozen,
        };
        Clock {
            state: RwLock::new(state),
        }
    }

    /// A frozen clock, for tests and tools.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::new(ClockSpec::Fixed(at), 1.0)
    }

    /// The current simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        current(&self.state.read().expect("clock lock"))
    }

    /// Mode and time, read together.
    pub fn status(&self) -> ClockStatus {
        let state = *self.state.read().expect("clock lock");
        ClockStatus {
            now: current(&state),
            frozen: state.frozen,
            speed: state.speed,
        }
    }

    /// Jumps to `to`, which must not be earlier than now.
    pub fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        let mut state = self.state.write().expect("clock lock");
        let now = current(&state);
        if to < now {
            return Err(ClockError::Backwards { now, requested: to });
        }
        state.jumps_ms += (to - now).num_milliseconds();
        rebase(&mut state, to);
        Ok(to)
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        if by < Duration::zero() {
            return Err(ClockError::NegativeAdvance);
        }
        let mut state = self.state.write().expect("clock lock");
        let to = current(&state) + by;
        state.jumps_ms += by.num_milliseconds();
        rebase(&mut state, to);
        Ok(to)
    }

    /// Milliseconds for rate windows: wall time since start plus every jump,
    /// so both a real wait and a control-surface advance let windows expire.
    pub fn window_ms(&self) -> i64 {
        let state = self.state.read().expect("clock lock");
        state.origin.elapsed().as_millis() as i64 + state.jumps_ms
    }

    /// Stops or restarts the flow of time, keeping the current instant.
    pub fn set_frozen(&self, frozen: bool) -> DateTime<Utc> {
        let mut state = self.state.write().expect("clock lock");
        let now = current(&state);
        rebase(&mut state, now);
        state.frozen = frozen;
        now
    }
}

fn current(state: &State) -> DateTime<Utc> {
    if state.frozen {
        return state.base;
    }
    let wall = state.anchor.elapsed().as_secs_f64() * state.speed;
    state.base + Duration::microseconds((wall * 1e6) as i64)
}

fn rebase(state: &mut State, to: DateTime<Utc>) {
    state.base = to;
    state.anchor = Instant::now();
}

/// Wall time for log lines and certificate validity, never for records.
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
}

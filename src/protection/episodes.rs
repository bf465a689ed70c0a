//! What puts a user at high risk for a while, decided from the seed alone so
//! that generation (any hour, in any order) and queries agree: password-spray
//! attacks (one attacker address trying one password on many accounts, now and
//! then guessing one) and leaked credentials; each ends when a helpdesk
//! administrator resets the password. Then the user's risk at any instant, with
//! run-time actions and injected detections, and the user-risk block it causes.

use super::actions::RiskActions;
use super::risk::{self, Event};
use super::signals::{self, DAY, unit};
use crate::activity::Plan;
use crate::model::ca::demands;
use crate::store::records::{SignIn, TICKS_PER_HOUR, TICKS_PER_SECOND, Ticks, datetime, flags};
use crate::tenant::UserKind;
use rand::RngExt;
use std::collections::BTreeMap;

/// Chance that a tenant is sprayed on a given (UTC) day.
const SPRAY_DAILY: f64 = 0.35;
/// Chance that a sprayed account's password is the one tried.
const GUESSED: f64 = 0.02;
/// Chance per member per day that their credentials turn up in a leak.
const LEAKED_DAILY: f64 = 0.0003;
/// Longest an episode lasts before the password is reset (hours), and the
/// look-back that covers it.
const LONGEST_HOURS: i64 = 72;

/// How one spray attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Wrong password (AADSTS code), or the account is locked or disabled.
    Failed(i32),
    /// The password was right: Identity Protection sees a password spray.
    Guessed,
}

/// One attempt of a spray on one account.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attempt {
    pub at: Ticks,
    pub user: u32,
    pub outcome: Outcome,
}

/// A password-spray attack: one address, one location, many accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Spray {
    pub ip: [u8; 4],
    pub location: u16,
    pub attempts: Vec<Attempt>,
}

/// The spray of UTC day `day`, if the tenant is attacked that day: 25–70
/// members, 20–90 s apart, starting between 01:00 and 21:00.
pub fn spray(plan: &Plan, day: i64) -> Option<Spray> {
    let mut rng = plan.tenant.seed.stream("password-spray", day as u64);
    let users = &plan.tenant.users;
    if !rng.random_bool(SPRAY_DAILY) || users.is_empty() {
        return None;
    }
    let ip = [
        45,
        155,
        rng.random_range(200..210),
        rng.random_range(1..255),
    ];
    let location = plan.locations.sample(&mut rng) as u16;
    let mut at = day * DAY + rng.random_range(TICKS_PER_HOUR..21 * TICKS_PER_HOUR);
    let mut attempts = Vec::new();
    for _ in 0..rng.random_range(25..=70) {
        at += rng.random_range(20..90) * TICKS_PER_SECOND;
        at -= at.rem_euclid(TICKS_PER_SECOND);
        let index = rng.random_range(0..users.len()) as u32;
        let guessed = rng.random_bool(GUESSED);
        let locked = rng.random_bool(0.1);
        let user = &users[index as usize];
        if user.kind != UserKind::Member || !user.exists_at(datetime(at)) {
            continue;
        }
        let outcome = match (user.enabled_at(datetime(at)), guessed, locked) {
            (false, _, _) => Outcome::Failed(50057),
            (true, true, _) => Outcome::Guessed,
            (true, false, true) => Outcome::Failed(50053),
            (true, false, false) => Outcome::Failed(50126),
        };
        if attempts.iter().any(|a: &Attempt| a.user == index) {
            continue;
        }
        attempts.push(Attempt {
            at,
            user: index,
            outcome,
        });
    }
    Some(Spray {
        ip,
        location,
        attempts,
    })
}

/// When member `index`'s credentials are found in a leak on UTC day `day`, if they are.
pub fn leaked(plan: &Plan, index: u32, day: i64) -> Option<Ticks> {
    let user = plan.tenant.user(index);
    if user.kind != UserKind::Member {
        return None;
    }
    let h = plan.tenant.seed.mix(0x1eaced, index as u64, day as u64);
    let at =
        day * DAY + ((h >> 24) % (DAY as u64 / TICKS_PER_SECOND as u64)) as i64 * TICKS_PER_SECOND;
    (unit(h) < LEAKED_DAILY && user.exists_at(datetime(at))).then_some(at)
}

/// Why a user was at high risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Spray,
    Leaked,
}

/// A stretch of high user risk: from the detection to the password reset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    pub user: u32,
    pub cause: Cause,
    pub from: Ticks,
    /// When a helpdesk administrator reset the password (`adminGeneratedTemporaryPassword`).
    pub until: Ticks,
}

fn reset_after(plan: &Plan, user: u32, from: Ticks, shortest: i64) -> Ticks {
    let h = plan.tenant.seed.mix(0x4e5e7, user as u64, from as u64);
    let hours = shortest + (h % (LONGEST_HOURS - shortest) as u64) as i64;
    from + hours * TICKS_PER_HOUR + ((h >> 32) % 3600) as i64 * TICKS_PER_SECOND
}

/// Every episode overlapping [from, to), by start.
pub fn episodes(plan: &Plan, from: Ticks, to: Ticks) -> Vec<Episode> {
    let first = (from - LONGEST_HOURS * TICKS_PER_HOUR).div_euclid(DAY);
    let last = to.div_euclid(DAY);
    let mut out = Vec::new();
    for day in first..=last {
        for a in spray(plan, day).iter().flat_map(|s| s.attempts.iter()) {
            if a.outcome == Outcome::Guessed {
                out.push(Episode {
                    user: a.user,
                    cause: Cause::Spray,
                    from: a.at,
                    until: reset_after(plan, a.user, a.at, 4),
                });
            }
        }
        for index in 0..plan.tenant.users.len() as u32 {
            if let Some(at) = leaked(plan, index, day) {
                out.push(Episode {
                    user: index,
                    cause: Cause::Leaked,
                    from: at,
                    until: reset_after(plan, index, at, 2),
                });
            }
        }
    }
    out.retain(|e| e.until > from && e.from < to);
    out.sort_by_key(|e| (e.from, e.user));
    out
}

/// The events that set a user's risk outside the sign-in log: episodes (a high
/// detection, then the reset), actions and injected detections.
pub fn user_events<'a>(
    episodes: &[Episode],
    actions: &'a RiskActions,
    user: u32,
) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    for e in episodes.iter().filter(|e| e.user == user) {
        events.push(Event::Detected {
            at: e.from,
            score: 3,
            kind: match e.cause {
                Cause::Spray => "passwordSpray",
                Cause::Leaked => "leakedCredentials",
            },
        });
        events.push(Event::Settled {
            at: e.until,
            state: "remediated",
            detail: "adminGeneratedTemporaryPassword",
        });
    }
    for d in actions.detections.iter().filter(|d| d.user == user) {
        events.push(Event::Detected {
            at: d.detected,
            score: d.level,
            kind: &d.kind,
        });
    }
    events.extend(
        actions
            .users
            .get(&user)
            .into_iter()
            .flatten()
            .map(Event::Acted),
    );
    events
}

/// The user's risk level at `at` from such events (0 when settled).
pub fn level_at(events: &[Event<'_>], at: Ticks) -> u8 {
    let before: Vec<Event<'_>> = events.iter().filter(|e| e.at() <= at).cloned().collect();
    risk::walk(crate::protection::actions::Subject::User, before)
        .last()
        .map_or(0, |r| r.score)
}

/// Sets each user sign-in's user-risk level and applies the user-risk policy:
/// a sign-in that would have succeeded while the user was at high risk is the
/// failed 53003 record naming "Block access for high-risk users"; one this rule
/// blocked earlier is restored when an action has lowered the risk since.
/// Records at or before `after` are left alone (an action changes later sign-ins only).
pub fn enforce(plan: &Plan, actions: &RiskActions, records: &mut [SignIn], after: Ticks) {
    let Some((from, to)) = span(records) else {
        return;
    };
    let found = episodes(plan, from, to + 1);
    let mut by_user: BTreeMap<u32, Vec<Event<'_>>> = BTreeMap::new();
    let users = found
        .iter()
        .map(|e| e.user)
        .chain(actions.users.keys().copied())
        .chain(actions.detections.iter().map(|d| d.user));
    for user in users {
        by_user
            .entry(user)
            .or_insert_with(|| user_events(&found, actions, user));
    }
    for record in records
        .iter_mut()
        .filter(|r| r.kind.is_user() && r.at > after)
    {
        let level = by_user
            .get(&record.subject)
            .map_or(0, |events| level_at(events, record.at));
        apply(plan, record, level);
    }
}

fn span(records: &[SignIn]) -> Option<(Ticks, Ticks)> {
    let from = records.iter().map(|r| r.at).min()?;
    let to = records.iter().map(|r| r.at).max()?;
    Some((from, to))
}

fn apply(plan: &Plan, record: &mut SignIn, level: u8) {
    if record.flags & flags::RISK_BLOCKED != 0 {
        record.error = 0;
        record.flags &= !flags::RISK_BLOCKED;
    }
    let calm = SignIn {
        risk: signals::with_user(record.risk, 0),
        ..*record
    };
    record.risk = signals::with_user(record.risk, level);
    if record.error == 0 && demands(plan, record).block && !demands(plan, &calm).block {
        record.error = plan.error_code(53003);
        record.flags |= flags::RISK_BLOCKED;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_ends_the_high_risk_an_episode_starts() {
        let e = Episode {
            user: 1,
            cause: Cause::Leaked,
            from: 100,
            until: 200,
        };
        let none = RiskActions::default();
        let events = user_events(&[e], &none, 1);
        assert_eq!(level_at(&events, 99), 0);
        assert_eq!(level_at(&events, 100), 3);
        assert_eq!(level_at(&events, 199), 3);
        assert_eq!(level_at(&events, 200), 0);
    }
}

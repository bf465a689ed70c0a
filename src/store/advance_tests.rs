//! Catching up after a clock jump: bounded work, same records as small steps.

use super::*;
use crate::config::{LatencyMode, License, Preset, TenantSettings};
use crate::rng::Seed;
use chrono::{DateTime, Duration, Utc};

fn world(at: DateTime<Utc>) -> World {
    let settings = TenantSettings {
        seed: Seed(42),
        preset: Preset::named("small").unwrap(),
        license: License::P2,
        tenants: 1,
    };
    World::new(
        1,
        crate::app::plans(&settings, LatencyMode::Graph, at),
        ticks(at),
    )
}

fn start() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

/// Event times and keys of one log of one hour.
type Keys = Vec<(i64, u64)>;

/// Every record of every kept hour, as (hour, keys of each log).
fn contents(world: &World) -> Vec<(i64, Keys, Keys, Keys)> {
    world.tenants[0]
        .hours
        .iter()
        .map(|(h, hour)| {
            (
                *h,
                hour.sign_ins.iter().map(|r| (r.at, r.key)).collect(),
                hour.audits.iter().map(|r| (r.at, r.key)).collect(),
                hour.provisioning.iter().map(|r| (r.at, r.key)).collect(),
            )
        })
        .collect()
}

#[test]
fn a_catch_up_never_starts_before_the_kept_window_less_the_spill_reach() {
    assert_eq!(first_to_generate(100, 50, 30), 100);
    assert_eq!(first_to_generate(100, 10_000, 30), 9_970);
    let jump_hours = 3653 * 24;
    let (next, last) = (0, jump_hours);
    let oldest = last - 31 * 24;
    assert!(last - first_to_generate(next, oldest, 40) < 32 * 24 + 40);
}

#[test]
fn one_jump_past_retention_keeps_the_same_records_as_many_small_steps() {
    let mut jumped = world(start());
    let mut stepped = world(start());
    let end = start() + Duration::days(45);
    jumped.advance(ticks(end));
    let mut at = start();
    while at < end {
        at = (at + Duration::hours(7)).min(end);
        stepped.advance(ticks(at));
    }
    let (a, b) = (contents(&jumped), contents(&stepped));
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the jumped world differs from the stepped one");
    assert!(
        jumped.tenants[0]
            .spill
            .keys()
            .all(|h| *h > hour_of(ticks(end)))
    );
}

#[test]
fn a_ten_year_jump_holds_only_the_retained_hours() {
    let mut w = world(start());
    let end = start() + Duration::days(3653);
    w.advance(ticks(end));
    let logs = &w.tenants[0];
    let first = *logs.hours.keys().next().unwrap();
    assert!(hour_of(ticks(end)) - first <= 32 * 24);
    assert!(logs.hours.len() <= 32 * 24 + 1);
}

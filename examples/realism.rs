//! Prints the realism figures of a preset: volumes, ratios, failure and MFA
//! shares, weekly and daily rhythm, audit diversity, provisioning outcomes.
//!
//! Run: `cargo run --release --example realism -- [preset] [seed]`

use chrono::{Datelike, Timelike};
use entrasim::app::plans;
use entrasim::config::{LatencyMode, License, Preset, TenantSettings};
use entrasim::export::served;
use entrasim::rng::Seed;
use entrasim::store::World;
use entrasim::store::records::{
    Audit, PROVISIONING_ACTIONS, PROVISIONING_RESULTS, Provisioning, SignIn, SignInKind, datetime,
    flags, ticks,
};
use std::collections::BTreeMap;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("default", String::as_str);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let settings = TenantSettings {
        seed: Seed(seed),
        preset: Preset::named(preset).expect("preset"),
        license: License::P2,
        tenants: 1,
    };
    let now = "2026-06-01T12:00:00Z".parse().unwrap();
    let world = World::new(1, plans(&settings, LatencyMode::Graph, now), ticks(now));
    let logs = &world.tenants[0];
    let t = ticks(now);
    let sign_ins: Vec<SignIn> = served(logs, t, |_: &SignIn| true);
    let audits: Vec<Audit> = served(logs, t, |_: &Audit| true);
    let provisioning: Vec<Provisioning> = served(logs, t, |_: &Provisioning| true);
    let days = logs.plan.tenant.license.retention_days() as f64;
    println!("preset {preset}, seed {seed}, clock 2026-06-01T12:00:00Z, {days} days visible\n");
    volumes(&sign_ins, audits.len(), provisioning.len(), days);
    outcomes(logs, &sign_ins);
    rhythm(logs, &sign_ins);
    audit_diversity(logs, &audits);
    provisioning_mix(&provisioning);
}

fn share(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn volumes(sign_ins: &[SignIn], audits: usize, provisioning: usize, days: f64) {
    println!("records per day:");
    for kind in SignInKind::ALL {
        let n = sign_ins.iter().filter(|s| s.kind == kind).count();
        println!("  sign-ins {:<20} {:>9.0}", kind.as_str(), n as f64 / days);
    }
    println!(
        "  directory audits              {:>9.0}",
        audits as f64 / days
    );
    println!(
        "  provisioning                  {:>9.0}",
        provisioning as f64 / days
    );
    let interactive = sign_ins
        .iter()
        .filter(|s| s.kind == SignInKind::Interactive)
        .count();
    let background = sign_ins
        .iter()
        .filter(|s| s.kind == SignInKind::NonInteractive)
        .count();
    println!(
        "  non-interactive : interactive = {:.1} : 1\n",
        background as f64 / interactive.max(1) as f64
    );
}

fn outcomes(logs: &entrasim::store::TenantLogs, sign_ins: &[SignIn]) {
    let users: Vec<&SignIn> = sign_ins
        .iter()
        .filter(|s| s.kind == SignInKind::Interactive)
        .collect();
    let failed = users.iter().filter(|s| s.error != 0).count();
    println!(
        "interactive outcomes: {:.1}% not successful",
        share(failed, users.len())
    );
    let mut codes: BTreeMap<i32, usize> = BTreeMap::new();
    for s in users.iter().filter(|s| s.error != 0) {
        *codes
            .entry(logs.plan.catalog.sign_in_errors[s.error as usize - 1].code)
            .or_default() += 1;
    }
    let mut top: Vec<_> = codes.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (code, n) in top.iter().take(6) {
        println!("  {code:>8}  {:.2}% of interactive", share(*n, users.len()));
    }
    let mfa = users
        .iter()
        .filter(|s| s.flags & (flags::MFA | flags::MFA_CLAIM) != 0)
        .count();
    let prompted = users.iter().filter(|s| s.flags & flags::MFA != 0).count();
    println!(
        "  MFA required {:.1}%, MFA performed in the sign-in {:.1}%\n",
        share(mfa, users.len()),
        share(prompted, users.len())
    );
}

fn rhythm(logs: &entrasim::store::TenantLogs, sign_ins: &[SignIn]) {
    let users: Vec<&SignIn> = sign_ins
        .iter()
        .filter(|s| s.kind == SignInKind::Interactive)
        .collect();
    let weekend = users
        .iter()
        .filter(|s| datetime(s.at).weekday().number_from_monday() >= 6)
        .count();
    println!(
        "rhythm (interactive): weekend days carry {:.1}% (2 of 7 days)",
        share(weekend, users.len())
    );
    let mut by_hour = [0usize; 24];
    for s in &users {
        let offset = logs.plan.catalog.locations[logs.plan.tenant.user(s.subject).home as usize]
            .utc_offset_minutes as i64;
        by_hour[datetime(s.at + offset * 600_000_000).hour() as usize] += 1;
    }
    let peak = by_hour
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .map(|(h, _)| h)
        .unwrap_or(0);
    let line: Vec<String> = by_hour
        .iter()
        .map(|n| format!("{:.0}", share(*n, users.len())))
        .collect();
    println!("  share by local hour 0-23 (%): {}", line.join(" "));
    println!("  peak local hour {peak}:00\n");
}

fn audit_diversity(logs: &entrasim::store::TenantLogs, audits: &[Audit]) {
    let catalog = &logs.plan.catalog.audit_activities;
    let mut activities: BTreeMap<&str, usize> = BTreeMap::new();
    let mut services: BTreeMap<&str, usize> = BTreeMap::new();
    for a in audits {
        let row = &catalog[a.activity as usize];
        *activities.entry(&row.activity).or_default() += 1;
        *services.entry(&row.service).or_default() += 1;
    }
    println!(
        "audits: {} distinct activities from {} services",
        activities.len(),
        services.len()
    );
    let mut top: Vec<_> = activities.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (name, n) in top.iter().take(8) {
        println!("  {:>5.1}%  {name}", share(*n, audits.len()));
    }
    println!();
}

fn provisioning_mix(records: &[Provisioning]) {
    println!("provisioning outcomes:");
    for (i, status) in PROVISIONING_RESULTS.iter().enumerate() {
        println!(
            "  {status:<8} {:>5.1}%",
            share(
                records.iter().filter(|r| r.status as usize == i).count(),
                records.len()
            )
        );
    }
    let actions: Vec<String> = PROVISIONING_ACTIONS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "{a} {:.1}%",
                share(
                    records.iter().filter(|r| r.action as usize == i).count(),
                    records.len()
                )
            )
        })
        .collect();
    println!("  actions: {}", actions.join(", "));
}

//! Serving speed: a full 1000-record sign-in page (query + JSON), indexed
//! equality filters (user, app, error, correlation id, id), GET by id, and a
//! full scan with startswith, on the default and loadtest presets.
//!
//! Run: `cargo bench --bench serving`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entrasim::app::plans;
use entrasim::config::{LatencyMode, License, Preset, TenantSettings};
use entrasim::http::logs::SIGN_INS;
use entrasim::model::ids::{Purpose, id};
use entrasim::query::capability::ApiVersion;
use entrasim::query::eval::compile;
use entrasim::query::filter::parse;
use entrasim::query::options::Direction;
use entrasim::query::page::{LogQuery, execute, sign_in_index};
use entrasim::rng::Seed;
use entrasim::store::World;
use entrasim::store::records::{SignIn, SignInKind, ticks};

fn world(preset: &str) -> World {
    let settings = TenantSettings {
        seed: Seed(42),
        preset: Preset::named(preset).unwrap(),
        license: License::P2,
        tenants: 1,
    };
    let now = "2026-06-01T12:00:00Z".parse().unwrap();
    World::new(1, plans(&settings, LatencyMode::Graph, now), ticks(now))
}

fn interactive(_: &entrasim::activity::Plan, r: &SignIn) -> bool {
    r.kind == SignInKind::Interactive
}

/// A v1.0 query (interactive sign-ins only).
fn query(
    plan: &entrasim::activity::Plan,
    filter: Option<&str>,
    top: usize,
    now: i64,
) -> LogQuery<SignIn> {
    query_of(plan, filter, top, now, true)
}

/// The query the server runs: v1.0 (interactive only) or beta with a
/// `signInEventTypes` filter (every kind).
fn query_of(
    plan: &entrasim::activity::Plan,
    filter: Option<&str>,
    top: usize,
    now: i64,
    v1: bool,
) -> LogQuery<SignIn> {
    let predicate: entrasim::query::eval::Predicate<SignIn> = match filter {
        None => Box::new(interactive),
        Some(text) => {
            let compiled = compile::<SignIn>(&parse(text).unwrap(), plan).unwrap();
            Box::new(move |p, r| (!v1 || interactive(p, r)) && compiled(p, r))
        }
    };
    let index = filter.and_then(|text| sign_in_index(Some(&parse(text).unwrap()), plan));
    LogQuery {
        predicate: Some(predicate),
        direction: Direction::Desc,
        top,
        bounds: (now - 30 * 86_400 * 10_000_000, now),
        after: None,
        as_of: now,
        index,
    }
}

fn pages(c: &mut Criterion) {
    let world = world("default");
    let logs = &world.tenants[0];
    let now = world.now;
    let mut group = c.benchmark_group("default preset");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000-record sign-in page (query + JSON)", |b| {
        b.iter(|| {
            let (records, _) = execute(logs, &query(&logs.plan, None, 1000, now));
            let mut out = Vec::with_capacity(records.len() * 2000);
            for r in &records {
                entrasim::model::sign_in::write(&mut out, &logs.plan, r, ApiVersion::V1);
            }
            out
        })
    });
    group.throughput(Throughput::Elements(1));
    let user = logs.plan.tenant.users[3].id.clone();
    let filter = format!("userId eq '{user}'");
    group.bench_function("userId eq, 100-record page", |b| {
        b.iter(|| execute(logs, &query(&logs.plan, Some(&filter), 100, now)))
    });
    group.bench_function("startswith(userDisplayName) full scan", |b| {
        b.iter(|| {
            execute(
                logs,
                &query(
                    &logs.plan,
                    Some("startswith(userDisplayName,'zz')"),
                    100,
                    now,
                ),
            )
        })
    });
    group.finish();
}

/// The scale targets, on the loadtest preset (16M records). Each iteration asks for a
/// different user, so the figure covers heavy and light users alike.
fn loadtest(c: &mut Criterion) {
    let world = world("loadtest");
    let logs = &world.tenants[0];
    let now = world.now;
    let users: Vec<String> = logs
        .plan
        .tenant
        .users
        .iter()
        .step_by(37)
        .map(|u| u.id.clone())
        .collect();
    let apps: Vec<String> = logs
        .plan
        .tenant
        .service_principals
        .iter()
        .step_by(5)
        .map(|s| s.app_id.clone())
        .collect();
    let mut group = c.benchmark_group("loadtest");
    group.sample_size(30);
    let mut n = 0;
    group.bench_function("userId eq, 100-record page", |b| {
        b.iter(|| {
            n += 1;
            execute(
                logs,
                &query(
                    &logs.plan,
                    Some(&format!("userId eq '{}'", users[n % users.len()])),
                    100,
                    now,
                ),
            )
        })
    });
    group.bench_function("appId eq, 100-record page", |b| {
        b.iter(|| {
            n += 1;
            execute(
                logs,
                &query(
                    &logs.plan,
                    Some(&format!("appId eq '{}'", apps[n % apps.len()])),
                    100,
                    now,
                ),
            )
        })
    });
    group.bench_function("status/errorCode eq 50053, 100-record page", |b| {
        b.iter(|| {
            execute(
                logs,
                &query(&logs.plan, Some("status/errorCode eq 50053"), 100, now),
            )
        })
    });
    keyed(&mut group, logs, now);
    tails(logs, now, &users, &apps);
    group.sample_size(10);
    group.bench_function("startswith(userDisplayName) full scan", |b| {
        b.iter(|| {
            execute(
                logs,
                &query(
                    &logs.plan,
                    Some("startswith(userDisplayName,'zz')"),
                    100,
                    now,
                ),
            )
        })
    });
    group.finish();
}

/// Every 997th sign-in of the store, any kind.
fn sample(logs: &entrasim::store::TenantLogs) -> Vec<SignIn> {
    logs.hours
        .values()
        .flat_map(|h| h.sign_ins.iter().copied())
        .step_by(997)
        .collect()
}

/// Lookups by key: `correlationId eq` (v1.0 and beta, all kinds), `ipAddress eq`,
/// and GET by id, each iteration a different record; and `signInEventTypes` scans.
fn keyed(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    logs: &entrasim::store::TenantLogs,
    now: i64,
) {
    let seed = logs.plan.tenant.seed;
    let records = sample(logs);
    let corrs: Vec<String> = records
        .iter()
        .map(|r| id(seed, Purpose::Correlation, r.corr))
        .collect();
    let ids: Vec<String> = records
        .iter()
        .map(|r| id(seed, Purpose::SignIn, r.key))
        .collect();
    let mut n = 0;
    for (name, v1) in [("v1.0", true), ("beta, every kind", false)] {
        group.bench_function(format!("correlationId eq ({name}), 100-record page"), |b| {
            b.iter(|| {
                n += 1;
                let filter = format!("correlationId eq '{}'", corrs[n % corrs.len()]);
                execute(logs, &query_of(&logs.plan, Some(&filter), 100, now, v1))
            })
        });
    }
    group.bench_function("ipAddress eq (beta, every kind), 100-record page", |b| {
        b.iter(|| {
            n += 1;
            let r = records[n % records.len()];
            let filter = format!(
                "ipAddress eq '{}.{}.{}.{}'",
                r.ip[0], r.ip[1], r.ip[2], r.ip[3]
            );
            execute(logs, &query_of(&logs.plan, Some(&filter), 100, now, false))
        })
    });
    for kind in ["managedIdentity", "servicePrincipal"] {
        let filter = format!("signInEventTypes/any(t: t eq '{kind}')");
        group.bench_function(format!("{filter}, 100-record page"), |b| {
            b.iter(|| execute(logs, &query_of(&logs.plan, Some(&filter), 100, now, false)))
        });
    }
    group.bench_function("GET signIns/{id} lookup", |b| {
        b.iter(|| {
            n += 1;
            (SIGN_INS.find)(logs, &ids[n % ids.len()])
        })
    });
}

/// Criterion reports means; the targets are p99s. Times 2,000 requests of each
/// indexed kind one by one (each a different user, app or record: parse,
/// compile, query and JSON of the page) and prints p50, p99 and the slowest.
fn tails(logs: &entrasim::store::TenantLogs, now: i64, users: &[String], apps: &[String]) {
    let seed = logs.plan.tenant.seed;
    let records = sample(logs);
    let filter_of = |kind: &str, n: usize| -> (String, bool) {
        let r = records[n % records.len()];
        match kind {
            "userId eq" => (format!("userId eq '{}'", users[n % users.len()]), true),
            "appId eq" => (format!("appId eq '{}'", apps[n % apps.len()]), true),
            "status/errorCode eq" => (
                format!(
                    "status/errorCode eq {}",
                    [50053, 50126, 53003, 50074][n % 4]
                ),
                true,
            ),
            "correlationId eq" => (
                format!(
                    "correlationId eq '{}'",
                    id(seed, Purpose::Correlation, r.corr)
                ),
                false,
            ),
            "ipAddress eq" => (
                format!(
                    "ipAddress eq '{}.{}.{}.{}'",
                    r.ip[0], r.ip[1], r.ip[2], r.ip[3]
                ),
                false,
            ),
            _ => (
                format!(
                    "signInEventTypes/any(t: t eq '{}')",
                    ["managedIdentity", "servicePrincipal", "nonInteractiveUser"][n % 3]
                ),
                false,
            ),
        }
    };
    println!(
        "loadtest tail latency, 100-record page with JSON, 2000 requests each (p50 / p99 / max):"
    );
    for kind in [
        "userId eq",
        "appId eq",
        "status/errorCode eq",
        "correlationId eq",
        "ipAddress eq",
        "signInEventTypes/any",
    ] {
        let mut times: Vec<std::time::Duration> = (0..2000)
            .map(|n| {
                let (filter, v1) = filter_of(kind, n * 7919);
                let start = std::time::Instant::now();
                let (records, _) =
                    execute(logs, &query_of(&logs.plan, Some(&filter), 100, now, v1));
                let version = if v1 { ApiVersion::V1 } else { ApiVersion::Beta };
                let mut out = Vec::with_capacity(records.len() * 2000);
                for r in &records {
                    entrasim::model::sign_in::write(&mut out, &logs.plan, r, version);
                }
                std::hint::black_box(out);
                start.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "  {kind:<22} {:>9.3?} / {:>9.3?} / {:>9.3?}",
            times[1000], times[1980], times[1999]
        );
    }
}

criterion_group!(benches, pages, loadtest);
criterion_main!(benches);

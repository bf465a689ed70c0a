//! Serving speed: a full 1000-record sign-in page (query + JSON), an indexed-style
//! equality filter, and a full scan with startswith, on the default preset.
//!
//! Run: `cargo bench --bench serving`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entrasim::app::plans;
use entrasim::config::{LatencyMode, License, Preset, TenantSettings};
use entrasim::query::capability::ApiVersion;
use entrasim::query::eval::compile;
use entrasim::query::filter::parse;
use entrasim::query::options::Direction;
use entrasim::query::page::{LogQuery, execute};
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

fn query(filter: Option<&str>, top: usize, now: i64) -> LogQuery<SignIn> {
    let predicate: entrasim::query::eval::Predicate<SignIn> = match filter {
        None => Box::new(interactive),
        Some(text) => {
            let compiled = compile::<SignIn>(&parse(text).unwrap()).unwrap();
            Box::new(move |p, r| interactive(p, r) && compiled(p, r))
        }
    };
    LogQuery {
        predicate: Some(predicate),
        direction: Direction::Desc,
        top,
        bounds: (now - 30 * 86_400 * 10_000_000, now),
        after: None,
        as_of: now,
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
            let (records, _) = execute(logs, &query(None, 1000, now));
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
        b.iter(|| execute(logs, &query(Some(&filter), 100, now)))
    });
    group.bench_function("startswith(userDisplayName) full scan", |b| {
        b.iter(|| {
            execute(
                logs,
                &query(Some("startswith(userDisplayName,'zz')"), 100, now),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);

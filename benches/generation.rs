//! Generation speed: tenants per preset, and sign-in records per second on one core.
//!
//! Run: `cargo bench --bench generation`

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entrasim::activity::latency::LatencyModel;
use entrasim::activity::{Plan, generate_hour};
use entrasim::config::{License, Preset, TenantSettings};
use entrasim::rng::Seed;
use entrasim::store::records::{hour_of, ticks};
use std::sync::Arc;

fn settings(preset: &str) -> TenantSettings {
    TenantSettings {
        seed: Seed(42),
        preset: Preset::named(preset).unwrap(),
        license: License::P2,
        tenants: 1,
    }
}

fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn tenants(c: &mut Criterion) {
    let mut group = c.benchmark_group("tenant");
    group.sample_size(10);
    for preset in ["default", "enterprise"] {
        let s = settings(preset);
        group.bench_function(preset, |b| {
            b.iter(|| entrasim::tenant::generate(&s, 0, now()))
        });
    }
    group.finish();
}

fn sign_ins(c: &mut Criterion) {
    let s = settings("loadtest");
    let tenant = Arc::new(entrasim::tenant::generate(&s, 0, now()));
    let plan = Plan::new(tenant, s.preset.clone(), LatencyModel::new(true, None));
    // A weekday morning hour: the busiest kind of hour.
    let hour = hour_of(ticks("2026-05-27T14:00:00Z".parse().unwrap()));
    let records = generate_hour(&plan, hour).sign_ins.len() as u64;
    let mut group = c.benchmark_group("generation");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records));
    group.bench_function("loadtest busy hour (all logs), per sign-in", |b| {
        b.iter(|| generate_hour(&plan, hour))
    });
    group.finish();
}

criterion_group!(benches, tenants, sign_ins);
criterion_main!(benches);

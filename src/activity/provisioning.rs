//! Provisioning: each job runs a cycle every few tens of minutes; every change
//! of a cycle becomes a record, visible when the cycle reports at its end.
//! Users the Workday job created appear as `create` changes at the moment the
//! directory says they were created.

use super::HourOutput;
use super::plan::{Lifecycle, Plan};
use crate::catalog::Direction;
use crate::rng::{Rng, WeightedIndex, poisson};
use crate::store::records::{Provisioning, TICKS_PER_HOUR, TICKS_PER_SECOND, make_key};
use crate::tenant::UserSource;
use rand::RngExt;

/// Weights of [`crate::store::records::PROVISIONING_ACTIONS`].
const ACTION_WEIGHTS: [u64; 6] = [18, 10, 3, 5, 62, 2];
/// Weights of [`crate::store::records::PROVISIONING_RESULTS`].
const RESULT_WEIGHTS: [u64; 4] = [84, 6, 8, 2];
/// Sequence numbers above this are lifecycle changes (keeps keys unique).
const LIFECYCLE_SEQ: u32 = 1 << 23;

/// Appends the provisioning changes of cycles starting in `hour`.
pub(super) fn generate(plan: &Plan, hour: i64, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("provisioning", hour as u64);
    let cycle = plan.preset.activity.provisioning_cycle_minutes as i64 * 60 * TICKS_PER_SECOND;
    let (actions, results) = (
        WeightedIndex::new(ACTION_WEIGHTS),
        WeightedIndex::new(RESULT_WEIGHTS),
    );
    let mut seq = 0u32;
    let start = hour * TICKS_PER_HOUR;
    for job in 0..plan.tenant.provisioning_jobs.len() {
        let offset = (crate::rng::mix64(job as u64 ^ plan.tenant.seed.0) % cycle as u64) as i64;
        let first =
            (start - offset).div_euclid(cycle) + i64::from((start - offset).rem_euclid(cycle) != 0);
        let mut number = first;
        while number * cycle + offset < start + TICKS_PER_HOUR {
            let cycle_start = number * cycle + offset;
            for _ in 0..poisson(
                &mut rng,
                plan.preset.activity.provisioning_changes_per_cycle,
            ) {
                seq += 1;
                let change = change(
                    plan,
                    &mut rng,
                    (&actions, &results),
                    job,
                    (number, cycle_start, cycle),
                    make_key(hour, seq),
                );
                out.provisioning.extend(change);
            }
            number += 1;
        }
    }
    workday_creates(plan, &mut rng, hour, cycle, out);
}

fn change(
    plan: &Plan,
    rng: &mut Rng,
    tables: (&WeightedIndex, &WeightedIndex),
    job: usize,
    cycle: (i64, i64, i64),
    key: u64,
) -> Option<Provisioning> {
    let (number, cycle_start, length) = cycle;
    let spec = &plan.tenant.provisioning_jobs[job];
    let at = cycle_start + rng.random_range(0..length / 2);
    let at = at - at.rem_euclid(TICKS_PER_SECOND);
    let group = !spec.groups.is_empty() && rng.random_bool(0.15);
    let subject = if group {
        spec.groups[rng.random_range(0..spec.groups.len())]
    } else {
        let users = &spec.users;
        let pick = *users.get(rng.random_range(0..users.len().max(1)))?;
        if !plan
            .tenant
            .user(pick)
            .exists_at(crate::store::records::datetime(at))
        {
            return None;
        }
        pick
    };
    let status = tables.1.sample(rng) as u8;
    Some(Provisioning {
        at,
        key,
        delay_ms: if plan.latency.enabled {
            ((cycle_start + length - at) / 10_000) as u32
        } else {
            0
        },
        duration_ms: rng.random_range(80..4000),
        job: job as u16,
        action: tables.0.sample(rng) as u8,
        status,
        reason: rng.random(),
        cycle: number as u32,
        subject,
        group,
    })
}

fn workday_creates(plan: &Plan, rng: &mut Rng, hour: i64, cycle: i64, out: &mut HourOutput) {
    let Some(job) = plan.tenant.provisioning_jobs.iter().position(|j| {
        plan.catalog.provisioning_apps[j.app as usize].direction == Direction::Inbound
    }) else {
        return;
    };
    let Some(events) = plan.lifecycle.get(&hour) else {
        return;
    };
    for (n, &(at, event)) in events.iter().enumerate() {
        let Lifecycle::Created(u) = event else {
            continue;
        };
        if plan.tenant.user(u).source != UserSource::Workday {
            continue;
        }
        let offset = (crate::rng::mix64(job as u64 ^ plan.tenant.seed.0) % cycle as u64) as i64;
        let number = (at - offset).div_euclid(cycle);
        out.provisioning.push(Provisioning {
            at,
            key: make_key(hour, LIFECYCLE_SEQ + n as u32),
            delay_ms: if plan.latency.enabled {
                (((number + 1) * cycle + offset - at) / 10_000) as u32
            } else {
                0
            },
            duration_ms: rng.random_range(400..3000),
            job: job as u16,
            action: 1,
            status: 0,
            reason: 0,
            cycle: number as u32,
            subject: u,
            group: false,
        });
    }
}

//! Provisioning: each job runs a cycle every few tens of minutes; every change
//! of a cycle becomes a record, visible when the cycle reports at its end.
//!
//! Creates, disables and deletes follow the directory's lifecycle: HR-driven
//! (inbound) jobs create the users they sourced at the moment the directory
//! says they were created, and disable the accounts that were disabled;
//! outbound jobs export new, disabled, re-enabled and deleted users of their
//! scope in the next cycle. Random traffic is only updates, "other" (already
//! in sync) and skips, with failures retried in the next cycle.

use super::HourOutput;
use super::plan::{Lifecycle, Plan};
use crate::catalog::Direction;
use crate::rng::{Rng, WeightedIndex, poisson};
use crate::store::records::{Provisioning, TICKS_PER_HOUR, TICKS_PER_SECOND, datetime, make_key};
use crate::tenant::{ChangeKind, UserSource};
use rand::RngExt;

/// Indices into [`crate::store::records::PROVISIONING_ACTIONS`].
const OTHER: u8 = 0;
const CREATE: u8 = 1;
const DELETE: u8 = 2;
const DISABLE: u8 = 3;
const UPDATE: u8 = 4;
const STAGED_DELETE: u8 = 5;
/// Indices into [`crate::store::records::PROVISIONING_RESULTS`].
const SUCCESS: u8 = 0;
const FAILURE: u8 = 1;
/// Weights of (other, update) in random traffic.
const RANDOM_ACTIONS: [u64; 2] = [22, 78];
/// Weights of the results of random traffic (success, failure, skipped, warning).
const RESULT_WEIGHTS: [u64; 4] = [84, 6, 8, 2];
/// Sequence numbers above this are lifecycle changes (keeps keys unique).
const LIFECYCLE_SEQ: u32 = 1 << 23;

/// A job's cycle length and phase, in ticks.
fn cycle_of(plan: &Plan, job: usize) -> (i64, i64) {
    let cycle =
        plan.preset.activity.provisioning_cycle_minutes.max(1) as i64 * 60 * TICKS_PER_SECOND;
    let offset = (crate::rng::mix64(job as u64 ^ plan.tenant.seed.0) % cycle as u64) as i64;
    (cycle, offset)
}

/// Appends the provisioning changes of cycles starting in `hour`.
pub(super) fn generate(plan: &Plan, hour: i64, out: &mut HourOutput) {
    let mut rng = plan.tenant.seed.stream("provisioning", hour as u64);
    let tables = (
        WeightedIndex::new(RANDOM_ACTIONS),
        WeightedIndex::new(RESULT_WEIGHTS),
    );
    let mut seq = 0u32;
    let start = hour * TICKS_PER_HOUR;
    for job in 0..plan.tenant.provisioning_jobs.len() {
        let (cycle, offset) = cycle_of(plan, job);
        let mut number =
            (start - offset).div_euclid(cycle) + i64::from((start - offset).rem_euclid(cycle) != 0);
        while number * cycle + offset < start + TICKS_PER_HOUR {
            for _ in 0..poisson(
                &mut rng,
                plan.preset.activity.provisioning_changes_per_cycle,
            ) {
                seq += 1;
                let key = make_key(hour, seq);
                if let Some(change) = random_change(plan, &mut rng, &tables, job, number, key) {
                    out.provisioning.push(change);
                    if change.status == FAILURE {
                        seq += 1;
                        out.provisioning
                            .push(retry(plan, &mut rng, change, make_key(hour, seq)));
                    }
                }
            }
            number += 1;
        }
    }
    lifecycle(plan, &mut rng, hour, out);
}

/// A record of cycle `number` of `job` at `at`.
fn record(
    plan: &Plan,
    job: usize,
    number: i64,
    at: i64,
    key: u64,
    subject: (u32, bool),
    action: u8,
) -> Provisioning {
    let (cycle, offset) = cycle_of(plan, job);
    let at = at - at.rem_euclid(TICKS_PER_SECOND);
    let end = (number + 1) * cycle + offset;
    Provisioning {
        at,
        key,
        delay_ms: if plan.latency.enabled {
            ((end - at).max(0) / 10_000) as u32
        } else {
            0
        },
        duration_ms: 0,
        job: job as u16,
        action,
        status: SUCCESS,
        reason: 0,
        cycle: number as u32,
        subject: subject.0,
        group: subject.1,
    }
}

fn random_change(
    plan: &Plan,
    rng: &mut Rng,
    (actions, results): &(WeightedIndex, WeightedIndex),
    job: usize,
    number: i64,
    key: u64,
) -> Option<Provisioning> {
    let spec = &plan.tenant.provisioning_jobs[job];
    let (cycle, offset) = cycle_of(plan, job);
    let at = number * cycle + offset + rng.random_range(0..cycle / 2);
    let group = !spec.groups.is_empty() && rng.random_bool(0.15);
    let subject = if group {
        let g = spec.groups[rng.random_range(0..spec.groups.len())];
        (plan.tenant.groups[g as usize].created <= datetime(at)).then_some(g)?
    } else {
        let pick = *spec
            .users
            .get(rng.random_range(0..spec.users.len().max(1)))?;
        plan.tenant
            .user(pick)
            .exists_at(datetime(at))
            .then_some(pick)?
    };
    let action = if actions.sample(rng) == 0 {
        OTHER
    } else {
        UPDATE
    };
    let mut change = record(plan, job, number, at, key, (subject, group), action);
    change.duration_ms = rng.random_range(80..4000);
    change.status = results.sample(rng) as u8;
    change.reason = rng.random();
    Some(change)
}

/// The same change tried again in the job's next cycle, successfully.
fn retry(plan: &Plan, rng: &mut Rng, failed: Provisioning, key: u64) -> Provisioning {
    let (cycle, _) = cycle_of(plan, failed.job as usize);
    let number = failed.cycle as i64 + 1;
    let mut again = record(
        plan,
        failed.job as usize,
        number,
        failed.at + cycle,
        key,
        (failed.subject, failed.group),
        failed.action,
    );
    again.duration_ms = rng.random_range(200..3000);
    again
}

/// What an outbound job does with a deleted user: some apps disable the
/// account, some delete it, cross-tenant sync stages the deletion.
fn deletion(template: &str) -> u8 {
    match template {
        "servicenow" | "salesforce" => DISABLE,
        "Azure2Azure" => STAGED_DELETE,
        _ => DELETE,
    }
}

/// The lifecycle changes of `hour` as the jobs export them.
fn lifecycle(plan: &Plan, rng: &mut Rng, hour: i64, out: &mut HourOutput) {
    let Some(events) = plan.lifecycle.get(&hour) else {
        return;
    };
    let mut seq = LIFECYCLE_SEQ;
    for &(at, event) in events {
        for job in 0..plan.tenant.provisioning_jobs.len() {
            let Some((subject, action, immediate)) = job_action(plan, job, event) else {
                continue;
            };
            let (cycle, offset) = cycle_of(plan, job);
            let (number, when) = if immediate {
                ((at - offset).div_euclid(cycle), at)
            } else {
                let next = (at - offset).div_euclid(cycle) + 1;
                (
                    next,
                    next * cycle + offset + rng.random_range(1..60) * TICKS_PER_SECOND,
                )
            };
            seq += 1;
            let mut change = record(
                plan,
                job,
                number,
                when,
                make_key(hour, seq),
                subject,
                action,
            );
            change.duration_ms = rng.random_range(400..3000);
            // An HR-driven create is the directory's own creation: it did not fail.
            if action == CREATE && !immediate && rng.random_bool(0.05) {
                change.status = FAILURE;
                change.reason = 0;
                out.provisioning.push(change);
                seq += 1;
                change = retry(plan, rng, change, make_key(hour, seq));
            }
            out.provisioning.push(change);
        }
    }
}

/// (subject, action, at the event's own time) of a lifecycle event for a job, if it concerns it.
fn job_action(plan: &Plan, job: usize, event: Lifecycle) -> Option<((u32, bool), u8, bool)> {
    let spec = &plan.tenant.provisioning_jobs[job];
    let app = &plan.catalog.provisioning_apps[spec.app as usize];
    let inbound = app.direction == Direction::Inbound;
    let in_scope = |u: u32| spec.users.binary_search(&u).is_ok();
    let groups = &plan.tenant.groups;
    // Assigned through one of the job's groups, other than `group`, at the end.
    let via_other = |group: u32, u: u32| {
        spec.groups
            .iter()
            .any(|&g| g != group && groups[g as usize].members.contains(&u))
    };
    match event {
        Lifecycle::Created(u) => {
            let source = plan.tenant.user(u).source;
            let sourced = match app.template_id.as_str() {
                "workday" => source == UserSource::Workday,
                "API2AAD" => source == UserSource::ApiDriven,
                _ => false,
            };
            if inbound {
                sourced.then_some(((u, false), CREATE, true))
            } else {
                in_scope(u).then_some(((u, false), CREATE, false))
            }
        }
        Lifecycle::Deleted(u) if !inbound && in_scope(u) => {
            Some(((u, false), deletion(&app.template_id), false))
        }
        Lifecycle::Change(c) => match plan.tenant.history[c as usize].kind {
            ChangeKind::GroupCreated(g) if !inbound && spec.groups.contains(&g) => {
                Some(((g, true), CREATE, false))
            }
            ChangeKind::AccountDisabled(u) if in_scope(u) => Some(((u, false), DISABLE, false)),
            // Assignment through a group: joining provisions the user, leaving deprovisions them.
            ChangeKind::MemberAdded { group, user }
                if !inbound
                    && !in_scope(user)
                    && !via_other(group, user)
                    && spec.groups.contains(&group) =>
            {
                Some(((user, false), CREATE, false))
            }
            ChangeKind::MemberRemoved { group, user }
                if !inbound
                    && !in_scope(user)
                    && !via_other(group, user)
                    && spec.groups.contains(&group) =>
            {
                Some(((user, false), deletion(&app.template_id), false))
            }
            ChangeKind::AccountEnabled(u) if in_scope(u) => Some(((u, false), UPDATE, false)),
            _ => None,
        },
        _ => None,
    }
}

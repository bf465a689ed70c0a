//! The log store: compact records in hourly buckets, generated as the clock
//! reaches them and dropped when they leave retention.
//!
//! A [`World`] is an immutable snapshot (tenants, their hours, an epoch).
//! Advancing time or injecting a record builds a new snapshot that shares the
//! untouched hours, so a request in flight keeps a consistent view.

mod addresses;
pub mod archive;
mod last_sign_in;
mod lookup;
pub mod overlay;
pub mod principals;
pub mod records;

pub use addresses::Addresses;
pub use last_sign_in::LastSignIns;
pub use lookup::{Keyed, Positions, Reach};

use crate::activity::{Plan, generate_hour};
use records::{Audit, Provisioning, Record, SignIn, TICKS_PER_HOUR, Ticks, hour_of, ticks};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Records of one hour, each log sorted by (event time, key), with sign-in
/// posting lists by user and by client app.
#[derive(Debug, Default, Clone)]
pub struct Hour {
    pub sign_ins: Vec<SignIn>,
    pub audits: Vec<Audit>,
    pub provisioning: Vec<Provisioning>,
    /// Activity Log events (ARM operations), by (event time, key).
    pub activity_log: Vec<crate::activity_log::ArmEvent>,
    /// (user index, position in `sign_ins`), sorted: user sign-ins only.
    by_user: Vec<(u32, u32)>,
    /// (client app service principal, position in `sign_ins`), sorted.
    by_app: Vec<(u32, u32)>,
    /// (error, position in `sign_ins`), sorted: failed sign-ins only.
    by_error: Vec<(u32, u32)>,
    /// Sign-ins by client IP address (see `addresses`).
    by_ip: Addresses,
    /// Per log, how far this bucket lies from the hours its keys and
    /// correlation keys were made in (see `lookup`).
    reach: [Reach; 3],
    /// Holds injected records (their keys name no hour).
    injected: bool,
    /// Filled by the generator, not only by injection.
    generated: bool,
}

/// A field whose matching records can be found without visiting every record:
/// sign-in posting lists, or a record key (the hours holding it are known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    User(u32),
    App(u32),
    /// 1 + catalog error index (never 0: successes are not indexed).
    Error(u32),
    /// Records with this key (any log).
    Key(u64),
    /// Records with this correlation key (sign-ins and audits).
    Corr(u64),
    /// Sign-ins from this client IP address.
    Ip([u8; 4]),
}

impl Hour {
    fn sort(&mut self) {
        self.sign_ins.sort_by_key(|r| r.order());
        self.audits.sort_by_key(|r| r.order());
        self.provisioning.sort_by_key(|r| r.order());
        self.activity_log.sort_by_key(|r| r.order());
        self.generated = true;
        self.index();
    }

    fn index(&mut self) {
        let positions = self.sign_ins.iter().enumerate().map(|(i, r)| (r, i as u32));
        self.by_user = positions
            .clone()
            .filter(|(r, _)| r.kind.is_user())
            .map(|(r, i)| (r.subject, i))
            .collect();
        self.by_error = positions
            .clone()
            .filter(|(r, _)| r.error != 0)
            .map(|(r, i)| (r.error as u32, i))
            .collect();
        self.by_app = positions.map(|(r, i)| (r.app, i)).collect();
        self.by_user.sort_unstable();
        self.by_app.sort_unstable();
        self.by_error.sort_unstable();
        self.measure();
    }

    /// Positions (ascending) in `sign_ins` of a posting list (User, App or Error;
    /// the other variants have no such list and give nothing).
    pub fn postings(&self, of: Indexed) -> std::slice::Iter<'_, (u32, u32)> {
        let (list, id) = match of {
            Indexed::User(u) => (&self.by_user, u),
            Indexed::App(a) => (&self.by_app, a),
            Indexed::Error(e) => (&self.by_error, e),
            Indexed::Key(_) | Indexed::Corr(_) | Indexed::Ip(_) => return [].iter(),
        };
        let start = list.partition_point(|e| e.0 < id);
        let end = list.partition_point(|e| e.0 <= id);
        list[start..end].iter()
    }

    /// Records held, all logs.
    pub fn len(&self) -> usize {
        self.sign_ins.len() + self.audits.len() + self.provisioning.len()
    }

    /// True when the hour holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which of a tenant's three logs.
pub trait LogOf: Record {
    fn log(hour: &Hour) -> &[Self];
    fn log_mut(hour: &mut Hour) -> &mut Vec<Self>;
}

impl LogOf for SignIn {
    fn log(hour: &Hour) -> &[Self] {
        &hour.sign_ins
    }
    fn log_mut(hour: &mut Hour) -> &mut Vec<Self> {
        &mut hour.sign_ins
    }
}

impl LogOf for Audit {
    fn log(hour: &Hour) -> &[Self] {
        &hour.audits
    }
    fn log_mut(hour: &mut Hour) -> &mut Vec<Self> {
        &mut hour.audits
    }
}

impl LogOf for Provisioning {
    fn log(hour: &Hour) -> &[Self] {
        &hour.provisioning
    }
    fn log_mut(hour: &mut Hour) -> &mut Vec<Self> {
        &mut hour.provisioning
    }
}

impl LogOf for crate::activity_log::ArmEvent {
    fn log(hour: &Hour) -> &[Self] {
        &hour.activity_log
    }
    fn log_mut(hour: &mut Hour) -> &mut Vec<Self> {
        &mut hour.activity_log
    }
}

/// One tenant's logs.
#[derive(Clone)]
pub struct TenantLogs {
    pub plan: Arc<Plan>,
    /// Finished hours, by hour index.
    pub hours: BTreeMap<i64, Arc<Hour>>,
    /// Records that fall in hours not generated yet.
    spill: BTreeMap<i64, Hour>,
    /// First hour not generated yet.
    next_hour: i64,
    /// Records injected so far (for their keys).
    pub injected: u32,
    /// Supplied Graph properties of injected and imported records.
    pub overlays: Arc<overlay::Overlays>,
    /// Identity Protection actions taken at run time (a reset clears them).
    pub risk_actions: crate::protection::actions::RiskActions,
    /// Principals imported records name that the tenant lacks (a reset clears them).
    pub principals: Arc<principals::Principals>,
    /// Answer keys of the scenarios placed in these logs (a reset clears them).
    pub scenarios: Vec<Arc<crate::scenario::Key>>,
    /// The Activity Log of hours that left `hours` but not its 90 days.
    pub activity_archive: archive::Archive,
}

/// Hour index reserved for the keys of injected records.
pub const INJECTED_HOUR: i64 = 1 << 39;

impl TenantLogs {
    fn new(plan: Arc<Plan>) -> TenantLogs {
        let next_hour = hour_of(ticks(plan.tenant.window_start));
        TenantLogs {
            plan,
            hours: BTreeMap::new(),
            spill: BTreeMap::new(),
            next_hour,
            injected: 0,
            overlays: Arc::default(),
            risk_actions: Default::default(),
            principals: Arc::default(),
            scenarios: Vec::new(),
            activity_archive: archive::Archive::default(),
        }
    }

    /// Generates every hour up to and including the one containing `now`, in
    /// order, keeping only hours from `keep_from` on. However far the clock
    /// jumped, only the kept hours (and the few before them whose records run
    /// into them) are generated, in bounded batches, so time and memory do not
    /// grow with the jump and the result equals advancing in small steps.
    fn advance(&mut self, now: Ticks, keep_from: Ticks) {
        let last = hour_of(now);
        let oldest = hour_of(keep_from);
        let start = first_to_generate(self.next_hour, oldest, spill_hours(&self.plan));
        // Spilled records of hours that will never be generated left retention long ago
        // (their Activity Log events are kept for its 90 days).
        let kept = self.spill.split_off(&start);
        let dropped = std::mem::replace(&mut self.spill, kept);
        self.activity_archive
            .keep(dropped.into_values().flat_map(|h| h.activity_log));
        self.archive_skipped(start, now);
        for first in (start..=last).step_by(BATCH_HOURS) {
            let todo: Vec<i64> = (first..=last.min(first + BATCH_HOURS as i64 - 1)).collect();
            for (hour, mut out) in todo.iter().zip(generate_parallel(&self.plan, &todo)) {
                if self.risk_actions != Default::default() {
                    let actions = &self.risk_actions;
                    crate::protection::episodes::enforce(
                        &self.plan,
                        actions,
                        &mut out.sign_ins,
                        i64::MIN,
                    );
                }
                let mut bucket = self.spill.remove(hour).unwrap_or_default();
                file(&mut bucket, &mut self.spill, *hour, out);
                bucket.sort();
                self.hours.insert(*hour, Arc::new(bucket));
            }
            self.retire(oldest);
        }
        self.next_hour = self.next_hour.max(last + 1);
        self.retire(oldest);
        self.activity_archive
            .prune(archive::Archive::first_hour(now));
    }

    /// Drops the hours before `oldest`, keeping their Activity Log events.
    fn retire(&mut self, oldest: i64) {
        let kept = self.hours.split_off(&oldest);
        let gone = std::mem::replace(&mut self.hours, kept);
        self.activity_archive
            .keep(gone.into_values().flat_map(|h| h.activity_log.clone()));
    }

    /// The Activity Log of the hours a clock jump skips (from the next hour due to
    /// `start`) that its 90 days still reach, generated alone; events falling at or
    /// after `start` wait in the spill for their bucket.
    fn archive_skipped(&mut self, start: i64, now: Ticks) {
        let from = self.next_hour.max(archive::Archive::first_hour(now) - 1);
        for hour in from..start {
            let events = crate::activity::generate_activity_log_hour(&self.plan, hour);
            let (later, earlier): (Vec<_>, Vec<_>) =
                events.into_iter().partition(|e| hour_of(e.at) >= start);
            self.activity_archive.keep(earlier);
            for e in later {
                self.spill
                    .entry(hour_of(e.at))
                    .or_default()
                    .activity_log
                    .push(e);
            }
        }
    }

    /// Adds one record to the hour it falls in (copying that hour).
    pub fn insert<R: LogOf>(&mut self, record: R) {
        let hour = hour_of(record.at());
        if hour >= self.next_hour {
            R::log_mut(self.spill.entry(hour).or_default()).push(record);
            return;
        }
        let mut bucket = self
            .hours
            .get(&hour)
            .map(|h| (**h).clone())
            .unwrap_or_default();
        let log = R::log_mut(&mut bucket);
        let at = log.partition_point(|r| r.order() < record.order());
        log.insert(at, record);
        bucket.index();
        self.hours.insert(hour, Arc::new(bucket));
    }

    /// Replaces the sign-in with `record`'s key in the hour it falls in (its time unchanged).
    pub fn replace(&mut self, record: SignIn) {
        let hour = hour_of(record.at);
        let Some(held) = self.hours.get(&hour) else {
            return;
        };
        let mut bucket = (**held).clone();
        for r in bucket.sign_ins.iter_mut().filter(|r| r.key == record.key) {
            *r = record;
        }
        bucket.index();
        self.hours.insert(hour, Arc::new(bucket));
    }

    /// Re-applies the users' risk to the sign-ins after `from` (generated ahead
    /// of the clock): an Identity Protection action or injected detection
    /// changes later sign-ins only.
    pub fn reassess_risk(&mut self, from: Ticks) {
        let plan = self.plan.clone();
        let actions = self.risk_actions.clone();
        let enforce = crate::protection::episodes::enforce;
        for hour in self.hours.range_mut(hour_of(from)..).map(|(_, h)| h) {
            let mut bucket = (**hour).clone();
            enforce(&plan, &actions, &mut bucket.sign_ins, from);
            bucket.index();
            *hour = Arc::new(bucket);
        }
        for bucket in self.spill.values_mut() {
            enforce(&plan, &actions, &mut bucket.sign_ins, from);
        }
    }

    /// Number of records held, all logs.
    pub fn len(&self) -> usize {
        self.hours.values().map(|h| h.len()).sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Hours generated per batch when catching up.
const BATCH_HOURS: usize = 24;

/// The first hour a catch-up must generate: the next one due, unless the
/// oldest kept hour (less the spill reach) lies beyond it.
fn first_to_generate(next_hour: i64, oldest_kept: i64, spill: i64) -> i64 {
    next_hour.max(oldest_kept - spill)
}

/// How many hours an hour's records may run past it (a PIM activation's
/// expiry, a provisioning cycle), plus a day of margin: a catch-up starts this
/// far before the oldest kept hour so kept hours receive every record.
fn spill_hours(plan: &Plan) -> i64 {
    let activation = plan
        .tenant
        .role_definitions
        .iter()
        .map(|r| r.activation_hours as i64)
        .max()
        .unwrap_or(0);
    let cycle = plan.preset.activity.provisioning_cycle_minutes.div_ceil(60) as i64;
    24 + activation + cycle + 2
}

/// Puts an hour's output in its bucket, and records of later hours in the spill.
fn file(
    bucket: &mut Hour,
    spill: &mut BTreeMap<i64, Hour>,
    hour: i64,
    out: crate::activity::HourOutput,
) {
    route(bucket, spill, hour, out.sign_ins);
    route(bucket, spill, hour, out.audits);
    route(bucket, spill, hour, out.provisioning);
    route(bucket, spill, hour, out.activity_log);
}

fn route<R: LogOf>(bucket: &mut Hour, spill: &mut BTreeMap<i64, Hour>, hour: i64, records: Vec<R>) {
    for r in records {
        match hour_of(r.at()) {
            h if h > hour => R::log_mut(spill.entry(h).or_default()).push(r),
            _ => R::log_mut(bucket).push(r),
        }
    }
}

/// Generates hours on all cores; the result is in input order.
fn generate_parallel(plan: &Plan, hours: &[i64]) -> Vec<crate::activity::HourOutput> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if hours.len() < 8 || threads == 1 {
        return hours.iter().map(|&h| generate_hour(plan, h)).collect();
    }
    let chunk = hours.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = hours
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&h| generate_hour(plan, h))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("generator thread"))
            .collect()
    })
}

/// An immutable snapshot of every tenant's logs.
#[derive(Clone)]
pub struct World {
    /// Changes on every reset; skip tokens carry it.
    pub epoch: u64,
    pub tenants: Vec<TenantLogs>,
    /// The clock reading this snapshot is complete for.
    pub now: Ticks,
}

impl World {
    /// Builds the logs of these tenants up to `now`.
    pub fn new(epoch: u64, plans: Vec<Arc<Plan>>, now: Ticks) -> World {
        let mut world = World {
            epoch,
            tenants: plans.into_iter().map(TenantLogs::new).collect(),
            now: i64::MIN,
        };
        world.advance(now);
        world
    }

    /// Generates up to `now` and drops what left retention (a no-op if `now` is not later).
    pub fn advance(&mut self, now: Ticks) {
        if now <= self.now {
            return;
        }
        for logs in &mut self.tenants {
            let keep =
                retention_ticks(&logs.plan).max(logs.plan.preset.days as i64 * 24 * TICKS_PER_HOUR);
            logs.advance(now, now - keep - 24 * TICKS_PER_HOUR);
        }
        self.now = now;
    }

    /// True when `now` lies in an hour not generated yet.
    pub fn needs(&self, now: Ticks) -> bool {
        self.tenants.iter().any(|t| hour_of(now) >= t.next_hour)
    }
}

/// How far back queries see, by licence.
pub fn retention_ticks(plan: &Plan) -> Ticks {
    plan.tenant.license.retention_days() * 24 * TICKS_PER_HOUR
}

#[cfg(test)]
mod advance_tests;

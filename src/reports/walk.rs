//! The records a report counts: the sign-ins and audits a query of the logs
//! would see at the same instant (inside retention, already visible).

use crate::store::TenantLogs;
use crate::store::records::{Audit, Record, SignIn, Ticks};

/// Every sign-in visible at `now` and inside retention, oldest first.
pub fn sign_ins(logs: &TenantLogs, now: Ticks) -> Vec<SignIn> {
    let from = now - crate::store::retention_ticks(&logs.plan);
    let mut found: Vec<SignIn> = logs
        .hours
        .values()
        .flat_map(|hour| hour.sign_ins.iter())
        .filter(|r| r.at >= from && r.visible_at() <= now)
        .copied()
        .collect();
    found.sort_by_key(Record::order);
    found
}

/// Every directory audit of catalog activity `activity` visible at `now` and inside retention.
pub fn audits(logs: &TenantLogs, now: Ticks, activity: u16) -> Vec<Audit> {
    let from = now - crate::store::retention_ticks(&logs.plan);
    let mut found: Vec<Audit> = logs
        .hours
        .values()
        .flat_map(|hour| hour.audits.iter())
        .filter(|r| r.activity == activity && r.at >= from && r.visible_at() <= now)
        .copied()
        .collect();
    found.sort_by_key(Record::order);
    found
}

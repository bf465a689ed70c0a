//! The role assignments made inside the window that exist at an instant: written (the
//! write's Succeeded event at or before it) and not yet deleted, read from the log.

use super::record::{ArmEvent, Op, Phase, Subject};
use crate::arm::inventory::Assignment;
use crate::store::TenantLogs;
use crate::store::records::{TICKS_PER_HOUR, Ticks, hour_of};

/// A transient assignment lives at most this many hours past its write's hour
/// (generated ones: 5–45 minutes).
const LIFETIME_HOURS: i64 = 2;

/// Transient role assignments in force at `now`, in the order they were made.
pub fn transients(logs: &TenantLogs, now: Ticks) -> Vec<Assignment> {
    let tenant = &logs.plan.tenant;
    let first = hour_of(now) - LIFETIME_HOURS;
    let events = logs
        .hours
        .range(first..=hour_of(now))
        .flat_map(|(_, hour)| hour.activity_log.iter())
        .filter(|e| e.at <= now && e.phase == Phase::Succeeded);
    let mut live: Vec<&ArmEvent> = Vec::new();
    for e in events {
        let Subject::Transient(grant) = e.subject else {
            continue;
        };
        match e.op {
            Op::AssignmentWrite => live.push(e),
            Op::AssignmentDelete => {
                live.retain(|w| w.subject != Subject::Transient(grant));
            }
            _ => {}
        }
    }
    live.iter()
        .filter(|e| e.at >= first * TICKS_PER_HOUR)
        .filter_map(|e| super::json::target(tenant, e)?.assignment)
        .collect()
}

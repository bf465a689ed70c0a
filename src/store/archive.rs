//! The Activity Log's own retention: its events are kept 90 days (reference A5), three
//! times the Entra logs' 30, so an hour's Activity Log outlives its bucket. Only those
//! events are kept, a few thousand for a 90-day window, so memory stays bounded.

use crate::activity_log::ArmEvent;
use crate::store::records::{TICKS_PER_HOUR, Ticks, hour_of};
use std::collections::BTreeMap;
use std::sync::Arc;

/// "Activity log events are retained in Azure for 90 days and then deleted." (S7)
pub const ACTIVITY_LOG_DAYS: i64 = 90;

/// Activity Log events of hours no longer held in buckets, by hour.
#[derive(Debug, Default, Clone)]
pub struct Archive {
    hours: BTreeMap<i64, Arc<Vec<ArmEvent>>>,
}

impl Archive {
    /// The first hour worth keeping at `now` (a day of margin past retention).
    pub fn first_hour(now: Ticks) -> i64 {
        hour_of(now - (ACTIVITY_LOG_DAYS + 1) * 24 * TICKS_PER_HOUR)
    }

    /// Keeps events, each under its own hour, in (time, key) order.
    pub fn keep(&mut self, events: impl IntoIterator<Item = ArmEvent>) {
        for e in events {
            let hour = Arc::make_mut(self.hours.entry(hour_of(e.at)).or_default());
            let at = hour.partition_point(|r| (r.at, r.key) < (e.at, e.key));
            if hour.get(at).is_none_or(|r| r.key != e.key) {
                hour.insert(at, e);
            }
        }
    }

    /// Drops the hours before `first`.
    pub fn prune(&mut self, first: i64) {
        self.hours = self.hours.split_off(&first);
    }

    /// Archived hours up to `last` below `below`, newest first.
    pub fn newest_first(&self, last: i64, below: i64) -> impl Iterator<Item = (i64, &[ArmEvent])> {
        self.hours
            .range(..=last.min(below - 1))
            .rev()
            .map(|(h, events)| (*h, events.as_slice()))
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.hours.values().map(|h| h.len()).sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.hours.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_keeps_ninety_days_and_a_day_of_margin() {
        let now = 1_000 * 24 * TICKS_PER_HOUR;
        assert_eq!(Archive::first_hour(now), (1_000 - 91) * 24);
    }
}

//! Finding records by key without visiting every hour.
//!
//! A generated key is `(origin hour << 24) | sequence` (audit correlation keys
//! also set bit 62), and a generated record is filed under the later of its
//! origin hour and the hour it happened in. Each bucket remembers, per log, how
//! far it lies from the origin hours of the keys and correlation keys it holds
//! ([`Reach`]); the union over the store bounds the hours a key can be in.
//! Injected records carry keys of a reserved hour (bit 63) and are filed under
//! the hour they happened in, so their buckets are flagged instead.

use super::records::{Audit, Provisioning, SignIn, TICKS_PER_HOUR, Ticks, hour_of, ticks};
use super::{Hour, INJECTED_HOUR, Indexed, LogOf, TenantLogs};

/// Set in the keys of injected records.
const INJECTED_BIT: u64 = (INJECTED_HOUR as u64) << 24;
/// Set in audit correlation keys (the activity generator's `AUDIT_CORRELATION`).
const CORRELATION_BIT: u64 = 1 << 62;

/// The hour a generated key was made in (None for injected keys).
pub fn origin(key: u64) -> Option<i64> {
    (key & INJECTED_BIT == 0).then_some(((key & !CORRELATION_BIT) >> 24) as i64)
}

/// Bucket hour minus origin hour, over the keys and correlation keys of a log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// Smallest difference (at most 0).
    pub before: i64,
    /// Largest difference (at least 0).
    pub after: i64,
}

impl Reach {
    fn include(&mut self, lag: i64) {
        self.before = self.before.min(lag);
        self.after = self.after.max(lag);
    }

    fn union(self, other: Reach) -> Reach {
        Reach {
            before: self.before.min(other.before),
            after: self.after.max(other.after),
        }
    }
}

/// A log whose records can be found by key or correlation key.
pub trait Keyed: LogOf {
    /// Position of this log in per-log tables.
    const SLOT: usize;
    /// The key whose correlation id the record shows (its own key if it has none).
    fn corr(&self) -> u64;
}

impl Keyed for SignIn {
    const SLOT: usize = 0;
    fn corr(&self) -> u64 {
        self.corr
    }
}

impl Keyed for Audit {
    const SLOT: usize = 1;
    fn corr(&self) -> u64 {
        self.corr
    }
}

impl Keyed for Provisioning {
    const SLOT: usize = 2;
    fn corr(&self) -> u64 {
        self.key
    }
}

fn reach_of<R: Keyed>(records: &[R], injected: &mut bool) -> Reach {
    let mut reach = Reach::default();
    for r in records {
        let Some(made) = origin(r.key()) else {
            *injected = true;
            continue;
        };
        let bucket = made.max(hour_of(r.at()));
        reach.include(bucket - made);
        if let Some(corr) = origin(r.corr()) {
            reach.include(bucket - corr);
        }
    }
    reach
}

impl Hour {
    /// Recomputes the reach, the injected flag and the address list (part of indexing).
    pub(super) fn measure(&mut self) {
        self.by_ip = super::Addresses::of(&self.sign_ins);
        let mut injected = false;
        self.reach = [
            reach_of(&self.sign_ins, &mut injected),
            reach_of(&self.audits, &mut injected),
            reach_of(&self.provisioning, &mut injected),
        ];
        self.injected = injected;
    }

    /// Positions (ascending) in log `R` of the records `of` selects. Posting
    /// lists (User, App, Error, Ip) exist for sign-ins only.
    pub fn positions<R: Keyed>(&self, of: Indexed) -> Positions<'_, R> {
        match of {
            Indexed::Ip(ip) => {
                debug_assert_eq!(R::SLOT, SignIn::SLOT, "addresses index sign-ins");
                Positions::Addresses(self.by_ip.find(&self.sign_ins, ip))
            }
            Indexed::Key(_) | Indexed::Corr(_) => Positions::Scan {
                records: R::log(self),
                range: 0..R::log(self).len() as u32,
                of,
            },
            list => {
                debug_assert_eq!(R::SLOT, SignIn::SLOT, "posting lists index sign-ins");
                Positions::List(self.postings(list))
            }
        }
    }
}

/// Positions of matching records in one bucket, either end first.
pub enum Positions<'a, R> {
    /// A posting list's entries.
    List(std::slice::Iter<'a, (u32, u32)>),
    /// Positions from the address list.
    Addresses(std::slice::Iter<'a, u32>),
    /// The records left to compare with a key.
    Scan {
        records: &'a [R],
        range: std::ops::Range<u32>,
        of: Indexed,
    },
}

fn selects<R: Keyed>(r: &R, of: Indexed) -> bool {
    match of {
        Indexed::Key(key) => r.key() == key,
        Indexed::Corr(key) => r.corr() == key,
        _ => false,
    }
}

impl<R: Keyed> Iterator for Positions<'_, R> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Positions::List(list) => list.next().map(|e| e.1),
            Positions::Addresses(list) => list.next().copied(),
            Positions::Scan { records, range, of } => {
                range.find(|&i| selects(&records[i as usize], *of))
            }
        }
    }
}

impl<R: Keyed> DoubleEndedIterator for Positions<'_, R> {
    fn next_back(&mut self) -> Option<u32> {
        match self {
            Positions::List(list) => list.next_back().map(|e| e.1),
            Positions::Addresses(list) => list.next_back().copied(),
            Positions::Scan { records, range, of } => {
                range.rfind(|&i| selects(&records[i as usize], *of))
            }
        }
    }
}

impl TenantLogs {
    /// The reach of log `R` over every bucket held.
    fn reach<R: Keyed>(&self) -> Reach {
        self.hours
            .values()
            .fold(Reach::default(), |acc, h| acc.union(h.reach[R::SLOT]))
    }

    /// The buckets (oldest first) that can hold a record of log `R` whose key,
    /// or correlation key, is `key`.
    pub fn hours_holding<R: Keyed>(&self, key: u64) -> Vec<(i64, &Hour)> {
        match origin(key) {
            Some(made) => {
                let reach = self.reach::<R>();
                let (from, to) = (
                    made.saturating_add(reach.before),
                    made.saturating_add(reach.after),
                );
                self.hours
                    .range(from..=to)
                    .map(|(h, bucket)| (*h, &**bucket))
                    .collect()
            }
            None => self
                .hours
                .iter()
                .filter(|(_, bucket)| bucket.injected)
                .map(|(h, bucket)| (*h, &**bucket))
                .collect(),
        }
    }

    /// The records of log `R` with this key or correlation key, oldest bucket first.
    pub fn find<R: Keyed>(&self, of: Indexed) -> Vec<R> {
        let (Indexed::Key(key) | Indexed::Corr(key)) = of else {
            return Vec::new();
        };
        self.hours_holding::<R>(key)
            .into_iter()
            .flat_map(|(_, hour)| hour.positions::<R>(of).map(|i| R::log(hour)[i as usize]))
            .collect()
    }

    /// The first instant from which every record is still held: the start of
    /// the oldest generated hour, or the distant past when no hour has been
    /// dropped yet (history starts at the tenant's window).
    pub fn held_since(&self) -> Ticks {
        let first = self
            .hours
            .iter()
            .find(|(_, hour)| hour.generated)
            .map(|(h, _)| *h);
        let start = hour_of(ticks(self.plan.tenant.window_start));
        match first {
            Some(h) if h > start => h * TICKS_PER_HOUR,
            _ => Ticks::MIN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::make_key;

    #[test]
    fn origins_ignore_the_correlation_bit_and_refuse_injected_keys() {
        assert_eq!(origin(make_key(494_000, 7)), Some(494_000));
        assert_eq!(
            origin(make_key(494_000, 7) | CORRELATION_BIT),
            Some(494_000)
        );
        assert_eq!(origin(make_key(INJECTED_HOUR, 1)), None);
        assert_eq!(origin(make_key(INJECTED_HOUR, 1) | CORRELATION_BIT), None);
    }

    #[test]
    fn reach_widens_to_cover_every_lag() {
        let mut reach = Reach::default();
        reach.include(3);
        reach.include(-1);
        assert_eq!(
            reach,
            Reach {
                before: -1,
                after: 3
            }
        );
        let other = Reach {
            before: 0,
            after: 7,
        };
        assert_eq!(
            reach.union(other),
            Reach {
                before: -1,
                after: 7
            }
        );
    }
}

//! Executes a log query over the hourly store: newest or oldest first, only
//! records visible at the snapshot time and inside retention, resuming after a
//! cursor. Time bounds from the filter narrow the hours visited and are found
//! inside an hour by binary search; an indexed equality narrows them further.

use super::eval::Predicate;
use super::filter::{CmpOp, Expr, Literal, Operand};
use super::options::Direction;
use crate::store::records::{Record, Ticks, hour_of};
use crate::store::{Hour, Indexed, Keyed, TenantLogs};

pub use super::index::{audit_index, provisioning_index, sign_in_index};

/// A query ready to run.
pub struct LogQuery<R> {
    pub predicate: Option<Predicate<R>>,
    pub direction: Direction,
    pub top: usize,
    /// Inclusive event-time bounds.
    pub bounds: (Ticks, Ticks),
    /// Resume strictly after this (time, key) in the sort direction.
    pub after: Option<(Ticks, u64)>,
    /// Only records visible at this instant.
    pub as_of: Ticks,
    /// Visit only the records an indexed equality of the filter selects.
    pub index: Option<Indexed>,
}

/// Up to `top` matching records, and whether more remain.
pub fn execute<R: Keyed>(logs: &TenantLogs, q: &LogQuery<R>) -> (Vec<R>, bool) {
    let (lo, hi) = (q.bounds.0, q.bounds.1.min(q.as_of));
    let mut out = Vec::with_capacity(q.top.min(1024));
    if lo > hi {
        return (out, false);
    }
    let plan = &logs.plan;
    let mut visit = |r: &R| -> bool {
        if r.at() < lo || r.at() > hi || r.visible_at() > q.as_of || !after(q, r) {
            return true;
        }
        if q.predicate.as_ref().is_none_or(|p| p(plan, r)) {
            if out.len() == q.top {
                return false;
            }
            out.push(*r);
        }
        true
    };
    let hours = hours::<R>(logs, q.index, lo, hi);
    let complete = match (q.direction, q.index) {
        (Direction::Desc, None) => hours
            .iter()
            .rev()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().rev().all(&mut visit)),
        (Direction::Asc, None) => hours
            .iter()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().all(&mut visit)),
        (Direction::Desc, Some(of)) => hours.iter().rev().all(|(_, hour)| {
            hour.positions::<R>(of)
                .rev()
                .all(|i| visit(&R::log(hour)[i as usize]))
        }),
        (Direction::Asc, Some(of)) => hours.iter().all(|(_, hour)| {
            hour.positions::<R>(of)
                .all(|i| visit(&R::log(hour)[i as usize]))
        }),
    };
    (out, !complete)
}

/// The buckets to visit, oldest first: those overlapping [lo, hi], and for a
/// key index only those that can hold the key.
fn hours<R: Keyed>(
    logs: &TenantLogs,
    index: Option<Indexed>,
    lo: Ticks,
    hi: Ticks,
) -> Vec<(i64, &Hour)> {
    let range = hour_of(lo)..=hour_of(hi);
    match index {
        Some(Indexed::Key(key) | Indexed::Corr(key)) => logs
            .hours_holding::<R>(key)
            .into_iter()
            .filter(|(h, _)| range.contains(h))
            .collect(),
        _ => logs
            .hours
            .range(range)
            .map(|(h, bucket)| (*h, &**bucket))
            .collect(),
    }
}

fn after<R: Record>(q: &LogQuery<R>, r: &R) -> bool {
    match (q.after, q.direction) {
        (None, _) => true,
        (Some(cursor), Direction::Desc) => r.order() < cursor,
        (Some(cursor), Direction::Asc) => r.order() > cursor,
    }
}

/// The part of an hour's records whose event time is within [lo, hi].
fn slice<R: Record>(records: &[R], lo: Ticks, hi: Ticks) -> &[R] {
    let start = records.partition_point(|r| r.at() < lo);
    let end = records.partition_point(|r| r.at() <= hi);
    &records[start..end.max(start)]
}

/// Event-time bounds implied by top-level `and`ed comparisons on `property`,
/// with the property on either side.
pub fn time_bounds(expr: Option<&Expr>, property: &str) -> (Ticks, Ticks) {
    let mut bounds = (i64::MIN, i64::MAX);
    if let Some(expr) = expr {
        narrow(expr, property, &mut bounds);
    }
    bounds
}

fn narrow(expr: &Expr, property: &str, bounds: &mut (Ticks, Ticks)) {
    let (path, op, literal) = match expr {
        Expr::And(a, b) => {
            narrow(a, property, bounds);
            narrow(b, property, bounds);
            return;
        }
        Expr::Compare {
            left: Operand::Path(path),
            op,
            right: Operand::Literal(literal),
        } => (path, *op, literal),
        Expr::Compare {
            left: Operand::Literal(literal),
            op,
            right: Operand::Path(path),
        } => (path, op.mirrored(), literal),
        _ => return,
    };
    if !path.as_string().eq_ignore_ascii_case(property) {
        return;
    }
    let at = match literal {
        Literal::DateTime(at) => crate::store::records::ticks(*at),
        Literal::Date(d) => {
            crate::store::records::ticks(d.and_time(chrono::NaiveTime::MIN).and_utc())
        }
        _ => return,
    };
    match op {
        CmpOp::Ge => bounds.0 = bounds.0.max(at),
        CmpOp::Gt => bounds.0 = bounds.0.max(at.saturating_add(1)),
        CmpOp::Le => bounds.1 = bounds.1.min(at),
        CmpOp::Lt => bounds.1 = bounds.1.min(at.saturating_sub(1)),
        CmpOp::Eq => *bounds = (bounds.0.max(at), bounds.1.min(at)),
        CmpOp::Ne => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::filter::parse;

    fn bounds(filter: &str) -> (Ticks, Ticks) {
        time_bounds(Some(&parse(filter).unwrap()), "createdDateTime")
    }

    fn at(text: &str) -> Ticks {
        crate::store::records::ticks(text.parse().unwrap())
    }

    #[test]
    fn bounds_come_from_comparisons_written_either_way_round() {
        let may = at("2026-05-20T00:00:00Z");
        let june = at("2026-06-01T00:00:00Z");
        let cases = [
            ("createdDateTime ge 2026-05-20T00:00:00Z", (may, i64::MAX)),
            ("2026-05-20T00:00:00Z le createdDateTime", (may, i64::MAX)),
            (
                "2026-05-20T00:00:00Z lt createdDateTime",
                (may + 1, i64::MAX),
            ),
            ("2026-06-01 ge createdDateTime", (i64::MIN, june)),
            ("2026-06-01 gt createdDateTime", (i64::MIN, june - 1)),
            (
                "2026-05-20T00:00:00Z le createdDateTime and createdDateTime le 2026-06-01",
                (may, june),
            ),
            ("2026-05-20T00:00:00Z eq createdDateTime", (may, may)),
        ];
        for (filter, expected) in cases {
            assert_eq!(bounds(filter), expected, "{filter}");
        }
    }

    #[test]
    fn bounds_ignore_other_properties_and_or() {
        let none = (i64::MIN, i64::MAX);
        assert_eq!(bounds("activityDateTime ge 2026-05-20T00:00:00Z"), none);
        assert_eq!(
            bounds("createdDateTime ge 2026-05-20T00:00:00Z or userId eq 'x'"),
            none
        );
    }
}

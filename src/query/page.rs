//! Executes a log query over the hourly store: newest or oldest first, only
//! records visible at the snapshot time and inside retention, resuming after a
//! cursor. Time bounds from the filter narrow the hours visited and are found
//! inside an hour by binary search.

use super::eval::Predicate;
use super::filter::{CmpOp, Expr, Literal, Operand};
use super::options::Direction;
use crate::store::records::{Record, Ticks, hour_of};
use crate::store::{LogOf, TenantLogs};

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
}

/// Up to `top` matching records, and whether more remain.
pub fn execute<R: LogOf + Copy>(logs: &TenantLogs, q: &LogQuery<R>) -> (Vec<R>, bool) {
    let (lo, hi) = (q.bounds.0, q.bounds.1.min(q.as_of));
    let mut out = Vec::with_capacity(q.top.min(1024));
    if lo > hi {
        return (out, false);
    }
    let hours = logs.hours.range(hour_of(lo)..=hour_of(hi));
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
    let complete = match q.direction {
        Direction::Desc => hours
            .rev()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().rev().all(&mut visit)),
        Direction::Asc => hours
            .into_iter()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().all(&mut visit)),
    };
    (out, !complete)
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

/// Event-time bounds implied by top-level `and`ed comparisons on `property`.
pub fn time_bounds(expr: Option<&Expr>, property: &str) -> (Ticks, Ticks) {
    let mut bounds = (i64::MIN, i64::MAX);
    if let Some(expr) = expr {
        narrow(expr, property, &mut bounds);
    }
    bounds
}

fn narrow(expr: &Expr, property: &str, bounds: &mut (Ticks, Ticks)) {
    match expr {
        Expr::And(a, b) => {
            narrow(a, property, bounds);
            narrow(b, property, bounds);
        }
        Expr::Compare {
            left: Operand::Path(path),
            op,
            right: Operand::Literal(literal),
        } if path.as_string().eq_ignore_ascii_case(property) => {
            let at = match literal {
                Literal::DateTime(at) => crate::store::records::ticks(*at),
                Literal::Date(d) => crate::store::records::ticks(
                    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
                ),
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
        _ => {}
    }
}

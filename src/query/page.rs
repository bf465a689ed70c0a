//! Executes a log query over the hourly store: newest or oldest first, only
//! records visible at the snapshot time and inside retention, resuming after a
//! cursor. Time bounds from the filter narrow the hours visited and are found
//! inside an hour by binary search.

use super::eval::Predicate;
use super::filter::{CmpOp, Expr, Literal, Operand};
use super::options::Direction;
use crate::store::records::{Record, Ticks, hour_of};
use crate::store::{Indexed, LogOf, TenantLogs};

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
    /// Visit only the sign-ins of this user or app (a posting list), when the filter requires it.
    pub index: Option<Indexed>,
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
    let complete = match (q.direction, q.index) {
        (Direction::Desc, None) => hours
            .rev()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().rev().all(&mut visit)),
        (Direction::Asc, None) => hours
            .into_iter()
            .all(|(_, hour)| slice(R::log(hour), lo, hi).iter().all(&mut visit)),
        // Posting lists index sign-ins: `index` is only set for them.
        (Direction::Desc, Some(of)) => hours.rev().all(|(_, hour)| {
            hour.postings(of)
                .rev()
                .all(|i| visit(&R::log(hour)[i as usize]))
        }),
        (Direction::Asc, Some(of)) => hours
            .into_iter()
            .all(|(_, hour)| hour.postings(of).all(|i| visit(&R::log(hour)[i as usize]))),
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

/// The posting list a sign-in filter can use: a top-level `and`ed `userId eq`,
/// `appId eq` or non-zero `status/errorCode eq`. An id the tenant lacks gives a
/// list that matches nothing.
pub fn sign_in_index(expr: Option<&Expr>, plan: &crate::activity::Plan) -> Option<Indexed> {
    let tenant = &plan.tenant;
    match expr? {
        Expr::And(a, b) => sign_in_index(Some(a), plan).or_else(|| sign_in_index(Some(b), plan)),
        Expr::Compare {
            left: Operand::Path(path),
            op: CmpOp::Eq,
            right: Operand::Literal(Literal::Int(code)),
        } if *code != 0 && path.as_string() == "status/errorCode" => {
            let index = i32::try_from(*code)
                .ok()
                .map(|c| plan.error_code(c))
                .filter(|&e| e != 0);
            Some(Indexed::Error(index.map_or(u32::MAX, u32::from)))
        }
        Expr::Compare {
            left: Operand::Path(path),
            op: CmpOp::Eq,
            right: Operand::Literal(Literal::String(id) | Literal::Guid(id)),
        } => match path.as_string().as_str() {
            "userId" => Some(Indexed::User(tenant.user_by_id(id).unwrap_or(u32::MAX))),
            "appId" => Some(Indexed::App(tenant.sp_by_app_id(id).unwrap_or(u32::MAX))),
            _ => None,
        },
        _ => None,
    }
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

//! Shorthands for the capability tables: the operator sets and `cap`.

use super::Op::{self, Any, Contains, EndsWith, Eq, Ge, Gt, In, Le, Lt, Ne, StartsWith};
use super::{Capability, ValueKind};

/// One table row.
pub(super) const fn cap(path: &'static str, ops: &'static [Op], kind: ValueKind) -> Capability {
    Capability { path, ops, kind }
}

pub(super) const EQ: &[Op] = &[Eq];
pub(super) const EQ_SW: &[Op] = &[Eq, StartsWith];
pub(super) const ANY_EQ: &[Op] = &[Any, Eq];
pub(super) const ANY_EQ_NE: &[Op] = &[Any, Eq, Ne];
pub(super) const ANY_EQ_SW: &[Op] = &[Any, Eq, StartsWith];
pub(super) const ANY_EQ_GE_LE_SW: &[Op] = &[Any, Eq, Ge, Le, StartsWith];
pub(super) const EQ_CONTAINS: &[Op] = &[Eq, Contains];
/// `ge`/`le` beyond the documented `eq, gt, lt`: §3.2 notes community code using `activityDateTime ge`.
pub(super) const EQ_GT_LT: &[Op] = &[Eq, Gt, Lt, Ge, Le];
pub(super) const EQ_GT_LT_ONLY: &[Op] = &[Eq, Gt, Lt];
pub(super) const EQ_NE: &[Op] = &[Eq, Ne];
pub(super) const EQ_NE_GE_LE: &[Op] = &[Eq, Ne, Ge, Le];
pub(super) const EQ_NE_IN: &[Op] = &[Eq, Ne, In];
pub(super) const EQ_NE_IN_SW: &[Op] = &[Eq, Ne, In, StartsWith];
pub(super) const EQ_NE_RANGE_IN: &[Op] = &[Eq, Ne, Ge, Le, In];
pub(super) const EQ_NE_RANGE_IN_SW: &[Op] = &[Eq, Ne, Ge, Le, In, StartsWith];
pub(super) const EQ_NE_RANGE_IN_SW_EW: &[Op] = &[Eq, Ne, Ge, Le, In, StartsWith, EndsWith];
pub(super) const EQ_NE_RANGE_SW: &[Op] = &[Eq, Ne, Ge, Le, StartsWith];
pub(super) const EQ_IN: &[Op] = &[Eq, In];

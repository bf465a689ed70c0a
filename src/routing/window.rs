//! Which records a destination receives: those of the enabled categories that became
//! visible in Graph inside a window of the simulated clock, in visibility order.

use super::category::{Category, Source};
use super::envelope::{self, Routed};
use crate::activity::Plan;
use crate::store::TenantLogs;
use crate::store::records::{Record, TICKS_PER_HOUR, TICKS_PER_SECOND, Ticks, hour_of};

/// A position in visibility order: (visible at, category index in `ALL`, record key).
pub type Mark = (Ticks, u8, u64);

/// The mark just before everything visible after `at`.
pub fn mark_at(at: Ticks) -> Mark {
    (at, u8::MAX, u64::MAX)
}

/// The longest record delay the plan's latency model draws, in ticks.
pub fn max_delay(plan: &Plan) -> Ticks {
    let last = |knots: &[(f64, f64)]| knots.last().map_or(0.0, |k| k.1);
    let seconds = last(&plan.latency.sign_ins).max(last(&plan.latency.audits));
    (seconds.ceil() as i64 + 1) * TICKS_PER_SECOND
}

fn index_of(category: Category) -> u8 {
    super::category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(0) as u8
}

/// Marks of the records visible in `(after, until]` of the enabled categories, at
/// most `limit` of them, sorted. Only marks: envelopes are built for what is sent.
pub fn marks(
    logs: &TenantLogs,
    enabled: &[Category],
    after: Mark,
    until: Ticks,
    limit: usize,
) -> Vec<(Mark, Item)> {
    let first = hour_of(
        after
            .0
            .saturating_sub(max_delay(&logs.plan) + TICKS_PER_HOUR),
    );
    let last = hour_of(until);
    let wanted = |c: Category| enabled.contains(&c);
    let mut found = Vec::new();
    for (_, hour) in logs.hours.range(first..=last) {
        let mut take = |visible: Ticks, category: Category, key: u64, item: Item| {
            let mark = (visible, index_of(category), key);
            if mark > after && visible <= until && wanted(category) {
                found.push((mark, item));
            }
        };
        for r in &hour.sign_ins {
            let c = Category::of_sign_in(r.kind);
            take(r.visible_at(), c, r.key, Item::SignIn(*r));
        }
        for r in &hour.audits {
            take(r.visible_at(), audits(), r.key, Item::Audit(*r));
        }
        for r in &hour.provisioning {
            take(
                r.visible_at(),
                provisioning(),
                r.key,
                Item::Provisioning(*r),
            );
        }
    }
    found.sort_by_key(|(m, _)| *m);
    found.truncate(limit);
    found
}

fn audits() -> Category {
    Category::find("AuditLogs").expect("listed")
}

fn provisioning() -> Category {
    Category::find("ProvisioningLogs").expect("listed")
}

/// A compact record of one of the routed logs.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    SignIn(crate::store::records::SignIn),
    Audit(crate::store::records::Audit),
    Provisioning(crate::store::records::Provisioning),
}

impl Item {
    /// The record as Azure Monitor sends it.
    pub fn route(&self, plan: &Plan, shape: envelope::Shape) -> Routed {
        match self {
            Item::SignIn(r) => envelope::sign_in(plan, r, shape),
            Item::Audit(r) => envelope::audit(plan, r, shape),
            Item::Provisioning(r) => envelope::provisioning(plan, r, shape),
        }
    }

    /// When the record became visible.
    pub fn visible_at(&self) -> Ticks {
        match self {
            Item::SignIn(r) => r.visible_at(),
            Item::Audit(r) => r.visible_at(),
            Item::Provisioning(r) => r.visible_at(),
        }
    }
}

/// True for the categories [`marks`] can find.
pub fn deliverable(c: &Category) -> bool {
    matches!(
        c.source,
        Source::SignIns(_) | Source::Audits | Source::Provisioning
    )
}

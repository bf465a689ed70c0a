//! Choosing who a scenario happens to: users by role or attribute, or
//! line-of-business applications, present and usable for the whole window.

use super::def::{Subject, UserKindName, Who};
use crate::activity::Plan;
use crate::rng::Rng;
use crate::store::records::{Ticks, datetime};
use crate::tenant::{SpOrigin, User, UserKind};
use rand::seq::SliceRandom;

/// Why no subjects could be chosen.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("only {found} {what} match the scenario's 'who' ({wanted}), it needs at least {min}")]
pub struct TooFew {
    pub found: usize,
    pub min: u32,
    pub what: &'static str,
    pub wanted: String,
}

/// Indices of the chosen users or service principals, in draw order.
pub fn choose(
    plan: &Plan,
    who: &Who,
    from: Ticks,
    to: Ticks,
    rng: &mut Rng,
) -> Result<Vec<u32>, TooFew> {
    let (mut found, what) = match who.subject {
        Subject::Users => (users(plan, who, from, to), "users"),
        Subject::Applications => (applications(plan, from), "applications"),
    };
    if found.len() < who.min as usize {
        return Err(TooFew {
            found: found.len(),
            min: who.min,
            what,
            wanted: describe(who),
        });
    }
    found.shuffle(rng);
    found.truncate(who.count as usize);
    Ok(found)
}

fn users(plan: &Plan, who: &Who, from: Ticks, to: Ticks) -> Vec<u32> {
    let tenant = &plan.tenant;
    (0..tenant.users.len() as u32)
        .filter(|&i| {
            let user = tenant.user(i);
            user.enabled_at(datetime(from))
                && user.enabled_at(datetime(to))
                && fits(plan, who, i, user)
        })
        .collect()
}

fn fits(plan: &Plan, who: &Who, index: u32, user: &User) -> bool {
    let kind = who.kind.is_none_or(|k| {
        user.kind
            == match k {
                UserKindName::Member => UserKind::Member,
                UserKindName::Guest => UserKind::Guest,
                UserKindName::ServiceAccount => UserKind::ServiceAccount,
            }
    });
    let holds = |role: Option<&str>| {
        plan.role_holders
            .iter()
            .any(|&(u, name, _)| u == index && role.is_none_or(|r| r.eq_ignore_ascii_case(name)))
    };
    let admin = who.admin.is_none_or(|a| holds(None) == a);
    let role = who.role.as_deref().is_none_or(|r| holds(Some(r)));
    let department = who.department.as_deref().is_none_or(|d| {
        user.department
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(d))
    });
    let mfa = who.mfa.is_none_or(|m| user.mfa_method.is_some() == m);
    kind && admin && role && department && mfa
}

/// Service principals of the tenant's own applications that exist at `from`.
fn applications(plan: &Plan, from: Ticks) -> Vec<u32> {
    plan.workload_sps
        .iter()
        .copied()
        .filter(|&sp| {
            let p = plan.tenant.sp(sp);
            matches!(p.origin, SpOrigin::LineOfBusiness(_)) && p.created <= datetime(from)
        })
        .collect()
}

fn describe(who: &Who) -> String {
    let mut parts = vec![format!("subject {:?}", who.subject)];
    if let Some(k) = who.kind {
        parts.push(format!("kind {k:?}"));
    }
    if let Some(a) = who.admin {
        parts.push(format!("admin {a}"));
    }
    if let Some(r) = &who.role {
        parts.push(format!("role '{r}'"));
    }
    if let Some(d) = &who.department {
        parts.push(format!("department '{d}'"));
    }
    if let Some(m) = who.mfa {
        parts.push(format!("mfa {m}"));
    }
    parts.join(", ")
}

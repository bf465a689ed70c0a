//! A user's latest sign-ins as the log stands at an instant: what Graph's
//! `signInActivity` reports, read from the same records the sign-in log serves.

use super::records::{Record, SignIn, SignInKind, Ticks};
use super::{Indexed, TenantLogs};

/// The newest sign-in of each kind `signInActivity` names, as (event time, key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastSignIns {
    /// Newest interactive sign-in, successful or not (`lastSignInDateTime`).
    pub interactive: Option<(Ticks, u64)>,
    /// Newest non-interactive sign-in, successful or not.
    pub non_interactive: Option<(Ticks, u64)>,
    /// Newest successful sign-in of either user kind.
    pub successful: Option<(Ticks, u64)>,
}

impl LastSignIns {
    /// Takes a record into account if it is newer than what each slot holds.
    fn see(&mut self, r: &SignIn) {
        let order = r.order();
        let newer = |slot: &mut Option<(Ticks, u64)>| {
            if slot.is_none_or(|held| held < order) {
                *slot = Some(order);
            }
        };
        match r.kind {
            SignInKind::Interactive => newer(&mut self.interactive),
            SignInKind::NonInteractive => newer(&mut self.non_interactive),
            _ => return,
        }
        if r.error == 0 {
            newer(&mut self.successful);
        }
    }
}

impl TenantLogs {
    /// Whether the sign-in log shows `r` at `now`: visible, not in the future,
    /// inside retention (the bounds a log query applies).
    fn shows(&self, r: &SignIn, now: Ticks) -> bool {
        let from = now - super::retention_ticks(&self.plan);
        r.at >= from && r.at <= now && r.visible_at() <= now
    }

    /// One user's latest sign-ins at `now`, through the per-hour posting lists.
    pub fn last_sign_ins(&self, user: u32, now: Ticks) -> LastSignIns {
        let mut last = LastSignIns::default();
        for hour in self.hours.values() {
            for &(_, at) in hour.postings(Indexed::User(user)) {
                let r = &hour.sign_ins[at as usize];
                if self.shows(r, now) {
                    last.see(r);
                }
            }
        }
        last
    }

    /// Every user's latest sign-ins at `now` (indexed like `tenant.users`), in one
    /// pass over the log: for a filter that must judge every user.
    pub fn all_last_sign_ins(&self, now: Ticks) -> Vec<LastSignIns> {
        let mut table = vec![LastSignIns::default(); self.plan.tenant.users.len()];
        for hour in self.hours.values() {
            for r in hour.sign_ins.iter().filter(|r| r.kind.is_user()) {
                if let Some(slot) = table.get_mut(r.subject as usize)
                    && self.shows(r, now)
                {
                    slot.see(r);
                }
            }
        }
        table
    }
}

//! Activity: the events a tenant's life produces, hour by hour.
//!
//! Each hour's records are a pure function of (tenant, seed, hour): the hour's
//! own random streams never depend on other hours, so any two servers with the
//! same seed and anchor produce the same records whatever way their clocks
//! moved. Events may belong to chains that end in later hours (a PIM
//! activation expires hours later); those records are returned as well and
//! the store files them under the hour they fall in.

mod audits;
mod changes;
pub mod latency;
pub mod pim;
mod plan;
mod provisioning;
mod sign_ins;
pub mod timeline;

pub use plan::{Lifecycle, Plan};
pub(crate) use sign_ins::{CLI_APP_ID, PORTAL_APP_ID, arm_sign_in, pipeline_sign_in};
pub use sign_ins::{Scripted, scripted_service_principal, scripted_user};

/// A blank audit record for injection (same defaults as generated ones).
pub fn injected_audit(
    activity: u16,
    at: i64,
    key: u64,
    initiator: crate::store::records::Actor,
    targets: [crate::store::records::Target; 2],
) -> crate::store::records::Audit {
    audits::audit(activity, at, key, initiator, targets)
}

/// Hook for scenarios: an audit record completed as generated ones are (its delay drawn).
pub fn scripted_audit(
    plan: &Plan,
    activity: u16,
    at: i64,
    key: u64,
    initiator: crate::store::records::Actor,
    targets: [crate::store::records::Target; 2],
) -> Audit {
    let mut out = HourOutput::default();
    audits::push(
        plan,
        &mut out,
        audits::audit(activity, at, key, initiator, targets),
    );
    out.audits[0]
}

use crate::store::records::{Audit, Provisioning, SignIn};

/// Everything that happened in (or was started in) one hour.
#[derive(Debug, Default, Clone)]
pub struct HourOutput {
    pub sign_ins: Vec<SignIn>,
    /// May include records of later hours (ends of chains).
    pub audits: Vec<Audit>,
    pub provisioning: Vec<Provisioning>,
    /// Activity Log events (ARM operations) of the tenant's subscriptions.
    pub activity_log: Vec<crate::activity_log::ArmEvent>,
}

/// Generates the records originating in `hour` (hours since the Unix epoch).
pub fn generate_hour(plan: &Plan, hour: i64) -> HourOutput {
    let mut out = HourOutput::default();
    let mut seq = Sequencer::new(hour);
    sign_ins::generate(plan, hour, &mut seq, &mut out);
    audits::generate(plan, hour, &mut seq, &mut out);
    pim::generate(plan, hour, &mut seq, &mut out);
    provisioning::generate(plan, hour, &mut out);
    crate::activity_log::generate::generate(plan, hour, &mut seq, &mut out);
    out.sign_ins.sort_by_key(|r| (r.at, r.key));
    out.audits.sort_by_key(|r| (r.at, r.key));
    out.provisioning.sort_by_key(|r| (r.at, r.key));
    out.activity_log.sort_by_key(|r| (r.at, r.key));
    out
}

/// The Activity Log events originating in `hour` alone (the same as in
/// [`generate_hour`]'s output: that generator depends on no other).
pub fn generate_activity_log_hour(plan: &Plan, hour: i64) -> Vec<crate::activity_log::ArmEvent> {
    let mut out = HourOutput::default();
    let mut seq = Sequencer::new(hour);
    crate::activity_log::generate::generate(plan, hour, &mut seq, &mut out);
    out.activity_log.sort_by_key(|r| (r.at, r.key));
    out.activity_log
}

/// Hands out record keys for one hour, one counter per log, and remembers the
/// administrators' portal sessions opened in the hour.
pub(crate) struct Sequencer {
    hour: i64,
    sign_ins: u32,
    audits: u32,
    arm: u32,
    /// (user, sign-in time, correlation key) of each portal session opened so far.
    sessions: Vec<(u32, i64, u64)>,
}

impl Sequencer {
    fn new(hour: i64) -> Self {
        Sequencer {
            hour,
            sign_ins: 0,
            audits: 0,
            arm: 0,
            sessions: Vec::new(),
        }
    }

    /// The correlation key of a portal session `user` opened at or before `at`.
    fn session(&self, user: u32, at: i64) -> Option<u64> {
        self.sessions
            .iter()
            .find(|&&(u, signed_in, _)| u == user && signed_in <= at)
            .map(|&(_, _, corr)| corr)
    }

    fn open_session(&mut self, user: u32, at: i64, corr: u64) {
        self.sessions.push((user, at, corr));
    }

    fn sign_in(&mut self) -> u64 {
        self.sign_ins += 1;
        crate::store::records::make_key(self.hour, self.sign_ins)
    }

    fn audit(&mut self) -> u64 {
        self.audits += 1;
        crate::store::records::make_key(self.hour, self.audits)
    }

    /// The next Activity Log key of the hour.
    pub(crate) fn arm_event(&mut self) -> u64 {
        self.arm += 1;
        crate::store::records::make_key(self.hour, self.arm)
    }
}

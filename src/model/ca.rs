//! Conditional Access evaluation of a sign-in against the tenant's policies,
//! done when the record is served (it follows from the record's fields).

use crate::activity::Plan;
use crate::catalog::{CaAudience, CaPolicyTemplate, CaState};
use crate::store::records::{SignIn, flags};
use crate::tenant::UserKind;

/// Graph's `appliedConditionalAccessPolicy.result` for one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyResult {
    Success,
    Failure,
    NotApplied,
    NotEnabled,
    ReportOnlySuccess,
    ReportOnlyFailure,
    ReportOnlyNotApplied,
}

impl PolicyResult {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyResult::Success => "success",
            PolicyResult::Failure => "failure",
            PolicyResult::NotApplied => "notApplied",
            PolicyResult::NotEnabled => "notEnabled",
            PolicyResult::ReportOnlySuccess => "reportOnlySuccess",
            PolicyResult::ReportOnlyFailure => "reportOnlyFailure",
            PolicyResult::ReportOnlyNotApplied => "reportOnlyNotApplied",
        }
    }
}

/// Results of every tenant policy for a user sign-in (empty for workload sign-ins).
pub fn evaluate(plan: &Plan, record: &SignIn) -> Vec<(usize, PolicyResult)> {
    if !record.kind.is_user() {
        return Vec::new();
    }
    plan.tenant
        .ca_policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i,
                result(plan, &plan.catalog.ca_policies[p.template as usize], record),
            )
        })
        .collect()
}

fn result(plan: &Plan, policy: &CaPolicyTemplate, record: &SignIn) -> PolicyResult {
    let applies = applies(plan, policy, record);
    let satisfied = !policy.blocks && (record.error != blocked(plan) || !applies);
    match (policy.state, applies, satisfied) {
        (CaState::Disabled, _, _) => PolicyResult::NotEnabled,
        (CaState::ReportOnly, false, _) => PolicyResult::ReportOnlyNotApplied,
        (CaState::ReportOnly, true, true) => PolicyResult::ReportOnlySuccess,
        (CaState::ReportOnly, true, false) => PolicyResult::ReportOnlyFailure,
        (CaState::Enabled, false, _) => PolicyResult::NotApplied,
        (CaState::Enabled, true, true) => PolicyResult::Success,
        (CaState::Enabled, true, false) => PolicyResult::Failure,
    }
}

fn blocked(plan: &Plan) -> u16 {
    plan.error_code(53003)
}

fn applies(plan: &Plan, policy: &CaPolicyTemplate, record: &SignIn) -> bool {
    let user = plan.tenant.user(record.subject);
    let legacy = plan.legacy_clients.0.contains(&record.client_app);
    match policy.applies_to {
        CaAudience::All => true,
        CaAudience::Admins => user.is_admin,
        CaAudience::Guests => user.kind == UserKind::Guest,
        CaAudience::Legacy => legacy,
        CaAudience::AzureManagement => {
            let app = &plan.tenant.sp(record.resource).app_id;
            app == "797f4846-ba00-4fd7-ba43-dac1f8f63013"
                || app == "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
        }
        CaAudience::OutsideCountries => record.flags & (flags::TRAVEL | flags::VPN) != 0,
    }
}

/// Graph's `conditionalAccessStatus` from the per-policy results.
pub fn status(results: &[(usize, PolicyResult)]) -> &'static str {
    if results.iter().any(|r| r.1 == PolicyResult::Failure) {
        "failure"
    } else if results.iter().any(|r| r.1 == PolicyResult::Success) {
        "success"
    } else {
        "notApplied"
    }
}

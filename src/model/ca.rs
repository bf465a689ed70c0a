//! Conditional Access evaluation of a user sign-in against the tenant's
//! policies, as a function of the sign-in's facts: who signed in, the client
//! app and protocol, the resource, the device's compliance, the country, and
//! how far the sign-in got (a failed password never reaches Conditional
//! Access). The generator uses the same rules to decide outcomes, so a
//! sign-in blocked here is a failed sign-in in the log, and the other way round.

use crate::activity::Plan;
use crate::catalog::{CaAudience, CaPolicyTemplate, CaState};
use crate::store::records::{NONE, SignIn, flags};
use crate::tenant::UserKind;

/// Azure management audience: the ARM API and the Azure portal.
const AZURE_MANAGEMENT: [&str; 2] = [
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
];

/// Where in the sign-in flow an error code stops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before Conditional Access: credentials, account state, session, device auth.
    Primary,
    /// Conditional Access asked for MFA and it was not (yet) done.
    Mfa,
    /// Conditional Access blocked the sign-in (block or device-state grant).
    Blocked,
    /// After Conditional Access was satisfied: consent, assignment, KMSI prompt.
    Late,
}

/// The stage of an AADSTS code.
pub fn stage(code: i32) -> Stage {
    match code {
        50074 | 50076 | 500121 | 50072 => Stage::Mfa,
        53003 | 53000 | 53001 => Stage::Blocked,
        50140 | 65001 | 50105 | 90095 | 70044 => Stage::Late,
        _ => Stage::Primary,
    }
}

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

/// What the enabled policies that apply to a sign-in demand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Demands {
    pub block: bool,
    pub mfa: bool,
    pub compliant_device: bool,
}

/// The demands of the enforced (enabled) policies on a user sign-in.
pub fn demands(plan: &Plan, record: &SignIn) -> Demands {
    let mut out = Demands::default();
    for p in &plan.tenant.ca_policies {
        let policy = &plan.catalog.ca_policies[p.template as usize];
        if policy.state != CaState::Enabled || !applies(plan, policy, record) {
            continue;
        }
        out.block |= policy.blocks;
        out.mfa |= has(policy, "mfa");
        out.compliant_device |= has(policy, "requirecompliantdevice");
    }
    out
}

fn has(policy: &CaPolicyTemplate, control: &str) -> bool {
    policy
        .grant_controls
        .iter()
        .any(|c| c.eq_ignore_ascii_case(control))
}

/// True when the sign-in's device is marked compliant.
pub fn compliant(plan: &Plan, record: &SignIn) -> bool {
    record.device != NONE && plan.tenant.devices[record.device as usize].is_compliant
}

/// Results of every tenant policy for a user sign-in (empty for workload sign-ins).
pub fn evaluate(plan: &Plan, record: &SignIn) -> Vec<(usize, PolicyResult)> {
    if !record.kind.is_user() {
        return Vec::new();
    }
    let stage = (record.error > 0)
        .then(|| stage(plan.catalog.sign_in_errors[record.error as usize - 1].code));
    plan.tenant
        .ca_policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let policy = &plan.catalog.ca_policies[p.template as usize];
            (i, result(plan, policy, record, stage))
        })
        .collect()
}

fn result(
    plan: &Plan,
    policy: &CaPolicyTemplate,
    record: &SignIn,
    stage: Option<Stage>,
) -> PolicyResult {
    if policy.state == CaState::Disabled {
        return PolicyResult::NotEnabled;
    }
    // A sign-in that failed primary authentication is never evaluated.
    let evaluated = stage != Some(Stage::Primary) && applies(plan, policy, record);
    let satisfied = !policy.blocks
        && (!has(policy, "mfa")
            || (record.flags & (flags::MFA | flags::MFA_CLAIM) != 0 && stage != Some(Stage::Mfa)))
        && (!has(policy, "requirecompliantdevice") || compliant(plan, record));
    match (policy.state, evaluated, satisfied) {
        (CaState::ReportOnly, false, _) => PolicyResult::ReportOnlyNotApplied,
        (CaState::ReportOnly, true, true) => PolicyResult::ReportOnlySuccess,
        (CaState::ReportOnly, true, false) => PolicyResult::ReportOnlyFailure,
        (_, false, _) => PolicyResult::NotApplied,
        (_, true, true) => PolicyResult::Success,
        (_, true, false) => PolicyResult::Failure,
    }
}

/// Whether a policy's conditions match the sign-in. Service accounts are in
/// the usual exclusion group of "all users" and legacy-authentication policies.
fn applies(plan: &Plan, policy: &CaPolicyTemplate, record: &SignIn) -> bool {
    let user = plan.tenant.user(record.subject);
    let service_account = user.kind == UserKind::ServiceAccount;
    match policy.applies_to {
        CaAudience::All => !service_account,
        CaAudience::Admins => user.is_admin,
        CaAudience::Guests => user.kind == UserKind::Guest,
        CaAudience::Legacy => {
            !service_account && plan.legacy_clients.0.contains(&record.client_app)
        }
        CaAudience::AzureManagement => {
            let resource = &plan.tenant.sp(record.resource).app_id;
            let client = &plan.tenant.sp(record.app).app_id;
            AZURE_MANAGEMENT.contains(&resource.as_str())
                || AZURE_MANAGEMENT.contains(&client.as_str())
        }
        CaAudience::OutsideCountries => plan
            .allowed_location
            .get(record.location as usize)
            .is_some_and(|allowed| !allowed),
        // Risk conditions need Entra ID P2 (reference §A.3).
        CaAudience::SignInRisk => {
            p2(plan) && !service_account && crate::protection::signals::during(record.risk) >= 2
        }
        CaAudience::UserRisk => {
            p2(plan) && !service_account && crate::protection::signals::user(record.risk) == 3
        }
    }
}

fn p2(plan: &Plan) -> bool {
    plan.tenant.license >= crate::config::License::P2
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

/// Whether the sign-in was subject to an MFA requirement (`authenticationRequirement`).
pub fn mfa_required(plan: &Plan, record: &SignIn) -> bool {
    let interrupted = record.error > 0
        && stage(plan.catalog.sign_in_errors[record.error as usize - 1].code) == Stage::Mfa;
    interrupted || record.flags & (flags::MFA | flags::MFA_CLAIM) != 0
}

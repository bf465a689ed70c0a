//! `POST /_entrasim/directoryAudits`: one audit record of the catalog's activities.

use super::{Common, Injected, Problems, first_member, sp_ref, text, user_ref};
use crate::activity::Plan;
use crate::activity::latency::Log;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::http::logs::{AUDITS, LogSpec};
use crate::store::records::{Actor, Audit, Target};
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

const FIELDS: [&str; 8] = [
    "activityDisplayName",
    "loggedByService",
    "userPrincipalName",
    "userId",
    "initiatedByAppId",
    "targetUserPrincipalName",
    "targetGroupId",
    "result",
];

/// `POST /_entrasim/directoryAudits`.
pub async fn audit(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    super::batch::inject::<Audit>(&state, &body)
}

impl Injected for Audit {
    const FIELDS: &'static [&'static str] = &FIELDS;
    const TIME: &'static str = "activityDateTime";

    fn spec() -> &'static LogSpec<Audit> {
        &AUDITS
    }

    fn build(
        plan: &Plan,
        body: &Map<String, Value>,
        common: &Common,
        problems: &mut Problems,
    ) -> Audit {
        build(plan, body, common, problems)
    }

    fn finish(self, plan: &Plan, key: u64, common: &Common) -> Audit {
        let delay_ms = common
            .visible_after
            .unwrap_or_else(|| plan.latency.delay_ms(plan.tenant.seed, Log::Audits, key));
        Audit {
            key,
            delay_ms,
            ..self
        }
    }
}

/// The record (without its key and delay), or problems.
fn build(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Audit {
    let activity = activity(plan, body, problems);
    let initiator = match (
        user_ref(plan, body, problems),
        sp_ref(plan, body, "initiatedByAppId", problems),
    ) {
        (Some(_), Some(_)) => {
            problems.add(
                "initiatedByAppId",
                "an audit is initiated by a user or by an app, not both",
            );
            Actor::User(first_member(plan))
        }
        (Some(u), None) => Actor::User(u),
        (None, Some(sp)) => Actor::App(sp),
        (None, None) => Actor::User(first_member(plan)),
    };
    let targets = targets(plan, body, problems);
    let result = match text(body, "result", problems) {
        None | Some("success") => 0,
        Some("failure" | "timeout" | "unknownFutureValue") => 1,
        Some(_) => {
            problems.add(
                "result",
                "must be success, failure, timeout or unknownFutureValue",
            );
            0
        }
    };
    let mut record =
        crate::activity::injected_audit(activity.unwrap_or(0), common.at, 0, initiator, targets);
    record.result = result;
    record
}

/// The catalog activity named by `activityDisplayName` and/or `loggedByService`
/// (a service alone picks its first activity; neither means "Update user").
fn activity(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> Option<u16> {
    let activities = &plan.catalog.audit_activities;
    let service = text(body, "loggedByService", problems);
    if let Some(s) = service
        && !activities.iter().any(|a| a.service.eq_ignore_ascii_case(s))
    {
        problems.refer(
            "loggedByService",
            format!("'{s}' is not a service of the audit catalog (seed/audit_activities.tsv)"),
        );
        return None;
    }
    let name = text(body, "activityDisplayName", problems);
    if name.is_none() && service.is_none() {
        return plan.activity("Core Directory", "Update user");
    }
    let found = activities.iter().position(|a| {
        name.is_none_or(|n| a.activity.eq_ignore_ascii_case(n))
            && service.is_none_or(|s| a.service.eq_ignore_ascii_case(s))
    });
    if found.is_none()
        && let Some(name) = name
    {
        let scope = service.map_or(String::new(), |s| format!(" of service '{s}'"));
        problems.refer(
            "activityDisplayName",
            format!("'{name}' is not an activity{scope} in the audit catalog (seed/audit_activities.tsv)"),
        );
    }
    found.map(|i| i as u16)
}

fn targets(plan: &Plan, body: &Map<String, Value>, problems: &mut Problems) -> [Target; 2] {
    let mut targets = [Target::None, Target::None];
    if let Some(upn) = text(body, "targetUserPrincipalName", problems) {
        match plan.tenant.user_by_upn(upn) {
            Some(u) => targets[0] = Target::User(u),
            None => problems.refer(
                "targetUserPrincipalName",
                format!("no user '{upn}' in the tenant"),
            ),
        }
    }
    if let Some(id) = text(body, "targetGroupId", problems) {
        match plan.tenant.group_by_id(id) {
            Some(g) => targets[1] = Target::Group(g),
            None => problems.refer("targetGroupId", format!("no group '{id}' in the tenant")),
        }
    }
    if targets[0] == Target::None {
        targets = [targets[1], Target::None];
    }
    targets
}

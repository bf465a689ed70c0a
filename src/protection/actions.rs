//! Identity Protection actions (`dismiss`, `confirmCompromised`, `confirmSafe` on
//! risky users, `dismiss`, `confirmCompromised` on risky service principals): the
//! run-time record of them, kept beside the store, and the audits they write.

use crate::activity::Plan;
use crate::store::INJECTED_HOUR;
use crate::store::TenantLogs;
use crate::store::records::{Actor, Target, Ticks, make_key};
use serde_json::Value;
use std::collections::BTreeMap;

/// What an administrator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Dismiss,
    ConfirmCompromised,
    ConfirmSafe,
}

impl Verdict {
    /// The action's name in the path, lower-cased.
    pub fn parse(segment: &str) -> Option<Verdict> {
        Some(match segment {
            "dismiss" => Verdict::Dismiss,
            "confirmcompromised" => Verdict::ConfirmCompromised,
            "confirmsafe" => Verdict::ConfirmSafe,
            _ => return None,
        })
    }
}

/// One action on one user or service principal.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub at: Ticks,
    pub verdict: Verdict,
    /// `initiatedBy`: the object id of the calling application's service principal.
    pub by: String,
}

/// The actions taken so far, by user index and by service principal index, oldest
/// first, and the detections injected through the control surface.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskActions {
    pub users: BTreeMap<u32, Vec<Action>>,
    pub service_principals: BTreeMap<u32, Vec<Action>>,
    pub detections: Vec<Injected>,
}

/// A detection injected through `POST /_entrasim/riskDetections`.
#[derive(Debug, Clone, PartialEq)]
pub struct Injected {
    pub id: String,
    pub user: u32,
    pub kind: String,
    /// 1 low, 2 medium, 3 high.
    pub level: u8,
    pub timing: &'static str,
    pub activity_at: Ticks,
    pub detected: Ticks,
    /// The sign-in it names (its key), if any.
    pub sign_in: Option<u64>,
}

/// Who a body names: `userIds` or `servicePrincipalIds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    User,
    ServicePrincipal,
}

impl Subject {
    fn field(self) -> &'static str {
        match self {
            Subject::User => "userIds",
            Subject::ServicePrincipal => "servicePrincipalIds",
        }
    }
}

/// Why a body was refused (400 BadRequest).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("The request body must be a JSON object.")]
    NotJson,
    #[error("The parameter '{0}' is required and must be a non-empty array of strings.")]
    Ids(&'static str),
    #[error("At most 60 service principals can be named in one request.")]
    TooMany,
    #[error(
        "The parameter '{0}' in the request payload is not a valid parameter for the operation."
    )]
    Unknown(String),
}

/// The ids a body names (reference §A.7: an empty or missing array is refused,
/// INFERRED; "up to 60 service principal accounts in one request", S10).
pub fn ids(body: &[u8], subject: Subject) -> Result<Vec<String>, BodyError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| BodyError::NotJson)?;
    let field = subject.field();
    let object = value.as_object().ok_or(BodyError::NotJson)?;
    // OData refuses a payload parameter the action does not declare (INFERRED wording).
    if let Some(other) = object.keys().find(|k| !k.eq_ignore_ascii_case(field)) {
        return Err(BodyError::Unknown(other.clone()));
    }
    let found = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field))
        .map(|(_, v)| v);
    let list = found
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or(BodyError::Ids(field))?;
    let ids: Vec<String> = list
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or(BodyError::Ids(field)))
        .collect::<Result<_, _>>()?;
    if subject == Subject::ServicePrincipal && ids.len() > 60 {
        return Err(BodyError::TooMany);
    }
    Ok(ids)
}

/// The directory audit Identity Protection writes for an action (catalog names).
fn audit_name(subject: Subject, verdict: Verdict) -> &'static str {
    match (subject, verdict) {
        (Subject::User, Verdict::Dismiss) => "DismissUser",
        (Subject::User, Verdict::ConfirmCompromised) => "ConfirmAccountCompromised",
        (Subject::User, Verdict::ConfirmSafe) => "ConfirmAccountSafe",
        (Subject::ServicePrincipal, Verdict::ConfirmCompromised) => {
            "confirmServicePrincipalCompromised"
        }
        (Subject::ServicePrincipal, _) => "DismissServicePrincipal",
    }
}

/// Records `verdict` on each named subject the tenant has (unknown ids are ignored,
/// INFERRED) and writes one audit per subject, initiated by the calling app.
/// Returns how many subjects were acted on.
pub fn record(
    logs: &mut TenantLogs,
    subject: Subject,
    verdict: Verdict,
    ids: &[String],
    caller_app: &str,
    now: Ticks,
) -> usize {
    let plan = logs.plan.clone();
    let caller = caller_sp(&plan, caller_app);
    let by = caller.map_or_else(String::new, |sp| plan.tenant.sp(sp).id.clone());
    let activity = plan.activity("Identity Protection", audit_name(subject, verdict));
    let mut done = 0;
    for id in ids {
        let Some((index, target)) = find(&plan, subject, id) else {
            continue;
        };
        let action = Action {
            at: now,
            verdict,
            by: by.clone(),
        };
        let book = match subject {
            Subject::User => &mut logs.risk_actions.users,
            Subject::ServicePrincipal => &mut logs.risk_actions.service_principals,
        };
        book.entry(index).or_default().push(action);
        if let (Some(activity), Some(sp)) = (activity, caller) {
            logs.injected += 1;
            let key = make_key(INJECTED_HOUR, logs.injected);
            let audit = crate::activity::injected_audit(
                activity,
                now,
                key,
                Actor::App(sp),
                [target, Target::None],
            );
            logs.insert(audit);
        }
        done += 1;
    }
    if subject == Subject::User && done > 0 {
        logs.reassess_risk(now);
    }
    done
}

fn caller_sp(plan: &Plan, app_id: &str) -> Option<u32> {
    plan.tenant
        .service_principals
        .iter()
        .position(|sp| sp.app_id.eq_ignore_ascii_case(app_id))
        .map(|i| i as u32)
}

fn find(plan: &Plan, subject: Subject, id: &str) -> Option<(u32, Target)> {
    let tenant = &plan.tenant;
    match subject {
        Subject::User => tenant
            .users
            .iter()
            .position(|u| u.id.eq_ignore_ascii_case(id))
            .map(|i| (i as u32, Target::User(i as u32))),
        Subject::ServicePrincipal => tenant
            .service_principals
            .iter()
            .position(|sp| sp.id.eq_ignore_ascii_case(id))
            .map(|i| (i as u32, Target::ServicePrincipal(i as u32))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_must_name_at_least_one_id() {
        assert_eq!(
            ids(br#"{"userIds": []}"#, Subject::User),
            Err(BodyError::Ids("userIds"))
        );
        assert_eq!(ids(b"[]", Subject::User), Err(BodyError::NotJson));
        let extra = br#"{"userIds": ["a"], "x": 1}"#;
        assert_eq!(
            ids(extra, Subject::User),
            Err(BodyError::Unknown("x".into()))
        );
        assert_eq!(
            ids(br#"{"userIds": [1]}"#, Subject::User),
            Err(BodyError::Ids("userIds"))
        );
        assert_eq!(
            ids(br#"{"userIds": ["a"]}"#, Subject::User),
            Ok(vec!["a".to_string()])
        );
        let many = serde_json::json!({"servicePrincipalIds": vec!["x"; 61]}).to_string();
        assert_eq!(
            ids(many.as_bytes(), Subject::ServicePrincipal),
            Err(BodyError::TooMany)
        );
    }
}

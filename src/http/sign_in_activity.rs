//! Users' `signInActivity`: returned only on `$select`, filterable on its three
//! date-times, read from the sign-in log as it stands at the query's instant.
//!
//! Graph's user page: "Returned only on `$select`. Supports `$filter` (`eq`,
//! `ne`, `not`, `ge`, `le`) but not with any other filterable properties";
//! it needs `AuditLog.Read.All` besides a user permission and a P1/P2 tenant
//! (reference §C.2, S35; graph-docs #18044), and pages of at most 120 users.

use super::advanced;
use super::caller::Caller;
use super::error::GraphError;
use crate::config::License;
use crate::model::ids::{Purpose, id, time0};
use crate::query::options::Options;
use crate::store::{LastSignIns, TenantLogs};
use serde_json::{Value, json};

/// The property's name as Graph spells it.
pub const PROPERTY: &str = "signInActivity";

/// "When you specify `$select=signInActivity` or `$filter=signInActivity` while
/// listing users, the maximum page size for `$top` is 120" (user list page).
pub const MAX_PAGE: u32 = 120;

/// Pages of up to this many users read each user's posting lists; larger ones
/// read the log once (measured on the default preset: 120 users by posting
/// lists took three times as long as one pass).
pub const POSTINGS_UP_TO: usize = 8;

/// How a request asks for the property.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Asked {
    pub selected: bool,
    pub filtered: bool,
}

impl Asked {
    /// Reads `$select` and `$filter`.
    pub fn of(options: &Options) -> Asked {
        Asked {
            selected: selects(options),
            filtered: options
                .filter
                .as_ref()
                .is_some_and(|(_, e)| advanced::on_sign_in_activity(e)),
        }
    }

    /// Whether the property is involved at all.
    pub fn any(self) -> bool {
        self.selected || self.filtered
    }
}

/// Whether `$select` names the property (any case).
pub fn selects(options: &Options) -> bool {
    options
        .select
        .iter()
        .flatten()
        .any(|n| n.eq_ignore_ascii_case(PROPERTY))
}

/// Graph's permission rule, then its licence rule.
pub fn require(caller: &Caller, license: License) -> Result<(), GraphError> {
    if !caller
        .roles
        .iter()
        .any(|r| r.eq_ignore_ascii_case("AuditLog.Read.All"))
    {
        return Err(GraphError::new(
            403,
            "Authentication_MSGraphPermissionMissing",
            "Calling principal does not have required MSGraph permissions AuditLog.Read.All",
        ));
    }
    if license == License::Free {
        return Err(GraphError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    Ok(())
}

/// Refuses a filter that mixes `signInActivity` with other properties. The
/// message follows Graph's for an unsupported clause (advanced-queries page);
/// Graph's exact text for this case is not recorded (inferred).
pub fn check_filter(options: &Options) -> Result<(), GraphError> {
    match &options.filter {
        Some((_, e)) if advanced::on_sign_in_activity(e) && advanced::names_other_property(e) => {
            Err(GraphError::new(
                400,
                "Request_UnsupportedQuery",
                "Unsupported or invalid query filter clause specified for property 'signInActivity' of resource 'User'.",
            ))
        }
        _ => Ok(()),
    }
}

/// The property's JSON. A user with no sign-in in the log gets nulls (inferred:
/// Graph's docs show no such user).
pub fn json(logs: &TenantLogs, last: LastSignIns) -> Value {
    let seed = logs.plan.tenant.seed;
    let time = |slot: Option<(i64, u64)>| slot.map(|(at, _)| time0(at));
    let request = |slot: Option<(i64, u64)>| slot.map(|(_, key)| id(seed, Purpose::SignIn, key));
    json!({
        "lastSignInDateTime": time(last.interactive),
        "lastSignInRequestId": request(last.interactive),
        "lastNonInteractiveSignInDateTime": time(last.non_interactive),
        "lastNonInteractiveSignInRequestId": request(last.non_interactive),
        "lastSuccessfulSignInDateTime": time(last.successful),
        "lastSuccessfulSignInRequestId": request(last.successful),
    })
}

/// Adds the property to user objects, looked up by their `id`. With `all`, the
/// whole log is read once (a filter judges every user); otherwise each user's
/// posting lists are read.
pub fn attach(logs: &TenantLogs, objects: &mut [Value], at: i64, all: bool) {
    let users = &logs.plan.tenant.users;
    let index: std::collections::BTreeMap<&str, u32> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i as u32))
        .collect();
    let table = all.then(|| logs.all_last_sign_ins(at));
    for object in objects {
        let Some(&u) = object["id"].as_str().and_then(|id| index.get(id)) else {
            continue;
        };
        let last = match &table {
            Some(table) => table[u as usize],
            None => logs.last_sign_ins(u, at),
        };
        if let Value::Object(fields) = object {
            fields.insert(PROPERTY.into(), json(logs, last));
        }
    }
}

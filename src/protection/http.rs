//! `/identityProtection/riskDetections` and `/identityProtection/riskyUsers`
//! (+ `/{id}` and `/{id}/history`), v1.0 and beta.

use super::{detections, users};
use crate::app::AppState;
use crate::http::caller::Caller;
use crate::http::error::GraphError;
use crate::http::json_pages::{self, Listing};
use crate::http::logs::decoded;
use crate::query::capability::ApiVersion;
use crate::store::TenantLogs;
use crate::store::records::ticks;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// "The default page size is 20 objects while the maximum with `$top` is 500"
/// (riskDetections, S5; riskyUsers: max 500 per S18, default INFERRED 20).
fn listing(fragment: &str) -> Listing<'_> {
    Listing {
        fragment,
        default_top: 20,
        max_top: 500,
        order: &[],
        select: true,
    }
}

/// Routes a lowercased path under `identityProtection`.
pub fn route(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    lower: &[&str],
    rest: &[String],
) -> Result<HttpResponse, GraphError> {
    let world = state.world();
    let logs = world
        .tenants
        .get(caller.tenant)
        .ok_or_else(|| GraphError::bad_request("Unknown tenant."))?;
    let beta = version == ApiVersion::Beta;
    match lower {
        ["identityprotection", "riskdetections", tail @ ..] => {
            if !detections::licensed(logs.plan.tenant.license) {
                // No body is documented for an unlicensed tenant; the reporting API's
                // premium-licence 403 is the documented one (reference §A.3, S35, INFERRED).
                return Err(GraphError::new(
                    403,
                    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                    "Neither tenant is B2C or tenant doesn't have premium license",
                ));
            }
            let found = detections::risky_sign_ins(logs, ticks(state.clock.now()));
            let all: Vec<Value> = found
                .iter()
                .map(|r| detections::to_json(&logs.plan, r, beta))
                .collect();
            match tail {
                [] => list(req, state, caller, version, logs, "riskDetections", all),
                [_] => get(version, "riskDetections", all, &decoded(&rest[2])),
                _ => Err(GraphError::no_segment(&rest[3])),
            }
        }
        ["identityprotection", "riskyusers", tail @ ..] => {
            let found = detections::risky_sign_ins(logs, ticks(state.clock.now()));
            let risky = users::risky_users(&logs.plan, &found);
            let pick = |id: &str| {
                risky
                    .iter()
                    .find(|u| logs.plan.tenant.user(u.subject).id.eq_ignore_ascii_case(id))
                    .ok_or_else(|| GraphError::not_found(id))
            };
            match tail {
                [] => {
                    let all = risky
                        .iter()
                        .map(|u| users::to_json(&logs.plan, u))
                        .collect();
                    list(req, state, caller, version, logs, "riskyUsers", all)
                }
                [_] => get(
                    version,
                    "riskyUsers",
                    risky
                        .iter()
                        .map(|u| users::to_json(&logs.plan, u))
                        .collect(),
                    &decoded(&rest[2]),
                ),
                [_, "history"] => {
                    let user = pick(&decoded(&rest[2]))?;
                    let items = users::history(&logs.plan, user);
                    let context = format!("riskyUsers('{}')/history", decoded(&rest[2]));
                    list(req, state, caller, version, logs, &context, items)
                }
                [_, _, ..] => Err(GraphError::no_segment(&rest[3])),
            }
        }
        _ => Err(GraphError::no_segment(rest.get(1).unwrap_or(&rest[0]))),
    }
}

fn list(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    logs: &TenantLogs,
    fragment: &str,
    all: Vec<Value>,
) -> Result<HttpResponse, GraphError> {
    json_pages::list(req, state, caller, version, logs, listing(fragment), all)
}

fn get(
    version: ApiVersion,
    fragment: &str,
    all: Vec<Value>,
    id: &str,
) -> Result<HttpResponse, GraphError> {
    json_pages::get(version, fragment, all, "id", id)
}

//! `/reports/...` (v1.0 and beta): routes a request to its report, after the
//! version, permission and licence rules of `access`.

use super::{access, activity, apps, methods, registration, walk};
use crate::app::AppState;
use crate::http::caller::Caller;
use crate::http::error::GraphError;
use crate::http::json_pages::{self, Listing, context};
use crate::http::logs::decoded;
use crate::query::capability::ApiVersion;
use crate::store::TenantLogs;
use crate::store::records::{Ticks, ticks};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

/// Page sizes of the report collections: undocumented, INFERRED 100 by default, 1000 at most.
fn listing<'a>(fragment: &'a str, order: &'a [&'a str]) -> Listing<'a> {
    Listing {
        fragment,
        default_top: 100,
        max_top: 1000,
        order,
        select: true,
        count: false,
    }
}

/// One request's context.
struct Ask<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    caller: &'a Caller,
    version: ApiVersion,
    logs: &'a TenantLogs,
    now: Ticks,
}

/// Routes a lowercased path under `reports` (`rest` keeps the request's spelling).
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
    let tail = &lower[1..];
    let segment = rest.get(1).map_or("reports", String::as_str);
    let rule = access::rule(tail).ok_or_else(|| GraphError::no_segment(segment))?;
    let named = if tail[0] == "authenticationmethods" {
        &rest[2]
    } else {
        segment
    };
    access::versioned(rule, version, named.split('(').next().unwrap_or(named))?;
    access::check(rule, &access::grant(caller))?;
    access::licensed(logs.plan.tenant.license)?;
    let ask = Ask {
        req,
        state,
        caller,
        version,
        logs,
        now: ticks(state.clock.now()),
    };
    match tail {
        [f] if f.starts_with("getazureadapplicationsigninsummary") => summary(&ask, &rest[1]),
        ["applicationsignindetailedsummary", id @ ..] => detailed(&ask, id, rest),
        ["serviceprincipalsigninactivities", id @ ..] => sp_activities(&ask, id, rest),
        ["appcredentialsigninactivities", id @ ..] => credentials(&ask, id, rest),
        ["authenticationmethods", m, id @ ..] => authentication_methods(&ask, m, id, rest),
        _ => Err(GraphError::no_segment(
            rest.last().map_or("reports", String::as_str),
        )),
    }
}

fn sign_ins(ask: &Ask<'_>) -> Vec<crate::store::records::SignIn> {
    walk::sign_ins(ask.logs, ask.now)
}

fn list(ask: &Ask<'_>, listing: Listing<'_>, all: Vec<Value>) -> Result<HttpResponse, GraphError> {
    json_pages::list(
        ask.req,
        ask.state,
        ask.caller,
        ask.version,
        ask.logs,
        listing,
        all,
    )
}

/// `getAzureADApplicationSignInSummary(period='D7'|'D30')`.
fn summary(ask: &Ask<'_>, segment: &str) -> Result<HttpResponse, GraphError> {
    let period = parameter(segment, "period")?;
    let days = apps::period_days(&period).ok_or_else(|| bad_value("period", &period))?;
    let rows = apps::summary(&ask.logs.plan, &sign_ins(ask), ask.now, days);
    list(
        ask,
        listing("Collection(applicationSignInSummary)", &[]),
        rows,
    )
}

fn detailed(ask: &Ask<'_>, id: &[&str], rest: &[String]) -> Result<HttpResponse, GraphError> {
    let rows = apps::detailed(&ask.logs.plan, &sign_ins(ask));
    let fragment = "reports/applicationSignInDetailedSummary";
    one_or_all(ask, listing(fragment, &[]), rows, id, rest.get(2), "id")
}

fn sp_activities(ask: &Ask<'_>, id: &[&str], rest: &[String]) -> Result<HttpResponse, GraphError> {
    let rows = activity::sp_activities(&ask.logs.plan, &sign_ins(ask));
    let order = ["appId", "lastSignInActivity/lastSignInDateTime"];
    let fragment = "reports/servicePrincipalSignInActivities";
    one_or_all(ask, listing(fragment, &order), rows, id, rest.get(2), "id")
}

fn credentials(ask: &Ask<'_>, id: &[&str], rest: &[String]) -> Result<HttpResponse, GraphError> {
    let rows = activity::credential_activities(&ask.logs.plan, &sign_ins(ask));
    let order = ["appId", "keyId", "signInActivity/lastSignInDateTime"];
    let fragment = "reports/appCredentialSignInActivities";
    one_or_all(ask, listing(fragment, &order), rows, id, rest.get(2), "id")
}

/// The collection, or its member `/{id}` (nothing deeper).
fn one_or_all(
    ask: &Ask<'_>,
    listing: Listing<'_>,
    rows: Vec<Value>,
    id: &[&str],
    raw: Option<&String>,
    key: &str,
) -> Result<HttpResponse, GraphError> {
    match (id, raw) {
        ([], _) => list(ask, listing, rows),
        ([_], Some(raw)) => {
            json_pages::get(ask.version, listing.fragment, rows, key, &decoded(raw))
        }
        _ => Err(GraphError::no_segment(
            id.last().copied().unwrap_or_default(),
        )),
    }
}

fn authentication_methods(
    ask: &Ask<'_>,
    name: &str,
    id: &[&str],
    rest: &[String],
) -> Result<HttpResponse, GraphError> {
    let plan = &ask.logs.plan;
    let base = name.split('(').next().unwrap_or(name);
    match (base, id) {
        ("userregistrationdetails", _) => {
            let beta = ask.version == ApiVersion::Beta;
            let rows = registrations(ask)
                .iter()
                .map(|r| registration::to_json(plan, r, beta))
                .collect();
            let fragment = "reports/authenticationMethods/userRegistrationDetails";
            let order = ["userDisplayName", "userPrincipalName"];
            one_or_all(ask, listing(fragment, &order), rows, id, rest.get(3), "id")
        }
        ("usersregisteredbymethod" | "usersregisteredbyfeature", []) => {
            registered_by(ask, base == "usersregisteredbymethod", &rest[2])
        }
        ("usersigninsbyauthmethodsummary", []) => {
            let period = parameter(&rest[2], "period")?;
            let days = methods::period_days(&period).ok_or_else(|| bad_value("period", &period))?;
            let rows = methods::by_method(plan, &sign_ins(ask), ask.now, days);
            let fragment = "Collection(userSignInUsageByAuthMethodActivity)";
            list(ask, listing(fragment, &[]), rows)
        }
        ("usermfasigninsummary", []) => {
            let rows = methods::mfa_days(plan, &sign_ins(ask));
            let fragment = "reports/authenticationMethods/userMfaSignInSummary";
            list(ask, listing(fragment, &[]), rows)
        }
        _ => Err(GraphError::no_segment(
            rest.last().map_or(name, String::as_str),
        )),
    }
}

fn registrations(ask: &Ask<'_>) -> Vec<registration::Registration> {
    let plan = &ask.logs.plan;
    let audits = plan
        .activity("Authentication Methods", "User registered security info")
        .map(|a| walk::audits(ask.logs, ask.now, a))
        .unwrap_or_default();
    registration::registrations(plan, &audits, ask.now)
}

/// `usersRegisteredByMethod(...)` / `usersRegisteredByFeature(...)`: one object.
fn registered_by(
    ask: &Ask<'_>,
    by_method: bool,
    segment: &str,
) -> Result<HttpResponse, GraphError> {
    let types = optional(segment, "includedUserTypes", &["all", "member", "guest"])?;
    let roles = optional(
        segment,
        "includedUserRoles",
        &["all", "privilegedAdmin", "admin", "user"],
    )?;
    let plan = &ask.logs.plan;
    let all = registrations(ask);
    let selected: Vec<&registration::Registration> = all
        .iter()
        .filter(|r| {
            registration::type_matches(types, plan.tenant.user(r.user))
                && registration::role_matches(roles, r.roles)
        })
        .collect();
    let (kind, mut object) = if by_method {
        (
            "userRegistrationMethodSummary",
            registration::by_method(plan, &selected, types, roles),
        )
    } else {
        (
            "userRegistrationFeatureSummary",
            registration::by_feature(plan, &selected, types, roles),
        )
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(ask.version, &format!("microsoft.graph.{kind}"))),
    );
    if let Value::Object(fields) = &mut object {
        body.append(fields);
    }
    Ok(json_pages::ok(&body))
}

/// An enum parameter that may be left out (then `all`), matched case-insensitively.
fn optional(
    segment: &str,
    name: &str,
    allowed: &[&'static str],
) -> Result<&'static str, GraphError> {
    let params = parameters(segment)?;
    let Some((_, value)) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) else {
        return Ok("all");
    };
    allowed
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(value))
        .ok_or_else(|| bad_value(name, value))
}

/// A required function parameter's value.
fn parameter(segment: &str, name: &str) -> Result<String, GraphError> {
    parameters(segment)?
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The parameter '{name}' is missing from the function call."
            ))
        })
}

/// `name(a='x',b='y')` → [(a, x), (b, y)]; `name` and `name()` have none.
fn parameters(segment: &str) -> Result<Vec<(String, String)>, GraphError> {
    let segment = decoded(segment);
    let Some(open) = segment.find('(') else {
        return Ok(Vec::new());
    };
    let inner = segment[open + 1..].strip_suffix(')').ok_or_else(|| {
        GraphError::bad_request(format!("Bad function call syntax: '{segment}'."))
    })?;
    inner
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                GraphError::bad_request(format!("Bad function parameter: '{pair}'."))
            })?;
            let v = v.trim();
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(v);
            Ok((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

fn bad_value(name: &str, value: &str) -> GraphError {
    GraphError::bad_request(format!(
        "The value '{value}' is not valid for the parameter '{name}'."
    ))
}

#[cfg(test)]
mod tests {
    use super::parameters;

    #[test]
    fn function_parameters_are_read_with_or_without_quotes() {
        let p =
            parameters("usersRegisteredByMethod(includedUserTypes='member',includedUserRoles=all)")
                .unwrap();
        assert_eq!(p[0], ("includedUserTypes".into(), "member".into()));
        assert_eq!(p[1], ("includedUserRoles".into(), "all".into()));
        assert!(parameters("usersRegisteredByMethod()").unwrap().is_empty());
        assert!(parameters("f(period='D7'").is_err());
    }
}

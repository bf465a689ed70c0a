//! The directory's POST actions: `getMemberGroups`, `checkMemberGroups` and
//! `getMemberObjects` on users, groups and service principals, and
//! `directoryObjects/getByIds`. Read-only: none of them changes the directory.

use super::caller::Caller;
use super::directory_keys::{
    Kind, Object, any_by_id, imported_by_id, imported_typed, owner_of, transitive_groups,
};
use super::error::GraphError;
use super::logs::{decoded, version_name};
use crate::app::AppState;
use crate::query::capability::ApiVersion;
use crate::store::TenantLogs;
use crate::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// Whether a path's last segment is one of the actions (they take POST).
pub fn is_action(segment: &str) -> bool {
    matches!(
        segment.to_ascii_lowercase().as_str(),
        "getmembergroups" | "checkmembergroups" | "getmemberobjects" | "getbyids"
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberGroups {
    security_enabled_only: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckGroups {
    group_ids: Vec<String>,
}

#[derive(Deserialize)]
struct ByIds {
    ids: Vec<String>,
    #[serde(default)]
    types: Vec<String>,
}

/// Serves `POST /{set}/{key}/{action}` and `POST /directoryObjects/getByIds`;
/// `None` for any other path.
pub fn serve(
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    lower: &[&str],
    body: &[u8],
) -> Option<Result<Value, GraphError>> {
    let world = state.world();
    let logs = world.tenants.get(caller.tenant)?;
    let tenant = &logs.plan.tenant;
    let now = state.clock.now();
    let context = |fragment: &str| {
        format!(
            "https://graph.microsoft.com/{}/$metadata#{fragment}",
            version_name(version)
        )
    };
    let strings = |ids: Vec<String>| json!({"@odata.context": context("Collection(Edm.String)"), "value": ids});
    Some(match lower {
        ["directoryobjects", "getbyids"] => parse::<ByIds>(body).map(|b| {
            let value = by_ids(logs, &b, now);
            json!({"@odata.context": context("directoryObjects"), "value": value})
        }),
        [
            set @ ("users" | "groups" | "serviceprincipals" | "directoryobjects"),
            key,
            action,
        ] => {
            let owner = match owner(tenant, set, &decoded(key), now) {
                Ok(owner) => owner,
                // A principal imported records added is a member of no group.
                Err(e) if e.status == 404 && imported_by_id(logs, &decoded(key)).is_some() => {
                    return matches!(
                        *action,
                        "getmembergroups" | "getmemberobjects" | "checkmembergroups"
                    )
                    .then(|| Ok(strings(Vec::new())));
                }
                Err(e) => return Some(Err(e)),
            };
            match *action {
                "getmembergroups" => parse::<MemberGroups>(body)
                    .map(|b| strings(member_groups(tenant, owner, b.security_enabled_only))),
                // Without directory roles or administrative units in the tenant, the
                // member objects are the groups (inferred; README).
                "getmemberobjects" => parse::<MemberGroups>(body)
                    .map(|b| strings(member_groups(tenant, owner, b.security_enabled_only))),
                "checkmembergroups" => parse::<CheckGroups>(body).map(|b| {
                    let of = member_groups(tenant, owner, false);
                    let hit = b
                        .group_ids
                        .into_iter()
                        .filter(|g| of.iter().any(|o| o.eq_ignore_ascii_case(g)))
                        .collect();
                    strings(hit)
                }),
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn owner(tenant: &Tenant, set: &str, key: &str, now: DateTime<Utc>) -> Result<Object, GraphError> {
    if set == "directoryobjects" {
        any_by_id(tenant, key, now)
    } else {
        owner_of(tenant, set, key, now)
    }
}

/// The request body as the action's parameters; Graph answers a missing or
/// malformed body with 400.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // Graph's message for a POST action without a body.
        return Err(GraphError::bad_request(
            "Empty Payload. JSON content expected.",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request("Invalid request body.").with_detail(e.to_string()))
}

/// The ids of the groups an object is a member of, transitively (the actions'
/// documented semantics), in directory order.
fn member_groups(tenant: &Tenant, owner: Object, security_only: bool) -> Vec<String> {
    let groups = match owner {
        Object::User(u) => transitive_groups(tenant, u),
        Object::Group(g) => (0..tenant.groups.len())
            .filter(|&n| {
                n != g
                    && super::directory_keys::transitive_members(tenant, n)
                        .contains(&Object::Group(g))
            })
            .map(Object::Group)
            .collect(),
        // Service principals are not members of generated groups.
        _ => Vec::new(),
    };
    groups
        .into_iter()
        .filter_map(|o| match o {
            Object::Group(g) => Some(&tenant.groups[g]),
            _ => None,
        })
        .filter(|g| !security_only || g.security_enabled)
        .map(|g| g.id.clone())
        .collect()
}

/// `getByIds`: each id found (tenant objects, then the principals imported
/// records added), in the order asked, narrowed to `types` when given.
fn by_ids(logs: &TenantLogs, body: &ByIds, now: DateTime<Utc>) -> Vec<Value> {
    let tenant = &logs.plan.tenant;
    let wanted = |kind: Kind| {
        body.types.is_empty()
            || body.types.iter().any(|t| {
                Kind::from_cast(&format!("microsoft.graph.{t}")).is_some_and(|k| k == kind)
                    || Kind::from_cast(t).is_some_and(|k| k == kind)
            })
    };
    body.ids
        .iter()
        .filter_map(|id| match any_by_id(tenant, id, now) {
            Ok(o) => Some((o.kind(), o.typed(tenant))),
            Err(_) => imported_by_id(logs, id)
                .map(|(kind, _)| kind)
                .zip(imported_typed(logs, id)),
        })
        .filter(|(kind, _)| wanted(*kind))
        .map(|(_, object)| object)
        .collect()
}

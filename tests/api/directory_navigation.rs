//! Relationships as Graph serves them: only through navigation or `$expand`,
//! with `$filter`, `$search` and `$count` on navigation listings under Graph's
//! advanced-query rules, and the principals imported records add reachable
//! wherever a tenant principal is.

use crate::helpers::{assert_graph_error, spawn, tenant_document};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const EVENTUAL: (&str, &str) = ("ConsistencyLevel", "eventual");

fn ids(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_rt::test]
async fn directory_objects_carry_their_relationships_only_when_expanded() {
    let app = spawn(&[]).await;
    for (path, navigation) in [
        ("/v1.0/users", &["manager"][..]),
        ("/v1.0/groups", &["owners", "members"]),
        ("/v1.0/applications", &["owners"]),
        ("/beta/users", &["manager"]),
    ] {
        for object in app.walk(path).await {
            for name in navigation {
                assert!(
                    object.get(*name).is_none(),
                    "{path} embeds {name}: {object}"
                );
            }
        }
    }
    // A `$select` naming a navigation property is taken and leaves it out.
    let (status, page) = app.get("/v1.0/users?$select=displayName,manager").await;
    assert_eq!(status, 200, "{page}");
    for user in page["value"].as_array().unwrap() {
        assert!(user["displayName"].is_string());
        assert!(user.get("manager").is_none(), "{user}");
    }
    let doc = tenant_document(&[]);
    let listed: BTreeSet<String> = ids(doc["users"].as_array().unwrap()).into_iter().collect();
    let managers: BTreeMap<&str, &Value> = doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["id"].as_str().unwrap(), &u["manager"]))
        .collect();
    let expanded = app
        .walk("/v1.0/users?$expand=manager($select=id,displayName)")
        .await;
    let mut seen = 0;
    for user in &expanded {
        let want = managers[user["id"].as_str().unwrap()];
        let live = want["id"].as_str().is_some_and(|m| listed.contains(m));
        assert_eq!(user.get("manager").is_some(), live, "{user}");
        if live {
            assert_eq!(user["manager"]["id"], want["id"]);
            assert_eq!(user["manager"]["displayName"], want["displayName"]);
            seen += 1;
        }
    }
    assert!(seen > 0, "someone has a manager");
    let owners: BTreeMap<&str, Vec<String>> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let owners = g["owners"].as_array().unwrap();
            let live = owners.iter().filter_map(Value::as_str);
            (
                g["id"].as_str().unwrap(),
                live.filter(|o| listed.contains(*o))
                    .map(String::from)
                    .collect(),
            )
        })
        .collect();
    for group in app.walk("/v1.0/groups?$expand=owners").await {
        let got = ids(group["owners"].as_array().unwrap());
        assert_eq!(got, owners[group["id"].as_str().unwrap()], "{group}");
    }
}

/// Every object of an advanced-query navigation listing, following nextLinks.
async fn walk_eventual(app: &crate::helpers::TestApp, path: &str) -> Vec<Value> {
    let mut records = Vec::new();
    let mut next = Some(path.to_string());
    while let Some(link) = next {
        let (status, body) = app.get_with(&link, &[EVENTUAL]).await;
        assert_eq!(status, 200, "{link}: {body}");
        records.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
    }
    records
}

/// The group with the most direct members, from the tenant document.
fn biggest_group(doc: &Value) -> (String, Vec<String>) {
    let group = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|g| g["members"].as_array().unwrap().len())
        .unwrap();
    (
        group["id"].as_str().unwrap().to_string(),
        ids(group["members"].as_array().unwrap()),
    )
}

#[actix_rt::test]
async fn a_navigation_filter_without_the_advanced_query_parameters_answers_graphs_400() {
    let app = spawn(&[]).await;
    let (gid, _) = biggest_group(&tenant_document(&[]));
    let filter = "$filter=startswith(displayName,'a')";
    for (path, headers) in [
        (format!("/v1.0/groups/{gid}/members?{filter}"), &[][..]),
        (
            format!("/v1.0/groups/{gid}/members?$count=true&{filter}"),
            &[][..],
        ),
        (
            format!("/v1.0/groups/{gid}/members?{filter}"),
            &[EVENTUAL][..],
        ),
        (
            format!("/beta/groups/{gid}/members/microsoft.graph.user?{filter}"),
            &[][..],
        ),
    ] {
        let (status, body) = app.get_with(&path, headers).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_graph_error(&body, "Request_UnsupportedQuery");
        assert_eq!(
            body["error"]["message"],
            "The specified filter to the reference property query is currently not supported."
        );
    }
    let path = format!("/v1.0/groups/{gid}/members?$count=true&{filter}");
    let (status, body) = app.get_with(&path, &[EVENTUAL]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["@odata.count"].is_u64(), "{body}");
    // A name no member type has is Graph's filter error, never a 5xx.
    let path = format!("/v1.0/groups/{gid}/members?$count=true&$filter=noSuchProperty eq 'x'");
    let (status, body) = app.get_with(&path, &[EVENTUAL]).await;
    assert_eq!(status, 400, "{body}");
}

#[actix_rt::test]
async fn a_navigation_filter_keeps_exactly_the_objects_it_names_on_every_page() {
    let app = spawn(&[]).await;
    let doc = tenant_document(&[]);
    let (gid, _) = biggest_group(&doc);
    let members = app.walk(&format!("/v1.0/groups/{gid}/members")).await;
    let first = members[0]["displayName"].as_str().unwrap();
    let letter = &first[..1];
    let want: Vec<String> = ids(&members
        .iter()
        .filter(|m| {
            m["displayName"]
                .as_str()
                .is_some_and(|n| n.to_lowercase().starts_with(&letter.to_lowercase()))
        })
        .cloned()
        .collect::<Vec<_>>());
    let filter = format!("$filter=startswith(displayName,'{letter}')");
    let base = format!("/v1.0/groups/{gid}/members?$count=true&{filter}");
    let got = walk_eventual(&app, &base).await;
    assert_eq!(ids(&got), want);
    // Small pages walk to the same objects (the token binds the filter).
    let paged = walk_eventual(&app, &format!("{base}&$top=1")).await;
    assert_eq!(ids(&paged), want);
    let (status, counted) = app
        .get_with(
            &format!("/v1.0/groups/{gid}/members/$count?{filter}"),
            &[EVENTUAL],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(counted, want.len());
    // A cast and a filter on one of its type's properties.
    let users = app
        .walk(&format!("/v1.0/groups/{gid}/members/microsoft.graph.user"))
        .await;
    let enabled: Vec<String> = ids(&users
        .iter()
        .filter(|u| u["accountEnabled"] == true)
        .cloned()
        .collect::<Vec<_>>());
    let path = format!(
        "/v1.0/groups/{gid}/members/microsoft.graph.user?$count=true&$filter=accountEnabled eq true"
    );
    assert_eq!(ids(&walk_eventual(&app, &path).await), enabled);
    // A user's memberOf, filtered on a group property.
    let user = &users[0]["id"].as_str().unwrap();
    let of = app
        .walk(&format!("/v1.0/users/{user}/transitiveMemberOf"))
        .await;
    let security: Vec<String> = ids(&of
        .iter()
        .filter(|g| g["securityEnabled"] == true)
        .cloned()
        .collect::<Vec<_>>());
    let path = format!(
        "/v1.0/users/{user}/transitiveMemberOf?$count=true&$filter=securityEnabled eq true"
    );
    assert_eq!(ids(&walk_eventual(&app, &path).await), security);
    // `$search` on a navigation listing still needs the header.
    let path = format!("/v1.0/groups/{gid}/members?$search=\"displayName:{letter}\"");
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 400, "{body}");
    let searched = walk_eventual(&app, &path).await;
    assert!(searched.len() <= members.len());
    assert!(!searched.is_empty());
}

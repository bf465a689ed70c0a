use crate::helpers::{assert_graph_error, spawn};
use std::collections::BTreeSet;

async fn walk_with_clock(app: &crate::helpers::TestApp, start: &str) -> Vec<serde_json::Value> {
    let mut records = Vec::new();
    let mut next = Some(start.to_string());
    while let Some(link) = next {
        let (status, body) = app.get(&link).await;
        assert_eq!(status, 200, "{body}");
        records.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        app.advance("PT7M").await;
    }
    records
}

#[actix_rt::test]
async fn following_next_links_visits_every_record_once_in_order_while_time_moves() {
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let reference = spawn(&[])
            .await
            .walk(&format!("/v1.0/auditLogs/{log}"))
            .await;
        let app = spawn(&[]).await;
        let walked = walk_with_clock(&app, &format!("/v1.0/auditLogs/{log}?$top=97")).await;
        assert!(
            walked == reference,
            "{log}: paged walk differs ({} vs {} records)",
            walked.len(),
            reference.len()
        );
        let ids: BTreeSet<&str> = walked.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), walked.len(), "{log}: duplicates");
        let key = if log == "signIns" {
            "createdDateTime"
        } else {
            "activityDateTime"
        };
        assert!(
            walked
                .windows(2)
                .all(|w| w[0][key].as_str() >= w[1][key].as_str()),
            "{log}: not newest first"
        );
    }
}

#[actix_rt::test]
async fn ascending_order_walks_oldest_first() {
    let app = spawn(&[]).await;
    let records = app
        .walk("/v1.0/auditLogs/directoryAudits?$orderby=activityDateTime%20asc&$top=50")
        .await;
    assert!(
        records
            .windows(2)
            .all(|w| w[0]["activityDateTime"].as_str() <= w[1]["activityDateTime"].as_str())
    );
}

#[actix_rt::test]
async fn bad_skip_tokens_are_refused_never_restarted() {
    let app = spawn(&[]).await;
    let (_, page) = app.get("/v1.0/auditLogs/signIns?$top=5").await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_string();
    let token = next.split("$skiptoken=").nth(1).unwrap();
    let mut tampered = token.to_string().into_bytes();
    tampered[12] = if tampered[12] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        format!("/v1.0/auditLogs/signIns?$top=5&$skiptoken={tampered}"),
        "/v1.0/auditLogs/signIns?$top=5&$skiptoken=garbage".into(),
        format!("/v1.0/auditLogs/signIns?$top=6&$skiptoken={token}"),
        format!("/v1.0/auditLogs/directoryAudits?$top=5&$skiptoken={token}"),
    ] {
        let (status, body) = app.get(&bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_graph_error(&body, "BadRequest");
    }
}

#[actix_rt::test]
async fn skip_tokens_from_before_a_reset_are_refused() {
    let app = spawn(&[]).await;
    let (_, page) = app.get("/v1.0/auditLogs/signIns?$top=5").await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_string();
    app.post("/_entrasim/reset", serde_json::json!({"seed": 43}))
        .await;
    let (status, body) = app.get(&next).await;
    assert_eq!(status, 400, "{body}");
}

#[actix_rt::test]
async fn top_skip_and_count_get_graphs_answers() {
    let app = spawn(&[]).await;
    for (query, message) in [
        (
            "$top=0",
            "Invalid page size specified: '0'. Must be between 1 and 1000 inclusive.",
        ),
        (
            "$top=1001",
            "The query specified in the URI is not valid. The limit of '1000' for Top query has been exceeded. The value from the incoming request is '1001'.",
        ),
        (
            "$top=-1",
            "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value.",
        ),
        (
            "$top=ten",
            "Invalid value 'ten' for $top query option found. The $top query option requires a non-negative integer value.",
        ),
        (
            "$skip=10",
            "Query option 'Skip' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.",
        ),
        (
            "$select=id",
            "Query option 'Select' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.",
        ),
    ] {
        let (status, body) = app.get(&format!("/v1.0/auditLogs/signIns?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["message"], message, "{query}");
    }
}

#[actix_rt::test]
async fn next_links_use_the_forwarded_host_and_scheme() {
    let app = spawn(&[]).await;
    let (_, body) = app
        .get_with(
            "/v1.0/auditLogs/signIns?$top=1",
            &[
                ("x-forwarded-host", "graph.example.test"),
                ("x-forwarded-proto", "https"),
            ],
        )
        .await;
    assert!(
        body["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with("https://graph.example.test/v1.0/auditLogs/signIns?$top=1&$skiptoken=")
    );
}

#[actix_rt::test]
async fn malformed_forwarded_headers_never_reach_next_links() {
    let app = spawn(&[]).await;
    for (host, proto) in [
        ("evil.test/steal?x=", "https"),
        ("evil.test@other.test", "http"),
        ("graph.example.test", "javascript"),
        ("a b", "ftp"),
    ] {
        let (_, body) = app
            .get_with(
                "/v1.0/auditLogs/signIns?$top=1",
                &[("x-forwarded-host", host), ("x-forwarded-proto", proto)],
            )
            .await;
        let link = body["@odata.nextLink"].as_str().unwrap();
        let scheme = if proto == "https" { "https" } else { "http" };
        let host = if host == "graph.example.test" {
            host.to_string()
        } else {
            app.url.trim_start_matches("http://").to_string()
        };
        assert!(
            link.starts_with(&format!("{scheme}://{host}/v1.0/auditLogs/signIns?")),
            "{link}"
        );
    }
}

//! What the tenant's licence opens: sign-ins need P1 or P2 (checked before anything else
//! about the request), risk needs P2, Free keeps 7 days of audits.

use crate::helpers::{assert_graph_error, spawn};
use chrono::{DateTime, Duration, Utc};

const NON_PREMIUM: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

#[actix_rt::test]
async fn a_free_tenant_is_refused_sign_ins_before_its_id_or_filter_is_judged() {
    let app = spawn(&["--license", "free"]).await;
    for path in [
        "/v1.0/auditLogs/signIns/not-a-guid",
        "/beta/auditLogs/signIns/00000000-0000-0000-0000-000000000000",
        "/v1.0/auditLogs/signIns?$filter=isRisky%20eq%20true",
        "/v1.0/auditLogs/signIns?$skiptoken=nonsense",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_graph_error(&body, NON_PREMIUM);
    }
}

#[actix_rt::test]
async fn a_free_tenant_keeps_seven_days_of_directory_audits() {
    let app = spawn(&["--license", "free"]).await;
    let audits = app.walk("/v1.0/auditLogs/directoryAudits?$top=999").await;
    assert!(!audits.is_empty());
    let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().unwrap();
    let oldest = audits
        .iter()
        .map(|a| {
            a["activityDateTime"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
        })
        .min()
        .unwrap();
    assert!(oldest >= now - Duration::days(7), "{oldest}");
    assert!(
        oldest < now - Duration::days(6),
        "{oldest}: the window should reach back ~7 days"
    );
    let p2 = spawn(&[]).await;
    let all = p2.walk("/v1.0/auditLogs/directoryAudits?$top=999").await;
    assert!(all.len() > audits.len());
}

#[actix_rt::test]
async fn a_p1_tenant_reads_sign_ins_with_risk_hidden() {
    let app = spawn(&["--license", "p1"]).await;
    let (status, body) = app.get("/v1.0/auditLogs/signIns?$top=200").await;
    assert_eq!(status, 200, "{body}");
    let records = body["value"].as_array().unwrap();
    assert!(!records.is_empty());
    for record in records {
        for field in ["riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn"] {
            assert_eq!(record[field], "hidden", "{field}: {record}");
        }
    }
    let p2 = spawn(&[]).await;
    let (_, body) = p2.get("/v1.0/auditLogs/signIns?$top=200").await;
    let shown = body["value"].as_array().unwrap();
    assert!(shown.iter().all(|r| r["riskLevelAggregated"] != "hidden"));
}

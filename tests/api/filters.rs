//! Each filter example of graph-api.md §3.2 returns exactly the records a
//! brute-force evaluation over `generate` output selects.

use crate::helpers::spawn;
use serde_json::Value;
use std::process::Command;

type Check = Box<dyn Fn(&Value) -> bool>;

/// `entrasim generate` into a directory removed when the returned guard drops.
fn generated(version: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("entrasim-filters-{version}-"))
        .tempdir()
        .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args([
            "generate",
            "--out",
            dir.path().to_str().unwrap(),
            "--preset",
            "small",
            "--clock",
            "fixed:2026-06-01T12:00:00Z",
            "--api-version",
            version,
        ])
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

fn records(dir: &std::path::Path, log: &str) -> Vec<Value> {
    std::fs::read_to_string(dir.join(format!("{log}.ndjson")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn lower(v: &Value) -> String {
    text(v).to_lowercase()
}

fn encode(filter: &str) -> String {
    percent_encoding::utf8_percent_encode(filter, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn check(
    app: &crate::helpers::TestApp,
    base: &str,
    all: &[Value],
    cases: Vec<(String, Check)>,
) {
    for (filter, keep) in cases {
        let served = app
            .walk(&format!("{base}?$top=999&$filter={}", encode(&filter)))
            .await;
        let expected: Vec<&Value> = all.iter().filter(|r| keep(r)).collect();
        assert!(
            !expected.is_empty(),
            "{filter}: the case selects nothing; pick a better value"
        );
        assert!(
            served.iter().collect::<Vec<_>>() == expected,
            "{filter}: served {}, brute force {}",
            served.len(),
            expected.len()
        );
    }
}

#[actix_rt::test]
async fn sign_in_filter_examples_match_a_brute_force_evaluation() {
    let app = spawn(&[]).await;
    let dir = generated("v1.0");
    let all = records(dir.path(), "signIns");
    let s = &all[10];
    let (user, upn, app_id, app_name, ip, city, corr, id) = (
        text(&s["userId"]),
        text(&s["userPrincipalName"]),
        text(&s["appId"]),
        text(&s["appDisplayName"]),
        text(&s["ipAddress"]),
        text(&s["location"]["city"]),
        text(&s["correlationId"]),
        text(&s["id"]),
    );
    let since = text(&all[all.len() / 2]["createdDateTime"]);
    let browser = text(&s["deviceDetail"]["browser"]);
    let cases: Vec<(String, Check)> = vec![
        (
            format!("id eq '{id}'"),
            Box::new(move |r| r["id"] == id.as_str()),
        ),
        (format!("userId eq '{user}'"), {
            let u = user.clone();
            Box::new(move |r| r["userId"] == u.as_str())
        }),
        (format!("appId eq '{app_id}'"), {
            let a = app_id.clone();
            Box::new(move |r| r["appId"] == a.as_str())
        }),
        (
            format!("correlationId eq '{corr}'"),
            Box::new(move |r| r["correlationId"] == corr.as_str()),
        ),
        (format!("userPrincipalName eq '{}'", upn.to_uppercase()), {
            let u = upn.clone();
            Box::new(move |r| lower(&r["userPrincipalName"]) == u.to_lowercase())
        }),
        (format!("startswith(userPrincipalName,'{}')", &upn[..3]), {
            let p = upn[..3].to_lowercase();
            Box::new(move |r| lower(&r["userPrincipalName"]).starts_with(&p))
        }),
        (
            format!("startsWith(appDisplayName, '{}')", &app_name[..4]),
            {
                let p = app_name[..4].to_lowercase();
                Box::new(move |r| lower(&r["appDisplayName"]).starts_with(&p))
            },
        ),
        (format!("ipAddress eq '{ip}'"), {
            let i = ip.clone();
            Box::new(move |r| r["ipAddress"] == i.as_str())
        }),
        (
            format!("startswith(ipAddress,'{}')", ip.split('.').next().unwrap()),
            {
                let p = ip.split('.').next().unwrap().to_string();
                Box::new(move |r| text(&r["ipAddress"]).starts_with(&p))
            },
        ),
        (format!("createdDateTime ge {since}"), {
            let t = since.clone();
            Box::new(move |r| text(&r["createdDateTime"]) >= t)
        }),
        (
            format!("createdDateTime le {since} and createdDateTime ge 2026-05-10T00:00:00Z"),
            {
                let t = since.clone();
                Box::new(move |r| {
                    text(&r["createdDateTime"]) <= t
                        && text(&r["createdDateTime"]).as_str() >= "2026-05-10T00:00:00Z"
                })
            },
        ),
        (format!("location/city eq '{city}'"), {
            let c = city.clone();
            Box::new(move |r| r["location"]["city"] == c.as_str())
        }),
        (format!("startswith(location/city,'{}')", &city[..2]), {
            let p = city[..2].to_lowercase();
            Box::new(move |r| lower(&r["location"]["city"]).starts_with(&p))
        }),
        (
            "status/errorCode eq 50126".into(),
            Box::new(|r| r["status"]["errorCode"] == 50126),
        ),
        (
            "status/errorCode eq 0 and clientAppUsed eq 'Browser'".into(),
            Box::new(|r| r["status"]["errorCode"] == 0 && r["clientAppUsed"] == "Browser"),
        ),
        (
            "conditionalAccessStatus eq 'failure'".into(),
            Box::new(|r| r["conditionalAccessStatus"] == "failure"),
        ),
        (
            format!("startswith(deviceDetail/browser,'{}')", &browser[..3]),
            {
                let p = browser[..3].to_lowercase();
                Box::new(move |r| lower(&r["deviceDetail"]["browser"]).starts_with(&p))
            },
        ),
        (
            "resourceDisplayName eq 'Microsoft Graph'".into(),
            Box::new(|r| r["resourceDisplayName"] == "Microsoft Graph"),
        ),
        (
            format!("userId eq '{user}' or status/errorCode eq 50126 and appId eq '{app_id}'"),
            Box::new(move |r| {
                r["userId"] == user.as_str()
                    || (r["status"]["errorCode"] == 50126 && r["appId"] == app_id.as_str())
            }),
        ),
        (
            "2026-05-20T00:00:00Z le createdDateTime and 2026-05-25 ge createdDateTime".into(),
            Box::new(|r| {
                let at = text(&r["createdDateTime"]);
                at.as_str() >= "2026-05-20T00:00:00Z" && at.as_str() <= "2026-05-25T00:00:00Z"
            }),
        ),
        (
            format!("'{}' eq correlationId", text(&s["correlationId"])),
            {
                let c = text(&s["correlationId"]);
                Box::new(move |r| r["correlationId"] == c.as_str())
            },
        ),
        (
            "riskEventTypes_v2/any(t: t eq 'unfamiliarFeatures')".into(),
            Box::new(|r| has(&r["riskEventTypes_v2"], "unfamiliarFeatures")),
        ),
        (
            format!(
                "(appDisplayName eq '{app_name}' or status/errorCode eq 50074) and not(clientAppUsed eq 'Browser')"
            ),
            Box::new(move |r| {
                (r["appDisplayName"] == app_name.as_str() || r["status"]["errorCode"] == 50074)
                    && r["clientAppUsed"] != "Browser"
            }),
        ),
    ];
    check(&app, "/v1.0/auditLogs/signIns", &all, cases).await;
    let beta = records(generated("beta").path(), "signIns");
    let cases: Vec<(String, Check)> = vec![
        (
            "signInEventTypes/any(t: t eq 'nonInteractiveUser')".into(),
            Box::new(|r| r["signInEventTypes"][0] == "nonInteractiveUser"),
        ),
        (
            "signInEventTypes/any(t: t ne 'interactiveUser')".into(),
            Box::new(|r| r["signInEventTypes"][0] != "interactiveUser"),
        ),
        (
            "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')".into(),
            Box::new(|r| {
                r["signInEventTypes"][0] == "interactiveUser"
                    || r["signInEventTypes"][0] == "nonInteractiveUser"
            }),
        ),
        (
            "signInEventTypes/any(t: t eq 'managedIdentity') and status/errorCode eq 0".into(),
            Box::new(|r| {
                r["signInEventTypes"][0] == "managedIdentity" && r["status"]["errorCode"] == 0
            }),
        ),
    ];
    check(&app, "/beta/auditLogs/signIns", &beta, cases).await;
    check(&app, "/beta/auditLogs/signIns", &beta, beta_cases(&beta)).await;
}

fn kind(r: &Value) -> String {
    text(&r["signInEventTypes"][0])
}

fn recent(r: &Value) -> bool {
    text(&r["createdDateTime"]).as_str() >= "2026-05-30T00:00:00Z"
}

fn has(list: &Value, item: &str) -> bool {
    list.as_array().is_some_and(|l| l.iter().any(|v| v == item))
}

/// Beta-only properties, workload sign-ins and key lookups outside the interactive kind.
fn beta_cases(beta: &[Value]) -> Vec<(String, Check)> {
    let of_kind = |k: &str| beta.iter().find(|r| kind(r) == k).unwrap().clone();
    let (sp, non) = (of_kind("servicePrincipal"), of_kind("nonInteractiveUser"));
    let interactive = of_kind("interactiveUser");
    let (sp_corr, sp_id, non_ip) = (
        text(&sp["correlationId"]),
        text(&sp["id"]),
        text(&non["ipAddress"]),
    );
    let original = text(&interactive["originalRequestId"]);
    vec![
        (
            "signInEventTypes/any(t: t eq 'servicePrincipal' or t eq 'managedIdentity') and userId eq '' and createdDateTime ge 2026-05-30T00:00:00Z".into(),
            Box::new(|r| {
                ["servicePrincipal", "managedIdentity"].contains(&kind(r).as_str()) && recent(r)
            }),
        ),
        (
            "userId eq '' and signInEventTypes/any(t: t ne 'interactiveUser') and 2026-05-30 le createdDateTime".into(),
            Box::new(|r| r["userId"] == "" && kind(r) != "interactiveUser" && recent(r)),
        ),
        (
            format!("signInEventTypes/any(t: t eq 'servicePrincipal') and correlationId eq '{sp_corr}'"),
            Box::new(move |r| kind(r) == "servicePrincipal" && r["correlationId"] == sp_corr.as_str()),
        ),
        (
            format!("id eq '{}' and signInEventTypes/any(t: t ne 'interactiveUser')", sp_id.to_uppercase()),
            Box::new(move |r| r["id"] == sp_id.as_str()),
        ),
        (
            format!("signInEventTypes/any(t: t eq 'nonInteractiveUser') and ipAddress eq '{non_ip}'"),
            Box::new(move |r| kind(r) == "nonInteractiveUser" && r["ipAddress"] == non_ip.as_str()),
        ),
        (
            format!("originalRequestId eq '{original}'"),
            Box::new(move |r| kind(r) == "interactiveUser" && r["originalRequestId"] == original.as_str()),
        ),
        (
            "riskEventTypes_v2/any(t: startswith(t, 'unfamiliar'))".into(),
            Box::new(|r| kind(r) == "interactiveUser" && has(&r["riskEventTypes_v2"], "unfamiliarFeatures")),
        ),
    ]
}

#[actix_rt::test]
async fn audit_and_provisioning_filter_examples_match_a_brute_force_evaluation() {
    let app = spawn(&[]).await;
    let dir = generated("v1.0");
    let audits = records(dir.path(), "directoryAudits");
    let by_user = audits
        .iter()
        .find(|a| a["initiatedBy"]["user"]["userPrincipalName"].is_string())
        .unwrap()
        .clone();
    let by_app = audits
        .iter()
        .find(|a| a["initiatedBy"]["app"]["appId"].is_string())
        .unwrap()
        .clone();
    let targeted = audits
        .iter()
        .find(|a| a["targetResources"][0]["displayName"].is_string())
        .unwrap()
        .clone();
    let (uid, upn, app_id) = (
        text(&by_user["initiatedBy"]["user"]["id"]),
        text(&by_user["initiatedBy"]["user"]["userPrincipalName"]),
        text(&by_app["initiatedBy"]["app"]["appId"]),
    );
    let (tid, tname) = (
        text(&targeted["targetResources"][0]["id"]),
        text(&targeted["targetResources"][0]["displayName"]),
    );
    let since = text(&audits[audits.len() / 3]["activityDateTime"]);
    let targets = |r: &Value| r["targetResources"].as_array().unwrap().clone();
    let cases: Vec<(String, Check)> = vec![
        (
            "activityDisplayName eq 'Update user'".into(),
            Box::new(|r| r["activityDisplayName"] == "Update user"),
        ),
        (
            "startswith(activityDisplayName,'Add member')".into(),
            Box::new(|r| lower(&r["activityDisplayName"]).starts_with("add member")),
        ),
        (format!("activityDateTime ge {since}"), {
            let t = since.clone();
            Box::new(move |r| text(&r["activityDateTime"]) >= t)
        }),
        (
            "loggedByService eq 'PIM'".into(),
            Box::new(|r| r["loggedByService"] == "PIM"),
        ),
        (
            format!("initiatedBy/user/id eq '{uid}'"),
            Box::new(move |r| r["initiatedBy"]["user"]["id"] == uid.as_str()),
        ),
        (
            format!(
                "startswith(initiatedBy/user/userPrincipalName,'{}')",
                &upn[..4]
            ),
            {
                let p = upn[..4].to_lowercase();
                Box::new(move |r| {
                    lower(&r["initiatedBy"]["user"]["userPrincipalName"]).starts_with(&p)
                })
            },
        ),
        (
            format!("initiatedBy/app/appId eq '{app_id}'"),
            Box::new(move |r| r["initiatedBy"]["app"]["appId"] == app_id.as_str()),
        ),
        (
            format!("targetResources/any(t: t/id eq '{tid}')"),
            Box::new(move |r| targets(r).iter().any(|t| t["id"] == tid.as_str())),
        ),
        (
            format!(
                "targetResources/any(x: startswith(x/displayName, '{}'))",
                &tname[..3]
            ),
            {
                let p = tname[..3].to_lowercase();
                Box::new(move |r| {
                    r["targetResources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|t| lower(&t["displayName"]).starts_with(&p))
                })
            },
        ),
    ];
    let keyed = &audits[audits.len() / 2];
    let (corr, id) = (text(&keyed["correlationId"]), text(&keyed["id"]));
    let keys: Vec<(String, Check)> = vec![
        (format!("correlationId eq '{corr}'"), {
            let c = corr.clone();
            Box::new(move |r| r["correlationId"] == c.as_str())
        }),
        (format!("id eq '{id}'"), {
            let i = id.clone();
            Box::new(move |r| r["id"] == i.as_str())
        }),
        (
            format!("correlationId eq '{corr}' and id eq '{id}'"),
            Box::new(move |r| r["id"] == id.as_str()),
        ),
    ];
    let cases = cases.into_iter().chain(keys).collect();
    check(&app, "/v1.0/auditLogs/directoryAudits", &audits, cases).await;
    let provisioning = records(dir.path(), "provisioning");
    let job = text(&provisioning[0]["jobId"]);
    let sp = text(&provisioning[0]["servicePrincipal"]["id"]);
    let name = text(&provisioning[0]["sourceIdentity"]["displayName"]);
    let provisioned = text(&provisioning[provisioning.len() / 2]["id"]);
    let cases: Vec<(String, Check)> = vec![
        (format!("jobId eq '{job}'"), {
            let j = job.clone();
            Box::new(move |r| r["jobId"] == j.as_str())
        }),
        (
            format!("jobid eq '{job}' and provisioningAction eq 'update'"),
            Box::new(move |r| r["jobId"] == job.as_str() && r["provisioningAction"] == "update"),
        ),
        (
            "provisioningStatusInfo/status eq 'failure'".into(),
            Box::new(|r| r["provisioningStatusInfo"]["status"] == "failure"),
        ),
        (
            format!(
                "contains(tolower(sourceIdentity/displayName), '{}')",
                name[1..4].to_lowercase()
            ),
            {
                let p = name[1..4].to_lowercase();
                Box::new(move |r| lower(&r["sourceIdentity"]["displayName"]).contains(&p))
            },
        ),
        (
            "activityDateTime gt 2026-05-25".into(),
            Box::new(|r| text(&r["activityDateTime"]).as_str() > "2026-05-25T00:00:00Z"),
        ),
        (
            "durationInMilliseconds gt 3000".into(),
            Box::new(|r| r["durationInMilliseconds"].as_i64().unwrap() > 3000),
        ),
        (
            format!("servicePrincipal/id eq '{sp}'"),
            Box::new(move |r| r["servicePrincipal"]["id"] == sp.as_str()),
        ),
        (format!("id eq '{provisioned}'"), {
            let p = provisioned.clone();
            Box::new(move |r| r["id"] == p.as_str())
        }),
    ];
    check(&app, "/v1.0/auditLogs/provisioning", &provisioning, cases).await;
}

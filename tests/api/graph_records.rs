//! Graph-shaped injection and record import: supplied properties are served
//! back as given by both versions, bad fields are named and store nothing,
//! and records exported by `generate` of one seed are served byte for byte by
//! a server of another.

use crate::helpers::{TestApp, spawn};
use serde_json::{Value, json};
use std::path::Path;

const CLOCK: &str = "fixed:2026-06-01T12:00:00Z";

/// A sign-in in Graph's own shape, as a user would paste it (by a user of the tenant).
fn graph_sign_in(upn: &str) -> Value {
    json!({
        "createdDateTime": "2026-06-01T11:00:00.1234567Z",
        "userPrincipalName": upn,
        "ipAddress": "2001:db8::7",
        "status": {"errorCode": 50126, "failureReason": "Invalid username or password or Invalid on-premise username or password."},
        "location": {"city": "Oslo", "state": "Oslo", "countryOrRegion": "NO",
                     "geoCoordinates": {"latitude": 59.9139, "longitude": 10.7522}},
        "deviceDetail": {"browser": "Edge 125.0.0", "operatingSystem": "Windows 11", "isCompliant": true},
        "appliedConditionalAccessPolicies": [{"id": "0d5b5c8e-3f25-4f6a-9c3e-1f0b2a7c9d10",
            "displayName": "Require MFA for admins", "enforcedGrantControls": ["Mfa"],
            "enforcedSessionControls": [], "result": "failure"}],
        "visibleAfter": "PT0S"
    })
}

async fn first_upn(app: &TestApp) -> String {
    let (_, users) = app.get("/v1.0/users?$top=1").await;
    users["value"][0]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn records(app: &TestApp) -> Value {
    app.get("/_entrasim/tenant").await.1["records"].clone()
}

/// Every supplied property (and nested property) equals the served one.
fn served_as_given(supplied: &Value, served: &Value, path: &str) {
    match (supplied, served) {
        (Value::Object(given), Value::Object(have)) => {
            for (name, value) in given {
                let inner = have.get(name).unwrap_or(&Value::Null);
                served_as_given(value, inner, &format!("{path}/{name}"));
            }
        }
        _ => assert_eq!(supplied, served, "{path}"),
    }
}

#[actix_rt::test]
async fn a_graph_shaped_sign_in_is_served_back_field_for_field_by_both_versions() {
    let app = spawn(&[]).await;
    let upn = first_upn(&app).await;
    let (status, created) = app.post("/_entrasim/signIns", graph_sign_in(&upn)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let mut supplied = graph_sign_in(&upn);
    supplied.as_object_mut().unwrap().remove("visibleAfter");
    served_as_given(&supplied, &created, "");
    for version in ["v1.0", "beta"] {
        let (status, served) = app.get(&format!("/{version}/auditLogs/signIns/{id}")).await;
        assert_eq!(status, 200, "{version}: {served}");
        served_as_given(&supplied, &served, version);
        // Completed from the tenant: the app, the resource and the user's id.
        assert!(served["appId"].as_str().is_some_and(|a| !a.is_empty()));
        let filter = "status/errorCode eq 50126 and location/city eq 'Oslo' and deviceDetail/isCompliant eq true";
        let found = app
            .walk(&format!("/{version}/auditLogs/signIns?$filter={filter}"))
            .await;
        assert_eq!(found.len(), 1, "{version}");
        assert_eq!(found[0]["id"], id);
    }
}

#[actix_rt::test]
async fn a_bad_field_answers_400_naming_it_and_stores_nothing() {
    let app = spawn(&[]).await;
    let before = records(&app).await;
    for (body, named) in [
        (
            json!({"status": {"errorCode": "fifty"}}),
            "status/errorCode",
        ),
        (json!({"location": {"town": "Oslo"}}), "location/town"),
        (json!({"createdDateTime": "yesterday"}), "createdDateTime"),
        (
            json!({"appliedConditionalAccessPolicies": [{"result": 3}]}),
            "appliedConditionalAccessPolicies[0]/result",
        ),
        (json!({"userprincipalname": "a@b.c"}), "userprincipalname"),
    ] {
        let (status, answer) = app.post("/_entrasim/signIns", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{named}:")),
            "{named} not named: {message}"
        );
    }
    assert_eq!(records(&app).await, before);
}

#[actix_rt::test]
async fn a_batch_with_one_bad_record_stores_none_and_a_good_one_stores_all() {
    let app = spawn(&[]).await;
    let before = records(&app).await;
    let upn = first_upn(&app).await;
    let bad = json!([graph_sign_in(&upn), {"status": {"errorCode": []}}, graph_sign_in(&upn)]);
    let (status, answer) = app.post("/_entrasim/signIns", bad).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("[1] status/errorCode:"), "{message}");
    assert_eq!(records(&app).await, before);
    let good = json!({"value": [graph_sign_in(&upn), {"location": {"city": "Bergen"}}]});
    let (status, created) = app.post("/_entrasim/signIns", good).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["value"].as_array().unwrap().len(), 2);
    assert_eq!(created["value"][1]["location"]["city"], "Bergen");
    let after = records(&app).await;
    assert_eq!(after["signIns"], before["signIns"].as_u64().unwrap() + 2);
}

/// `generate --format json` of seed 7 into `dir`, each log cut to its first
/// `keep` records (the test stays fast; the cut keeps each record's bytes).
fn generate_seed_7(dir: &Path, keep: usize) {
    use clap::Parser;
    let out = dir.to_str().unwrap();
    let args = [
        "entrasim", "generate", "--out", out, "--format", "json", "--seed", "7", "--preset",
        "small", "--clock", CLOCK,
    ];
    let cli = entrasim::cli::Cli::try_parse_from(args).unwrap();
    let Some(entrasim::cli::Command::Generate(args)) = cli.command else {
        panic!("generate parses");
    };
    entrasim::export::generate(&args).unwrap();
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let path = dir.join(format!("{log}.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut page: Value = serde_json::from_str(&text).unwrap();
        let records = page["value"].as_array_mut().unwrap();
        records.truncate(keep);
        for r in records.iter() {
            assert!(text.contains(&r.to_string()), "re-serialising changes {r}");
        }
        std::fs::write(&path, page.to_string()).unwrap();
    }
}

#[actix_rt::test]
async fn records_generated_by_seed_7_are_served_byte_for_byte_by_a_seed_42_server() {
    let dir = tempfile::tempdir().unwrap();
    generate_seed_7(dir.path(), 60);
    let app = spawn(&["--seed", "42", "--import", dir.path().to_str().unwrap()]).await;
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let text = std::fs::read_to_string(dir.path().join(format!("{log}.json"))).unwrap();
        let page: Value = serde_json::from_str(&text).unwrap();
        for record in page["value"].as_array().unwrap() {
            let id = record["id"].as_str().unwrap();
            let path = format!("/v1.0/auditLogs/{log}/{}", urlencode(id));
            let body = app.raw(&path).await.text().await.unwrap();
            let (_, served) = body.split_once(',').unwrap();
            assert_eq!(format!("{{{served}"), record.to_string(), "{log} {id}");
        }
    }
    // Filtered and paged like generated records.
    let user = &serde_json::from_str::<Value>(
        &std::fs::read_to_string(dir.path().join("signIns.json")).unwrap(),
    )
    .unwrap()["value"][0]["userId"];
    let found = app
        .walk(&format!(
            "/v1.0/auditLogs/signIns?$filter=userId eq '{}'&$top=2",
            user.as_str().unwrap()
        ))
        .await;
    assert!(!found.is_empty() && found.iter().all(|r| &r["userId"] == user));
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_rt::test]
async fn an_import_with_a_bad_line_names_it_and_loads_nothing_unless_lenient() {
    let app = spawn(&[]).await;
    let before = records(&app).await;
    let good = json!({"id": "5a0c7a2e-81f4-4f77-9d8e-1c2b3a4d5e6f", "createdDateTime": "2026-06-01T10:00:00Z",
        "isInteractive": true, "status": {"errorCode": 0}});
    let bad = json!({"id": "6b1d8b3f-92a5-4a88-8e9f-2d3c4b5e6f70", "createdDateTime": "2026-06-01T10:00:00Z",
        "status": {"errorCode": "zero"}});
    let body = format!("{good}\n{bad}\n");
    let url = format!("{}/_entrasim/import?log=signIns", app.url);
    let answer: Value = app
        .client
        .post(&url)
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("body:2: status/errorCode:"), "{message}");
    assert_eq!(records(&app).await, before);
    let lenient = app
        .client
        .post(format!("{url}&lenient=true"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(lenient.status().as_u16(), 200);
    let answer: Value = lenient.json().await.unwrap();
    assert_eq!(answer["imported"], 1, "{answer}");
    let (status, served) = app
        .get(&format!(
            "/v1.0/auditLogs/signIns/{}",
            good["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["createdDateTime"], "2026-06-01T10:00:00Z");
}

#[test]
fn a_malformed_import_stops_the_server_with_one_line_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signIns.ndjson");
    std::fs::write(
        &file,
        "{\"createdDateTime\":\"2026-06-01T10:00:00Z\"}\n{\"createdDateTime\":\"2026-06-01T10:00:00Z\",\"location\":{\"city\":7}}\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args([
            "serve", "--port", "0", "--preset", "small", "--clock", CLOCK, "--import",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let expected = format!("{}:2: location/city: must be a string", file.display());
    assert!(last.contains(&expected), "{stderr}");
    assert!(output.stdout.is_empty(), "it must not listen");
}

const NEW_USER: &str = "3f6e2b9a-1c4d-4e8f-9a7b-5c6d7e8f9a0b";
const NEW_UPN: &str = "ingrid.hansen@contoso-imported.example";
const NEW_APP: &str = "8d2c4e6f-7a9b-4c1d-8e2f-3a4b5c6d7e8f";
const NEW_SP: &str = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
const AUDITED: &str = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0c";

/// A sign-in and an audit naming a user, an app, its service principal and a
/// target user that the tenant lacks.
fn foreign_records() -> (Value, Value) {
    let sign_in = json!({"id": "2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182",
        "createdDateTime": "2026-06-01T10:00:00Z", "userId": NEW_USER,
        "userPrincipalName": NEW_UPN, "userDisplayName": "Ingrid Hansen",
        "appId": NEW_APP, "appDisplayName": "Payroll Exporter", "servicePrincipalId": NEW_SP,
        "status": {"errorCode": 0}});
    let audit = json!({"id": "Directory_9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a",
        "activityDateTime": "2026-06-01T10:05:00Z", "activityDisplayName": "Update user",
        "initiatedBy": {"user": {"id": NEW_USER, "userPrincipalName": NEW_UPN}},
        "targetResources": [{"id": AUDITED, "type": "User", "displayName": "Ola Nordmann",
            "userPrincipalName": "ola.nordmann@contoso-imported.example"}]});
    (sign_in, audit)
}

async fn import_body(app: &TestApp, log: &str, record: &Value) {
    let url = format!("{}/_entrasim/import?log={log}", app.url);
    let answer = app
        .client
        .post(&url)
        .body(record.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        200,
        "{}",
        answer.text().await.unwrap()
    );
}

#[actix_rt::test]
async fn users_apps_and_service_principals_imported_records_name_join_the_directory_until_a_reset()
{
    let app = spawn(&["--clock", CLOCK]).await;
    let (sign_in, audit) = foreign_records();
    let user_path = format!("/v1.0/users/{NEW_USER}");
    assert_eq!(app.get(&user_path).await.0, 404);
    import_body(&app, "signIns", &sign_in).await;
    import_body(&app, "directoryAudits", &audit).await;

    let (status, user) = app.get(&user_path).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["userPrincipalName"], NEW_UPN);
    assert_eq!(user["displayName"], "Ingrid Hansen");
    assert_eq!(
        user["mail"],
        Value::Null,
        "what the import did not say is null"
    );
    let (status, by_upn) = app
        .get(&format!("/v1.0/users/{}", urlencode(NEW_UPN)))
        .await;
    assert_eq!((status, &by_upn["id"]), (200, &json!(NEW_USER)), "{by_upn}");
    let (status, target) = app.get(&format!("/v1.0/users/{AUDITED}")).await;
    assert_eq!(
        (status, &target["displayName"]),
        (200, &json!("Ola Nordmann"))
    );
    let users = app.walk("/v1.0/users?$top=999").await;
    assert!(users.iter().any(|u| u["id"] == NEW_USER), "listed");
    let (_, filtered) = app
        .get(&format!("/v1.0/users?$filter=id eq '{NEW_USER}'"))
        .await;
    assert_eq!(
        filtered["value"].as_array().map(Vec::len),
        Some(1),
        "{filtered}"
    );

    let (status, sp) = app
        .get(&format!("/v1.0/servicePrincipals(appId='{NEW_APP}')"))
        .await;
    assert_eq!(status, 200, "{sp}");
    assert_eq!(
        (&sp["id"], &sp["displayName"]),
        (&json!(NEW_SP), &json!("Payroll Exporter"))
    );
    let (status, by_id) = app.get(&format!("/v1.0/servicePrincipals/{NEW_SP}")).await;
    assert_eq!((status, &by_id["appId"]), (200, &json!(NEW_APP)));
    let (status, application) = app
        .get(&format!("/v1.0/applications(appId='{NEW_APP}')"))
        .await;
    assert_eq!(
        (status, &application["appId"]),
        (200, &json!(NEW_APP)),
        "{application}"
    );
    let (status, again) = app
        .get(&format!(
            "/v1.0/applications/{}",
            application["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (status, &again["displayName"]),
        (200, &json!("Payroll Exporter"))
    );
    let sps = app.walk("/v1.0/servicePrincipals?$top=999").await;
    assert_eq!(sps.iter().filter(|s| s["appId"] == NEW_APP).count(), 1);

    let (status, _) = app.post("/_entrasim/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(app.get(&user_path).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1.0/servicePrincipals/{NEW_SP}"))
            .await
            .0,
        404
    );
    let (status, _) = app
        .get(&format!("/v1.0/applications(appId='{NEW_APP}')"))
        .await;
    assert_eq!(status, 404);
}

#[actix_rt::test]
async fn an_imported_record_naming_a_tenant_user_adds_nobody() {
    let app = spawn(&["--clock", CLOCK]).await;
    let before = app.walk("/v1.0/users?$top=999").await.len();
    let (_, first) = app.get("/v1.0/users?$top=1").await;
    let user = &first["value"][0];
    let sign_in = json!({"id": "4d5e6f70-8192-4a3b-8c4d-5e6f708192a3",
        "createdDateTime": "2026-06-01T10:00:00Z", "userId": user["id"],
        "userPrincipalName": user["userPrincipalName"], "userDisplayName": "Someone Else",
        "status": {"errorCode": 0}});
    import_body(&app, "signIns", &sign_in).await;
    assert_eq!(app.walk("/v1.0/users?$top=999").await.len(), before);
    let (_, same) = app
        .get(&format!("/v1.0/users/{}", user["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        same["displayName"], user["displayName"],
        "the tenant's own record stays"
    );
}

#[actix_rt::test]
async fn imported_principals_answer_by_directory_object_id_get_by_ids_navigation_and_expand() {
    let app = spawn(&["--clock", CLOCK]).await;
    let (sign_in, audit) = foreign_records();
    import_body(&app, "signIns", &sign_in).await;
    import_body(&app, "directoryAudits", &audit).await;
    for (id, kind) in [
        (NEW_USER, "#microsoft.graph.user"),
        (NEW_SP, "#microsoft.graph.servicePrincipal"),
    ] {
        let (status, object) = app.get(&format!("/v1.0/directoryObjects/{id}")).await;
        assert_eq!(status, 200, "{object}");
        assert_eq!(
            (&object["id"], &object["@odata.type"]),
            (&json!(id), &json!(kind))
        );
    }
    let (status, found) = app
        .post(
            "/v1.0/directoryObjects/getByIds",
            json!({"ids": [NEW_USER, NEW_SP, "00000000-0000-0000-0000-000000000001"]}),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    let types: Vec<&Value> = found["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["@odata.type"])
        .collect();
    assert_eq!(
        types,
        [
            &json!("#microsoft.graph.user"),
            &json!("#microsoft.graph.servicePrincipal")
        ]
    );
    let (_, users_only) = app
        .post(
            "/v1.0/directoryObjects/getByIds",
            json!({"ids": [NEW_USER, NEW_SP], "types": ["user"]}),
        )
        .await;
    assert_eq!(users_only["value"].as_array().map(Vec::len), Some(1));
    // Navigation from an imported principal: the tenant's properties, all empty.
    let upn = NEW_UPN.replace('@', "%40");
    for path in [
        format!("/v1.0/users/{NEW_USER}/memberOf"),
        format!("/v1.0/users/{upn}/transitiveMemberOf/microsoft.graph.group"),
        format!("/v1.0/users/{NEW_USER}/directReports"),
        format!("/v1.0/users/{NEW_USER}/ownedObjects"),
        format!("/v1.0/users/{NEW_USER}/appRoleAssignments"),
        format!("/v1.0/servicePrincipals/{NEW_SP}/owners"),
        format!("/v1.0/servicePrincipals/{NEW_SP}/appRoleAssignedTo"),
    ] {
        let (status, page) = app.get(&path).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["value"], json!([]), "{path}");
    }
    let (status, body) = app.get(&format!("/v1.0/users/{NEW_USER}/manager")).await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = app
        .get(&format!("/v1.0/users/{NEW_USER}/noSuchThing"))
        .await;
    assert_eq!(status, 400);
    let (status, groups) = app
        .post(
            &format!("/v1.0/users/{NEW_USER}/getMemberGroups"),
            json!({"securityEnabledOnly": false}),
        )
        .await;
    assert_eq!((status, &groups["value"]), (200, &json!([])), "{groups}");
    // `$expand` on a listing that holds it: no manager, empty collections.
    let users = app.walk("/v1.0/users?$expand=memberOf&$top=999").await;
    let user = users.iter().find(|u| u["id"] == NEW_USER).expect("listed");
    assert_eq!(user["memberOf"], json!([]));
    let (_, one) = app
        .get(&format!(
            "/v1.0/users/{NEW_USER}?$expand=manager,directReports"
        ))
        .await;
    assert!(one.get("manager").is_none(), "{one}");
    assert_eq!(one["directReports"], json!([]));
}

#[actix_rt::test]
async fn filters_use_the_posting_lists_beside_injected_records_and_still_find_them() {
    let app = spawn(&[]).await;
    let upn = first_upn(&app).await;
    let (status, created) = app.post("/_entrasim/signIns", graph_sign_in(&upn)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let all = app.walk("/beta/auditLogs/signIns?$top=1000").await;
    let injected = all.iter().find(|r| r["id"] == id).expect("served");
    let ids_where = |keep: &dyn Fn(&Value) -> bool| -> Vec<String> {
        all.iter()
            .filter(|r| keep(r))
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let user = injected["userId"].as_str().unwrap().to_string();
    let app_id = injected["appId"].as_str().unwrap().to_string();
    // userId and appId were not supplied: the posting lists answer, exactly.
    // status and ipAddress were: those filters read the served JSON.
    for (filter, want) in [
        (
            format!("userId eq '{user}'"),
            ids_where(&|r| r["userId"] == user),
        ),
        (
            format!("appId eq '{app_id}'"),
            ids_where(&|r| r["appId"] == app_id),
        ),
        (
            "status/errorCode eq 50126".to_string(),
            ids_where(&|r| r["status"]["errorCode"] == 50126),
        ),
        (
            "ipAddress eq '2001:db8::7'".to_string(),
            ids_where(&|r| r["ipAddress"] == "2001:db8::7"),
        ),
    ] {
        let got = app
            .walk(&format!(
                "/beta/auditLogs/signIns?$top=1000&$filter={filter}"
            ))
            .await;
        let got: Vec<String> = got
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert!(
            got.iter().any(|g| g == id),
            "{filter} finds the injected record"
        );
        assert_eq!(got, want, "{filter}");
    }
}

//! Every report recomputed from a walk of the served sign-ins and audits (as Graph
//! JSON) and the directory gives the numbers `/reports` serves.

use entrasim::config::{LatencyMode, License, Preset, TenantSettings};
use entrasim::export::served;
use entrasim::model::directory::Collection;
use entrasim::query::capability::ApiVersion;
use entrasim::reports::{activity, apps, methods, registration, walk};
use entrasim::store::World;
use entrasim::store::records::{Audit, SignIn, datetime};
use serde_json::Value;
use std::collections::BTreeMap;

/// The small preset at the fixed clock (the default preset's 155k sign-ins as JSON
/// would cost minutes in a debug build).
fn world() -> &'static World {
    static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
    WORLD.get_or_init(|| {
        let settings = TenantSettings {
            seed: entrasim::rng::Seed(42),
            preset: Preset::named("small").unwrap(),
            license: License::P2,
            tenants: 1,
        };
        let now = "2026-06-01T12:00:00Z".parse().unwrap();
        let plans = entrasim::app::plans(&settings, LatencyMode::Graph, now);
        World::new(1, plans, entrasim::store::records::ticks(now))
    })
}

/// The served beta sign-ins of every kind, as Graph JSON.
fn sign_ins_json() -> &'static Vec<Value> {
    static JSON: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    JSON.get_or_init(|| {
        let world = world();
        let logs = &world.tenants[0];
        served(logs, world.now, |_: &SignIn| true)
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                entrasim::model::sign_in::write(&mut out, &logs.plan, r, ApiVersion::Beta);
                serde_json::from_slice(&out).unwrap()
            })
            .collect()
    })
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn kind(r: &Value) -> &str {
    s(&r["signInEventTypes"][0])
}

fn now_text() -> String {
    entrasim::model::ids::time0(world().now)
}

fn days_before_now(days: i64) -> String {
    let at = datetime(world().now) - chrono::Duration::days(days);
    entrasim::model::ids::time0(entrasim::store::records::ticks(at))
}

fn reports_input() -> (&'static entrasim::activity::Plan, Vec<SignIn>, i64) {
    let world = world();
    let logs = &world.tenants[0];
    (&logs.plan, walk::sign_ins(logs, world.now), world.now)
}

#[test]
fn the_application_summaries_count_the_interactive_sign_ins_of_each_app() {
    let (plan, records, now) = reports_input();
    for days in [7, 30] {
        let from = days_before_now(days);
        let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for r in sign_ins_json() {
            if kind(r) == "interactiveUser" && s(&r["createdDateTime"]) >= from.as_str() {
                let tally = expected.entry(s(&r["appId"]).into()).or_default();
                if r["status"]["errorCode"] == 0 {
                    tally.0 += 1
                } else {
                    tally.1 += 1
                }
            }
        }
        let got: BTreeMap<String, (u64, u64)> = apps::summary(plan, &records, now, days)
            .iter()
            .map(|row| {
                let (ok, failed) = (
                    row["successfulSignInCount"].as_u64().unwrap(),
                    row["failedSignInCount"].as_u64().unwrap(),
                );
                let share = row["successPercentage"].as_f64().unwrap();
                assert!((share - ok as f64 * 100.0 / (ok + failed) as f64).abs() < 1e-9);
                (s(&row["id"]).to_string(), (ok, failed))
            })
            .collect();
        assert!(got.len() > 5, "the default preset has busy apps");
        assert_eq!(got, expected, "D{days}");
    }
}

#[test]
fn the_detailed_summary_counts_sign_ins_by_app_day_and_error() {
    let (plan, records, _) = reports_input();
    let mut expected: BTreeMap<(String, String, i64), u64> = BTreeMap::new();
    for r in sign_ins_json()
        .iter()
        .filter(|r| kind(r) == "interactiveUser")
    {
        let day = format!("{}T00:00:00Z", &s(&r["createdDateTime"])[..10]);
        let code = r["status"]["errorCode"].as_i64().unwrap();
        *expected
            .entry((s(&r["appId"]).into(), day, code))
            .or_default() += 1;
    }
    let got: BTreeMap<(String, String, i64), u64> = apps::detailed(plan, &records)
        .iter()
        .map(|row| {
            let key = (
                s(&row["appId"]).to_string(),
                s(&row["aggregatedEventDateTime"]).to_string(),
                row["status"]["errorCode"].as_i64().unwrap(),
            );
            (key, row["signInCount"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(got, expected);
}

/// The latest sign-in time per key among the sign-ins `pick` keys.
fn latest(pick: impl Fn(&Value) -> Option<String>) -> BTreeMap<String, String> {
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for r in sign_ins_json() {
        if let Some(key) = pick(r) {
            let at = s(&r["createdDateTime"]).to_string();
            let slot = last.entry(key).or_default();
            if at > *slot {
                *slot = at;
            }
        }
    }
    last
}

fn is_user(r: &Value) -> bool {
    matches!(kind(r), "interactiveUser" | "nonInteractiveUser")
}

#[test]
fn service_principal_activity_is_the_last_sign_in_as_client_and_as_resource() {
    let (plan, records, _) = reports_input();
    let by_id: BTreeMap<&str, &Value> = sign_ins_json().iter().map(|r| (s(&r["id"]), r)).collect();
    let slots: [(&str, bool, &str); 4] = [
        (
            "applicationAuthenticationClientSignInActivity",
            false,
            "appId",
        ),
        (
            "applicationAuthenticationResourceSignInActivity",
            false,
            "resourceId",
        ),
        ("delegatedClientSignInActivity", true, "appId"),
        ("delegatedResourceSignInActivity", true, "resourceId"),
    ];
    let rows = activity::sp_activities(plan, &records);
    for (slot, user, key) in slots {
        let expected = latest(|r| (is_user(r) == user).then(|| s(&r[key]).to_string()));
        let got: BTreeMap<String, String> = rows
            .iter()
            .filter(|row| !row[slot].is_null())
            .map(|row| {
                let request = s(&row[slot]["lastSignInRequestId"]);
                let sign_in = by_id[request];
                assert_eq!(
                    sign_in[key], row["appId"],
                    "{slot} names a sign-in of the app"
                );
                assert_eq!(is_user(sign_in), user);
                (
                    s(&row["appId"]).to_string(),
                    s(&row[slot]["lastSignInDateTime"]).to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{slot}");
    }
    for row in &rows {
        use base64::Engine;
        let id = base64::engine::general_purpose::STANDARD
            .decode(s(&row["id"]))
            .unwrap();
        assert_eq!(String::from_utf8(id).unwrap(), s(&row["appId"]));
    }
}

#[test]
fn credential_activity_is_the_last_sign_in_that_presented_each_key() {
    let (plan, records, _) = reports_input();
    let expected = latest(|r| {
        r["servicePrincipalCredentialKeyId"]
            .as_str()
            .map(str::to_string)
    });
    let rows = activity::credential_activities(plan, &records);
    let got: BTreeMap<String, String> = rows
        .iter()
        .filter(|row| !row["signInActivity"].is_null())
        .map(|row| {
            (
                s(&row["keyId"]).to_string(),
                s(&row["signInActivity"]["lastSignInDateTime"]).to_string(),
            )
        })
        .collect();
    assert!(!got.is_empty(), "apps sign in with their credentials");
    assert_eq!(got, expected);
    let applications = Collection::Applications.objects(&plan.tenant, datetime(world().now));
    let keys: usize = applications
        .iter()
        .map(|a| {
            a["keyCredentials"].as_array().unwrap().len()
                + a["passwordCredentials"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(
        rows.len(),
        keys,
        "one row per credential the applications show"
    );
}

/// The report's name of a method the sign-in log shows (kept apart from the product's table).
fn report_method(step: &str) -> Option<&'static str> {
    Some(match step {
        "Password" => "password",
        "Text message" => "sms",
        "Mobile app notification" => "microsoftAuthenticatorPush",
        "OATH verification code" => "oneTimePasscode",
        "FIDO2 security key" => "fido2SecurityKey",
        "Windows Hello for Business" => "windowsHelloForBusiness",
        _ => return None,
    })
}

#[test]
fn sign_ins_by_method_count_the_succeeded_steps_of_successful_sign_ins() {
    let (plan, records, now) = reports_input();
    for days in [1, 7, 30] {
        let from = days_before_now(days);
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for r in sign_ins_json() {
            let counted = kind(r) == "interactiveUser"
                && r["status"]["errorCode"] == 0
                && s(&r["createdDateTime"]) >= from.as_str();
            for step in r["authenticationDetails"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|_| counted)
            {
                if step["succeeded"] == true
                    && let Some(m) = report_method(s(&step["authenticationMethod"]))
                {
                    *expected.entry(m.into()).or_default() += 1;
                }
            }
        }
        let got: BTreeMap<String, u64> = methods::by_method(plan, &records, now, days)
            .iter()
            .map(|row| {
                (
                    s(&row["authenticationMethod"]).to_string(),
                    row["successActivityCount"].as_u64().unwrap(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        assert_eq!(got, expected, "d{days}");
    }
}

#[test]
fn the_mfa_summary_splits_each_day_by_authentication_requirement() {
    let (plan, records, _) = reports_input();
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in sign_ins_json()
        .iter()
        .filter(|r| kind(r) == "interactiveUser")
    {
        let day = expected
            .entry(format!("{}T00:00:00Z", &s(&r["createdDateTime"])[..10]))
            .or_default();
        if r["authenticationRequirement"] == "multiFactorAuthentication" {
            day.1 += 1
        } else {
            day.0 += 1
        }
    }
    let got: BTreeMap<String, (u64, u64)> = methods::mfa_days(plan, &records)
        .iter()
        .map(|row| {
            let (single, multi) = (
                row["singleFactorSignIns"].as_u64().unwrap(),
                row["multiFactorSignIns"].as_u64().unwrap(),
            );
            assert_eq!(row["totalSignIns"].as_u64().unwrap(), single + multi);
            (s(&row["createdDateTime"]).to_string(), (single, multi))
        })
        .collect();
    assert_eq!(got, expected);
    assert!(now_text() >= *got.keys().last().unwrap());
}

#[test]
fn registration_details_follow_the_users_and_their_registration_audits() {
    let world = world();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let now = world.now;
    let users = Collection::Users.objects(&plan.tenant, datetime(now));
    let activity = plan
        .activity("Authentication Methods", "User registered security info")
        .unwrap();
    let mut audited: BTreeMap<String, String> = BTreeMap::new();
    for r in served(logs, now, |a: &Audit| a.activity == activity) {
        let mut out = Vec::new();
        entrasim::model::audit::write(&mut out, plan, &r, ApiVersion::V1);
        let audit: Value = serde_json::from_slice(&out).unwrap();
        audited
            .entry(s(&audit["targetResources"][0]["id"]).into())
            .or_insert_with(|| s(&audit["activityDateTime"]).into());
    }
    assert!(
        !audited.is_empty(),
        "new users register security info in the window"
    );
    let audits = walk::audits(logs, now, activity);
    let all = registration::registrations(plan, &audits, now);
    let details: Vec<Value> = all
        .iter()
        .map(|r| registration::to_json(plan, r, false))
        .collect();
    assert_eq!(
        details.len(),
        users.len(),
        "one row per user the directory lists"
    );
    let by_id: BTreeMap<&str, &Value> = details.iter().map(|d| (s(&d["id"]), d)).collect();
    for user in &users {
        let d = by_id[s(&user["id"])];
        if user["userType"] == "Guest" {
            assert_eq!(
                d["methodsRegistered"],
                serde_json::json!([]),
                "guests register at home"
            );
        }
        if let Some(at) = audited.get(s(&user["id"])) {
            assert_eq!(d["isMfaRegistered"], true, "{d}");
            assert_eq!(s(&d["lastUpdatedDateTime"]), at.as_str());
        }
    }
    let everyone: Vec<&registration::Registration> = all.iter().collect();
    let summary = registration::by_method(plan, &everyone, "all", "all");
    assert_eq!(summary["totalUserCount"], users.len());
    for row in summary["userRegistrationMethodCounts"].as_array().unwrap() {
        let method = s(&row["authenticationMethod"]);
        let expected = if method == "password" {
            users.iter().filter(|u| u["userType"] != "Guest").count()
        } else {
            details
                .iter()
                .filter(|d| {
                    d["methodsRegistered"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m == method)
                })
                .count()
        };
        assert_eq!(row["userCount"], expected, "{method}");
    }
    let features = registration::by_feature(plan, &everyone, "all", "all");
    let mfa = details.iter().filter(|d| d["isMfaCapable"] == true).count();
    assert_eq!(
        features["userRegistrationFeatureCounts"][4]["userCount"],
        mfa
    );
}

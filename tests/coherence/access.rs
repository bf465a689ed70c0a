//! Conditional Access results follow each sign-in's facts.

use super::*;
use entrasim::store::records::datetime;

#[test]
fn conditional_access_results_follow_the_sign_in_facts() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let tenant = &plan.tenant;
    let countries: BTreeSet<&str> = tenant
        .users
        .iter()
        .filter(|u| u.kind == entrasim::tenant::UserKind::Member)
        .map(|u| plan.catalog.locations[u.home as usize].country.as_str())
        .collect();
    let sign_ins: Vec<SignIn> = served(logs, world.now, |r: &SignIn| r.kind.is_user());
    let mut checked = [0usize; 4];
    for r in &sign_ins {
        let mut out = Vec::new();
        si::write(&mut out, plan, r, ApiVersion::Beta);
        let json: Value = serde_json::from_slice(&out).unwrap();
        let code = json["status"]["errorCode"].as_i64().unwrap();
        let status = json["conditionalAccessStatus"].as_str().unwrap();
        let policies = json["appliedConditionalAccessPolicies"].as_array().unwrap();
        let result = |name: &str| {
            policies
                .iter()
                .find(|p| p["displayName"] == name)
                .map(|p| p["result"].as_str().unwrap().to_string())
        };
        if code == 0 {
            assert_ne!(status, "failure", "{json}");
            assert!(
                tenant.user(r.subject).enabled_at(datetime(r.at)),
                "success of a disabled account {json}"
            );
            checked[0] += 1;
        }
        if code == 50126 || code == 50057 {
            assert_eq!(status, "notApplied", "{json}");
            checked[1] += 1;
        }
        if code == 50074 || code == 50076 {
            assert_ne!(status, "success", "{json}");
            assert_eq!(
                json["authenticationRequirement"],
                "multiFactorAuthentication"
            );
        }
        if result("Require compliant device for Azure management").as_deref() == Some("success") {
            assert_eq!(json["deviceDetail"]["isCompliant"], true, "{json}");
            checked[2] += 1;
        }
        let country = json["location"]["countryOrRegion"]
            .as_str()
            .unwrap_or_default();
        match result("Block sign-ins from outside allowed countries").as_deref() {
            Some("reportOnlyFailure") => {
                assert!(!countries.contains(country), "{country} is allowed");
                checked[3] += 1;
            }
            Some("reportOnlyNotApplied") if code == 0 => {
                assert!(countries.contains(country), "{country} is not allowed")
            }
            _ => {}
        }
        if json["authenticationRequirement"] == "multiFactorAuthentication" && code == 0 {
            assert!(policies.iter().any(|p| p["result"] == "success"), "{json}");
        }
    }
    assert!(checked.iter().all(|&n| n > 0), "{checked:?}");
}

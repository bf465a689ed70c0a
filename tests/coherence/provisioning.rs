//! Provisioning actions follow the directory's lifecycle.

use super::*;
use entrasim::store::records::{PROVISIONING_ACTIONS, datetime};

#[test]
fn provisioning_creates_disables_and_deletes_follow_the_directory() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let plan = &logs.plan;
    let tenant = &plan.tenant;
    for r in served(logs, world.now, |_: &Provisioning| true) {
        let job = &tenant.provisioning_jobs[r.job as usize];
        let app = &plan.catalog.provisioning_apps[job.app as usize];
        let at = datetime(r.at);
        let mut out = Vec::new();
        entrasim::model::provisioning::write(&mut out, plan, &r, ApiVersion::Beta);
        let json: Value = serde_json::from_slice(&out).unwrap();
        if r.group {
            continue;
        }
        let user = tenant.user(r.subject);
        // A user assigned only through a group the job covers, and no longer in it.
        let left = job.users.binary_search(&r.subject).is_err()
            && !job
                .groups
                .iter()
                .any(|&g| tenant.groups[g as usize].members.contains(&r.subject));
        match PROVISIONING_ACTIONS[r.action as usize] {
            "create" => {
                assert!(user.created <= at, "create before the user existed");
                if app.direction == entrasim::catalog::Direction::Inbound {
                    assert_eq!(
                        user.created.timestamp(),
                        at.timestamp(),
                        "{}",
                        app.template_id
                    );
                }
            }
            "disable" => assert!(
                user.disabled_at.is_some_and(|d| d <= at)
                    || user.suspended.is_some_and(|s| s.0 <= at)
                    || user.deleted.is_some_and(|d| d <= at)
                    || left,
                "disable of an enabled user {json}"
            ),
            "delete" | "stagedDelete" => {
                assert!(user.deleted.is_some_and(|d| d <= at) || left, "{json}")
            }
            _ => {}
        }
        if app.template_id == "workday" {
            assert_eq!(json["targetSystem"]["displayName"], "Active Directory");
            assert!(
                json["targetSystem"]["details"]
                    .get("ServicePrincipalId")
                    .is_none()
            );
            assert_ne!(json["targetIdentity"]["id"], user.id.as_str());
        }
        let info = &json["statusInfo"];
        if json["provisioningStatusInfo"]["status"] == "failure" {
            assert_eq!(info["@odata.type"], "#microsoft.graph.statusDetails");
            assert!(info["errorCode"].is_string() && info["reason"].is_string());
        } else if json["provisioningStatusInfo"]["status"] == "success" {
            assert_eq!(info["@odata.type"], "#microsoft.graph.statusBase");
        }
    }
}

//! The `provisioningObjectSummary` resource as Graph serialises it.

use super::audit::Modified;
use super::ids::{Purpose, id, id2, time0};
use crate::activity::Plan;
use crate::query::capability::ApiVersion;
use crate::store::records::{PROVISIONING_ACTIONS, PROVISIONING_RESULTS, Provisioning};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// (errorCode, reason, recommendedAction, category) of failures and warnings.
const ERRORS: [(&str, &str, &str, &str); 5] = [
    (
        "AzureActiveDirectoryDuplicateUserPrincipalName",
        "The user principal name is already used by another object in the target directory.",
        "Resolve the duplicate userPrincipalName in the target directory.",
        "nonServiceFailure",
    ),
    (
        "EntryNotFound",
        "The referenced object was not found in the target system.",
        "Ensure the manager or group referenced exists in the target system.",
        "nonServiceFailure",
    ),
    (
        "InsufficientRights",
        "The provisioning service account does not have permission to update this object in the target system.",
        "Grant the provisioning account the required permissions.",
        "nonServiceFailure",
    ),
    (
        "SystemForCrossDomainIdentityManagementServiceIncompatible",
        "The target application returned an unexpected response to a SCIM request.",
        "Contact the application vendor.",
        "failure",
    ),
    (
        "HybridSynchronizationActiveDirectoryInvalidParameter",
        "A value for the attribute is not valid in Active Directory.",
        "Check the attribute mapping expression.",
        "nonServiceFailure",
    ),
];
/// Reasons a change is skipped.
const SKIPS: [&str; 3] = [
    "NotEffectivelyEntitled: The user is not assigned to the application and is out of scope.",
    "RedundantExport: The target already matches the source; nothing was exported.",
    "ScopeFilterFailed: The user did not satisfy the scoping filter.",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Step {
    name: &'static str,
    provisioning_step_type: &'static str,
    status: &'static str,
    description: String,
    details: Map<String, Value>,
}

/// The job's source and target system names.
pub fn systems<'a>(plan: &'a Plan, r: &Provisioning) -> (&'a str, &'a str) {
    let app =
        &plan.catalog.provisioning_apps[plan.tenant.provisioning_jobs[r.job as usize].app as usize];
    (&app.source_system, &app.target_system)
}

/// The provisioned object's (id, display name, identity type).
pub fn identity<'a>(plan: &'a Plan, r: &Provisioning) -> (&'a str, &'a str, &'static str) {
    if r.group {
        let group = &plan.tenant.groups[r.subject as usize];
        (&group.id, &group.display_name, "Group")
    } else {
        let user = plan.tenant.user(r.subject);
        (&user.id, &user.display_name, "User")
    }
}

/// Ids of the object in the source and the target system: the Entra object id
/// on the Entra side, a stable external id on the other.
pub fn identity_ids(plan: &Plan, r: &Provisioning) -> (String, String) {
    let job = &plan.tenant.provisioning_jobs[r.job as usize];
    let entra = identity(plan, r).0.to_string();
    let external = id2(
        plan.tenant.seed,
        Purpose::Change,
        r.subject as u64,
        r.job as u64 + if r.group { 1 << 32 } else { 0 },
    );
    let app = &plan.catalog.provisioning_apps[job.app as usize];
    let entra_source = app.source_system == ENTRA;
    let entra_target = app.target_system == ENTRA;
    let other = || {
        id2(
            plan.tenant.seed,
            Purpose::Change,
            r.subject as u64,
            (r.job as u64) | 1 << 40,
        )
    };
    match (entra_source, entra_target) {
        (true, _) => (entra, external),
        (false, true) => (external, entra),
        // HR to on-premises AD: the worker id and the AD objectGUID, neither is Entra's.
        (false, false) => (external, other()),
    }
}

/// The name provisioning records give Microsoft Entra ID as a system.
const ENTRA: &str = "Azure Active Directory";

/// Writes one provisioning record as Graph JSON.
pub fn write(out: &mut Vec<u8>, plan: &Plan, r: &Provisioning, version: ApiVersion) {
    sonic_rs::to_writer(out, &build(plan, r, version)).expect("writing to a Vec cannot fail");
}

fn build(plan: &Plan, r: &Provisioning, version: ApiVersion) -> Value {
    let seed = plan.tenant.seed;
    let job = &plan.tenant.provisioning_jobs[r.job as usize];
    let app = &plan.catalog.provisioning_apps[job.app as usize];
    let sp = plan.tenant.sp(job.service_principal);
    let (_, name, kind) = identity(plan, r);
    let (source, target) = identity_ids(plan, r);
    let status = PROVISIONING_RESULTS[r.status as usize];
    let mut value = json!({
        "id": id(seed, Purpose::Provisioning, r.key),
        "activityDateTime": time0(r.at),
        "tenantId": plan.tenant.id,
        "jobId": job.id,
        "cycleId": id2(seed, Purpose::Cycle, r.job as u64, r.cycle as u64),
        "changeId": id(seed, Purpose::Change, r.key),
        "provisioningAction": PROVISIONING_ACTIONS[r.action as usize],
        "durationInMilliseconds": r.duration_ms,
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "servicePrincipal": {"id": sp.id, "displayName": sp.display_name},
        "sourceSystem": system(plan, &app.source_system, sp),
        "targetSystem": system(plan, &app.target_system, sp),
        "sourceIdentity": {"id": source, "displayName": name, "identityType": kind, "details": {}},
        "targetIdentity": {"id": target, "displayName": name, "identityType": kind, "details": {}},
        "provisioningStatusInfo": {"status": status, "errorInformation": error_info(r)},
        "provisioningSteps": steps(r, name, &app.target_system),
        "modifiedProperties": modified(plan, r),
    });
    if version == ApiVersion::Beta {
        let extra = value.as_object_mut().expect("object");
        let action = PROVISIONING_ACTIONS[r.action as usize];
        extra.insert("action".into(), json!(capitalise(action)));
        extra.insert("statusInfo".into(), status_info(r));
    }
    value
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// A source or target system: Entra with the job's app details, an
/// on-premises directory by its own id, a SaaS app by the job's service principal.
fn system(plan: &Plan, name: &str, sp: &crate::tenant::ServicePrincipal) -> Value {
    match name {
        ENTRA => json!({"id": plan.tenant.id, "displayName": name, "details": {
            "ApplicationId": sp.app_id, "ServicePrincipalId": sp.id, "ServicePrincipalDisplayName": sp.display_name}}),
        "Active Directory" => {
            json!({"id": id2(plan.tenant.seed, Purpose::Change, 0, 1 << 41), "displayName": name,
            "details": {"DomainName": plan.tenant.default_domain()}})
        }
        _ => json!({"id": sp.id, "displayName": name, "details": {}}),
    }
}

/// Beta `statusInfo`: a bare `statusBase` on success, `statusDetails` (the
/// derived type, annotated as Graph annotates derived types) otherwise.
fn status_info(r: &Provisioning) -> Value {
    let status = PROVISIONING_RESULTS[r.status as usize];
    let Value::Object(error) = error_info(r) else {
        return json!({"@odata.type": "#microsoft.graph.statusBase", "status": status});
    };
    let mut details = serde_json::Map::new();
    details.insert(
        "@odata.type".into(),
        json!("#microsoft.graph.statusDetails"),
    );
    details.insert("status".into(), json!(status));
    details.extend(error);
    Value::Object(details)
}

fn error_info(r: &Provisioning) -> Value {
    match PROVISIONING_RESULTS[r.status as usize] {
        "failure" | "warning" => {
            let (code, reason, action, category) = ERRORS[r.reason as usize % ERRORS.len()];
            json!({"errorCode": code, "reason": reason, "additionalDetails": null, "errorCategory": category, "recommendedAction": action})
        }
        "skipped" => {
            json!({"errorCode": null, "reason": SKIPS[r.reason as usize % SKIPS.len()], "additionalDetails": null, "errorCategory": "success", "recommendedAction": null})
        }
        _ => Value::Null,
    }
}

fn steps(r: &Provisioning, name: &str, target: &str) -> Vec<Step> {
    let status = PROVISIONING_RESULTS[r.status as usize];
    let action = PROVISIONING_ACTIONS[r.action as usize];
    let export = match action {
        "create" => "EntryExportAdd",
        "delete" | "stagedDelete" => "EntryExportDelete",
        _ => "EntryExportUpdate",
    };
    let step =
        |name: &'static str, kind: &'static str, status: &'static str, description: String| Step {
            name,
            provisioning_step_type: kind,
            status,
            description,
            details: Map::new(),
        };
    let mut list = vec![
        step(
            "EntryImport",
            "import",
            "success",
            format!("Retrieved {name} from the source system"),
        ),
        step(
            "EntrySynchronizationScoping",
            "scoping",
            if status == "skipped" {
                "skipped"
            } else {
                "success"
            },
            format!("Determined whether {name} is in scope"),
        ),
    ];
    if status == "skipped" {
        return list;
    }
    list.push(step(
        "EntryImportObject",
        "matching",
        "success",
        format!("Matched {name} in {target}"),
    ));
    let final_status = if status == "failure" {
        "failure"
    } else if status == "warning" {
        "warning"
    } else {
        "success"
    };
    list.push(step(
        export,
        "export",
        final_status,
        format!("{} {name} in {target}", capitalise(action)),
    ));
    list
}

fn modified(plan: &Plan, r: &Provisioning) -> Vec<Modified> {
    if r.group {
        return vec![Modified {
            display_name: "displayName".into(),
            old_value: None,
            new_value: Some(identity(plan, r).1.to_string()),
        }];
    }
    let user = plan.tenant.user(r.subject);
    let mut props = vec![
        Modified {
            display_name: "accountEnabled".into(),
            old_value: None,
            new_value: Some((PROVISIONING_ACTIONS[r.action as usize] != "disable").to_string()),
        },
        Modified {
            display_name: "userPrincipalName".into(),
            old_value: None,
            new_value: Some(user.user_principal_name.clone()),
        },
    ];
    if let Some(title) = &user.job_title {
        props.push(Modified {
            display_name: "jobTitle".into(),
            old_value: None,
            new_value: Some(title.clone()),
        });
    }
    props
}

//! The answer key of a placed scenario: its steps with times, the ids of every
//! record it produced per log, the entities involved and the expected
//! detections, in a stable JSON schema (described in `openapi.yaml`).

use serde::Serialize;

/// One placed scenario's answer key.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Key {
    /// Stable for the same seed, scenario, time and placement order.
    pub id: String,
    pub scenario: String,
    pub title: String,
    pub description: String,
    pub tenant_id: String,
    /// First and last record times (whole seconds, UTC).
    pub start_date_time: String,
    pub end_date_time: String,
    pub entities: Entities,
    pub steps: Vec<StepKey>,
    /// Every record id the scenario produced, per log, in time order.
    pub records: Records,
    pub expected_detections: Vec<ExpectedDetection>,
    /// Risk detections this server raised from the scenario's sign-ins.
    pub raised_detections: Vec<RaisedDetection>,
    /// What a rule should see, in plain words.
    pub rule: String,
}

/// The directory objects and addresses involved.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Entities {
    pub users: Vec<UserRef>,
    pub service_principals: Vec<ServicePrincipalRef>,
    /// The attacker's addresses (empty when every step comes from home).
    pub ip_addresses: Vec<String>,
    /// The attacker's location (city, countryOrRegion), if any step uses it.
    pub location: Option<LocationRef>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    pub id: String,
    pub user_principal_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalRef {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LocationRef {
    pub city: String,
    pub country_or_region: String,
}

/// One step as placed.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StepKey {
    pub name: String,
    pub action: String,
    /// `signIns` or `directoryAudits`.
    pub log: String,
    pub start_date_time: String,
    pub end_date_time: String,
    pub record_ids: Vec<String>,
}

/// Record ids per log.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Records {
    pub sign_ins: Vec<String>,
    pub directory_audits: Vec<String>,
    pub provisioning: Vec<String>,
    pub activity_log: Vec<String>,
}

/// A detection the real service would raise for this incident.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedDetection {
    pub risk_event_type: String,
    pub description: String,
    /// Whether this server raised a detection of this type for the scenario's
    /// records (see `raisedDetections`); false: listed for graders, not emulated.
    pub emulated: bool,
}

/// A risk detection served at `/identityProtection/riskDetections`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RaisedDetection {
    pub id: String,
    pub risk_event_type: String,
    /// The sign-in it was raised for.
    pub request_id: String,
}

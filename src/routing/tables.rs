//! Log Analytics tables of the routed categories: column names and types as the
//! reference lists them (B4.1-B4.6), and each column's value from the record's
//! envelope and Graph object. One table per category, all in this one place.

use super::envelope::{Routed, seven_digits};
use serde_json::{Map, Value};

/// A column type of Log Analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Datetime,
    Long,
    Real,
    Bool,
    Dynamic,
}

impl Kind {
    /// The name Log Analytics gives the type.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Datetime => "datetime",
            Kind::Long => "long",
            Kind::Real => "real",
            Kind::Bool => "bool",
            Kind::Dynamic => "dynamic",
        }
    }
}

/// One table: its name and columns in order.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<(&'static str, Kind)>,
    /// Where each column's value comes from, in column order.
    sources: Vec<Src<'static>>,
}

use Kind::{Bool as B, Datetime as D, Dynamic as Y, Long as L, Real as R, String as S};

/// Columns present in every sign-in table before its own (names from B4).
fn with(names: &[&'static str], typed: &[(&'static str, Kind)]) -> Vec<(&'static str, Kind)> {
    let mut cols: Vec<(&'static str, Kind)> = names
        .iter()
        .map(|n| {
            (
                *n,
                typed.iter().find(|(t, _)| t == n).map_or(S, |(_, k)| *k),
            )
        })
        .collect();
    cols.sort_by_key(|(n, _)| n.trim_start_matches('_').to_ascii_lowercase());
    cols
}

/// The table of a category, if entrasim routes it.
pub fn table(category: &str) -> Option<Table> {
    let (name, names, typed): (_, &[&str], &[(&str, Kind)]) = match category {
        "SignInLogs" => (
            "SigninLogs",
            SIGNIN,
            &[
                ("AppliedEventListeners", Y),
                ("ConditionalAccessPolicies", Y),
                ("CreatedDateTime", D),
                ("DeviceDetail", Y),
                ("DurationMs", L),
                ("FlaggedForReview", B),
                ("IsInteractive", B),
                ("IsRisky", B),
                ("LocationDetails", Y),
                ("MfaDetail", Y),
                ("Status", Y),
                ("TimeGenerated", D),
                ("_BilledSize", R),
            ],
        ),
        "NonInteractiveUserSignInLogs" => (
            "AADNonInteractiveUserSignInLogs",
            NONINTERACTIVE,
            &[
                ("AppliedEventListeners", Y),
                ("CreatedDateTime", D),
                ("DurationMs", L),
                ("IsInteractive", B),
                ("IsRisky", B),
                ("IsTenantRestricted", B),
                ("IsThroughGlobalSecureAccess", B),
                ("TimeGenerated", D),
                ("_BilledSize", R),
            ],
        ),
        "ServicePrincipalSignInLogs" => (
            "AADServicePrincipalSignInLogs",
            SERVICE_PRINCIPAL,
            &[("DurationMs", L), ("TimeGenerated", D), ("_BilledSize", R)],
        ),
        "ManagedIdentitySignInLogs" => (
            "AADManagedIdentitySignInLogs",
            MANAGED_IDENTITY,
            &[
                ("CreatedDateTime", D),
                ("DurationMs", L),
                ("TimeGenerated", D),
                ("_BilledSize", R),
            ],
        ),
        "AuditLogs" => (
            "AuditLogs",
            AUDIT,
            &[
                ("ActivityDateTime", D),
                ("AdditionalDetails", Y),
                ("DurationMs", L),
                ("InitiatedBy", Y),
                ("TargetResources", Y),
                ("TimeGenerated", D),
                ("_BilledSize", R),
            ],
        ),
        "ProvisioningLogs" => (
            "AADProvisioningLogs",
            PROVISIONING,
            &[("DurationMs", L), ("TimeGenerated", D), ("_BilledSize", R)],
        ),
        _ => return None,
    };
    let columns = with(names, typed);
    let sources = columns.iter().map(|(c, _)| source(name, c)).collect();
    Some(Table {
        name,
        columns,
        sources,
    })
}

/// B4.1, plus `TenantId` (the workspace id every table has, B4.1 [INFERRED]).
const SIGNIN: &[&str] = &[
    "AADTenantId",
    "AlternateSignInName",
    "AppDisplayName",
    "AppId",
    "AppliedConditionalAccessPolicies",
    "AppliedEventListeners",
    "AuthenticationContextClassReferences",
    "AuthenticationDetails",
    "AuthenticationMethodsUsed",
    "AuthenticationProcessingDetails",
    "AuthenticationProtocol",
    "AuthenticationRequirement",
    "AuthenticationRequirementPolicies",
    "AutonomousSystemNumber",
    "_BilledSize",
    "Category",
    "ClientAppUsed",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CorrelationId",
    "CreatedDateTime",
    "CrossTenantAccessType",
    "DeviceDetail",
    "DurationMs",
    "FlaggedForReview",
    "HomeTenantId",
    "Id",
    "Identity",
    "IPAddress",
    "IPAddressFromResourceProvider",
    "_IsBillable",
    "IsInteractive",
    "IsRisky",
    "Level",
    "Location",
    "LocationDetails",
    "MfaDetail",
    "NetworkLocationDetails",
    "OperationName",
    "OperationVersion",
    "OriginalRequestId",
    "ProcessingTimeInMilliseconds",
    "Resource",
    "ResourceDisplayName",
    "ResourceGroup",
    "ResourceId",
    "ResourceIdentity",
    "ResourceProvider",
    "ResourceServicePrincipalId",
    "ResourceTenantId",
    "ResultDescription",
    "ResultSignature",
    "ResultType",
    "RiskDetail",
    "RiskEventTypes",
    "RiskEventTypes_V2",
    "RiskLevel",
    "RiskLevelAggregated",
    "RiskLevelDuringSignIn",
    "RiskState",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "SessionLifetimePolicies",
    "SignInIdentifier",
    "SignInIdentifierType",
    "SourceSystem",
    "Status",
    "TenantId",
    "TimeGenerated",
    "TokenIssuerName",
    "TokenIssuerType",
    "Type",
    "UniqueTokenIdentifier",
    "UserAgent",
    "UserDisplayName",
    "UserId",
    "UserPrincipalName",
    "UserType",
];

/// B4.2.
const NONINTERACTIVE: &[&str] = &[
    "AADTenantId",
    "Agent",
    "AlternateSignInName",
    "AppDisplayName",
    "AppId",
    "AppliedEventListeners",
    "AppOwnerTenantId",
    "AuthenticationContextClassReferences",
    "AuthenticationDetails",
    "AuthenticationMethodsUsed",
    "AuthenticationProcessingDetails",
    "AuthenticationProtocol",
    "AuthenticationRequirement",
    "AuthenticationRequirementPolicies",
    "AuthenticatorAppLocation",
    "AutonomousSystemNumber",
    "_BilledSize",
    "Category",
    "ClientAppUsed",
    "ClientCredentialType",
    "ClientSessionId",
    "ConditionalAccessAudiences",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CorrelationId",
    "CreatedDateTime",
    "CrossTenantAccessType",
    "DeviceDetail",
    "DurationMs",
    "FederatedCredentialId",
    "GlobalSecureAccessIpAddress",
    "HomeTenantId",
    "HomeTenantName",
    "Id",
    "Identity",
    "IncomingTokenType",
    "IPAddress",
    "_IsBillable",
    "IsInteractive",
    "IsRisky",
    "IsTenantRestricted",
    "IsThroughGlobalSecureAccess",
    "Level",
    "Location",
    "LocationDetails",
    "MfaDetail",
    "NetworkLocationDetails",
    "OperationName",
    "OperationVersion",
    "OriginalRequestId",
    "OriginalTransferMethod",
    "ProcessingTimeInMs",
    "ResourceDisplayName",
    "ResourceGroup",
    "ResourceIdentity",
    "ResourceOwnerTenantId",
    "ResourceServicePrincipalId",
    "ResourceTenantId",
    "ResultDescription",
    "ResultSignature",
    "ResultType",
    "RiskDetail",
    "RiskEventTypes",
    "RiskEventTypes_V2",
    "RiskLevelAggregated",
    "RiskLevelDuringSignIn",
    "RiskState",
    "ServicePrincipalId",
    "SessionId",
    "SessionLifetimePolicies",
    "SignInEventTypes",
    "SignInIdentifierType",
    "SourceSystem",
    "Status",
    "TenantId",
    "TimeGenerated",
    "TokenIssuerName",
    "TokenIssuerType",
    "TokenProtectionStatusDetails",
    "Type",
    "UniqueTokenIdentifier",
    "UserAgent",
    "UserDisplayName",
    "UserId",
    "UserPrincipalName",
    "UserType",
];

/// B4.3.
const SERVICE_PRINCIPAL: &[&str] = &[
    "AppId",
    "AuthenticationContextClassReferences",
    "AuthenticationProcessingDetails",
    "_BilledSize",
    "Category",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CorrelationId",
    "DurationMs",
    "FederatedCredentialId",
    "Id",
    "Identity",
    "IPAddress",
    "_IsBillable",
    "Level",
    "Location",
    "LocationDetails",
    "OperationName",
    "OperationVersion",
    "ResourceDisplayName",
    "ResourceGroup",
    "ResourceIdentity",
    "ResourceServicePrincipalId",
    "ResultDescription",
    "ResultSignature",
    "ResultType",
    "ServicePrincipalCredentialKeyId",
    "ServicePrincipalCredentialThumbprint",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "SourceSystem",
    "TenantId",
    "TimeGenerated",
    "Type",
    "UniqueTokenIdentifier",
];

/// B4.4.
const MANAGED_IDENTITY: &[&str] = &[
    "AADTenantId",
    "Agent",
    "AppId",
    "AppOwnerTenantId",
    "AuthenticationContextClassReferences",
    "AuthenticationProcessingDetails",
    "_BilledSize",
    "Category",
    "ClientCredentialType",
    "ConditionalAccessAudiences",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CorrelationId",
    "CreatedDateTime",
    "DurationMs",
    "FederatedCredentialId",
    "Id",
    "Identity",
    "IPAddress",
    "_IsBillable",
    "Level",
    "Location",
    "LocationDetails",
    "ManagedServiceIdentity",
    "NetworkLocationDetails",
    "OperationName",
    "OperationVersion",
    "ResourceDisplayName",
    "ResourceGroup",
    "ResourceIdentity",
    "ResourceOwnerTenantId",
    "ResourceServicePrincipalId",
    "ResultDescription",
    "ResultSignature",
    "ResultType",
    "ServicePrincipalCredentialKeyId",
    "ServicePrincipalCredentialThumbprint",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "SessionId",
    "SourceAppClientId",
    "SourceSystem",
    "TenantId",
    "TimeGenerated",
    "Type",
    "UniqueTokenIdentifier",
    "UserAgent",
];

/// B4.5, plus `TenantId` (as for SigninLogs).
const AUDIT: &[&str] = &[
    "AADOperationType",
    "AADTenantId",
    "ActivityDateTime",
    "ActivityDisplayName",
    "AdditionalDetails",
    "_BilledSize",
    "Category",
    "CorrelationId",
    "DurationMs",
    "Id",
    "Identity",
    "InitiatedBy",
    "_IsBillable",
    "Level",
    "Location",
    "LoggedByService",
    "OperationName",
    "OperationVersion",
    "Resource",
    "ResourceGroup",
    "ResourceId",
    "ResourceProvider",
    "Result",
    "ResultDescription",
    "ResultReason",
    "ResultSignature",
    "ResultType",
    "SourceSystem",
    "TargetResources",
    "TenantId",
    "TimeGenerated",
    "Type",
];

/// B4.6.
const PROVISIONING: &[&str] = &[
    "AADTenantId",
    "_BilledSize",
    "Category",
    "ChangeId",
    "CorrelationId",
    "CycleId",
    "DurationMs",
    "Id",
    "InitiatedBy",
    "_IsBillable",
    "JobId",
    "ModifiedProperties",
    "OperationName",
    "OperationVersion",
    "ProvisioningAction",
    "ProvisioningStatusInfo",
    "ProvisioningSteps",
    "ResultDescription",
    "ResultSignature",
    "ResultType",
    "ServicePrincipal",
    "SourceIdentity",
    "SourceSystem",
    "TargetIdentity",
    "TargetSystem",
    "TenantId",
    "TimeGenerated",
    "Type",
];

/// Where a column's value comes from (`Props`: the Graph object's camelCase key).
#[derive(Debug, Clone)]
enum Src<'a> {
    Env(&'a str),
    Graph(&'a str),
    Props(String),
    Const(&'a str),
    Workspace,
    TableName,
    Billed,
    AuditResult,
    ProvisioningReason,
}

fn source<'a>(table: &str, column: &'a str) -> Src<'a> {
    let provisioning = table == "AADProvisioningLogs";
    let audit = table == "AuditLogs";
    match column {
        "AADTenantId" => Src::Env("tenantId"),
        "Category" if audit => Src::Graph("category"),
        "Category" => Src::Env("category"),
        "CorrelationId" | "Identity" | "Location" | "OperationName" | "OperationVersion"
        | "ResultSignature" | "ResourceId" => Src::Env(env_key(column)),
        "ResultType" if audit => Src::AuditResult,
        "ResultType" | "ResultDescription" if !audit && !provisioning => Src::Env(env_key(column)),
        "ResultType" => Src::Env("resultType"),
        "ResultDescription" if audit => Src::Graph("resultReason"),
        "ResultDescription" => Src::ProvisioningReason,
        "DurationMs" if provisioning => Src::Graph("durationInMilliseconds"),
        "DurationMs" => Src::Env("durationMs"),
        "Level" if audit || provisioning => Src::Env("level"),
        "Level" => Src::Env("Level"),
        "SourceSystem" if provisioning => Src::Graph("sourceSystem"),
        "SourceSystem" => Src::Const("Azure"),
        "Resource" | "ResourceGroup" | "ResourceProvider" => Src::Const("Microsoft.aadiam"),
        "TenantId" => Src::Workspace,
        "Type" => Src::TableName,
        "_BilledSize" => Src::Billed,
        "_IsBillable" => Src::Const("True"),
        "TimeGenerated" => Src::Env("time"),
        "AADOperationType" => Src::Graph("operationType"),
        "IPAddress" => Src::Graph("ipAddress"),
        "ConditionalAccessPolicies" | "AppliedConditionalAccessPolicies" => {
            Src::Graph("appliedConditionalAccessPolicies")
        }
        "LocationDetails" => Src::Graph("location"),
        "ResourceIdentity" => Src::Graph("resourceId"),
        "ProcessingTimeInMs" => Src::Graph("processingTimeInMilliseconds"),
        "RiskEventTypes_V2" | "RiskEventTypes" => Src::Graph("riskEventTypes_v2"),
        "IPAddressFromResourceProvider" => Src::Graph("ipAddressFromResourceProvider"),
        _ => Src::Props(lower_first(column)),
    }
}

fn env_key(column: &str) -> &'static str {
    match column {
        "CorrelationId" => "correlationId",
        "Identity" => "identity",
        "Location" => "location",
        "OperationName" => "operationName",
        "OperationVersion" => "operationVersion",
        "ResultSignature" => "resultSignature",
        "ResourceId" => "resourceId",
        "ResultType" => "resultType",
        _ => "resultDescription",
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

impl Table {
    /// The row of one record: column -> value, typed as the column is.
    pub fn row(&self, record: &Routed, workspace: &str) -> Map<String, Value> {
        // [INFERRED] the record's size: its Graph JSON and the envelope's ~400 bytes.
        let billed = record.size + 400;
        let mut row = Map::new();
        for ((column, kind), src) in self.columns.iter().zip(&self.sources) {
            let raw = match src {
                Src::Env(k) => record.envelope.get(*k).cloned().unwrap_or(Value::Null),
                Src::Graph(k) => record.graph.get(*k).cloned().unwrap_or(Value::Null),
                Src::Props(k) => record.graph.get(k).cloned().unwrap_or(Value::Null),
                Src::Const(c) => Value::String((*c).into()),
                Src::Workspace => Value::String(workspace.into()),
                Src::TableName => Value::String(self.name.into()),
                Src::Billed => Value::from(billed as f64),
                Src::AuditResult => Value::String(
                    if record.graph["result"] == "success" {
                        "Success"
                    } else {
                        "Failure"
                    }
                    .into(),
                ),
                Src::ProvisioningReason => {
                    record.graph["provisioningStatusInfo"]["errorInformation"]
                        .get("reason")
                        .cloned()
                        .unwrap_or(Value::Null)
                }
            };
            row.insert((*column).to_string(), typed(raw, *kind));
        }
        row
    }
}

/// A value as a column of this type holds it (complex values in string columns become JSON text).
fn typed(value: Value, kind: Kind) -> Value {
    match (kind, value) {
        (_, Value::Null) => Value::Null,
        (Kind::Dynamic, v) => v,
        (Kind::Datetime, Value::String(s)) => {
            Value::String(seven_digits(s.trim_end_matches("+00:00")))
        }
        (Kind::Bool, Value::Bool(b)) => Value::Bool(b),
        (Kind::Long, Value::String(s)) => s.parse::<i64>().map_or(Value::Null, Value::from),
        (Kind::Long | Kind::Real, Value::Number(n)) => Value::Number(n),
        (_, Value::String(s)) => Value::String(s),
        (_, v @ (Value::Number(_) | Value::Bool(_))) => Value::String(v.to_string()),
        (_, v) => Value::String(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signin_logs_keeps_dynamic_columns_that_non_interactive_stores_as_strings() {
        let kind = |t: &Table, c: &str| t.columns.iter().find(|(n, _)| *n == c).unwrap().1;
        let interactive = table("SignInLogs").unwrap();
        let other = table("NonInteractiveUserSignInLogs").unwrap();
        assert_eq!(kind(&interactive, "Status"), Kind::Dynamic);
        assert_eq!(kind(&other, "Status"), Kind::String);
        assert_eq!(kind(&other, "IsTenantRestricted"), Kind::Bool);
    }

    #[test]
    fn complex_values_in_string_columns_become_json_text() {
        assert_eq!(
            typed(serde_json::json!({"a": 1}), Kind::String),
            "{\"a\":1}"
        );
        assert_eq!(typed(serde_json::json!(4), Kind::String), "4");
        assert_eq!(typed(serde_json::json!("12"), Kind::Long), 12);
    }
}

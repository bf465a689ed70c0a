//! `/auditLogs/signIns` (graph-api.md §3.2; beta-only properties per §2.2).

use super::Capability;
use super::ValueKind::{
    Bool as B, DateTime as Dt, Enum as En, Guid as G, Int as I, String as S, StringCollection as Sc,
};
use super::rows::*;

/// signIns rows shared by v1.0 and beta, plus any version-specific extras.
macro_rules! sign_in_table {
    ($($extra:expr),* $(,)?) => {
        &[
            cap("id", EQ, S),
            cap("appId", EQ, G),
            cap("correlationId", EQ, G),
            cap("resourceDisplayName", EQ, S),
            cap("resourceId", EQ, G),
            cap("userId", EQ, G),
            cap("clientAppUsed", EQ, S),
            cap("conditionalAccessStatus", EQ, En),
            cap("riskDetail", EQ, En),
            cap("riskLevelAggregated", EQ, En),
            cap("riskLevelDuringSignIn", EQ, En),
            cap("riskState", EQ, En),
            cap("appDisplayName", EQ_SW, S),
            cap("ipAddress", EQ_SW, S),
            cap("riskEventTypes_v2", ANY_EQ_SW, Sc),
            cap("servicePrincipalId", EQ_SW, G),
            cap("servicePrincipalName", EQ_SW, S),
            cap("userAgent", EQ_SW, S),
            cap("userDisplayName", EQ_SW, S),
            cap("userPrincipalName", EQ_SW, S),
            // gt/lt too: Get-AzureADAuditSignInLogs docs send `createdDateTime gt 2019-03-20`
            // (learn.microsoft.com/powershell/module/azuread/get-azureadauditsigninlogs).
            cap("createdDateTime", EQ_GT_LT, Dt),
            cap("deviceDetail/browser", EQ_SW, S),
            cap("deviceDetail/operatingSystem", EQ_SW, S),
            cap("location/city", EQ_SW, S),
            cap("location/state", EQ_SW, S),
            cap("location/countryOrRegion", EQ_SW, S),
            // `ne` too: Microsoft's Get-AzureADAuditSignInLogs docs send `status/errorCode ne 0`
            // (learn.microsoft.com/powershell/module/azuread/get-azureadauditsigninlogs);
            // I-7340 refuses only range operators, which stay refused.
            cap("status/errorCode", EQ_NE, I),
            // Schema properties of both versions (graph-api.md §2.1); Graph filters them
            // with eq (issue 13: Microsoft's tools and SIEM pollers send these).
            cap("resourceTenantId", EQ, G),
            cap("homeTenantId", EQ, G),
            cap("deviceDetail/isCompliant", EQ, B),
            cap("isInteractive", EQ, B),
            cap("appliedConditionalAccessPolicies/id", ANY_EQ, S),
            cap("appliedConditionalAccessPolicies/displayName", ANY_EQ, S),
            cap("appliedConditionalAccessPolicies/result", ANY_EQ, En),
            $($extra,)*
        ]
    };
}

pub(super) static SIGN_INS_V1: &[Capability] = sign_in_table!();

/// Beta adds the properties the v1.0 schema lacks (graph-api.md §2.1 vs §2.2),
/// and `signInEventTypes`, filterable only as `any(t: t eq|ne '…')`.
pub(super) static SIGN_INS_BETA: &[Capability] = sign_in_table!(
    cap("originalRequestId", EQ, G),
    cap("conditionalAccessAudiences", ANY_EQ, Sc),
    cap("tokenIssuerName", EQ, S),
    cap("authenticationRequirement", EQ_SW, S),
    cap("signInEventTypes", ANY_EQ_NE, Sc),
    // Beta-only schema properties (graph-api.md §2.2), filtered with eq by the
    // entra-docs sign-in log how-tos and SIEM pollers (issue 13).
    cap("userType", EQ, En),
    cap("tokenIssuerType", EQ, En),
    cap("crossTenantAccessType", EQ, En),
);

#[cfg(test)]
mod tests {
    use super::super::tests::{accepts, bad_op, mismatch, now, refuses, unknown};
    use super::super::{ApiVersion, ApiVersion::*, CapabilityError, Resource, Resource::*};
    use chrono::Duration;

    #[test]
    fn documented_sign_in_filters_pass() {
        let cases: &[(&str, Resource, &[ApiVersion], &str)] = &[
            (
                "signIns accept startsWith on appDisplayName",
                SignIns,
                &[V1, Beta],
                "startsWith(appDisplayName,'Graph')",
            ),
            (
                "signIns accept createdDateTime ranges",
                SignIns,
                &[V1, Beta],
                "createdDateTime ge 2024-05-01T00:00:00Z and createdDateTime le 2024-05-31T23:59:59.9999999Z",
            ),
            (
                "signIns accept date-only literals",
                SignIns,
                &[V1, Beta],
                "(createdDateTime ge 2024-05-01 and createdDateTime le 2024-05-02) and appDisplayName eq 'Windows Sign In'",
            ),
            (
                "signIns accept eq on status/errorCode",
                SignIns,
                &[V1, Beta],
                "status/errorCode eq 0",
            ),
            (
                "signIns accept literals on the left",
                SignIns,
                &[V1, Beta],
                "0 eq status/errorCode",
            ),
            (
                "signIns accept location startsWith",
                SignIns,
                &[V1, Beta],
                "startswith(location/city, 'Red') or location/countryOrRegion eq 'US'",
            ),
            (
                "signIns accept device details",
                SignIns,
                &[V1, Beta],
                "deviceDetail/browser eq 'Edge' and startswith(deviceDetail/operatingSystem, 'Win')",
            ),
            (
                "signIns accept bare GUIDs on userId",
                SignIns,
                &[V1, Beta],
                "userId eq b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1",
            ),
            (
                "signIns accept quoted GUIDs on appId",
                SignIns,
                &[V1, Beta],
                "appId eq 'b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1'",
            ),
            (
                "signIns accept eq-only properties",
                SignIns,
                &[V1, Beta],
                "id eq 'x' and correlationId eq 'y' and clientAppUsed eq 'Browser' and conditionalAccessStatus eq 'success' and riskState eq 'atRisk'",
            ),
            (
                "beta signIns accept the beta-only properties",
                SignIns,
                &[Beta],
                "originalRequestId eq 'x' and tokenIssuerName eq 'AzureAD' and startswith(authenticationRequirement, 'multi') and conditionalAccessAudiences/any(a: a eq 'y')",
            ),
            (
                "signIns accept riskEventTypes_v2 through any",
                SignIns,
                &[V1, Beta],
                "riskEventTypes_v2/any(t: t eq 'unfamiliarFeatures')",
            ),
            (
                "signIns accept not",
                SignIns,
                &[V1, Beta],
                "not (status/errorCode eq 0)",
            ),
            (
                "beta signIns accept signInEventTypes eq",
                SignIns,
                &[Beta],
                "signInEventTypes/any(t: t eq 'nonInteractiveUser')",
            ),
            (
                "beta signIns accept signInEventTypes ne",
                SignIns,
                &[Beta],
                "(signInEventTypes/any(t: t ne 'interactiveUser'))",
            ),
            (
                "beta signIns accept or inside any",
                SignIns,
                &[Beta],
                "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
            ),
            (
                "signIns accept gt, lt and ne as Microsoft's cmdlet docs send them",
                SignIns,
                &[V1, Beta],
                "createdDateTime gt 2026-05-20 and createdDateTime lt 2026-05-21T00:00:00Z and status/errorCode ne 0",
            ),
            (
                "signIns match property names case-insensitively",
                SignIns,
                &[V1, Beta],
                "UserId eq 'x' and appid eq 'y' and status/errorcode eq 0",
            ),
            (
                "signIns accept tenant, device and policy filters",
                SignIns,
                &[V1, Beta],
                "resourceTenantId eq 'x' and homeTenantId eq 'y' and isInteractive eq true and deviceDetail/isCompliant eq true and appliedConditionalAccessPolicies/any(p: p/result eq 'failure')",
            ),
            (
                "beta signIns accept userType, isInteractive and issuer filters",
                SignIns,
                &[Beta],
                "userType eq 'guest' and tokenIssuerType eq 'AzureAD' and crossTenantAccessType eq 'none'",
            ),
        ];
        accepts(cases);
    }

    #[test]
    fn undocumented_sign_in_filters_give_the_matching_error() {
        let hundred_days_ago = (now() - Duration::days(100))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let too_old = format!("createdDateTime ge {hundred_days_ago}");
        let cases: Vec<(&str, Resource, ApiVersion, &str, CapabilityError)> = vec![
            (
                "isRisky does not exist (I-6043)",
                SignIns,
                V1,
                "isRisky eq true",
                unknown("isRisky"),
            ),
            (
                "quoted date-times are rejected (I-14173)",
                SignIns,
                V1,
                "createdDateTime eq '2024-01-01T00:00:00Z'",
                CapabilityError::QuotedDateTime("2024-01-01T00:00:00Z".into()),
            ),
            (
                "quoted dates are rejected",
                SignIns,
                Beta,
                "createdDateTime ge '2024-05-01'",
                CapabilityError::QuotedDateTime("2024-05-01".into()),
            ),
            (
                "status/errorCode is eq-only (I-7340)",
                SignIns,
                V1,
                "status/errorCode ge 1",
                bad_op("status/errorCode", "ge"),
            ),
            (
                "mirrored comparisons check the mirrored operator",
                SignIns,
                V1,
                "1 le status/errorCode",
                bad_op("status/errorCode", "ge"),
            ),
            (
                "dates beyond 90 days are rejected (I-6620)",
                SignIns,
                V1,
                &too_old,
                CapabilityError::DateTooOld(hundred_days_ago.clone()),
            ),
            (
                "old date-only literals are rejected",
                SignIns,
                V1,
                "createdDateTime ge 2024-01-01",
                CapabilityError::DateTooOld("2024-01-01".into()),
            ),
            (
                "signInEventTypes is beta-only",
                SignIns,
                V1,
                "signInEventTypes/any(t: t eq 'interactiveUser')",
                unknown("signInEventTypes"),
            ),
            (
                "signInEventTypes needs any()",
                SignIns,
                Beta,
                "signInEventTypes eq 'interactiveUser'",
                CapabilityError::Unsupported(
                    "'signInEventTypes' is a collection: filter it with any()".into(),
                ),
            ),
            (
                "signInEventTypes rejects all()",
                SignIns,
                Beta,
                "signInEventTypes/all(t: t eq 'x')",
                bad_op("signInEventTypes", "all"),
            ),
            (
                "signInEventTypes rejects gt",
                SignIns,
                Beta,
                "signInEventTypes/any(t: t gt 'x')",
                bad_op("signInEventTypes", "gt"),
            ),
            (
                "strings do not fit integer properties",
                SignIns,
                V1,
                "status/errorCode eq '0'",
                mismatch("status/errorCode", "'0'"),
            ),
            (
                "integers do not fit string properties",
                SignIns,
                V1,
                "appDisplayName eq 1",
                mismatch("appDisplayName", "1"),
            ),
            (
                "signIns have no contains",
                SignIns,
                V1,
                "contains(appDisplayName, 'x')",
                bad_op("appDisplayName", "contains"),
            ),
            (
                "signIns have no endswith",
                SignIns,
                V1,
                "endswith(userPrincipalName, 'x')",
                bad_op("userPrincipalName", "endswith"),
            ),
            (
                "tolower is provisioning-only",
                SignIns,
                V1,
                "contains(tolower(userDisplayName), 'x')",
                CapabilityError::Unsupported(
                    "tolower() and toupper() are not supported on this resource".into(),
                ),
            ),
            (
                "two properties cannot be compared",
                SignIns,
                V1,
                "userId eq appId",
                CapabilityError::Unsupported("comparing two properties is not supported".into()),
            ),
            (
                "in is not documented for the logs",
                SignIns,
                V1,
                "status/errorCode in (0, 50126)",
                bad_op("status/errorCode", "in"),
            ),
            (
                "in is refused on beta too",
                SignIns,
                Beta,
                "userId in ('a', 'b')",
                bad_op("userId", "in"),
            ),
            (
                "originalRequestId is beta-only",
                SignIns,
                V1,
                "originalRequestId eq 'x'",
                unknown("originalRequestId"),
            ),
            (
                "tokenIssuerName is beta-only",
                SignIns,
                V1,
                "tokenIssuerName eq 'AzureAD'",
                unknown("tokenIssuerName"),
            ),
            (
                "authenticationRequirement is beta-only",
                SignIns,
                V1,
                "startswith(authenticationRequirement, 'multi')",
                unknown("authenticationRequirement"),
            ),
            (
                "conditionalAccessAudiences is beta-only",
                SignIns,
                V1,
                "conditionalAccessAudiences/any(a: a eq 'x')",
                unknown("conditionalAccessAudiences"),
            ),
            (
                "errors inside and/or/not are found",
                SignIns,
                V1,
                "userId eq 'x' and not (isRisky eq true)",
                unknown("isRisky"),
            ),
        ];
        refuses(cases);
    }
}

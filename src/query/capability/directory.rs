//! The directory collections, from Graph's v1.0 resource pages ("Supports
//! `$filter` (…)"): users, groups, applications, service principals and the
//! role-management collections.

use super::Capability;
use super::ValueKind::{Bool as B, DateTime as Dt, Guid as G, String as S, StringCollection as Sc};
use super::rows::*;

/// From the v1.0 user resource page.
pub(super) static USERS: &[Capability] = &[
    cap("id", EQ_NE_IN, G),
    cap("displayName", EQ_NE_RANGE_IN_SW, S),
    cap("userPrincipalName", EQ_NE_RANGE_IN_SW_EW, S),
    cap("mail", EQ_NE_RANGE_IN_SW_EW, S),
    cap("accountEnabled", EQ_NE_IN, B),
    cap("userType", EQ_NE_IN, S),
    cap("department", EQ_NE_RANGE_IN, S),
    cap("jobTitle", EQ_NE_RANGE_IN_SW, S),
    cap("givenName", EQ_NE_RANGE_IN_SW, S),
    cap("surname", EQ_NE_RANGE_IN_SW, S),
    cap("createdDateTime", EQ_NE_RANGE_IN, Dt),
    cap("usageLocation", EQ_NE_RANGE_IN_SW, S),
    // "signInActivity: Supports `$filter` (`eq`, `ne`, `not`, `ge`, `le`)" (user page).
    cap("signInActivity/lastSignInDateTime", EQ_NE_GE_LE, Dt),
    cap(
        "signInActivity/lastNonInteractiveSignInDateTime",
        EQ_NE_GE_LE,
        Dt,
    ),
    cap(
        "signInActivity/lastSuccessfulSignInDateTime",
        EQ_NE_GE_LE,
        Dt,
    ),
];

/// From the v1.0 group resource page.
pub(super) static GROUPS: &[Capability] = &[
    cap("id", EQ_NE_IN, G),
    cap("displayName", EQ_NE_RANGE_IN_SW, S),
    cap("mailNickname", EQ_NE_RANGE_IN_SW, S),
    cap("securityEnabled", EQ_NE_IN, B),
    cap("mailEnabled", EQ_NE, B),
    cap("groupTypes", ANY_EQ, Sc),
    cap("isAssignableToRole", EQ_NE, B),
];

/// From the v1.0 application resource page.
pub(super) static APPLICATIONS: &[Capability] = &[
    cap("id", EQ_NE_IN, G),
    cap("appId", EQ_NE_IN_SW, G),
    cap("displayName", EQ_NE_RANGE_IN_SW, S),
    cap("publisherDomain", EQ_NE_RANGE_SW, S),
    cap("signInAudience", EQ_NE, S),
    cap("createdDateTime", EQ_NE_RANGE_IN, Dt),
    cap("tags", ANY_EQ_GE_LE_SW, Sc),
];

/// From the v1.0 servicePrincipal resource page.
pub(super) static SERVICE_PRINCIPALS: &[Capability] = &[
    cap("id", EQ_NE_IN, G),
    cap("appId", EQ_NE_IN_SW, G),
    cap("displayName", EQ_NE_RANGE_IN_SW, S),
    cap("servicePrincipalType", EQ_NE_IN, S),
    cap("publisherName", EQ_NE_RANGE_SW, S),
    cap("accountEnabled", EQ_NE_IN, B),
    cap("appOwnerOrganizationId", EQ_NE_GE_LE, G),
    cap("tags", ANY_EQ_GE_LE_SW, Sc),
    // servicePrincipal page: "Supports `$filter` (`eq`, `not`, `ge`, `le`, `startsWith`)";
    // az ad sp show sends `servicePrincipalNames/any(c:c eq '…')`.
    cap("servicePrincipalNames", ANY_EQ_GE_LE_SW, Sc),
];

/// From the v1.0 unifiedRoleDefinition resource page.
pub(super) static ROLE_DEFINITIONS: &[Capability] = &[
    cap("id", EQ_IN, S),
    cap("displayName", EQ_IN, S),
    cap("isBuiltIn", EQ_IN, B),
    cap("templateId", EQ_IN, S),
];

/// From the v1.0 unifiedRoleAssignment resource page.
pub(super) static ROLE_ASSIGNMENTS: &[Capability] = &[
    cap("id", EQ_IN, S),
    cap("principalId", EQ_IN, G),
    cap("roleDefinitionId", EQ_IN, S),
    cap("directoryScopeId", EQ_IN, S),
    cap("appScopeId", EQ_IN, S),
];

/// unifiedRoleScheduleBase properties ("Supports `$filter` (`eq`, `ne`)").
macro_rules! schedule_table {
    ($($extra:expr),* $(,)?) => {
        &[
            cap("id", EQ_NE, S),
            cap("principalId", EQ_NE, G),
            cap("roleDefinitionId", EQ_NE, S),
            cap("directoryScopeId", EQ_NE, S),
            cap("status", EQ_NE, S),
            cap("memberType", EQ_NE, S),
            $($extra,)*
        ]
    };
}

pub(super) static ROLE_ELIGIBILITY_SCHEDULES: &[Capability] = schedule_table!();

pub(super) static ROLE_ASSIGNMENT_SCHEDULES: &[Capability] =
    schedule_table!(cap("assignmentType", EQ_NE, S));

/// unifiedRoleScheduleInstanceBase properties ("Supports `$filter` (`eq`, `ne`)"; inferred
/// to match the schedules, whose pages say the same).
pub(super) static ROLE_ELIGIBILITY_INSTANCES: &[Capability] = &[
    cap("id", EQ_NE, S),
    cap("principalId", EQ_NE, G),
    cap("roleDefinitionId", EQ_NE, S),
    cap("directoryScopeId", EQ_NE, S),
    cap("memberType", EQ_NE, S),
];

pub(super) static ROLE_ASSIGNMENT_INSTANCES: &[Capability] = &[
    cap("id", EQ_NE, S),
    cap("principalId", EQ_NE, G),
    cap("roleDefinitionId", EQ_NE, S),
    cap("directoryScopeId", EQ_NE, S),
    cap("memberType", EQ_NE, S),
    cap("assignmentType", EQ_NE, S),
];

pub(super) static ROLE_ASSIGNMENT_REQUESTS: &[Capability] =
    schedule_table!(cap("action", EQ_NE, S));

#[cfg(test)]
mod tests {
    use super::super::tests::{accepts, bad_op, mismatch, refuses, unknown};
    use super::super::{ApiVersion, ApiVersion::*, CapabilityError, Resource, Resource::*};

    #[test]
    fn documented_directory_filters_pass() {
        let cases: &[(&str, Resource, &[ApiVersion], &str)] = &[
            (
                "users accept startsWith and in",
                Users,
                &[V1, Beta],
                "startswith(displayName, 'A') and id in ('a', 'b')",
            ),
            (
                "users accept endswith on mail",
                Users,
                &[V1, Beta],
                "endswith(mail, '@contoso.com')",
            ),
            (
                "users accept booleans, bare or compared",
                Users,
                &[V1, Beta],
                "accountEnabled and accountEnabled eq true and userType eq 'Guest'",
            ),
            (
                "users accept old dates",
                Users,
                &[V1, Beta],
                "createdDateTime ge 2020-01-01T00:00:00Z",
            ),
            (
                "users accept null",
                Users,
                &[V1, Beta],
                "department eq null and jobTitle ne 'x' and usageLocation in ('US', 'GB')",
            ),
            (
                "groups accept groupTypes any",
                Groups,
                &[V1, Beta],
                "groupTypes/any(c: c eq 'Unified')",
            ),
            (
                "groups accept booleans",
                Groups,
                &[V1, Beta],
                "securityEnabled eq true and mailEnabled eq false and isAssignableToRole eq true",
            ),
            (
                "groups accept mailNickname",
                Groups,
                &[V1, Beta],
                "startswith(mailNickname, 'fin')",
            ),
            (
                "applications accept appId",
                Applications,
                &[V1, Beta],
                "appId eq 'b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1' or startswith(displayName, 'x')",
            ),
            (
                "applications accept tags any",
                Applications,
                &[V1, Beta],
                "tags/any(t: startswith(t, 'Windows'))",
            ),
            (
                "service principals accept type",
                ServicePrincipals,
                &[V1, Beta],
                "servicePrincipalType eq 'ManagedIdentity' and accountEnabled eq true",
            ),
            (
                "service principals accept tags any",
                ServicePrincipals,
                &[V1, Beta],
                "tags/any(t: t eq 'WindowsAzureActiveDirectoryIntegratedApp')",
            ),
            (
                "role definitions accept isBuiltIn",
                RoleDefinitions,
                &[V1, Beta],
                "isBuiltIn eq true and displayName eq 'Global Administrator'",
            ),
            (
                "role definitions accept templateId",
                RoleDefinitions,
                &[V1, Beta],
                "templateId eq '62e90394-69f5-4237-9190-012177145e10'",
            ),
            (
                "role assignments accept principal and scope",
                RoleAssignments,
                &[V1, Beta],
                "principalId eq 'x' and roleDefinitionId eq 'y' and directoryScopeId eq '/'",
            ),
            (
                "eligibility schedules accept status and memberType",
                RoleEligibilitySchedules,
                &[V1, Beta],
                "status eq 'Provisioned' and memberType ne 'Inherited'",
            ),
            (
                "assignment schedules accept assignmentType",
                RoleAssignmentSchedules,
                &[V1, Beta],
                "assignmentType eq 'Assigned' and principalId eq 'x'",
            ),
        ];
        accepts(cases);
    }

    #[test]
    fn undocumented_directory_filters_give_the_matching_error() {
        let cases: Vec<(&str, Resource, ApiVersion, &str, CapabilityError)> = vec![
            (
                "users have no gt on createdDateTime",
                Users,
                V1,
                "createdDateTime gt 2020-01-01T00:00:00Z",
                bad_op("createdDateTime", "gt"),
            ),
            (
                "quoted booleans do not fit",
                Users,
                V1,
                "accountEnabled eq 'true'",
                mismatch("accountEnabled", "'true'"),
            ),
            (
                "bare non-boolean properties are rejected",
                Users,
                V1,
                "displayName",
                CapabilityError::Unsupported("'displayName' is not a boolean property".into()),
            ),
            (
                "bare literals other than booleans are rejected",
                Users,
                V1,
                "1",
                CapabilityError::Unsupported("1 is not a boolean expression".into()),
            ),
            (
                "assignmentType is assignment-schedule-only",
                RoleEligibilitySchedules,
                V1,
                "assignmentType eq 'Assigned'",
                unknown("assignmentType"),
            ),
        ];
        refuses(cases);
    }
}

//! `/auditLogs/directoryAudits` (graph-api.md §3.2).

use super::Capability;
use super::ValueKind::{DateTime as Dt, Enum as En, Guid as G, String as S};
use super::rows::*;

pub(super) static DIRECTORY_AUDITS: &[Capability] = &[
    // gt/lt too: Microsoft's reporting docs and SIEM pollers send `activityDateTime gt …`.
    cap("activityDateTime", EQ_GT_LT, Dt),
    // category and result: documented filterable in directoryaudit-list examples (issue 13).
    cap("category", EQ, S),
    cap("result", EQ, En),
    cap("activityDisplayName", EQ_SW, S),
    cap("correlationId", EQ, G),
    cap("id", EQ, S),
    cap("loggedByService", EQ, S),
    cap("initiatedBy/user/id", EQ, G),
    cap("initiatedBy/user/displayName", EQ, S),
    cap("initiatedBy/user/userPrincipalName", EQ_SW, S),
    cap("initiatedBy/app/appId", EQ, G),
    cap("initiatedBy/app/displayName", EQ, S),
    cap("targetResources/id", ANY_EQ, S),
    cap("targetResources/displayName", ANY_EQ_SW, S),
    // `targetResources/any(t: t/type eq 'User')`, as Microsoft's audit how-tos send it.
    cap("targetResources/type", ANY_EQ, S),
];

#[cfg(test)]
mod tests {
    use super::super::tests::{accepts, bad_op, refuses, unknown};
    use super::super::{ApiVersion, ApiVersion::*, CapabilityError, Resource, Resource::*};

    #[test]
    fn documented_directory_audit_filters_pass() {
        let cases: &[(&str, Resource, &[ApiVersion], &str)] = &[
            (
                "directoryAudits accept activityDateTime ranges",
                DirectoryAudits,
                &[V1, Beta],
                "activityDateTime ge 2024-05-01T00:00:00Z and activityDateTime le 2024-05-02",
            ),
            (
                "directoryAudits accept activityDisplayName startswith",
                DirectoryAudits,
                &[V1, Beta],
                "startswith(activityDisplayName, 'Add')",
            ),
            (
                "directoryAudits accept loggedByService",
                DirectoryAudits,
                &[V1, Beta],
                "loggedByService eq 'PIM'",
            ),
            (
                "directoryAudits accept initiator filters",
                DirectoryAudits,
                &[V1, Beta],
                "initiatedBy/user/id eq 'b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1' or initiatedBy/user/displayName eq 'Ann' or initiatedBy/app/appId eq 'x' or initiatedBy/app/displayName eq 'y'",
            ),
            (
                "directoryAudits accept UPN startswith",
                DirectoryAudits,
                &[V1, Beta],
                "startswith(initiatedBy/user/userPrincipalName, 'admin')",
            ),
            (
                "directoryAudits accept target ids",
                DirectoryAudits,
                &[V1, Beta],
                "targetResources/any(t: t/id eq 'ef7e527d-6c92-4234-8c6d-cf6fdfb57f95')",
            ),
            (
                "directoryAudits accept target names",
                DirectoryAudits,
                &[V1, Beta],
                "targetResources/any(t: t/displayName eq 'Contoso')",
            ),
            (
                "directoryAudits accept target name prefixes",
                DirectoryAudits,
                &[V1, Beta],
                "targetResources/any(x: startswith(x/displayName, 'Con'))",
            ),
            (
                "directoryAudits accept category, result, gt and target types",
                DirectoryAudits,
                &[V1, Beta],
                "category eq 'UserManagement' and result eq 'success' and activityDateTime gt 2026-05-20 and targetResources/any(t: t/type eq 'User')",
            ),
        ];
        accepts(cases);
    }

    #[test]
    fn undocumented_directory_audit_filters_give_the_matching_error() {
        let cases: Vec<(&str, Resource, ApiVersion, &str, CapabilityError)> = vec![
            (
                "old dates are rejected on directoryAudits",
                DirectoryAudits,
                V1,
                "activityDateTime ge 2024-01-01T00:00:00Z",
                CapabilityError::DateTooOld("2024-01-01T00:00:00Z".into()),
            ),
            (
                "createdDateTime does not exist on directoryAudits (I-10316)",
                DirectoryAudits,
                V1,
                "createdDateTime le 2024-05-24",
                unknown("createdDateTime"),
            ),
            (
                "target members need any()",
                DirectoryAudits,
                V1,
                "targetResources/id eq 'x'",
                CapabilityError::Unsupported(
                    "'targetResources/id' is a collection: filter it with any()".into(),
                ),
            ),
            (
                "target ids have no startswith",
                DirectoryAudits,
                V1,
                "targetResources/any(t: startswith(t/id, 'x'))",
                bad_op("targetResources/id", "startswith"),
            ),
            (
                "unknown collections are rejected",
                DirectoryAudits,
                V1,
                "additionalDetails/any(d: d/key eq 'x')",
                unknown("additionalDetails"),
            ),
            (
                "non-collections reject any()",
                DirectoryAudits,
                V1,
                "loggedByService/any(d: d eq 'x')",
                bad_op("loggedByService", "any"),
            ),
        ];
        refuses(cases);
    }
}

//! `/auditLogs/provisioning` (graph-api.md §3.2, older v1.0 table).

use super::Capability;
use super::ValueKind::{DateTime as Dt, Enum as En, Guid as G, Int as I, String as S};
use super::rows::*;

pub(super) static PROVISIONING: &[Capability] = &[
    cap("id", EQ_CONTAINS, S),
    cap("tenantId", EQ_CONTAINS, G),
    cap("jobId", EQ_CONTAINS, S),
    cap("changeId", EQ_CONTAINS, S),
    cap("cycleId", EQ_CONTAINS, S),
    cap("provisioningAction", EQ_CONTAINS, En),
    cap("provisioningStatusInfo/status", EQ_CONTAINS, En),
    cap("sourceSystem/displayName", EQ_CONTAINS, S),
    cap("targetSystem/displayName", EQ_CONTAINS, S),
    cap("sourceIdentity/identityType", EQ_CONTAINS, S),
    cap("targetIdentity/identityType", EQ_CONTAINS, S),
    cap("sourceIdentity/id", EQ_CONTAINS, S),
    cap("targetIdentity/id", EQ_CONTAINS, S),
    cap("sourceIdentity/displayName", EQ_CONTAINS, S),
    cap("targetIdentity/displayName", EQ_CONTAINS, S),
    cap("initiatedBy/displayName", EQ_CONTAINS, S),
    cap("activityDateTime", EQ_GT_LT, Dt),
    cap("durationInMilliseconds", EQ_GT_LT_ONLY, I),
    // contains(tolower(servicePrincipal/id), '…'): the provisioning tutorial's style (issue 13).
    cap("servicePrincipal/id", EQ_CONTAINS, S),
    cap("servicePrincipal/displayName", EQ, S),
];

#[cfg(test)]
mod tests {
    use super::super::tests::{accepts, bad_op, refuses};
    use super::super::{ApiVersion, ApiVersion::*, CapabilityError, Resource, Resource::*};

    #[test]
    fn documented_provisioning_filters_pass() {
        let cases: &[(&str, Resource, &[ApiVersion], &str)] = &[
            (
                "provisioning accepts lower-case jobid",
                Provisioning,
                &[V1, Beta],
                "jobid eq 'AD2AADProvisioning.e9c1'",
            ),
            (
                "provisioning accepts tenantid",
                Provisioning,
                &[V1, Beta],
                "tenantid eq 'b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1' and changeid eq 'a' and cycleid eq 'b'",
            ),
            (
                "provisioning accepts camelCase too",
                Provisioning,
                &[V1, Beta],
                "jobId eq 'x' and tenantId eq 'y'",
            ),
            (
                "provisioning accepts contains over tolower",
                Provisioning,
                &[V1, Beta],
                "contains(tolower(sourceIdentity/displayName), 'ann') or contains(tolower(targetIdentity/displayName), 'ann')",
            ),
            (
                "provisioning accepts action and status",
                Provisioning,
                &[V1, Beta],
                "provisioningAction eq 'create' and provisioningStatusInfo/status eq 'failure'",
            ),
            (
                "provisioning accepts duration ranges",
                Provisioning,
                &[V1, Beta],
                "durationInMilliseconds gt 1000 and durationInMilliseconds lt 5000",
            ),
            (
                "provisioning accepts activityDateTime gt and lt",
                Provisioning,
                &[V1, Beta],
                "activityDateTime gt 2024-05-01 and activityDateTime lt 2024-05-02T00:00:00Z",
            ),
            (
                "provisioning accepts community ge",
                Provisioning,
                &[V1, Beta],
                "activityDateTime ge 2024-05-01T00:00:00Z",
            ),
            (
                "provisioning accepts service principal eq",
                Provisioning,
                &[V1, Beta],
                "servicePrincipal/id eq 'x' and servicePrincipal/displayName eq 'y'",
            ),
            (
                "provisioning accepts contains over tolower on servicePrincipal/id",
                Provisioning,
                &[V1, Beta],
                "contains(tolower(servicePrincipal/id), 'abc') and ProvisioningAction eq 'create'",
            ),
        ];
        accepts(cases);
    }

    #[test]
    fn undocumented_provisioning_filters_give_the_matching_error() {
        let cases: Vec<(&str, Resource, ApiVersion, &str, CapabilityError)> = vec![(
            "provisioning has no startswith",
            Provisioning,
            V1,
            "startswith(jobId, 'x')",
            bad_op("jobId", "startswith"),
        )];
        refuses(cases);
    }

    #[test]
    fn the_provisioning_tutorial_date_filter_passes_when_recent() {
        let now = "2022-12-20T00:00:00Z".parse().unwrap();
        let expr = crate::query::filter::parse("activityDateTime gt 2022-12-10").unwrap();
        assert_eq!(super::super::check(&expr, Provisioning, V1, now), Ok(()));
    }
}

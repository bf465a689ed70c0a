//! Helpers shared by the per-resource capability tests, and tests across tables.

use chrono::{DateTime, Utc};

use super::*;
use crate::query::filter::parse;

use ApiVersion::{Beta, V1};
use Resource::*;

/// The clock the tests run at (dates in them are within 90 days of it).
pub fn now() -> DateTime<Utc> {
    "2024-06-01T00:00:00Z".parse().unwrap()
}

fn run(
    resource: Resource,
    version: ApiVersion,
    filter: &str,
    now: DateTime<Utc>,
) -> Result<(), CapabilityError> {
    let expr = parse(filter).unwrap_or_else(|e| panic!("{filter:?} should parse: {e}"));
    check(&expr, resource, version, now)
}

/// Asserts each (name, resource, versions, filter) passes in every version listed.
pub fn accepts(cases: &[(&str, Resource, &[ApiVersion], &str)]) {
    for (name, resource, versions, filter) in cases {
        for version in *versions {
            let result = run(*resource, *version, filter, now());
            assert_eq!(result, Ok(()), "{name} ({version:?}): {filter}");
        }
    }
}

/// Asserts each (name, resource, version, filter) fails with the error given.
pub fn refuses(cases: Vec<(&str, Resource, ApiVersion, &str, CapabilityError)>) {
    for (name, resource, version, filter, expected) in cases {
        assert_eq!(
            run(resource, version, filter, now()),
            Err(expected),
            "{name}: {filter}"
        );
    }
}

pub fn unknown(p: &str) -> CapabilityError {
    CapabilityError::UnknownProperty(p.into())
}

pub fn bad_op(property: &str, op: &str) -> CapabilityError {
    CapabilityError::UnsupportedOperator {
        property: property.into(),
        op: op.into(),
    }
}

pub fn mismatch(property: &str, literal: &str) -> CapabilityError {
    CapabilityError::TypeMismatch {
        property: property.into(),
        literal: literal.into(),
    }
}

const ALL: &[Resource] = &[
    SignIns,
    DirectoryAudits,
    Provisioning,
    Users,
    Groups,
    Applications,
    ServicePrincipals,
    RoleDefinitions,
    RoleAssignments,
    RoleEligibilitySchedules,
    RoleAssignmentSchedules,
];

#[test]
fn every_table_row_is_a_unique_parseable_path() {
    for resource in ALL {
        for version in [V1, Beta] {
            let rows = filterable(*resource, version);
            for (i, row) in rows.iter().enumerate() {
                let expr = parse(row.path).expect(row.path);
                assert_eq!(expr.to_string(), row.path);
                let dup = rows[..i].iter().any(|r| r.path == row.path);
                assert!(!dup, "{resource:?} lists {} twice", row.path);
                assert!(!row.ops.is_empty(), "{resource:?} {}", row.path);
            }
        }
    }
}

#[test]
fn beta_sign_ins_add_only_the_beta_schema_properties() {
    let v1 = filterable(SignIns, V1);
    let beta = filterable(SignIns, Beta);
    assert_eq!(&beta[..v1.len()], v1);
    let extra: Vec<&str> = beta[v1.len()..].iter().map(|r| r.path).collect();
    assert_eq!(
        extra,
        [
            "originalRequestId",
            "conditionalAccessAudiences",
            "tokenIssuerName",
            "authenticationRequirement",
            "signInEventTypes",
            "userType",
            "tokenIssuerType",
            "crossTenantAccessType",
        ]
    );
}

#[test]
fn in_is_implied_by_eq_on_the_directory_only() {
    assert_eq!(
        run(Groups, V1, "mailEnabled in (true, false)", now()),
        Ok(())
    );
    for (resource, filter) in [
        (DirectoryAudits, "correlationId in ('a')"),
        (Provisioning, "jobId in ('a')"),
    ] {
        assert!(
            matches!(
                run(resource, V1, filter, now()),
                Err(CapabilityError::UnsupportedOperator { .. })
            ),
            "{filter}"
        );
    }
}

#[test]
fn lookup_returns_the_canonical_spelling() {
    let cases = [
        (Provisioning, "jobid", Some("jobId")),
        (Provisioning, "TENANTID", Some("tenantId")),
        (
            Provisioning,
            "provisioningaction",
            Some("provisioningAction"),
        ),
        (SignIns, "status/errorCode", Some("status/errorCode")),
        (SignIns, "Status/ErrorCode", Some("status/errorCode")),
    ];
    for (resource, written, expected) in cases {
        assert_eq!(
            lookup(resource, V1, written).map(|r| r.path),
            expected,
            "{written}"
        );
    }
}

//! Which `$filter` properties and operators Graph accepts, per resource and API version.
//!
//! Tables follow `graph-api.md` §3.2 for the activity logs and Graph's resource
//! pages ("Supports `$filter` (…)") for the directory resources, one file per
//! resource. `and`, `or`, `not` and parentheses are allowed everywhere. `in`
//! counts as repeated `eq` on the directory, where Graph documents it; §3.2
//! lists no `in` for the three logs, so there it is an invalid filter clause.
//!
//! Property names match case-insensitively everywhere: Microsoft's own tools
//! send `UserId`, `appid` and `status/errorcode`, and the provisioning docs
//! spell `tenantid`, `jobid`, `changeid`, `cycleid` (issue 13).
//!
//! Not modelled: directory objects need `ConsistencyLevel: eventual` and
//! `$count` for `ne`, `not` and `endsWith` ("advanced queries"); this module
//! has no request headers, so it accepts them whenever the property lists them.

mod audits;
mod checker;
mod directory;
mod provisioning;
mod rows;
mod sign_ins;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::filter::{CmpOp, Expr, StrFunc};
use checker::Checker;

/// A collection endpoint whose `$filter` is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `/auditLogs/signIns`
    SignIns,
    /// `/auditLogs/directoryAudits`
    DirectoryAudits,
    /// `/auditLogs/provisioning`
    Provisioning,
    /// `/users`
    Users,
    /// `/groups`
    Groups,
    /// `/applications`
    Applications,
    /// `/servicePrincipals`
    ServicePrincipals,
    /// `/roleManagement/directory/roleDefinitions`
    RoleDefinitions,
    /// `/roleManagement/directory/roleAssignments`
    RoleAssignments,
    /// `/roleManagement/directory/roleEligibilitySchedules`
    RoleEligibilitySchedules,
    /// `/roleManagement/directory/roleAssignmentSchedules`
    RoleAssignmentSchedules,
    /// `/roleManagement/directory/roleEligibilityScheduleInstances`
    RoleEligibilityScheduleInstances,
    /// `/roleManagement/directory/roleAssignmentScheduleInstances`
    RoleAssignmentScheduleInstances,
    /// `/roleManagement/directory/roleAssignmentScheduleRequests`
    RoleAssignmentScheduleRequests,
}

impl Resource {
    /// Activity logs reject date literals older than about 90 days (I-6620).
    fn has_date_limit(self) -> bool {
        matches!(
            self,
            Resource::SignIns | Resource::DirectoryAudits | Resource::Provisioning
        )
    }

    /// Users, groups, applications and service principals: the resources Graph's
    /// advanced queries (`ConsistencyLevel: eventual`, `$search`) apply to.
    pub fn is_directory_object(self) -> bool {
        matches!(
            self,
            Resource::Users
                | Resource::Groups
                | Resource::Applications
                | Resource::ServicePrincipals
        )
    }

    /// The three activity logs (as opposed to the directory).
    pub fn is_log(self) -> bool {
        self.has_date_limit()
    }

    /// Only provisioning documents `tolower()`/`toupper()` (MS-prov-tutorial).
    fn allows_case_fold(self) -> bool {
        self == Resource::Provisioning
    }
}

/// The Graph API version in the request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `/v1.0`
    V1,
    /// `/beta`
    Beta,
}

/// Why a syntactically valid filter is not accepted (Graph: 400 "Invalid filter clause").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CapabilityError {
    /// The property is not filterable (or does not exist) on this resource.
    #[error("property '{0}' is not supported in $filter on this resource")]
    UnknownProperty(String),
    /// The property is filterable, but not with this operator.
    #[error("operator '{op}' is not supported on property '{property}'")]
    UnsupportedOperator {
        /// The property path as resolved (lambda variables expanded).
        property: String,
        /// The operator or function name.
        op: String,
    },
    /// A quoted date/time compared with a date-time property.
    #[error("date-time literals must not be quoted ('{0}')")]
    QuotedDateTime(String),
    /// A date literal beyond the activity logs' ~90-day filter window.
    #[error("{0} is older than the 90-day limit for filtering")]
    DateTooOld(String),
    /// The literal's type does not fit the property.
    #[error("literal {literal} does not match the type of '{property}'")]
    TypeMismatch {
        /// The property path as resolved.
        property: String,
        /// The literal, as OData text.
        literal: String,
    },
    /// Any other construct Graph does not accept.
    #[error("{0}")]
    Unsupported(String),
}

/// A filter operator or function as listed in Graph's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `in` (also implied by `Eq`)
    In,
    /// `startswith()`
    StartsWith,
    /// `endswith()`
    EndsWith,
    /// `contains()`
    Contains,
    /// Reachable only inside `collection/any(v: …)`; the other ops apply to `v`.
    Any,
}

impl Op {
    /// The OData spelling.
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::In => "in",
            Op::StartsWith => "startswith",
            Op::EndsWith => "endswith",
            Op::Contains => "contains",
            Op::Any => "any",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<CmpOp> for Op {
    fn from(op: CmpOp) -> Self {
        match op {
            CmpOp::Eq => Op::Eq,
            CmpOp::Ne => Op::Ne,
            CmpOp::Gt => Op::Gt,
            CmpOp::Ge => Op::Ge,
            CmpOp::Lt => Op::Lt,
            CmpOp::Le => Op::Le,
        }
    }
}

impl From<StrFunc> for Op {
    fn from(func: StrFunc) -> Self {
        match func {
            StrFunc::StartsWith => Op::StartsWith,
            StrFunc::EndsWith => Op::EndsWith,
            StrFunc::Contains => Op::Contains,
        }
    }
}

/// The type a filterable property compares as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Edm.String
    String,
    /// Edm.Int32 / Edm.Int64
    Int,
    /// Edm.DateTimeOffset (literals unquoted)
    DateTime,
    /// Edm.Boolean
    Bool,
    /// A GUID carried as a string; quoted or bare GUID literals both accepted.
    Guid,
    /// An enumeration compared as a quoted string.
    Enum,
    /// A collection of strings, filtered through `any(v: v …)`.
    StringCollection,
}

/// One filterable property: its path as written, operators and value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// Canonical path, e.g. `status/errorCode`; inside a lambda the
    /// collection path plus the member (`targetResources/id`).
    pub path: &'static str,
    /// Accepted operators; contains [`Op::Any`] when reachable only via `any()`.
    pub ops: &'static [Op],
    /// The value type literals must match.
    pub kind: ValueKind,
}

/// The property table for a resource and version.
pub fn filterable(resource: Resource, version: ApiVersion) -> &'static [Capability] {
    match (resource, version) {
        (Resource::SignIns, ApiVersion::V1) => sign_ins::SIGN_INS_V1,
        (Resource::SignIns, ApiVersion::Beta) => sign_ins::SIGN_INS_BETA,
        (Resource::DirectoryAudits, _) => audits::DIRECTORY_AUDITS,
        (Resource::Provisioning, _) => provisioning::PROVISIONING,
        (Resource::Users, _) => directory::USERS,
        (Resource::Groups, _) => directory::GROUPS,
        (Resource::Applications, _) => directory::APPLICATIONS,
        (Resource::ServicePrincipals, _) => directory::SERVICE_PRINCIPALS,
        (Resource::RoleDefinitions, _) => directory::ROLE_DEFINITIONS,
        (Resource::RoleAssignments, _) => directory::ROLE_ASSIGNMENTS,
        (Resource::RoleEligibilitySchedules, _) => directory::ROLE_ELIGIBILITY_SCHEDULES,
        (Resource::RoleAssignmentSchedules, _) => directory::ROLE_ASSIGNMENT_SCHEDULES,
        (Resource::RoleEligibilityScheduleInstances, _) => directory::ROLE_ELIGIBILITY_INSTANCES,
        (Resource::RoleAssignmentScheduleInstances, _) => directory::ROLE_ASSIGNMENT_INSTANCES,
        (Resource::RoleAssignmentScheduleRequests, _) => directory::ROLE_ASSIGNMENT_REQUESTS,
    }
}

/// Finds the table row for a written path (lambda variables already expanded),
/// applying the name-matching rules in the module docs. `row.path` is the
/// canonical spelling, e.g. `lookup(Provisioning, V1, "jobid")` → `jobId`.
pub fn lookup(resource: Resource, version: ApiVersion, path: &str) -> Option<&'static Capability> {
    filterable(resource, version)
        .iter()
        .find(|row| name_matches(resource, row.path, path))
}

/// Property names match case-insensitively on every resource: Graph answers
/// `UserId`, `appid` and `status/errorcode`, which Microsoft's own tools send
/// (issue 13); the provisioning list documents the lower-case spellings.
fn name_matches(_resource: Resource, canonical: &str, written: &str) -> bool {
    canonical.eq_ignore_ascii_case(written)
}

/// Validate a parsed filter against Graph's documented capabilities. `now` is the simulated clock (for the ~90-day limit).
pub fn check(
    expr: &Expr,
    resource: Resource,
    version: ApiVersion,
    now: DateTime<Utc>,
) -> Result<(), CapabilityError> {
    Checker::new(resource, version, now - Duration::days(90)).expr(expr)
}

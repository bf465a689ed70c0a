//! Which `$filter` properties and operators Graph accepts, per resource and API version.
//!
//! Tables follow `graph-api.md` §3.2 for the activity logs and Graph's resource
//! pages ("Supports `$filter` (…)") for the directory resources. `and`, `or`,
//! `not` and parentheses are allowed everywhere; `in` counts as repeated `eq`.
//!
//! Property names: Graph's OData matches them case-sensitively, so the exact
//! camelCase spelling is required everywhere, except that provisioning also
//! accepts the lower-case spellings its documentation uses (`tenantid`,
//! `jobid`, `changeid`, `cycleid`) — those four match case-insensitively.
//!
//! Not modelled: directory objects need `ConsistencyLevel: eventual` and
//! `$count` for `ne`, `not` and `endsWith` ("advanced queries"); this module
//! has no request headers, so it accepts them whenever the property lists them.

use std::fmt;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::filter::{CmpOp, Expr, Literal, Operand, Path, Quantifier, StrFunc};

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
}

impl Resource {
    /// Activity logs reject date literals older than about 90 days (I-6620).
    fn has_date_limit(self) -> bool {
        matches!(
            self,
            Resource::SignIns | Resource::DirectoryAudits | Resource::Provisioning
        )
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

/// The per-resource tables (variant names imported unqualified for brevity).
mod tables {
    use super::Op::{Any, Contains, EndsWith, Eq, Ge, Gt, In, Le, Lt, Ne, StartsWith};
    use super::ValueKind::{
        Bool as B, DateTime as Dt, Enum as En, Guid as G, Int as I, String as S,
        StringCollection as Sc,
    };
    use super::{Capability, Op, ValueKind};

    /// Shorthand for the tables.
    const fn cap(path: &'static str, ops: &'static [Op], kind: ValueKind) -> Capability {
        Capability { path, ops, kind }
    }

    const EQ: &[Op] = &[Eq];
    const EQ_SW: &[Op] = &[Eq, StartsWith];
    const EQ_GE_LE: &[Op] = &[Eq, Ge, Le];
    const ANY_EQ: &[Op] = &[Any, Eq];
    const ANY_EQ_NE: &[Op] = &[Any, Eq, Ne];
    const ANY_EQ_SW: &[Op] = &[Any, Eq, StartsWith];
    const ANY_EQ_GE_LE_SW: &[Op] = &[Any, Eq, Ge, Le, StartsWith];
    const EQ_CONTAINS: &[Op] = &[Eq, Contains];
    /// `ge`/`le` beyond the documented `eq, gt, lt`: §3.2 notes community code using `activityDateTime ge`.
    const EQ_GT_LT: &[Op] = &[Eq, Gt, Lt, Ge, Le];
    const EQ_NE: &[Op] = &[Eq, Ne];
    const EQ_NE_IN: &[Op] = &[Eq, Ne, In];
    const EQ_NE_IN_SW: &[Op] = &[Eq, Ne, In, StartsWith];
    const EQ_NE_RANGE_IN: &[Op] = &[Eq, Ne, Ge, Le, In];
    const EQ_NE_RANGE_IN_SW: &[Op] = &[Eq, Ne, Ge, Le, In, StartsWith];
    const EQ_NE_RANGE_IN_SW_EW: &[Op] = &[Eq, Ne, Ge, Le, In, StartsWith, EndsWith];
    const EQ_NE_RANGE_SW: &[Op] = &[Eq, Ne, Ge, Le, StartsWith];
    const EQ_IN: &[Op] = &[Eq, In];

    /// signIns rows shared by v1.0 and beta, plus any version-specific extras.
    macro_rules! sign_in_table {
        ($($extra:expr),* $(,)?) => {
            &[
                cap("id", EQ, S),
                cap("appId", EQ, G),
                cap("correlationId", EQ, G),
                cap("originalRequestId", EQ, G),
                cap("resourceDisplayName", EQ, S),
                cap("resourceId", EQ, G),
                cap("userId", EQ, G),
                cap("clientAppUsed", EQ, S),
                cap("conditionalAccessStatus", EQ, En),
                cap("conditionalAccessAudiences", ANY_EQ, Sc),
                cap("riskDetail", EQ, En),
                cap("riskLevelAggregated", EQ, En),
                cap("riskLevelDuringSignIn", EQ, En),
                cap("riskState", EQ, En),
                cap("tokenIssuerName", EQ, S),
                cap("appDisplayName", EQ_SW, S),
                cap("authenticationRequirement", EQ_SW, S),
                cap("ipAddress", EQ_SW, S),
                cap("riskEventTypes_v2", ANY_EQ_SW, Sc),
                cap("servicePrincipalId", EQ_SW, G),
                cap("servicePrincipalName", EQ_SW, S),
                cap("userAgent", EQ_SW, S),
                cap("userDisplayName", EQ_SW, S),
                cap("userPrincipalName", EQ_SW, S),
                cap("createdDateTime", EQ_GE_LE, Dt),
                cap("deviceDetail/browser", EQ_SW, S),
                cap("deviceDetail/operatingSystem", EQ_SW, S),
                cap("location/city", EQ_SW, S),
                cap("location/state", EQ_SW, S),
                cap("location/countryOrRegion", EQ_SW, S),
                // Only `eq` (I-7340), despite an old PowerShell example using `ne 0`.
                cap("status/errorCode", EQ, I),
                $($extra,)*
            ]
        };
    }

    pub(super) static SIGN_INS_V1: &[Capability] = sign_in_table!();

    /// Beta adds `signInEventTypes`, filterable only as `any(t: t eq|ne '…')`.
    pub(super) static SIGN_INS_BETA: &[Capability] =
        sign_in_table!(cap("signInEventTypes", ANY_EQ_NE, Sc));

    pub(super) static DIRECTORY_AUDITS: &[Capability] = &[
        cap("activityDateTime", EQ_GE_LE, Dt),
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
    ];

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
        cap("durationInMilliseconds", &[Eq, Gt, Lt], I),
        cap("servicePrincipal/id", EQ, S),
        cap("servicePrincipal/displayName", EQ, S),
    ];

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
        cap("appOwnerOrganizationId", &[Eq, Ne, Ge, Le], G),
        cap("tags", ANY_EQ_GE_LE_SW, Sc),
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
}

/// Provisioning properties whose documented spelling is lower-case.
const PROVISIONING_CASE_INSENSITIVE: &[&str] = &["tenantId", "jobId", "changeId", "cycleId"];

/// The property table for a resource and version.
pub fn filterable(resource: Resource, version: ApiVersion) -> &'static [Capability] {
    match (resource, version) {
        (Resource::SignIns, ApiVersion::V1) => tables::SIGN_INS_V1,
        (Resource::SignIns, ApiVersion::Beta) => tables::SIGN_INS_BETA,
        (Resource::DirectoryAudits, _) => tables::DIRECTORY_AUDITS,
        (Resource::Provisioning, _) => tables::PROVISIONING,
        (Resource::Users, _) => tables::USERS,
        (Resource::Groups, _) => tables::GROUPS,
        (Resource::Applications, _) => tables::APPLICATIONS,
        (Resource::ServicePrincipals, _) => tables::SERVICE_PRINCIPALS,
        (Resource::RoleDefinitions, _) => tables::ROLE_DEFINITIONS,
        (Resource::RoleAssignments, _) => tables::ROLE_ASSIGNMENTS,
        (Resource::RoleEligibilitySchedules, _) => tables::ROLE_ELIGIBILITY_SCHEDULES,
        (Resource::RoleAssignmentSchedules, _) => tables::ROLE_ASSIGNMENT_SCHEDULES,
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

/// Exact match, or the documented case-insensitive provisioning spellings.
fn name_matches(resource: Resource, canonical: &str, written: &str) -> bool {
    canonical == written
        || (resource == Resource::Provisioning
            && PROVISIONING_CASE_INSENSITIVE.contains(&canonical)
            && canonical.eq_ignore_ascii_case(written))
}

/// Validate a parsed filter against Graph's documented capabilities. `now` is the simulated clock (for the ~90-day limit).
pub fn check(
    expr: &Expr,
    resource: Resource,
    version: ApiVersion,
    now: DateTime<Utc>,
) -> Result<(), CapabilityError> {
    let mut checker = Checker {
        resource,
        version,
        oldest: now - Duration::days(90),
        scopes: Vec::new(),
    };
    checker.expr(expr)
}

/// Walks an expression, tracking lambda variables in scope.
struct Checker {
    resource: Resource,
    version: ApiVersion,
    /// Date literals before this instant are too old (activity logs only).
    oldest: DateTime<Utc>,
    /// `(variable, collection path)`, innermost last.
    scopes: Vec<(String, String)>,
}

/// A property operand resolved against the table.
struct Target {
    row: &'static Capability,
    /// The expanded path, for error messages.
    path: String,
}

impl Checker {
    fn expr(&mut self, expr: &Expr) -> Result<(), CapabilityError> {
        match expr {
            Expr::Or(l, r) | Expr::And(l, r) => {
                self.expr(l)?;
                self.expr(r)
            }
            Expr::Not(e) => self.expr(e),
            Expr::Compare { left, op, right } => self.compare(left, *op, right),
            Expr::In { left, values } => self.in_list(left, values),
            Expr::Call { func, target, arg } => self.call(*func, target, arg),
            Expr::Lambda {
                collection,
                quantifier,
                var,
                body,
            } => self.lambda(collection, *quantifier, var.as_deref(), body.as_deref()),
            Expr::Bool(operand) => self.bare(operand),
        }
    }

    /// `prop op literal` or `literal op prop` (checked as the mirrored operator).
    fn compare(&self, left: &Operand, op: CmpOp, right: &Operand) -> Result<(), CapabilityError> {
        match (left, right) {
            (Operand::Literal(_), Operand::Literal(_)) => Err(CapabilityError::Unsupported(
                "a comparison needs a property".into(),
            )),
            (prop, Operand::Literal(lit)) => self.predicate(prop, op.into(), lit),
            (Operand::Literal(lit), prop) => self.predicate(prop, op.mirrored().into(), lit),
            _ => Err(CapabilityError::Unsupported(
                "comparing two properties is not supported".into(),
            )),
        }
    }

    /// `prop in (v1, v2, …)`: allowed wherever `eq` is.
    fn in_list(&self, left: &Operand, values: &[Literal]) -> Result<(), CapabilityError> {
        let target = self.property(left)?;
        require_op(&target, Op::In)?;
        values
            .iter()
            .try_for_each(|v| self.literal_fits(&target, v))
    }

    /// `startswith(prop, 'x')`, `endswith(…)`, `contains(…)`.
    fn call(&self, func: StrFunc, target: &Operand, arg: &Operand) -> Result<(), CapabilityError> {
        let target = self.property(target)?;
        require_op(&target, func.into())?;
        match arg {
            Operand::Literal(lit @ (Literal::String(_) | Literal::Guid(_))) => {
                self.literal_fits(&target, lit)
            }
            Operand::Literal(lit) => Err(mismatch(&target, lit)),
            _ => Err(CapabilityError::Unsupported(format!(
                "the second argument of {}() must be a string literal",
                func.name()
            ))),
        }
    }

    /// `coll/any(v: body)`; `all` and unknown collections are rejected.
    fn lambda(
        &mut self,
        collection: &Path,
        quantifier: Quantifier,
        var: Option<&str>,
        body: Option<&Expr>,
    ) -> Result<(), CapabilityError> {
        let (coll, _) = self.expand(collection);
        self.require_collection(&coll, quantifier)?;
        let (Some(var), Some(body)) = (var, body) else {
            return Ok(());
        };
        self.scopes.push((var.to_owned(), coll));
        let result = self.expr(body);
        self.scopes.pop();
        result
    }

    /// The collection must prefix some `any`-only row, and only `any` is supported.
    fn require_collection(&self, coll: &str, q: Quantifier) -> Result<(), CapabilityError> {
        let table = filterable(self.resource, self.version);
        let member = format!("{coll}/");
        let is_collection = table.iter().any(|row| {
            row.ops.contains(&Op::Any) && (row.path == coll || row.path.starts_with(&member))
        });
        if !is_collection {
            return Err(match lookup(self.resource, self.version, coll) {
                Some(_) => unsupported_op(coll, q.keyword()),
                None => CapabilityError::UnknownProperty(coll.to_owned()),
            });
        }
        match q {
            Quantifier::Any => Ok(()),
            Quantifier::All => Err(unsupported_op(coll, "all")),
        }
    }

    /// A bare operand used as a predicate: a boolean property or `true`/`false`.
    fn bare(&self, operand: &Operand) -> Result<(), CapabilityError> {
        match operand {
            Operand::Literal(Literal::Bool(_)) => Ok(()),
            Operand::Literal(lit) => Err(CapabilityError::Unsupported(format!(
                "{lit} is not a boolean expression"
            ))),
            prop => {
                let target = self.property(prop)?;
                if target.row.kind != ValueKind::Bool {
                    return Err(CapabilityError::Unsupported(format!(
                        "'{}' is not a boolean property",
                        target.path
                    )));
                }
                require_op(&target, Op::Eq)
            }
        }
    }

    /// Operator and literal checks for one property/literal pair.
    fn predicate(&self, prop: &Operand, op: Op, lit: &Literal) -> Result<(), CapabilityError> {
        let target = self.property(prop)?;
        require_op(&target, op)?;
        self.literal_fits(&target, lit)
    }

    /// Resolves a property operand, unwrapping `tolower`/`toupper` where allowed.
    fn property(&self, operand: &Operand) -> Result<Target, CapabilityError> {
        match operand {
            Operand::Path(path) => self.resolve(path),
            Operand::Literal(lit) => Err(CapabilityError::Unsupported(format!(
                "expected a property, found the literal {lit}"
            ))),
            Operand::ToLower(inner) | Operand::ToUpper(inner) => self.case_folded(inner),
        }
    }

    /// `tolower(prop)` / `toupper(prop)`: provisioning only, string properties only.
    fn case_folded(&self, inner: &Operand) -> Result<Target, CapabilityError> {
        if !self.resource.allows_case_fold() {
            return Err(CapabilityError::Unsupported(
                "tolower() and toupper() are not supported on this resource".into(),
            ));
        }
        let Operand::Path(path) = inner else {
            return Err(CapabilityError::Unsupported(
                "tolower() and toupper() take a property".into(),
            ));
        };
        let target = self.resolve(path)?;
        match target.row.kind {
            ValueKind::String | ValueKind::Enum | ValueKind::Guid => Ok(target),
            _ => Err(unsupported_op(&target.path, "tolower")),
        }
    }

    /// Looks a path up, enforcing that `any`-only rows are reached through a lambda.
    fn resolve(&self, path: &Path) -> Result<Target, CapabilityError> {
        let (full, via_lambda) = self.expand(path);
        let row = lookup(self.resource, self.version, &full)
            .ok_or_else(|| CapabilityError::UnknownProperty(full.clone()))?;
        let lambda_only = row.ops.contains(&Op::Any);
        if lambda_only && !via_lambda {
            return Err(CapabilityError::Unsupported(format!(
                "'{full}' is a collection: filter it with any()"
            )));
        }
        if via_lambda && !lambda_only {
            return Err(CapabilityError::UnknownProperty(full));
        }
        Ok(Target { row, path: full })
    }

    /// Replaces a leading lambda variable with its collection path.
    fn expand(&self, path: &Path) -> (String, bool) {
        let Some((first, rest)) = path.segments.split_first() else {
            return (String::new(), false);
        };
        let Some((_, coll)) = self.scopes.iter().rev().find(|(v, _)| v == first) else {
            return (path.as_string(), false);
        };
        let mut full = coll.clone();
        for segment in rest {
            full.push('/');
            full.push_str(segment);
        }
        (full, true)
    }

    /// Type and date-window checks for a literal against a property.
    fn literal_fits(&self, target: &Target, lit: &Literal) -> Result<(), CapabilityError> {
        use ValueKind as K;
        match (target.row.kind, lit) {
            (_, Literal::Null) => Ok(()),
            (K::DateTime, Literal::DateTime(at)) => self.recent_enough(*at, lit),
            (K::DateTime, Literal::Date(day)) => {
                self.recent_enough(day.and_time(NaiveTime::MIN).and_utc(), lit)
            }
            (K::DateTime, Literal::String(s)) if lit.is_quoted_date_time() => {
                Err(CapabilityError::QuotedDateTime(s.clone()))
            }
            (
                K::String | K::Guid | K::Enum | K::StringCollection,
                Literal::String(_) | Literal::Guid(_),
            )
            | (K::Int, Literal::Int(_))
            | (K::Bool, Literal::Bool(_)) => Ok(()),
            _ => Err(mismatch(target, lit)),
        }
    }

    /// The activity logs' ~90-day window (I-6620).
    fn recent_enough(&self, at: DateTime<Utc>, lit: &Literal) -> Result<(), CapabilityError> {
        if self.resource.has_date_limit() && at < self.oldest {
            Err(CapabilityError::DateTooOld(lit.to_string()))
        } else {
            Ok(())
        }
    }
}

/// `in` is accepted wherever `eq` is.
fn require_op(target: &Target, op: Op) -> Result<(), CapabilityError> {
    let ops = target.row.ops;
    if ops.contains(&op) || (op == Op::In && ops.contains(&Op::Eq)) {
        Ok(())
    } else {
        Err(unsupported_op(&target.path, op.name()))
    }
}

fn unsupported_op(property: &str, op: &str) -> CapabilityError {
    CapabilityError::UnsupportedOperator {
        property: property.to_owned(),
        op: op.to_owned(),
    }
}

fn mismatch(target: &Target, lit: &Literal) -> CapabilityError {
    CapabilityError::TypeMismatch {
        property: target.path.clone(),
        literal: lit.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::super::filter::parse;
    use super::*;

    use ApiVersion::{Beta, V1};
    use Resource::*;

    fn now() -> DateTime<Utc> {
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

    /// graph-api.md §3.2 examples and table rows, per resource (dates within 90 days of `now()`).
    const ACCEPTED: &[(&str, Resource, &[ApiVersion], &str)] = &[
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
            "signIns accept in on status/errorCode",
            SignIns,
            &[V1, Beta],
            "status/errorCode in (0, 50126)",
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
            "id eq 'x' and correlationId eq 'y' and clientAppUsed eq 'Browser' and conditionalAccessStatus eq 'success' and riskState eq 'atRisk' and tokenIssuerName eq 'AzureAD'",
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

    #[test]
    fn documented_filters_pass_their_resource() {
        for (name, resource, versions, filter) in ACCEPTED {
            for version in *versions {
                let result = run(*resource, *version, filter, now());
                assert_eq!(result, Ok(()), "{name} ({version:?}): {filter}");
            }
        }
    }

    #[test]
    fn the_provisioning_tutorial_date_filter_passes_when_recent() {
        let now = "2022-12-20T00:00:00Z".parse().unwrap();
        assert_eq!(
            run(Provisioning, V1, "activityDateTime gt 2022-12-10", now),
            Ok(())
        );
    }

    fn unknown(p: &str) -> CapabilityError {
        CapabilityError::UnknownProperty(p.into())
    }

    fn bad_op(property: &str, op: &str) -> CapabilityError {
        CapabilityError::UnsupportedOperator {
            property: property.into(),
            op: op.into(),
        }
    }

    fn mismatch(property: &str, literal: &str) -> CapabilityError {
        CapabilityError::TypeMismatch {
            property: property.into(),
            literal: literal.into(),
        }
    }

    #[test]
    fn undocumented_filters_give_the_matching_error() {
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
                "status/errorCode ne is rejected",
                SignIns,
                V1,
                "status/errorCode ne 0",
                bad_op("status/errorCode", "ne"),
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
                "old dates are rejected on directoryAudits",
                DirectoryAudits,
                V1,
                "activityDateTime ge 2024-01-01T00:00:00Z",
                CapabilityError::DateTooOld("2024-01-01T00:00:00Z".into()),
            ),
            (
                "category is not filterable on directoryAudits",
                DirectoryAudits,
                V1,
                "category eq 'x'",
                unknown("category"),
            ),
            (
                "createdDateTime does not exist on directoryAudits (I-10316)",
                DirectoryAudits,
                V1,
                "createdDateTime le 2024-05-24",
                unknown("createdDateTime"),
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
                "createdDateTime has no gt on signIns",
                SignIns,
                V1,
                "createdDateTime gt 2024-05-01T00:00:00Z",
                bad_op("createdDateTime", "gt"),
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
                "unknown target members are rejected",
                DirectoryAudits,
                V1,
                "targetResources/any(t: t/type eq 'User')",
                unknown("targetResources/type"),
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
            (
                "two properties cannot be compared",
                SignIns,
                V1,
                "userId eq appId",
                CapabilityError::Unsupported("comparing two properties is not supported".into()),
            ),
            (
                "provisioning names are otherwise case-sensitive",
                Provisioning,
                V1,
                "ProvisioningAction eq 'create'",
                unknown("ProvisioningAction"),
            ),
            (
                "other resources are case-sensitive",
                SignIns,
                V1,
                "userid eq 'x'",
                unknown("userid"),
            ),
            (
                "provisioning has no startswith",
                Provisioning,
                V1,
                "startswith(jobId, 'x')",
                bad_op("jobId", "startswith"),
            ),
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
            (
                "errors inside and/or/not are found",
                SignIns,
                V1,
                "userId eq 'x' and not (isRisky eq true)",
                unknown("isRisky"),
            ),
        ];
        for (name, resource, version, filter, expected) in cases {
            assert_eq!(
                run(resource, version, filter, now()),
                Err(expected),
                "{name}: {filter}"
            );
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
    fn beta_sign_ins_add_only_sign_in_event_types() {
        let v1 = filterable(SignIns, V1);
        let beta = filterable(SignIns, Beta);
        assert_eq!(&beta[..v1.len()], v1);
        let extra: Vec<&str> = beta[v1.len()..].iter().map(|r| r.path).collect();
        assert_eq!(extra, ["signInEventTypes"]);
    }

    #[test]
    fn lookup_returns_the_canonical_spelling() {
        let cases = [
            (Provisioning, "jobid", Some("jobId")),
            (Provisioning, "TENANTID", Some("tenantId")),
            (Provisioning, "provisioningaction", None),
            (SignIns, "status/errorCode", Some("status/errorCode")),
            (SignIns, "Status/ErrorCode", None),
        ];
        for (resource, written, expected) in cases {
            assert_eq!(
                lookup(resource, V1, written).map(|r| r.path),
                expected,
                "{written}"
            );
        }
    }
}

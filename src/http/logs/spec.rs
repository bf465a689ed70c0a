//! How each of the three logs is served: its resource, JSON writer, index,
//! id and the kinds of record each API version shows.

use crate::activity::Plan;
use crate::model::ids::{Purpose, id};
use crate::query::capability::{ApiVersion, Resource};
use crate::query::eval::Predicate;
use crate::query::filter::Expr;
use crate::query::keys::{audit_id_parts, keys_of};
use crate::query::mentions;
use crate::query::options::Options;
use crate::query::page::{audit_index, provisioning_index, sign_in_index};
use crate::store::records::{Audit, Provisioning, SignIn, SignInKind};
use crate::store::{Indexed, TenantLogs};

/// How one log is served.
pub struct LogSpec<R> {
    pub resource: Resource,
    /// `@odata.context` fragment.
    pub context: &'static str,
    pub time_property: &'static str,
    pub write: fn(&mut Vec<u8>, &Plan, &R, ApiVersion),
    /// Extra restriction of a list (beta/v1 sign-in event types).
    pub restrict: fn(&Options, ApiVersion) -> Option<Predicate<R>>,
    /// Whether GET by id shows this record in this version.
    pub by_id: fn(&R, ApiVersion) -> bool,
    /// The index a filter can use.
    pub index: fn(Option<&Expr>, &Plan) -> Option<Indexed>,
    /// The record's `id`.
    pub id_of: fn(&Plan, &R) -> String,
    /// The records whose `id` may be this text (checked against `id_of` after).
    pub find: fn(&TenantLogs, &str) -> Vec<R>,
}

/// The sign-in log.
pub const SIGN_INS: LogSpec<SignIn> = LogSpec {
    resource: Resource::SignIns,
    context: "auditLogs/signIns",
    time_property: "createdDateTime",
    write: crate::model::sign_in::write,
    restrict: interactive_unless_asked,
    by_id: |r, version| version == ApiVersion::Beta || r.kind == SignInKind::Interactive,
    index: sign_in_index,
    id_of: |p, r| id(p.tenant.seed, Purpose::SignIn, r.key),
    find: |logs, text| by_key(logs, Purpose::SignIn, text),
};

/// The directory audit log.
pub const AUDITS: LogSpec<Audit> = LogSpec {
    resource: Resource::DirectoryAudits,
    context: "auditLogs/directoryAudits",
    time_property: "activityDateTime",
    write: crate::model::audit::write,
    restrict: |_, _| None,
    by_id: |_, _| true,
    index: audit_index,
    id_of: crate::model::audit::audit_id,
    find: audits_by_id,
};

/// The provisioning log.
pub const PROVISIONING: LogSpec<Provisioning> = LogSpec {
    resource: Resource::Provisioning,
    context: "auditLogs/provisioning",
    time_property: "activityDateTime",
    write: crate::model::provisioning::write,
    restrict: |_, _| None,
    by_id: |_, _| true,
    index: provisioning_index,
    id_of: |p, r| id(p.tenant.seed, Purpose::Provisioning, r.key),
    find: |logs, text| by_key(logs, Purpose::Provisioning, text),
};

/// v1.0 serves interactive sign-ins only; beta too unless the filter names `signInEventTypes`.
fn interactive_unless_asked(options: &Options, version: ApiVersion) -> Option<Predicate<SignIn>> {
    let asked = options
        .filter
        .as_ref()
        .is_some_and(|(_, e)| mentions(e, "signInEventTypes"));
    (version == ApiVersion::V1 || !asked).then(|| {
        Box::new(|_: &Plan, r: &SignIn| r.kind == SignInKind::Interactive) as Predicate<SignIn>
    })
}

/// The records whose key derives the GUID `text` (any case).
fn by_key<R: crate::store::Keyed>(logs: &TenantLogs, purpose: Purpose, text: &str) -> Vec<R> {
    keys_of(logs.plan.tenant.seed, purpose, text, false)
        .into_iter()
        .flat_map(|key| logs.find::<R>(Indexed::Key(key)))
        .collect()
}

/// Audits sharing the correlation id inside `text` whose key ends as `text` does.
fn audits_by_id(logs: &TenantLogs, text: &str) -> Vec<Audit> {
    let Some((correlation, tail)) = audit_id_parts(text) else {
        return Vec::new();
    };
    keys_of(
        logs.plan.tenant.seed,
        Purpose::Correlation,
        correlation,
        false,
    )
    .into_iter()
    .flat_map(|corr| logs.find::<Audit>(Indexed::Corr(corr)))
    .filter(|a| a.key % 100_000_000 == tail)
    .collect()
}

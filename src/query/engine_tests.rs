//! Tests of the query engine as a whole, on a small generated tenant: record
//! lookup by key, filters at the size limits, and generated filters through
//! capability check, compilation, indexes and evaluation.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use proptest::prelude::*;

use super::capability::{self, ApiVersion, Resource, ValueKind};
use super::eval::{Fields, compile};
use super::filter::{self, MAX_NESTING, MAX_OPERATORS};
use super::options::Direction;
use super::page::{LogQuery, audit_index, execute, provisioning_index, sign_in_index};
use crate::activity::Plan;
use crate::config::{LatencyMode, License, Preset, TenantSettings};
use crate::model::ids::{Purpose, id};
use crate::rng::Seed;
use crate::store::records::{Audit, Provisioning, SignIn, ticks};
use crate::store::{Indexed, Keyed, TenantLogs, World};

fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

/// The small preset, generated once for all tests.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let settings = TenantSettings {
            seed: Seed(42),
            preset: Preset::named("small").unwrap(),
            license: License::P2,
            tenants: 1,
        };
        let plans = crate::app::plans(&settings, LatencyMode::Graph, now());
        World::new(1, plans, ticks(now()))
    })
}

fn logs() -> &'static TenantLogs {
    &world().tenants[0]
}

/// The small preset's plan (for tests of sibling modules).
pub(crate) fn plan() -> &'static Plan {
    &logs().plan
}

fn all<R: Keyed>() -> Vec<R> {
    logs()
        .hours
        .values()
        .flat_map(|h| R::log(h).to_vec())
        .collect()
}

fn found_by_key_and_correlation<R: Keyed + PartialEq>() {
    let records = all::<R>();
    assert!(!records.is_empty());
    for r in records.iter().step_by(5) {
        assert!(logs().find::<R>(Indexed::Key(r.key())).contains(r));
        assert!(logs().find::<R>(Indexed::Corr(r.corr())).contains(r));
    }
}

#[test]
fn every_record_is_found_by_its_key_and_its_correlation_key() {
    found_by_key_and_correlation::<SignIn>();
    found_by_key_and_correlation::<Audit>();
    found_by_key_and_correlation::<Provisioning>();
}

#[test]
fn unknown_keys_find_nothing_quickly() {
    assert!(logs().find::<SignIn>(Indexed::Key(u64::MAX)).is_empty());
    assert!(logs().find::<SignIn>(Indexed::Key(0)).is_empty());
    assert!(logs().hours_holding::<SignIn>((1 << 62) - 1).is_empty());
}

/// Runs a filter through every stage the server runs it through.
fn run_everything(text: &str) -> usize {
    let expr = filter::parse(text).expect("within the limits");
    capability::check(&expr, Resource::SignIns, ApiVersion::Beta, now()).expect("valid");
    let plan: &Plan = &logs().plan;
    let predicate = compile::<SignIn>(&expr, plan).expect("compiles");
    let matched = all::<SignIn>()
        .iter()
        .take(200)
        .filter(|r| predicate(plan, r))
        .count();
    drop(predicate);
    drop(expr);
    matched
}

#[test]
fn filters_at_the_size_limits_run_on_a_small_stack() {
    let clause = "status/errorCode eq 0";
    let ors = vec![clause; MAX_OPERATORS + 1].join(" or ");
    let ands = vec![clause; MAX_OPERATORS + 1].join(" and ");
    let nots = format!("{}{clause}", "not ".repeat(MAX_OPERATORS));
    let nested = format!(
        "{}{clause}{}",
        "(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    let lambdas = format!(
        "{}signInEventTypes/any(t: {}){}",
        "(".repeat(MAX_NESTING - 2),
        vec!["t eq 'a'"; MAX_OPERATORS].join(" or "),
        ")".repeat(MAX_NESTING - 2)
    );
    // Half of a server worker thread's 2 MiB stack, in an unoptimised build
    // (which needs about 3 KiB per level; a release build far less).
    let worker = std::thread::Builder::new().stack_size(1024 * 1024);
    let handle = worker
        .spawn(move || {
            [ors, ands, nots, nested, lambdas]
                .iter()
                .map(|f| run_everything(f))
                .sum::<usize>()
        })
        .unwrap();
    assert!(handle.join().expect("no stack overflow") > 0);
}

/// The operators of a table row, by the names the grammar uses.
fn ops_of(row: &capability::Capability) -> Vec<&'static str> {
    let ops: Vec<&str> = row
        .ops
        .iter()
        .filter(|op| **op != capability::Op::Any)
        .map(|op| op.name())
        .collect();
    if ops.is_empty() { vec!["eq"] } else { ops }
}

/// A filter clause built from a table row: the property, an operator and a literal.
fn clause(row: &capability::Capability, op: &str, literal: &str) -> String {
    let collection = row.ops.contains(&capability::Op::Any);
    let (path, coll) = match (collection, row.path.split_once('/')) {
        (true, Some((coll, member))) if row.kind != ValueKind::StringCollection => {
            (format!("t/{member}"), Some(coll))
        }
        (true, _) => ("t".to_string(), Some(row.path)),
        _ => (row.path.to_string(), None),
    };
    let body = match op {
        "startswith" | "endswith" | "contains" => format!("{op}({path}, {literal})"),
        "in" => format!("{path} in ({literal})"),
        _ => format!("{path} {op} {literal}"),
    };
    match coll {
        Some(coll) => format!("{coll}/any(t: {body})"),
        None => body,
    }
}

/// Literals by the kind of property they fit, with values that occur in the tenant.
fn literals(kind: ValueKind) -> Vec<String> {
    let first = *all::<SignIn>()
        .iter()
        .find(|r| r.kind.is_user())
        .expect("a user sign-in");
    let seed = logs().plan.tenant.seed;
    let quoted = |s: &str| format!("'{s}'");
    let mut values = match kind {
        ValueKind::Int => vec!["0".into(), "50126".into(), "3000".into()],
        ValueKind::Bool => vec!["true".into(), "false".into()],
        ValueKind::DateTime => vec!["2026-05-30T00:00:00Z".into(), "2026-05-30".into()],
        _ => vec![
            quoted(&id(seed, Purpose::Correlation, first.corr)),
            quoted(&id(seed, Purpose::SignIn, first.key)),
            quoted(&logs().plan.tenant.user(first.subject).id),
            quoted(&logs().plan.tenant.sp(first.app).app_id),
            quoted(&format!(
                "{}.{}.{}.{}",
                first.ip[0], first.ip[1], first.ip[2], first.ip[3]
            )),
            quoted("interactiveUser"),
            quoted("unfamiliarFeatures"),
            quoted("success"),
            quoted(""),
            quoted("Mi"),
            "b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1".into(),
        ],
    };
    values.push("null".into());
    values
}

/// One clause: usually an operator and literal the row accepts, sometimes any.
fn one_clause(resource: Resource, version: ApiVersion) -> impl Strategy<Value = String> {
    let rows = capability::filterable(resource, version);
    const ANY_OP: [&str; 9] = [
        "eq",
        "ne",
        "ge",
        "le",
        "gt",
        "lt",
        "startswith",
        "contains",
        "in",
    ];
    (
        0..rows.len(),
        any::<usize>(),
        any::<usize>(),
        prop::bool::weighted(0.15),
    )
        .prop_map(move |(row, op, literal, wild)| {
            let row = &rows[row];
            let (op, kind) = if wild {
                (ANY_OP[op % ANY_OP.len()], ValueKind::String)
            } else {
                let ops = ops_of(row);
                (ops[op % ops.len()], row.kind)
            };
            let literals = literals(kind);
            clause(row, op, &literals[literal % literals.len()])
        })
}

fn filter_text(resource: Resource, version: ApiVersion) -> impl Strategy<Value = String> {
    let joiners = prop::sample::select(vec![" and ", " or ", " and not "]);
    (
        prop::collection::vec(one_clause(resource, version), 1..4),
        prop::collection::vec(joiners, 3),
    )
        .prop_map(|(clauses, joiners)| {
            let mut text = clauses[0].clone();
            for (clause, joiner) in clauses[1..].iter().zip(joiners) {
                text = format!("({text}){joiner}{clause}");
            }
            text
        })
}

/// A valid filter compiles; indexed and scanning runs of it agree.
fn holds_for<R: Keyed + Fields + PartialEq + std::fmt::Debug>(
    text: &str,
    resource: Resource,
    version: ApiVersion,
    index: fn(Option<&filter::Expr>, &Plan) -> Option<Indexed>,
) -> Result<(), TestCaseError> {
    let Ok(expr) = filter::parse(text) else {
        return Ok(());
    };
    if capability::check(&expr, resource, version, now()).is_err() {
        return Ok(());
    }
    let plan = &logs().plan;
    let query = |index| LogQuery::<R> {
        predicate: Some(compile::<R>(&expr, plan).expect("a valid filter compiles")),
        direction: Direction::Desc,
        top: 40,
        bounds: (ticks(now()) - 30 * 86_400 * 10_000_000, ticks(now())),
        after: None,
        as_of: ticks(now()),
        index,
    };
    let scanned = execute(logs(), &query(None));
    let indexed = execute(logs(), &query(index(Some(&expr), plan)));
    prop_assert_eq!(scanned, indexed, "{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn generated_sign_in_filters_compile_and_indexes_agree_with_scans(
        text in filter_text(Resource::SignIns, ApiVersion::Beta)
    ) {
        holds_for::<SignIn>(&text, Resource::SignIns, ApiVersion::Beta, sign_in_index)?;
    }

    #[test]
    fn generated_audit_filters_compile_and_indexes_agree_with_scans(
        text in filter_text(Resource::DirectoryAudits, ApiVersion::V1)
    ) {
        holds_for::<Audit>(&text, Resource::DirectoryAudits, ApiVersion::V1, audit_index)?;
    }

    #[test]
    fn generated_provisioning_filters_compile_and_indexes_agree_with_scans(
        text in filter_text(Resource::Provisioning, ApiVersion::V1)
    ) {
        holds_for::<Provisioning>(&text, Resource::Provisioning, ApiVersion::V1, provisioning_index)?;
    }

    #[test]
    fn generated_directory_filters_that_pass_the_check_compile(
        text in filter_text(Resource::Users, ApiVersion::V1)
    ) {
        if let Ok(expr) = filter::parse(&text)
            && capability::check(&expr, Resource::Users, ApiVersion::V1, now()).is_ok()
        {
            let predicate = compile::<serde_json::Value>(&expr, &logs().plan);
            prop_assert!(predicate.is_ok(), "{}", text);
        }
    }
}

#[test]
fn most_generated_filters_are_valid_so_the_properties_test_something() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (resource, version) in [
        (Resource::SignIns, ApiVersion::Beta),
        (Resource::DirectoryAudits, ApiVersion::V1),
        (Resource::Provisioning, ApiVersion::V1),
    ] {
        let strategy = filter_text(resource, version);
        let valid = (0..200)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .filter(|text| {
                filter::parse(text)
                    .is_ok_and(|e| capability::check(&e, resource, version, now()).is_ok())
            })
            .count();
        assert!(valid >= 40, "{resource:?}: only {valid} of 200 valid");
    }
}

#[test]
fn indexed_equalities_find_exactly_what_scans_find() {
    let seed = logs().plan.tenant.seed;
    let mut checked = 0;
    for r in all::<SignIn>().iter().step_by(101).take(30) {
        let ip = format!("{}.{}.{}.{}", r.ip[0], r.ip[1], r.ip[2], r.ip[3]);
        let corr = id(seed, Purpose::Correlation, r.corr);
        let own = id(seed, Purpose::SignIn, r.key).to_uppercase();
        for text in [
            format!("ipAddress eq '{ip}'"),
            format!("ipAddress eq '0{ip}'"),
            format!("'{corr}' eq correlationId"),
            format!("id eq '{own}' and ipAddress eq '{ip}'"),
        ] {
            holds_for::<SignIn>(&text, Resource::SignIns, ApiVersion::Beta, sign_in_index)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
        }
        let expr = filter::parse(&format!("correlationId eq '{corr}'")).unwrap();
        let found = logs().find::<SignIn>(sign_in_index(Some(&expr), &logs().plan).unwrap());
        assert!(found.contains(r), "{corr}");
        checked += 1;
    }
    assert_eq!(checked, 30);
}

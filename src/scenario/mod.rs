//! Scenarios: known incidents placed in a tenant's logs, each with an answer
//! key listing exactly which records belong to it, for grading detection
//! rules and pollers.
//!
//! A scenario is data (`seed/scenarios/*.toml` or a user's file, see [`def`]).
//! Placing it chooses its subjects and addresses from the seed ([`select`]),
//! writes its records through the generators' hooks ([`place`]) and files
//! them in the store like any other record: nothing marks them apart except
//! the [`key`].

pub mod def;
pub mod http;
pub mod key;
pub mod place;
mod select;

pub use def::{DefError, Definition};
pub use key::Key;
pub use place::Unplaceable;

use crate::model::ids::{Purpose, id, time0};
use crate::protection::detections;
use crate::store::records::TICKS_PER_SECOND;
use crate::store::records::{Record, Ticks, ticks};
use crate::store::{TenantLogs, World};
use rand::RngExt;
use std::sync::Arc;

/// The scenarios shipped in `seed/scenarios/`, by file.
const BUILTIN: [(&str, &str); 4] = [
    (
        "password-spray.toml",
        include_str!("../../seed/scenarios/password-spray.toml"),
    ),
    (
        "impossible-travel.toml",
        include_str!("../../seed/scenarios/impossible-travel.toml"),
    ),
    (
        "mfa-fatigue.toml",
        include_str!("../../seed/scenarios/mfa-fatigue.toml"),
    ),
    (
        "leaked-client-secret.toml",
        include_str!("../../seed/scenarios/leaked-client-secret.toml"),
    ),
];

/// Every shipped definition, in shipping order.
pub fn builtin() -> Vec<Arc<Definition>> {
    BUILTIN
        .iter()
        .map(|(file, text)| {
            Arc::new(def::parse(&format!("seed/scenarios/{file}"), text).expect("shipped scenario"))
        })
        .collect()
}

/// Names of the shipped scenarios.
pub fn builtin_names() -> Vec<String> {
    builtin().iter().map(|d| d.name.clone()).collect()
}

/// A scenario to place: its definition and, optionally, its start time.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub def: Arc<Definition>,
    pub at: Option<Ticks>,
}

impl Request {
    /// Reads `--scenario NAME[@TIME]` or `--scenario FILE` (a value ending in
    /// `.toml` or containing `/`; it may carry `@TIME` too).
    pub fn parse(value: &str) -> Result<Request, DefError> {
        let (name, at) = match value.rsplit_once('@') {
            Some((name, time)) => {
                let at = time
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .map_err(|_| DefError::BadTime(value.to_string()))?;
                (name, Some(ticks(at)))
            }
            None => (value, None),
        };
        let def = if name.ends_with(".toml") || name.contains('/') {
            Arc::new(def::load(std::path::Path::new(name))?)
        } else {
            named(name)?
        };
        Ok(Request { def, at })
    }
}

/// The shipped definition called `name`.
pub fn named(name: &str) -> Result<Arc<Definition>, DefError> {
    builtin()
        .into_iter()
        .find(|d| d.name == name)
        .ok_or_else(|| DefError::Unknown(name.to_string()))
}

/// Places a scenario in tenant `tenant` of `world` (at `at`, or at its offset
/// from the world's clock) and files its records; returns its key.
pub fn place_into(
    world: &mut World,
    tenant: usize,
    request: &Request,
) -> Result<Arc<Key>, Unplaceable> {
    let now = world.now;
    let logs = &mut world.tenants[tenant];
    let number = logs.scenarios.len() as u32;
    if number >= place::MAX_PLACEMENTS {
        return Err(Unplaceable::TooManyPlacements);
    }
    let def = &request.def;
    let base = request.at.unwrap_or(now + def.offset);
    let mut rng = logs.plan.tenant.seed.stream(
        &format!("scenario/{}", def.name),
        base as u64 ^ u64::from(number) << 56,
    );
    // Placed by offset, a scenario starts at a drawn second of the half hour after it.
    let start = match request.at {
        Some(at) => at - at.rem_euclid(crate::store::records::TICKS_PER_SECOND),
        None => {
            base - base.rem_euclid(TICKS_PER_SECOND) + rng.random_range(0..1800) * TICKS_PER_SECOND
        }
    };
    check_retention(logs, def, start, now)?;
    let written = place::write(&logs.plan, def, start, number, &mut rng)?;
    let key = Arc::new(key_of(logs, def, start, number, &written));
    for r in written.sign_ins {
        logs.insert(r);
    }
    for r in written.audits {
        logs.insert(r);
    }
    logs.scenarios.push(key.clone());
    Ok(key)
}

/// Places each request in the first tenant, in order; the first failure stops.
pub fn place_all(world: &mut World, requests: &[Request]) -> Result<(), Unplaceable> {
    for request in requests {
        place_into(world, 0, request)?;
    }
    Ok(())
}

fn check_retention(
    logs: &TenantLogs,
    def: &Definition,
    start: Ticks,
    now: Ticks,
) -> Result<(), Unplaceable> {
    let retention = crate::store::retention_ticks(&logs.plan);
    let window = ticks(logs.plan.tenant.window_start);
    if start < now - retention + crate::store::records::TICKS_PER_HOUR || start < window {
        return Err(Unplaceable::OutsideRetention(
            def.name.clone(),
            time0(start),
            retention / (24 * crate::store::records::TICKS_PER_HOUR),
        ));
    }
    Ok(())
}

fn key_of(
    logs: &TenantLogs,
    def: &Definition,
    start: Ticks,
    number: u32,
    written: &place::Written,
) -> Key {
    let plan = &logs.plan;
    let seed = plan.tenant.seed;
    let sign_in_id = |k: u64| id(seed, Purpose::SignIn, k);
    let audit_id = |k: u64| {
        let r = written
            .audits
            .iter()
            .find(|a| a.key == k)
            .expect("written audit");
        crate::model::audit::audit_id(plan, r)
    };
    let record_id = |action: def::Action, k: u64| match action {
        def::Action::Audit => audit_id(k),
        _ => sign_in_id(k),
    };
    let steps: Vec<key::StepKey> = def
        .steps
        .iter()
        .zip(&written.steps)
        .map(|(step, placed)| key::StepKey {
            name: step.name.clone(),
            action: step.action.as_str().to_string(),
            log: step.action.log().to_string(),
            start_date_time: time0(placed.first),
            end_date_time: time0(placed.last),
            record_ids: placed
                .records
                .iter()
                .map(|&(a, k)| record_id(a, k))
                .collect(),
        })
        .collect();
    let raised = raised(plan, &written.sign_ins);
    let mut records = key::Records::default();
    let mut sign_ins = written.sign_ins.clone();
    sign_ins.sort_by_key(|r| r.order());
    records.sign_ins = sign_ins.iter().map(|r| sign_in_id(r.key)).collect();
    let mut audits = written.audits.clone();
    audits.sort_by_key(|r| r.order());
    records.directory_audits = audits
        .iter()
        .map(|r| crate::model::audit::audit_id(plan, r))
        .collect();
    let end = written.steps.iter().map(|s| s.last).max().unwrap_or(start);
    Key {
        id: crate::rng::guid_from_bits(
            seed.mix(0x5ce7a410, start as u64, u64::from(number)),
            seed.mix(0x5ce7a411, name_hash(&def.name), u64::from(number)),
        ),
        scenario: def.name.clone(),
        title: def.title.clone(),
        description: def.description.clone(),
        tenant_id: plan.tenant.id.clone(),
        start_date_time: time0(written.steps.iter().map(|s| s.first).min().unwrap_or(start)),
        end_date_time: time0(end),
        entities: written.entities.clone(),
        steps,
        records,
        expected_detections: def
            .detections
            .iter()
            .map(|d| key::ExpectedDetection {
                risk_event_type: d.risk_event_type.clone(),
                description: d.description.clone(),
                emulated: raised
                    .iter()
                    .any(|r| r.risk_event_type == d.risk_event_type),
            })
            .collect(),
        raised_detections: raised,
        rule: def.rule.clone(),
    }
}

/// The real-time risk detections Identity Protection raises on these sign-ins
/// (`protection::detections`); offline ones come from the whole log later and
/// are listed among the expected detections only.
fn raised(
    plan: &crate::activity::Plan,
    sign_ins: &[crate::store::records::SignIn],
) -> Vec<key::RaisedDetection> {
    if plan.tenant.license < crate::config::License::P2 {
        return Vec::new();
    }
    let mut found = detections::real_time(plan, sign_ins);
    found.sort_by_key(|d| (d.activity_at, d.id.clone()));
    found
        .into_iter()
        .filter_map(|d| {
            let r = d.sign_in()?;
            Some(key::RaisedDetection {
                id: d.id.clone(),
                risk_event_type: d.kind.clone(),
                request_id: id(plan.tenant.seed, Purpose::SignIn, r.key),
            })
        })
        .collect()
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Every key of a tenant, in placement order.
pub fn keys(logs: &TenantLogs) -> &[Arc<Key>] {
    &logs.scenarios
}

//! Placing a scenario: choosing its subjects and addresses from the seed,
//! then writing each step's records through the generators' own hooks, so
//! they carry latency, risk and Conditional Access like every other record.

use super::def::{Action, Definition, From, Step, Subject, Whom};
use super::key::{Entities, LocationRef, ServicePrincipalRef, UserRef};
use crate::activity::{Plan, Scripted, scripted_audit, scripted_service_principal, scripted_user};
use crate::rng::Rng;
use crate::store::records::{
    Actor, Audit, SignIn, SignInKind, TICKS_PER_SECOND, Target, Ticks, hour_of, make_key,
};
use crate::tenant::SpOrigin;
use rand::RngExt;

/// Record sequence numbers from here on in each hour belong to scenarios
/// (generated hours stay far below: 12.5 million records per hour).
const SEQUENCE_BASE: u32 = 0xC0_0000;
/// Records one placement may write (and sequence numbers it owns).
pub const RECORDS_PER_PLACEMENT: u32 = 4096;
/// Placements one tenant may hold.
pub const MAX_PLACEMENTS: u32 = (0x100_0000 - SEQUENCE_BASE) / RECORDS_PER_PLACEMENT;

/// First octets of the attacker's addresses: hosting ranges no generated record uses.
const ATTACKER_OCTETS: [u8; 4] = [45, 193, 194, 195];

/// Why a scenario cannot be placed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Unplaceable {
    #[error("scenario '{0}' cannot be placed: {1}")]
    TooFew(String, super::select::TooFew),
    #[error(
        "scenario '{0}' cannot be placed at {1}: its records would lie outside the logs' retention ({2} days before the clock)"
    )]
    OutsideRetention(String, String, i64),
    #[error("scenario '{0}' writes {1} records; a scenario may write at most {max}", max = RECORDS_PER_PLACEMENT)]
    TooManyRecords(String, u64),
    #[error("a tenant holds at most {max} scenarios", max = MAX_PLACEMENTS)]
    TooManyPlacements,
}

/// The records of one placed scenario, ready to be filed, and what the key needs.
pub struct Written {
    pub sign_ins: Vec<SignIn>,
    pub audits: Vec<Audit>,
    pub steps: Vec<PlacedStep>,
    pub subjects: Vec<u32>,
    pub entities: Entities,
}

/// One step's records: first and last time, and each record's (action, key) in order.
pub struct PlacedStep {
    pub first: Ticks,
    pub last: Ticks,
    pub records: Vec<(Action, u64)>,
}

/// Where the attacker works from: addresses and a catalog location.
struct Pool {
    addresses: Vec<[u8; 4]>,
    location: u16,
}

/// Writes the scenario's records starting at `start` as placement `number`.
pub fn write(
    plan: &Plan,
    def: &Definition,
    start: Ticks,
    number: u32,
    rng: &mut Rng,
) -> Result<Written, Unplaceable> {
    check_size(def)?;
    let end = start + def.steps.iter().map(|s| s.at + s.spread).max().unwrap_or(0);
    let subjects = super::select::choose(plan, &def.who, start, end, rng)
        .map_err(|e| Unplaceable::TooFew(def.name.clone(), e))?;
    let pool = pool(plan, def, subjects[0], rng);
    let mut written = Written {
        sign_ins: Vec::new(),
        audits: Vec::new(),
        steps: Vec::new(),
        entities: entities(plan, def, &subjects, &pool),
        subjects,
    };
    let mut next = SEQUENCE_BASE + number * RECORDS_PER_PLACEMENT;
    for step in &def.steps {
        let placed = write_step(plan, def, step, start, &pool, &mut next, rng, &mut written);
        written.steps.push(placed);
    }
    Ok(written)
}

fn check_size(def: &Definition) -> Result<(), Unplaceable> {
    let total: u64 = def
        .steps
        .iter()
        .map(|s| {
            let whom = if s.who == Whom::First {
                1
            } else {
                def.who.count
            };
            u64::from(whom) * u64::from(s.repeat)
        })
        .sum();
    if total > u64::from(RECORDS_PER_PLACEMENT) {
        return Err(Unplaceable::TooManyRecords(def.name.clone(), total));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_step(
    plan: &Plan,
    def: &Definition,
    step: &Step,
    start: Ticks,
    pool: &Pool,
    next: &mut u32,
    rng: &mut Rng,
    out: &mut Written,
) -> PlacedStep {
    let whom: Vec<u32> = match step.who {
        Whom::Each => out.subjects.clone(),
        Whom::First => out.subjects[..1].to_vec(),
    };
    let total = whom.len() as i64 * i64::from(step.repeat);
    let mut placed = Vec::new();
    let (mut first, mut last) = (Ticks::MAX, Ticks::MIN);
    for i in 0..total {
        let subject = whom[(i % whom.len() as i64) as usize];
        // Evenly spread, each at a drawn moment inside its own slot.
        let slot = step.spread / total.max(1);
        let at = start + step.at + slot * i + rng.random_range(0..slot.max(1));
        let key = make_key(hour_of(at), *next);
        *next += 1;
        let place = (step.from == From::Attacker).then(|| {
            let address = pool.addresses[(i as usize) % pool.addresses.len()];
            (address, pool.location)
        });
        let at = match step.action {
            Action::Audit => {
                // Audits keep Graph's 7-digit times: a drawn moment inside the second.
                let at = at + rng.random_range(0..TICKS_PER_SECOND);
                let record = audit(plan, def, step, subject, at, key);
                out.audits.push(record);
                record.at
            }
            action => {
                let record = sign_in(plan, def, action, step, subject, at, key, place, rng);
                out.sign_ins.push(record);
                record.at
            }
        };
        (first, last) = (first.min(at), last.max(at));
        placed.push((step.action, key));
    }
    PlacedStep {
        first,
        last,
        records: placed,
    }
}

#[allow(clippy::too_many_arguments)]
fn sign_in(
    plan: &Plan,
    def: &Definition,
    action: Action,
    step: &Step,
    subject: u32,
    at: Ticks,
    key: u64,
    place: Option<([u8; 4], u16)>,
    rng: &mut Rng,
) -> SignIn {
    let kind = match action {
        Action::NonInteractiveSignIn => SignInKind::NonInteractive,
        Action::ServicePrincipalSignIn => SignInKind::ServicePrincipal,
        _ => SignInKind::Interactive,
    };
    let script = Scripted {
        kind,
        at,
        key,
        place,
        error: step.error,
        mfa: step.mfa,
        own_device: step.from == From::Home,
    };
    match (def.who.subject, kind) {
        (Subject::Applications, _) | (_, SignInKind::ServicePrincipal) => {
            scripted_service_principal(plan, rng, subject, &script)
        }
        _ => scripted_user(plan, rng, subject, &script),
    }
}

fn audit(plan: &Plan, def: &Definition, step: &Step, subject: u32, at: Ticks, key: u64) -> Audit {
    let name = step.activity.as_deref().unwrap_or_default();
    let activity = plan
        .catalog
        .audit_activities
        .iter()
        .position(|a| a.activity == name)
        .unwrap_or(0) as u16;
    let (initiator, target) = match (def.who.subject, plan.tenant.sp(subject).origin) {
        (Subject::Applications, SpOrigin::LineOfBusiness(app)) => {
            (Actor::App(subject), Target::Application(app))
        }
        (Subject::Applications, _) => (Actor::App(subject), Target::ServicePrincipal(subject)),
        (Subject::Users, _) => (Actor::User(subject), Target::User(subject)),
    };
    scripted_audit(plan, activity, at, key, initiator, [target, Target::None])
}

/// The attacker's addresses and location: the allowed location farthest from
/// the first subject's home (so a journey there is impossible in the time).
fn pool(plan: &Plan, def: &Definition, first: u32, rng: &mut Rng) -> Pool {
    let home = match def.who.subject {
        Subject::Users => plan.tenant.user(first).home,
        Subject::Applications => plan.tenant.users[0].home,
    };
    let addresses = (0..def.attacker.addresses)
        .map(|_| {
            [
                ATTACKER_OCTETS[rng.random_range(0..ATTACKER_OCTETS.len())],
                rng.random_range(1..255),
                rng.random(),
                rng.random_range(1..255),
            ]
        })
        .collect();
    Pool {
        addresses,
        location: farthest(plan, home),
    }
}

fn farthest(plan: &Plan, home: u16) -> u16 {
    let locations = &plan.catalog.locations;
    let from = &locations[home as usize];
    let distance = |i: usize| {
        let to = &locations[i];
        let (dlat, dlon) = (to.latitude - from.latitude, to.longitude - from.longitude);
        let wrap = dlon.abs().min(360.0 - dlon.abs());
        dlat * dlat + wrap * wrap * from.latitude.to_radians().cos().powi(2)
    };
    let allowed: Vec<usize> = (0..locations.len())
        .filter(|&i| plan.allowed_location.get(i).copied().unwrap_or(false))
        .collect();
    let candidates = if allowed.len() > 1 {
        allowed
    } else {
        (0..locations.len()).collect()
    };
    candidates
        .into_iter()
        .max_by(|&a, &b| distance(a).total_cmp(&distance(b)).then(b.cmp(&a)))
        .unwrap_or(home as usize) as u16
}

fn entities(plan: &Plan, def: &Definition, subjects: &[u32], pool: &Pool) -> Entities {
    let tenant = &plan.tenant;
    let mut entities = Entities::default();
    match def.who.subject {
        Subject::Users => {
            entities.users = subjects
                .iter()
                .map(|&u| UserRef {
                    id: tenant.user(u).id.clone(),
                    user_principal_name: tenant.user(u).user_principal_name.clone(),
                })
                .collect();
        }
        Subject::Applications => {
            entities.service_principals = subjects
                .iter()
                .map(|&s| ServicePrincipalRef {
                    id: tenant.sp(s).id.clone(),
                    app_id: tenant.sp(s).app_id.clone(),
                    display_name: tenant.sp(s).display_name.clone(),
                })
                .collect();
        }
    }
    if def.steps.iter().any(|s| s.from == From::Attacker) {
        entities.ip_addresses = pool
            .addresses
            .iter()
            .map(|a| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))
            .collect();
        let l = &plan.catalog.locations[pool.location as usize];
        entities.location = Some(LocationRef {
            city: l.city.clone(),
            country_or_region: l.country.clone(),
        });
    }
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attacker_ranges_are_not_any_locations_prefix() {
        let catalog = crate::catalog::Catalog::embedded();
        for l in &catalog.locations {
            assert!(!ATTACKER_OCTETS.contains(&l.ip_prefix[0]), "{}", l.city);
        }
        // The generator's VPN exits (185.x) and service principals (20.x) are elsewhere too.
        assert!(!ATTACKER_OCTETS.contains(&185) && !ATTACKER_OCTETS.contains(&20));
    }
}

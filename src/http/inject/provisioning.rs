//! `POST /_entrasim/provisioning`: one change of a provisioning job's cycle.

use super::{Common, Injected, Problems, first_member, text, user_ref};
use crate::activity::Plan;
use crate::app::AppState;
use crate::http::error::GraphError;
use crate::http::logs::{LogSpec, PROVISIONING};
use crate::store::records::{
    PROVISIONING_ACTIONS, PROVISIONING_RESULTS, Provisioning, TICKS_PER_SECOND,
};
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

const FIELDS: [&str; 5] = [
    "jobId",
    "userPrincipalName",
    "userId",
    "provisioningAction",
    "status",
];

/// `POST /_entrasim/provisioning`.
pub async fn provisioning(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    super::batch::inject::<Provisioning>(&state, &body)
}

impl Injected for Provisioning {
    const FIELDS: &'static [&'static str] = &FIELDS;
    const TIME: &'static str = "activityDateTime";

    fn spec() -> &'static LogSpec<Provisioning> {
        &PROVISIONING
    }

    fn build(
        plan: &Plan,
        body: &Map<String, Value>,
        common: &Common,
        problems: &mut Problems,
    ) -> Provisioning {
        build(plan, body, common, problems)
    }

    fn finish(self, _: &Plan, key: u64, _: &Common) -> Provisioning {
        Provisioning { key, ..self }
    }
}

/// The record (without its key), or problems.
fn build(
    plan: &Plan,
    body: &Map<String, Value>,
    common: &Common,
    problems: &mut Problems,
) -> Provisioning {
    if plan.tenant.provisioning_jobs.is_empty() {
        problems.add("jobId", "the tenant has no provisioning jobs");
    }
    let job = match text(body, "jobId", problems) {
        None => 0,
        Some(id) => plan
            .tenant
            .provisioning_jobs
            .iter()
            .position(|j| j.id == id)
            .unwrap_or_else(|| {
                problems.refer("jobId", format!("no provisioning job '{id}' in the tenant"));
                0
            }),
    };
    let action = if body.contains_key("provisioningAction") {
        pick(body, "provisioningAction", &PROVISIONING_ACTIONS, problems)
    } else {
        1
    };
    let status = pick(body, "status", &PROVISIONING_RESULTS, problems);
    let (cycle, cycle_end) = cycle_of(plan, job, common.at);
    Provisioning {
        at: common.at,
        key: 0,
        delay_ms: common.visible_after.unwrap_or_else(|| {
            if plan.latency.enabled {
                ((cycle_end - common.at) / 10_000) as u32
            } else {
                0
            }
        }),
        duration_ms: 500,
        job: job as u16,
        action,
        status,
        reason: 0,
        cycle: cycle as u32,
        subject: user_ref(plan, body, problems).unwrap_or_else(|| first_member(plan)),
        group: false,
    }
}

fn pick(body: &Map<String, Value>, field: &str, names: &[&str], problems: &mut Problems) -> u8 {
    match text(body, field, problems) {
        None => 0,
        Some(name) => names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| {
                problems.add(field, format!("must be one of {}", names.join(", ")));
                0
            }) as u8,
    }
}

/// The job's cycle containing `at` (number, end tick): generated records of a
/// cycle become visible when it ends, and so do injected ones by default.
fn cycle_of(plan: &Plan, job: usize, at: i64) -> (i64, i64) {
    let cycle =
        plan.preset.activity.provisioning_cycle_minutes.max(1) as i64 * 60 * TICKS_PER_SECOND;
    let offset = (crate::rng::mix64(job as u64 ^ plan.tenant.seed.0) % cycle as u64) as i64;
    let number = (at - offset).div_euclid(cycle);
    (number, (number + 1) * cycle + offset)
}

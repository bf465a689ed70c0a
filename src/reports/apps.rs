//! Application activity: `getAzureADApplicationSignInSummary(period=…)` and
//! `applicationSignInDetailedSummary`, both over interactive user sign-ins
//! ("The sign-in activity graph uses interactive user sign-ins", reference §B.1).

use crate::activity::Plan;
use crate::model::ids::time0;
use crate::model::sign_in::{app, error_code, failure};
use crate::store::records::{SignIn, SignInKind, TICKS_PER_HOUR, Ticks};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The summary's period: `D7` or `D30` ("other values generate errors", §B.1).
pub fn period_days(text: &str) -> Option<i64> {
    match text.to_ascii_uppercase().as_str() {
        "D7" => Some(7),
        "D30" => Some(30),
        _ => None,
    }
}

/// Whether a sign-in counts in application activity.
pub fn counted(r: &SignIn) -> bool {
    r.kind == SignInKind::Interactive
}

#[derive(Default)]
struct Tally<'a> {
    name: &'a str,
    ok: u64,
    failed: u64,
}

/// One `applicationSignInSummary` per app with a sign-in in the last `days` days
/// (id = appId, §B.1), the busiest app first (INFERRED order), then by appId.
pub fn summary(plan: &Plan, sign_ins: &[SignIn], now: Ticks, days: i64) -> Vec<Value> {
    let from = now - days * 24 * TICKS_PER_HOUR;
    let mut by_app: BTreeMap<&str, Tally<'_>> = BTreeMap::new();
    for r in sign_ins.iter().filter(|r| counted(r) && r.at >= from) {
        let (id, name) = app(plan, r);
        let tally = by_app.entry(id).or_default();
        tally.name = name;
        if r.error == 0 {
            tally.ok += 1;
        } else {
            tally.failed += 1;
        }
    }
    let mut rows: Vec<(&str, Tally<'_>)> = by_app.into_iter().collect();
    rows.sort_by_key(|(id, t)| (std::cmp::Reverse(t.ok + t.failed), *id));
    rows.into_iter()
        .map(|(id, t)| {
            json!({
                "@odata.type": "#microsoft.graph.applicationSignInSummary",
                "id": id,
                "appDisplayName": t.name,
                "successfulSignInCount": t.ok,
                "failedSignInCount": t.failed,
                "successPercentage": t.ok as f64 * 100.0 / (t.ok + t.failed) as f64,
            })
        })
        .collect()
}

/// One `applicationSignInDetailedSummary` per (app, UTC day, error code) over the
/// retained sign-ins, newest day first; `status` is the latest such sign-in's
/// (INFERRED rules, §B.2).
pub fn detailed(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Value> {
    let mut groups: BTreeMap<(i64, &str, i32), (u64, &SignIn)> = BTreeMap::new();
    for r in sign_ins.iter().filter(|r| counted(r)) {
        let day = r.at.div_euclid(24 * TICKS_PER_HOUR);
        let key = (-day, app(plan, r).0, error_code(plan, r));
        let entry = groups.entry(key).or_insert((0, r));
        entry.0 += 1;
        entry.1 = r;
    }
    groups
        .into_iter()
        .map(|((day, app_id, code), (count, last))| {
            let reason = failure(plan, last);
            json!({
                "id": super::row_id(&format!("{app_id}|{}|{code}", -day)),
                "appId": app_id,
                "appDisplayName": app(plan, last).1,
                "aggregatedEventDateTime": time0(-day * 24 * TICKS_PER_HOUR),
                "signInCount": count,
                "status": {
                    "errorCode": code,
                    "failureReason": reason.as_ref().map(|f| f.0.clone()),
                    "additionalDetails": reason.and_then(|f| f.1),
                },
            })
        })
        .collect()
}

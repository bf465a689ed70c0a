//! The risk of one user or service principal over time: its detections raise it,
//! an administrator's action settles it (reference §A.7 state table), later
//! detections raise it again.

use super::actions::{Action, Subject, Verdict};
use crate::store::records::Ticks;

/// `riskLevel` of a risk score.
pub const LEVEL: [&str; 4] = ["none", "low", "medium", "high"];

/// One thing that changed the risk.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A detection at `at` with score 1–3 and its riskEventType.
    Detected {
        at: Ticks,
        score: u8,
        kind: &'a str,
    },
    Acted(&'a Action),
    /// The risk was remediated without an administrator's verdict (MFA in the
    /// sign-in, a password reset): level none, this state and riskDetail.
    Settled {
        at: Ticks,
        state: &'static str,
        detail: &'static str,
    },
}

impl Event<'_> {
    /// When it happened.
    pub fn at(&self) -> Ticks {
        match self {
            Event::Detected { at, .. } | Event::Settled { at, .. } => *at,
            Event::Acted(a) => a.at,
        }
    }
}

/// The risk after some events.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub score: u8,
    pub state: &'static str,
    pub detail: &'static str,
    pub updated: Ticks,
    /// `initiatedBy` of the change (an action's caller), None for the system.
    pub by: Option<String>,
}

/// What a verdict leaves: score, riskState, riskDetail (§A.7, INFERRED where the docs stop).
pub fn settled(subject: Subject, verdict: Verdict) -> (u8, &'static str, &'static str) {
    match (subject, verdict) {
        (Subject::User, Verdict::Dismiss) => (0, "dismissed", "adminDismissedAllRiskForUser"),
        (Subject::User, Verdict::ConfirmSafe) => (0, "confirmedSafe", "adminConfirmedAccountSafe"),
        (Subject::User, Verdict::ConfirmCompromised) => {
            (3, "confirmedCompromised", "adminConfirmedUserCompromised")
        }
        (Subject::ServicePrincipal, Verdict::ConfirmCompromised) => (
            3,
            "confirmedCompromised",
            "adminConfirmedServicePrincipalCompromised",
        ),
        (Subject::ServicePrincipal, _) => {
            (0, "dismissed", "adminDismissedAllRiskForServicePrincipal")
        }
    }
}

/// The risk after each event, oldest first (one history item each).
pub fn walk(subject: Subject, mut events: Vec<Event<'_>>) -> Vec<Risk> {
    events.sort_by_key(Event::at);
    let mut out: Vec<Risk> = Vec::new();
    for event in &events {
        let before = out.last();
        let next = match event {
            Event::Detected { at, score, .. } => {
                let compromised = before.is_some_and(|r| r.state == "confirmedCompromised");
                let open = before
                    .filter(|r| r.state == "atRisk")
                    .map_or(0, |r| r.score);
                if compromised {
                    Risk {
                        updated: *at,
                        by: None,
                        ..before.unwrap().clone()
                    }
                } else {
                    Risk {
                        score: open.max(*score),
                        state: "atRisk",
                        detail: "none",
                        updated: *at,
                        by: None,
                    }
                }
            }
            Event::Settled { at, state, detail } => {
                let compromised = before.is_some_and(|r| r.state == "confirmedCompromised");
                // A password reset also ends a confirmed compromise; MFA does not.
                if compromised && *detail == "userPassedMFADrivenByRiskBasedPolicy" {
                    Risk {
                        updated: *at,
                        by: None,
                        ..before.unwrap().clone()
                    }
                } else {
                    Risk {
                        score: 0,
                        state,
                        detail,
                        updated: *at,
                        by: None,
                    }
                }
            }
            Event::Acted(action) => {
                let (score, state, detail) = settled(subject, action.verdict);
                Risk {
                    score,
                    state,
                    detail,
                    updated: action.at,
                    by: Some(action.by.clone()),
                }
            }
        };
        out.push(next);
    }
    out
}

/// The first action at or after `at`: the one that settled a detection then.
pub fn settling(actions: &[Action], at: Ticks) -> Option<&Action> {
    actions.iter().find(|a| a.at >= at)
}

/// riskDetail values listed after `unknownFutureValue` in the enum: served as
/// `unknownFutureValue` unless the caller sends `Prefer: include-unknown-enum-members` (§A.8).
pub fn evolvable(detail: &str) -> bool {
    matches!(
        detail,
        "m365DAdminDismissedDetection"
            | "adminConfirmedServicePrincipalCompromised"
            | "adminDismissedAllRiskForServicePrincipal"
            | "userChangedPasswordOnPremises"
            | "adminDismissedRiskForSignIn"
            | "adminConfirmedAccountSafe"
            | "microsoftRevokedSessions"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(at: Ticks, verdict: Verdict) -> Action {
        Action {
            at,
            verdict,
            by: "admin".into(),
        }
    }

    #[test]
    fn a_dismissal_settles_the_risk_and_a_later_detection_raises_it_again() {
        let dismiss = action(20, Verdict::Dismiss);
        let events = vec![
            Event::Detected {
                at: 10,
                score: 3,
                kind: "unfamiliarFeatures",
            },
            Event::Acted(&dismiss),
            Event::Detected {
                at: 30,
                score: 2,
                kind: "unfamiliarFeatures",
            },
        ];
        let steps = walk(Subject::User, events);
        assert_eq!((steps[0].score, steps[0].state), (3, "atRisk"));
        assert_eq!((steps[1].score, steps[1].state), (0, "dismissed"));
        assert_eq!(steps[1].detail, "adminDismissedAllRiskForUser");
        assert_eq!((steps[2].score, steps[2].state), (2, "atRisk"));
    }

    #[test]
    fn a_confirmed_compromise_stays_high_whatever_follows() {
        let confirm = action(5, Verdict::ConfirmCompromised);
        let events = vec![
            Event::Acted(&confirm),
            Event::Detected {
                at: 9,
                score: 1,
                kind: "x",
            },
        ];
        let last = walk(Subject::User, events).pop().unwrap();
        assert_eq!((last.score, last.state), (3, "confirmedCompromised"));
    }
}

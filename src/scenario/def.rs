//! Scenario definitions as data: the TOML files under `seed/scenarios/` (and
//! users' own files), read into typed definitions once, at the edge. A bad
//! file is refused with one line naming the file, the line and the field.

use serde::Deserialize;
use std::path::Path;

/// Why a scenario file or name was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DefError {
    /// `file:line: field 'name': problem`.
    #[error("{file}:{line}: field '{field}': {problem}")]
    Bad {
        file: String,
        line: usize,
        field: String,
        problem: String,
    },
    #[error("cannot read scenario file '{file}': {reason}")]
    Unreadable { file: String, reason: String },
    #[error("unknown scenario '{0}' (known: {known})", known = super::builtin_names().join(", "))]
    Unknown(String),
    #[error("--scenario {0}: the time after '@' must be an RFC 3339 instant")]
    BadTime(String),
}

/// One scenario as its file describes it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Short name, used by `--scenario NAME` and in the key.
    pub name: String,
    pub title: String,
    /// What happens, in a sentence or two.
    pub description: String,
    /// Start relative to the clock when no time is given (ISO 8601, may start with '-').
    #[serde(deserialize_with = "signed_duration")]
    pub offset: i64,
    pub who: Who,
    #[serde(default)]
    pub attacker: Attacker,
    pub steps: Vec<Step>,
    /// What a rule should see, in plain words.
    pub rule: String,
    #[serde(default)]
    pub detections: Vec<Detection>,
}

/// Who the scenario happens to, chosen from the tenant.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Who {
    pub subject: Subject,
    /// How many to choose (fewer if the tenant has fewer, down to `min`).
    #[serde(default = "one")]
    pub count: u32,
    /// Fewest that still make the scenario; fewer matches make it unplaceable.
    #[serde(default = "one")]
    pub min: u32,
    /// Users only: member, guest or serviceAccount.
    pub kind: Option<UserKindName>,
    /// Users only: holders of a permanent admin role (any role when `true`).
    pub admin: Option<bool>,
    /// Users only: holders of this directory role (display name).
    pub role: Option<String>,
    /// Users only: members of this department.
    pub department: Option<String>,
    /// Users only: registered for MFA.
    pub mfa: Option<bool>,
}

fn one() -> u32 {
    1
}

/// The kind of directory object a scenario chooses.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Subject {
    Users,
    /// A line-of-business application's service principal.
    Applications,
}

/// A user kind, as the files spell it.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum UserKindName {
    Member,
    Guest,
    ServiceAccount,
}

/// The addresses an attacker works from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attacker {
    /// How many addresses (hosting-provider ranges no generated record uses).
    pub addresses: u32,
}

impl Default for Attacker {
    fn default() -> Self {
        Attacker { addresses: 1 }
    }
}

/// One step: records of one kind, in one log, at an offset from the start.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    pub action: Action,
    /// Offset from the scenario's start.
    #[serde(deserialize_with = "signed_duration")]
    pub at: i64,
    /// The step's records are spread evenly over this long.
    #[serde(default, deserialize_with = "signed_duration")]
    pub spread: i64,
    /// Everyone chosen, or only the first.
    #[serde(default)]
    pub who: Whom,
    /// Records per subject.
    #[serde(default = "one")]
    pub repeat: u32,
    /// Where from.
    #[serde(default)]
    pub from: From,
    /// Sign-in error code (0: the sign-in succeeds unless Conditional Access stops it).
    #[serde(default)]
    pub error: i32,
    /// Sign-ins: the user performs MFA.
    #[serde(default)]
    pub mfa: bool,
    /// Audits: the catalog activity name.
    pub activity: Option<String>,
}

/// What a step writes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Interactive user sign-ins.
    InteractiveSignIn,
    /// Non-interactive user sign-ins (refresh tokens).
    NonInteractiveSignIn,
    /// Service principal sign-ins with the app's own credential.
    ServicePrincipalSignIn,
    /// A directory audit initiated by the subject (user or application), on the application.
    Audit,
}

impl Action {
    /// The name the files use.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::InteractiveSignIn => "interactiveSignIn",
            Action::NonInteractiveSignIn => "nonInteractiveSignIn",
            Action::ServicePrincipalSignIn => "servicePrincipalSignIn",
            Action::Audit => "audit",
        }
    }

    /// The log the step writes to, as the key names it.
    pub fn log(self) -> &'static str {
        match self {
            Action::Audit => "directoryAudits",
            _ => "signIns",
        }
    }
}

/// Which chosen subjects a step involves.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Whom {
    #[default]
    Each,
    First,
}

/// Where a step's sign-ins come from.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum From {
    /// The subject's usual address and home location.
    #[default]
    Home,
    /// The attacker's addresses, in a country far from the subject's home.
    Attacker,
}

/// An Identity Protection detection the scenario should raise.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Detection {
    /// Graph's `riskEventType`.
    pub risk_event_type: String,
    pub description: String,
}

fn signed_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "'{text}' is not an ISO 8601 duration such as PT30M or -P1DT2H"
        ))
    })
}

/// Ticks of an ISO 8601 duration (days, hours, minutes, seconds), optionally negative.
pub fn parse_duration(text: &str) -> Option<i64> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (mut total, mut time, mut number) = (0i64, false, String::new());
    for c in rest.chars() {
        let unit = match (c, time) {
            ('T', false) if number.is_empty() => {
                time = true;
                continue;
            }
            (d, _) if d.is_ascii_digit() => {
                number.push(d);
                continue;
            }
            ('D', false) => 86_400,
            ('H', true) => 3600,
            ('M', true) => 60,
            ('S', true) => 1,
            _ => return None,
        };
        let n: i64 = std::mem::take(&mut number).parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    (number.is_empty() && total <= 3650 * 86_400)
        .then_some(sign * total * crate::store::records::TICKS_PER_SECOND)
}

/// Reads a definition from TOML text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Definition, DefError> {
    let def: Definition = toml::from_str(text).map_err(|e| located(file, text, &e))?;
    check(&def).map_err(|(field, problem)| {
        let line = line_of_field(text, &field);
        DefError::Bad {
            file: file.to_string(),
            line,
            field,
            problem,
        }
    })?;
    Ok(def)
}

/// Reads a definition from a file.
pub fn load(path: &Path) -> Result<Definition, DefError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| DefError::Unreadable {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    parse(&file, &text)
}

/// Checks what the types cannot: counts, audit activities, a non-empty step list.
fn check(def: &Definition) -> Result<(), (String, String)> {
    let bad = |field: &str, problem: &str| Err((field.to_string(), problem.to_string()));
    if def.steps.is_empty() {
        return bad("steps", "a scenario needs at least one step");
    }
    if def.who.min == 0 || def.who.min > def.who.count || def.who.count > 500 {
        return bad("count", "need 1 <= min <= count <= 500");
    }
    if def.attacker.addresses == 0 || def.attacker.addresses > 64 {
        return bad("addresses", "need between 1 and 64 addresses");
    }
    for step in &def.steps {
        if step.repeat == 0 || step.repeat > 1000 || step.spread < 0 || step.at < 0 {
            return bad(
                "repeat",
                "need 1 <= repeat <= 1000 and non-negative at and spread",
            );
        }
        if (step.action == Action::Audit) != step.activity.is_some() {
            return bad("activity", "audit steps, and only they, name an activity");
        }
        let catalog = crate::catalog::Catalog::embedded();
        if step.error != 0 && !catalog.sign_in_errors.iter().any(|e| e.code == step.error) {
            return bad("error", "no such code in the sign-in error catalog");
        }
        if let Some(name) = &step.activity
            && !catalog.audit_activities.iter().any(|a| &a.activity == name)
        {
            return bad("activity", "no such activity in the audit catalog");
        }
    }
    Ok(())
}

/// The toml error as one line: file, line of its span, the field it names.
fn located(file: &str, text: &str, e: &toml::de::Error) -> DefError {
    let start = e.span().map_or(0, |s| s.start);
    let line = text[..start.min(text.len())].matches('\n').count() + 1;
    let message = e.message().to_string();
    let field = backticked(&message)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"))
        .or_else(|| key_on_line(text, line))
        .unwrap_or_else(|| "(document)".to_string());
    DefError::Bad {
        file: file.to_string(),
        line,
        field,
        problem: message.replace('\n', " "),
    }
}

fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = row.split_once('=')?;
    Some(key.trim().to_string())
}

/// The first line assigning `field` (1 when none does).
fn line_of_field(text: &str, field: &str) -> usize {
    text.lines()
        .position(|row| {
            row.split_once('=')
                .is_some_and(|(key, _)| key.trim() == field)
                || row.trim() == format!("[[{field}]]")
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "x"
title = "X"
description = "d"
offset = "-PT2H"
rule = "r"
[who]
subject = "users"
count = 3
[[steps]]
name = "s"
action = "interactiveSignIn"
at = "PT0M"
error = 50126
"#;

    #[test]
    fn a_good_file_reads_with_its_defaults() {
        let def = parse("x.toml", GOOD).unwrap();
        assert_eq!(def.offset, -2 * 3600 * 10_000_000);
        assert_eq!(def.steps[0].repeat, 1);
        assert_eq!(def.steps[0].from, From::Home);
    }

    #[test]
    fn a_bad_value_names_file_line_and_field() {
        let text = GOOD.replace("action = \"interactiveSignIn\"", "action = \"teleport\"");
        let e = parse("x.toml", &text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:12: field 'action': "), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn a_missing_field_is_named() {
        let text = GOOD.replace("rule = \"r\"\n", "");
        let e = parse("x.toml", &text).unwrap_err().to_string();
        assert!(e.contains("field 'rule'"), "{e}");
    }

    #[test]
    fn a_bad_count_points_at_its_line() {
        let text = GOOD.replace("count = 3", "count = 0");
        let e = parse("x.toml", &text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:9: field 'count'"), "{e}");
    }

    #[test]
    fn durations_may_be_negative_and_are_checked() {
        assert_eq!(parse_duration("-PT1M"), Some(-600_000_000));
        assert_eq!(parse_duration("P1DT1S"), Some(86_401 * 10_000_000));
        assert_eq!(parse_duration("PT"), Some(0));
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PT5"), None);
    }
}

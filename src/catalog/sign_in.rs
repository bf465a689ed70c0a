//! Sign-in tables: locations, user agents, error codes and client apps.

use std::collections::HashSet;

use super::CatalogError;
use super::directory::unique;
use super::tsv::{self, Row};

/// A city users sign in from (`seed/locations.tsv`).
#[derive(Debug, Clone)]
pub struct Location {
    /// ISO 3166 two-letter code, e.g. "US".
    pub country: String,
    /// State or province.
    pub state: String,
    /// City.
    pub city: String,
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// Standard-time offset from UTC.
    pub utc_offset_minutes: i32,
    /// First two octets of public IPv4 addresses there.
    pub ip_prefix: [u8; 2],
    /// Relative share of users living there.
    pub weight: u32,
}

/// A browser or client as `deviceDetail` and `userAgent` show it (`seed/user_agents.tsv`).
#[derive(Debug, Clone)]
pub struct UserAgent {
    /// `deviceDetail.operatingSystem`, e.g. "Windows10", "MacOs", "Ios".
    pub os: String,
    /// `deviceDetail.browser`, e.g. "Edge 131.0.0" or "Rich Client 4.66.0".
    pub browser: String,
    /// The HTTP User-Agent string.
    pub user_agent: String,
    /// Whether it is a phone or tablet.
    pub mobile: bool,
    /// Relative frequency.
    pub weight: u32,
}

/// Whether an error ends the sign-in or interrupts it for the user to continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Failure,
    Interrupted,
}

/// Which sign-ins an error can happen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorScope {
    User,
    App,
    Any,
}

/// An AADSTS error code with the texts sign-in logs show (`seed/sign_in_errors.tsv`).
#[derive(Debug, Clone)]
pub struct SignInError {
    /// `status.errorCode`, e.g. 50126.
    pub code: i32,
    /// Failure or interrupted.
    pub kind: ErrorKind,
    /// User sign-ins, app (service principal) sign-ins, or any.
    pub applies_to: ErrorScope,
    /// Relative frequency among errors.
    pub weight: u32,
    /// `status.failureReason`; may hold `{resource}`, `{appId}`, `{appName}` or `{tenant}` placeholders.
    pub failure_reason: String,
    /// `status.additionalDetails`.
    pub additional_details: String,
}

/// A `clientAppUsed` value (`seed/client_apps.tsv`).
#[derive(Debug, Clone)]
pub struct ClientApp {
    /// Exactly as Graph writes it, e.g. "Mobile Apps and Desktop clients".
    pub name: String,
    /// Modern authentication (false: legacy protocol).
    pub modern: bool,
    /// Relative frequency.
    pub weight: u32,
}

/// Parses `seed/locations.tsv`.
pub(super) fn parse_locations(text: &str) -> Result<Vec<Location>, CatalogError> {
    let columns = &[
        "country",
        "state",
        "city",
        "latitude",
        "longitude",
        "utc_offset_minutes",
        "ip_prefix",
        "weight",
    ];
    tsv::parse("seed/locations.tsv", text, columns, |row| {
        Ok(Location {
            country: country(row)?,
            state: row.text(1)?,
            city: row.text(2)?,
            latitude: degrees(row, 3, 90.0)?,
            longitude: degrees(row, 4, 180.0)?,
            utc_offset_minutes: row.number(5)?,
            ip_prefix: ip_prefix(row, 6)?,
            weight: row.number(7)?,
        })
    })
}

fn country(row: &Row) -> Result<String, CatalogError> {
    let code = row.text(0)?;
    match code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        true => Ok(code),
        false => Err(row.error(format!("country {code:?} is not a two-letter ISO code"))),
    }
}

fn degrees(row: &Row, i: usize, limit: f64) -> Result<f64, CatalogError> {
    let value: f64 = row.number(i)?;
    match value.abs() <= limit {
        true => Ok(value),
        false => Err(row.error(format!("{value} is out of range ±{limit}"))),
    }
}

/// "A.B" with public first octets: not 0, 10, 127, 172.16/12, 192.168 nor multicast.
fn ip_prefix(row: &Row, i: usize) -> Result<[u8; 2], CatalogError> {
    let bad = |why: &str| row.error(format!("ip_prefix {:?} {why}", row.raw(i)));
    let (a, b) = row
        .raw(i)
        .split_once('.')
        .ok_or_else(|| bad("is not A.B"))?;
    let (a, b): (u8, u8) = (
        a.parse().map_err(|_| bad("is not A.B"))?,
        b.parse().map_err(|_| bad("is not A.B"))?,
    );
    let private = matches!(a, 0 | 10 | 127)
        || a >= 224
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168);
    match private {
        true => Err(bad("is not a public range")),
        false => Ok([a, b]),
    }
}

/// Parses `seed/user_agents.tsv`.
pub(super) fn parse_user_agents(text: &str) -> Result<Vec<UserAgent>, CatalogError> {
    tsv::parse(
        "seed/user_agents.tsv",
        text,
        &["os", "browser", "user_agent", "mobile", "weight"],
        |row| {
            Ok(UserAgent {
                os: row.text(0)?,
                browser: row.text(1)?,
                user_agent: row.text(2)?,
                mobile: row.flag(3)?,
                weight: row.number(4)?,
            })
        },
    )
}

/// Parses `seed/sign_in_errors.tsv`; codes must be unique.
pub(super) fn parse_errors(text: &str) -> Result<Vec<SignInError>, CatalogError> {
    let columns = &[
        "error_code",
        "kind",
        "applies_to",
        "weight",
        "failure_reason",
        "additional_details",
    ];
    let mut seen = HashSet::new();
    tsv::parse("seed/sign_in_errors.tsv", text, columns, |row| {
        let error = SignInError {
            code: row.number(0)?,
            kind: row.choice(1, "failure, interrupted", error_kind)?,
            applies_to: row.choice(2, "user, app, any", error_scope)?,
            weight: row.number(3)?,
            failure_reason: row.text(4)?,
            additional_details: row.raw(5).to_string(),
        };
        unique(row, &mut seen, &error.code.to_string())?;
        Ok(error)
    })
}

fn error_kind(s: &str) -> Option<ErrorKind> {
    match s {
        "failure" => Some(ErrorKind::Failure),
        "interrupted" => Some(ErrorKind::Interrupted),
        _ => None,
    }
}

fn error_scope(s: &str) -> Option<ErrorScope> {
    match s {
        "user" => Some(ErrorScope::User),
        "app" => Some(ErrorScope::App),
        "any" => Some(ErrorScope::Any),
        _ => None,
    }
}

/// Parses `seed/client_apps.tsv`.
pub(super) fn parse_client_apps(text: &str) -> Result<Vec<ClientApp>, CatalogError> {
    tsv::parse(
        "seed/client_apps.tsv",
        text,
        &["name", "modern", "weight"],
        |row| {
            Ok(ClientApp {
                name: row.text(0)?,
                modern: row.flag(1)?,
                weight: row.number(2)?,
            })
        },
    )
}

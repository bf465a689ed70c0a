//! The Activity Log's `$filter` and `$select`, parsed at the boundary (reference A1.3-A1.5):
//! a start time is required, and only the clauses the service documents or real clients
//! send are accepted; anything else is ARM's flat `BadRequest`.

use super::http::LogError;
use crate::store::records::{Ticks, ticks};

/// The clauses that narrow to one scope; a filter holds at most one of them (S1, S9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrow {
    ResourceGroup(String),
    /// `resourceUri` or `resourceId`: the resource and what lies under it (INFERRED).
    Resource(String),
    ResourceProvider(String),
    CorrelationId(String),
}

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    pub start: Ticks,
    /// `eventTimestamp le` (None: now).
    pub end: Option<Ticks>,
    pub narrow: Option<Narrow>,
    pub caller: Option<String>,
    pub status: Option<String>,
    /// `eventChannels eq 'Admin, Operation'`: the channels asked for.
    pub channels: Option<Vec<String>>,
    /// `levels eq 'Critical,Error,...'`.
    pub levels: Option<Vec<String>>,
}

/// The fields a clause may name (lower-case): S1's patterns and what real clients send (A1.3).
const FIELDS: [&str; 10] = [
    "eventtimestamp",
    "resourcegroupname",
    "resourceuri",
    "resourceid",
    "resourceprovider",
    "correlationid",
    "caller",
    "status",
    "eventchannels",
    "levels",
];

/// "$filter searching parameters invalid" (MicrosoftDocs/feedback#319).
fn invalid() -> LogError {
    LogError::bad_request("$filter searching parameters invalid")
}

/// Parses a `$filter` (required on the subscription endpoint, S1).
pub fn parse(text: &str) -> Result<LogFilter, LogError> {
    let mut filter = LogFilter::default();
    let mut start = None;
    for clause in split_and(text.trim()) {
        let (field, op, value) = clause_parts(&clause).ok_or_else(invalid)?;
        let field_lower = field.to_ascii_lowercase();
        if !FIELDS.contains(&field_lower.as_str()) {
            // The server names the field it does not support (Azure/azure-sdk-for-python#12907).
            return Err(LogError::bad_request(format!("{field} is not supported.")));
        }
        match (field_lower.as_str(), op.as_str()) {
            ("eventtimestamp", "ge") if start.is_none() => start = Some(time(&value, "startTime")?),
            ("eventtimestamp", "le") if filter.end.is_none() => {
                filter.end = Some(time(&value, "endTime")?)
            }
            ("eventtimestamp", _) => return Err(invalid()),
            (_, "eq") => set(&mut filter, &field_lower, unquote(&value)?)?,
            _ => return Err(invalid()),
        }
    }
    filter.start = start.ok_or_else(invalid)?;
    Ok(filter)
}

/// Sets one `eq` clause; a clause given twice, or a second scope clause, is refused.
fn set(filter: &mut LogFilter, lower: &str, value: String) -> Result<(), LogError> {
    let list = |v: &str| v.split(',').map(|s| s.trim().to_string()).collect();
    match lower {
        "caller" => fill(&mut filter.caller, value),
        "status" => fill(&mut filter.status, value),
        "eventchannels" => fill(&mut filter.channels, list(&value)),
        "levels" => fill(&mut filter.levels, list(&value)),
        "resourcegroupname" => fill(&mut filter.narrow, Narrow::ResourceGroup(value)),
        "resourceuri" | "resourceid" => fill(&mut filter.narrow, Narrow::Resource(value)),
        "resourceprovider" => fill(&mut filter.narrow, Narrow::ResourceProvider(value)),
        _ => fill(&mut filter.narrow, Narrow::CorrelationId(value)),
    }
}

fn fill<T>(slot: &mut Option<T>, value: T) -> Result<(), LogError> {
    if slot.is_some() {
        return Err(invalid());
    }
    *slot = Some(value);
    Ok(())
}

/// Splits on ` and ` (any case, any run of spaces), outside quotes.
fn split_and(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let words: Vec<&str> = text.split(' ').collect();
    for word in words {
        if word.is_empty() && !quoted {
            continue;
        }
        if !quoted && word.eq_ignore_ascii_case("and") && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        quoted ^= word.matches('\'').count() % 2 == 1;
    }
    parts.push(current);
    parts
}

/// `field op value`, the value possibly containing spaces (inside quotes).
fn clause_parts(clause: &str) -> Option<(String, String, String)> {
    let mut it = clause.splitn(3, ' ');
    let field = it.next()?.to_string();
    let op = it.next()?.to_ascii_lowercase();
    let value = it.next()?.trim().to_string();
    (!field.is_empty() && !value.is_empty()).then_some((field, op, value))
}

fn unquote(value: &str) -> Result<String, LogError> {
    value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map(str::to_string)
        .ok_or_else(invalid)
}

/// A time quoted (docs) or not (Azure CLI), with `Z` or an offset: a local time is
/// refused (azure-libraries-for-net#511; "The format of the startTime value is invalid.",
/// GitHub-Copilot-for-Azure#312; the endTime wording is inferred by symmetry).
fn time(value: &str, name: &str) -> Result<Ticks, LogError> {
    let bare = value.trim_matches('\'');
    chrono::DateTime::parse_from_rfc3339(bare)
        .map(|t| ticks(t.with_timezone(&chrono::Utc)))
        .map_err(|_| LogError::bad_request(format!("The format of the {name} value is invalid.")))
}

/// The EventData properties a `$select` may name (S1), in the order events are written.
pub const PROPERTIES: [&str; 26] = [
    "authorization",
    "caller",
    "channels",
    "claims",
    "correlationId",
    "description",
    "eventDataId",
    "eventName",
    "category",
    "eventTimestamp",
    "httpRequest",
    "id",
    "level",
    "operationId",
    "operationName",
    "resourceGroupName",
    "resourceProviderName",
    "resourceType",
    "resourceId",
    "status",
    "subStatus",
    "submissionTimestamp",
    "subscriptionId",
    "tenantId",
    "properties",
    "relatedEvents",
];

/// `$select`: property names, comma separated with optional spaces (the CLI sends ` , `),
/// any case; unknown names select nothing (INFERRED). None: every property.
pub fn select(text: Option<&str>) -> Option<Vec<&'static str>> {
    let text = text?.trim();
    if text.is_empty() {
        return None;
    }
    let wanted: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    Some(
        PROPERTIES
            .iter()
            .copied()
            .filter(|p| wanted.contains(&p.to_ascii_lowercase()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_patterns_parse() {
        let f = parse("eventTimestamp ge '2026-01-01T00:00:00Z' and eventTimestamp le '2026-01-02T00:00:00Z' and resourceGroupName eq 'rg 1'").unwrap();
        assert_eq!(f.narrow, Some(Narrow::ResourceGroup("rg 1".into())));
        assert!(f.end.unwrap() > f.start);
        let cli = parse("eventTimestamp ge 2026-01-01T00:00:00Z and eventTimestamp le 2026-01-02T00:00:00Z and resourceId eq '/subscriptions/s' and caller eq 'a@b.c' and status eq 'Failed'").unwrap();
        assert_eq!(cli.caller.as_deref(), Some("a@b.c"));
        let portal = parse("eventTimestamp ge '2026-01-01T00:00:00Z' and eventChannels eq 'Admin, Operation' and levels eq 'Critical,Error'").unwrap();
        assert_eq!(portal.channels.unwrap(), ["Admin", "Operation"]);
    }

    #[test]
    fn a_filter_without_start_or_with_two_scopes_is_refused() {
        assert!(parse("resourceGroupName eq 'x'").is_err());
        assert!(parse("eventTimestamp ge '2026-01-01T00:00:00Z' and resourceGroupName eq 'x' and correlationId eq 'y'").is_err());
        let e =
            parse("eventTimestamp ge '2026-01-01T00:00:00Z' and operationName eq 'x'").unwrap_err();
        assert_eq!(e.message, "operationName is not supported.");
        let local = parse("eventTimestamp ge '2026-01-01T00:00:00'").unwrap_err();
        assert_eq!(
            local.message,
            "The format of the startTime value is invalid."
        );
    }

    #[test]
    fn select_takes_any_case_and_spaces() {
        assert_eq!(
            select(Some("eventName , ID,status")).unwrap(),
            ["eventName", "id", "status"]
        );
    }
}

//! Reading exported records: Graph collection pages (`{"value": [...]}`, as
//! the SDKs and `entrasim generate --format json` write them), JSON arrays,
//! single objects and NDJSON (one object a line), each record with the line
//! it starts on.

use serde_json::Value;

/// Which log a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogName {
    SignIns,
    DirectoryAudits,
    Provisioning,
}

impl LogName {
    /// The collection name (`signIns`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LogName::SignIns => "signIns",
            LogName::DirectoryAudits => "directoryAudits",
            LogName::Provisioning => "provisioning",
        }
    }

    /// The log named by a collection name, `@odata.context` or file stem (any case).
    pub fn recognise(text: &str) -> Option<LogName> {
        let lower = text.to_ascii_lowercase();
        let last = lower.rsplit(['#', '/']).next().unwrap_or(&lower);
        if last.starts_with("signin") {
            Some(LogName::SignIns)
        } else if last.starts_with("directoryaudit") || last.starts_with("audit") {
            Some(LogName::DirectoryAudits)
        } else if last.starts_with("provisioning") {
            Some(LogName::Provisioning)
        } else {
            None
        }
    }
}

/// One record read from a file.
#[derive(Debug, Clone)]
pub struct Read {
    pub line: usize,
    pub record: Value,
}

/// A file's records, and the log its `@odata.context` names (if any).
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<Read>,
    pub context: Option<LogName>,
}

/// Why a file could not be read: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Parses a whole JSON document, or else NDJSON.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => document(text, doc),
        Err(whole) if text.trim_start().starts_with('[') => Err(ParseError {
            line: whole.line(),
            message: format!("not valid JSON: {whole}"),
        }),
        Err(whole) => ndjson(text).map_err(|e| {
            // A one-record file is a document: its own error says more.
            if text.lines().filter(|l| !l.trim().is_empty()).count() <= 1 {
                ParseError {
                    line: whole.line(),
                    message: format!("not valid JSON: {whole}"),
                }
            } else {
                e
            }
        }),
    }
}

fn document(text: &str, doc: Value) -> Result<Parsed, ParseError> {
    let starts = element_lines(text);
    let context = doc
        .get("@odata.context")
        .and_then(Value::as_str)
        .and_then(LogName::recognise);
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut map) if map.contains_key("value") => match map.remove("value") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(ParseError {
                    line: 1,
                    message: "value: must be an array of records".into(),
                });
            }
        },
        single @ Value::Object(_) => vec![single],
        _ => {
            return Err(ParseError {
                line: 1,
                message: "must be a Graph page, an array or an object".into(),
            });
        }
    };
    let records: Vec<Read> = items
        .into_iter()
        .enumerate()
        .map(|(i, record)| Read {
            line: starts.get(i).copied().unwrap_or(1),
            record,
        })
        .collect();
    objects(&records)?;
    Ok(Parsed { records, context })
}

fn ndjson(text: &str) -> Result<Parsed, ParseError> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str::<Value>(line).map_err(|e| ParseError {
            line: i + 1,
            message: format!("not valid JSON: {e}"),
        })?;
        records.push(Read {
            line: i + 1,
            record,
        });
    }
    objects(&records)?;
    Ok(Parsed {
        records,
        context: None,
    })
}

/// Every record must be a JSON object: anything else makes the file malformed.
fn objects(records: &[Read]) -> Result<(), ParseError> {
    match records.iter().find(|r| !r.record.is_object()) {
        Some(r) => Err(ParseError {
            line: r.line,
            message: "a record must be a JSON object".into(),
        }),
        None => Ok(()),
    }
}

/// The line each element of the document's record array starts on: the
/// elements of the top-level array, or of the array under a top-level key.
fn element_lines(text: &str) -> Vec<usize> {
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    let mut array_depth = None;
    let mut expecting = false;
    let mut lines = Vec::new();
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expecting && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if c == '[' && array_depth.is_none() && depth <= 2 {
                    array_depth = Some(depth);
                    expecting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if Some(depth) == array_depth => expecting = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_records_carry_the_line_they_start_on() {
        let text = "{\n \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\n \"value\": [\n  {\"id\": \"a\", \"x\": [1, 2]},\n  {\"id\": \"b\"}\n ]\n}\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.context, Some(LogName::SignIns));
        let lines: Vec<usize> = parsed.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5]);
    }

    #[test]
    fn ndjson_records_carry_their_line_and_a_bad_line_is_named() {
        let parsed = parse("{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n").unwrap();
        assert_eq!(parsed.records[1].line, 3);
        let error = parse("{\"id\":\"a\"}\n{\"id\":\n").unwrap_err();
        assert_eq!(error.line, 2);
    }

    #[test]
    fn logs_are_recognised_from_context_or_file_name() {
        assert_eq!(
            LogName::recognise(
                "https://graph.microsoft.com/beta/$metadata#auditLogs/directoryAudits"
            ),
            Some(LogName::DirectoryAudits)
        );
        assert_eq!(
            LogName::recognise("signIns-2026-06-01"),
            Some(LogName::SignIns)
        );
        assert_eq!(LogName::recognise("users"), None);
    }
}

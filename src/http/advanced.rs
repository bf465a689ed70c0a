//! Graph's advanced queries on directory objects: what needs the
//! `ConsistencyLevel: eventual` header (and `$count=true`), `$search`, and the
//! `/$count` segment.
//!
//! Source: Microsoft Graph docs, "Advanced query capabilities on Microsoft Entra
//! ID objects" (microsoft-graph-docs `concepts/aad-advanced-queries.md`): `ne`,
//! `not` and `endsWith` need the header and `$count=true`; `$search` needs the
//! header; `/$count` without it is 400 "$count is not currently supported.";
//! `?$count=true` without it is silently ignored.

use super::error::GraphError;
use crate::query::filter::{Expr, Operand, StrFunc};
use crate::query::options::Options;
use actix_web::HttpRequest;
use serde_json::Value;

/// Whether the request carries `ConsistencyLevel: eventual`.
pub fn eventual(req: &HttpRequest) -> bool {
    req.headers()
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
}

/// Applies the advanced-query rules to a directory-object listing: refuses what
/// needs the header (or `$count=true`), and drops `$count` without the header.
pub fn admit(req: &HttpRequest, options: &mut Options) -> Result<(), GraphError> {
    let eventual = eventual(req);
    if options.search.is_some() && !eventual {
        return Err(GraphError::new(
            400,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        ));
    }
    if let Some((_, expr)) = &options.filter
        && let Some(op) = advanced_operator(expr)
        && !(eventual && options.count)
    {
        return Err(GraphError::new(
            400,
            "Request_UnsupportedQuery",
            format!(
                "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
            ),
        ));
    }
    if !eventual {
        options.count = false;
    }
    Ok(())
}

/// The `/$count` segment without the header.
pub fn count_refused() -> GraphError {
    GraphError::new(
        400,
        "Request_BadRequest",
        "$count is not currently supported.",
    )
}

/// The first operator in the filter that only advanced queries take, by Graph's name.
/// `signInActivity` filters are exempt: its property page lists `ne` and `not`
/// among the operators it supports, without the advanced-query mark.
fn advanced_operator(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => advanced_operator(a).or_else(|| advanced_operator(b)),
        Expr::Not(inner) if !on_sign_in_activity(inner) => Some("not"),
        Expr::Not(inner) => advanced_operator(inner),
        Expr::Compare { left, op, right }
            if *op == crate::query::filter::CmpOp::Ne
                && !is_sign_in_activity(left)
                && !is_sign_in_activity(right) =>
        {
            Some("ne")
        }
        Expr::Call {
            func: StrFunc::EndsWith,
            ..
        } => Some("endsWith"),
        Expr::Lambda {
            body: Some(body), ..
        } => advanced_operator(body),
        _ => None,
    }
}

fn is_sign_in_activity(operand: &Operand) -> bool {
    matches!(operand, Operand::Path(p) if p.as_string().to_ascii_lowercase().starts_with("signinactivity/"))
}

/// Whether a filter names `signInActivity/...` anywhere.
pub fn on_sign_in_activity(expr: &Expr) -> bool {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => on_sign_in_activity(a) || on_sign_in_activity(b),
        Expr::Not(a) => on_sign_in_activity(a),
        Expr::Compare { left, right, .. } => {
            is_sign_in_activity(left) || is_sign_in_activity(right)
        }
        _ => false,
    }
}

/// Whether a filter names any property other than `signInActivity/...`.
pub fn names_other_property(expr: &Expr) -> bool {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => names_other_property(a) || names_other_property(b),
        Expr::Not(a) => names_other_property(a),
        Expr::Compare { left, right, .. } => {
            let path = |o: &Operand| matches!(o, Operand::Path(_)) && !is_sign_in_activity(o);
            path(left) || path(right)
        }
        _ => true,
    }
}

/// `$search="prop:term" [AND|OR "prop:term"]`: whether `object` matches. Graph
/// tokenizes values (spaces, symbols, case changes) and matches each term's
/// words as token prefixes, case-insensitively.
pub fn matches(search: &Clauses, object: &Value) -> bool {
    let clause = |(property, words): &(String, Vec<String>)| {
        let value = object
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(property)))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default();
        let tokens = tokens(value);
        words
            .iter()
            .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
    };
    match search.join {
        Join::And => search.clauses.iter().all(clause),
        Join::Or => search.clauses.iter().any(clause),
    }
}

/// How `$search` clauses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

/// A parsed `$search`: (property, lower-case words) clauses.
#[derive(Debug, Clone)]
pub struct Clauses {
    pub clauses: Vec<(String, Vec<String>)>,
    pub join: Join,
}

/// Parses `"displayName:room" OR "mail:room"`; the property must be searchable
/// on the resource (`searchable`), else Graph's 400.
pub fn parse_search(text: &str, searchable: &[&str]) -> Result<Clauses, GraphError> {
    let invalid = || {
        GraphError::new(
            400,
            "Request_UnsupportedQuery",
            format!("Invalid search clause: {text}"),
        )
    };
    let upper = text.to_ascii_uppercase();
    let join = if upper.contains("\" OR \"") {
        Join::Or
    } else {
        Join::And
    };
    let separator = if join == Join::Or { " OR " } else { " AND " };
    let mut clauses = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('"').ok_or_else(invalid)?;
        let end = inner.find('"').ok_or_else(invalid)?;
        let (property, term) = inner[..end].split_once(':').ok_or_else(invalid)?;
        let property = property.trim();
        let Some(canonical) = searchable.iter().find(|p| p.eq_ignore_ascii_case(property)) else {
            return Err(GraphError::new(
                400,
                "Request_UnsupportedQuery",
                format!(
                    "Unsupported or invalid query filter clause specified for property '{property}' of resource 'search'."
                ),
            ));
        };
        clauses.push((canonical.to_string(), tokens(term)));
        rest = inner[end + 1..].trim_start();
        if !rest.is_empty() {
            let len = separator.trim().len();
            if !rest
                .get(..len)
                .is_some_and(|s| s.eq_ignore_ascii_case(separator.trim()))
            {
                return Err(invalid());
            }
            rest = rest[len..].trim_start();
        }
    }
    if clauses.is_empty() {
        return Err(invalid());
    }
    Ok(Clauses { clauses, join })
}

/// Lower-case tokens: split on anything not alphanumeric and where a lower-case
/// letter is followed by an upper-case one.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            push(&mut out, &mut current);
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            push(&mut out, &mut current);
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    push(&mut out, &mut current);
    out
}

fn push(out: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        out.push(std::mem::take(current));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_match_token_prefixes_in_any_case() {
        let s = parse_search("\"displayName:adel\"", &["displayName"]).unwrap();
        assert!(matches(
            &s,
            &serde_json::json!({"displayName": "Adele Vance"})
        ));
        assert!(matches(
            &s,
            &serde_json::json!({"displayName": "ContosoAdele"})
        ));
        assert!(!matches(
            &s,
            &serde_json::json!({"displayName": "Madeleine"})
        ));
    }

    #[test]
    fn search_clauses_combine_with_or_and_and() {
        let props = ["displayName", "mail"];
        let or = parse_search("\"displayName:zed\" OR \"mail:adele\"", &props).unwrap();
        assert!(matches(
            &or,
            &serde_json::json!({"displayName": "A", "mail": "adele@x.com"})
        ));
        let and = parse_search("\"displayName:zed\" AND \"mail:adele\"", &props).unwrap();
        assert!(!matches(
            &and,
            &serde_json::json!({"displayName": "A", "mail": "adele@x.com"})
        ));
    }

    #[test]
    fn unquoted_or_unknown_search_clauses_are_refused() {
        assert!(parse_search("displayName:a", &["displayName"]).is_err());
        assert!(parse_search("\"jobTitle:a\"", &["displayName"]).is_err());
        assert!(parse_search("\"displayName\"", &["displayName"]).is_err());
    }
}

//! The route pattern of a request path, as a bounded label: ids become `{id}`,
//! the tenant of identity paths `{tenant}`, the version `{version}`.

use crate::http::routes::{Surface, is_version, lookup};

/// The label of a path no route answers.
pub const UNMATCHED: &str = "unmatched";

/// The route pattern and API version (`v1.0`, `beta` or empty) of a path.
pub fn pattern(path: &str, control: bool) -> (String, &'static str) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments == ["metrics"] {
        return ("/metrics".to_string(), "");
    }
    let Some(route) = lookup(&segments, control) else {
        return (UNMATCHED.to_string(), "");
    };
    match route.surface {
        Surface::Graph => graph(&segments),
        Surface::Identity | Surface::Token => (tenant_first(&segments), ""),
        Surface::Control | Surface::Document => (format!("/{}", segments.join("/")), ""),
    }
}

fn graph(segments: &[&str]) -> (String, &'static str) {
    let version = if segments[0].eq_ignore_ascii_case("beta") {
        "beta"
    } else {
        "v1.0"
    };
    debug_assert!(is_version(segments[0]));
    let mut out = String::from("/{version}");
    for segment in segments.iter().skip(1).take(4) {
        out.push('/');
        out.push_str(if is_word(segment) { segment } else { "{id}" });
    }
    if segments.len() > 5 {
        out.push_str("/...");
    }
    (out, version)
}

fn tenant_first(segments: &[&str]) -> String {
    if segments[0] == "common" {
        return format!("/{}", segments.join("/"));
    }
    format!("/{{tenant}}/{}", segments[1..].join("/"))
}

/// A resource or property name (letters, `$count`-style), not an id or a name.
fn is_word(segment: &str) -> bool {
    segment.len() <= 40
        && segment
            .trim_start_matches('$')
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '.')
        && !segment.trim_start_matches('$').is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_versions_become_placeholders() {
        assert_eq!(
            pattern(
                "/beta/auditLogs/signIns/1b7e0a52-9a4c-4c1e-8f0e-000000000001",
                true
            ),
            ("/{version}/auditLogs/signIns/{id}".to_string(), "beta")
        );
        assert_eq!(
            pattern("/V1.0/users/alice@contoso.com", true),
            ("/{version}/users/{id}".to_string(), "v1.0")
        );
    }

    #[test]
    fn identity_paths_hide_the_tenant() {
        assert_eq!(
            pattern("/contoso.onmicrosoft.com/oauth2/v2.0/token", true).0,
            "/{tenant}/oauth2/v2.0/token"
        );
        assert_eq!(pattern("/_entrasim/health", true).0, "/_entrasim/health");
    }

    #[test]
    fn unknown_paths_share_one_label() {
        assert_eq!(pattern("/wp-admin/x", true).0, UNMATCHED);
        assert_eq!(pattern("/_entrasim/health", false).0, UNMATCHED);
    }
}

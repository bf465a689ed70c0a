//! Parsing at the boundary: an ARM path and its query become a validated [`ArmRequest`],
//! with `api-version` checked as ARM checks it and role-assignment `$filter`s parsed.

use super::error::ArmError;

/// api-versions of Microsoft.Resources (subscriptions, resource groups, tenants), newest
/// first, as ARM lists them in its `InvalidApiVersionParameter` message (ansible-collections/azure#1739).
pub const RESOURCES_VERSIONS: &[&str] = &[
    "2024-08-01",
    "2024-06-01-preview",
    "2024-03-01",
    "2023-07-01",
    "2023-07-01-preview",
    "2023-03-01-preview",
    "2022-12-01",
    "2022-11-01-preview",
    "2022-09-01",
    "2022-06-01",
    "2022-05-01",
    "2022-03-01-preview",
    "2022-01-01",
    "2021-04-01",
    "2021-01-01",
    "2020-10-01",
    "2020-09-01",
    "2020-08-01",
    "2020-07-01",
    "2020-06-01",
    "2020-05-01",
    "2020-01-01",
    "2019-11-01",
    "2019-10-01",
    "2019-09-01",
    "2019-08-01",
    "2019-07-01",
    "2019-06-01",
    "2019-05-10",
    "2019-05-01",
    "2019-03-01",
    "2018-11-01",
    "2018-09-01",
    "2018-08-01",
    "2018-07-01",
    "2018-06-01",
    "2018-05-01",
    "2018-02-01",
    "2018-01-01",
    "2017-12-01",
    "2017-08-01",
    "2017-06-01",
    "2017-05-10",
    "2017-05-01",
    "2017-03-01",
    "2016-09-01",
    "2016-07-01",
    "2016-06-01",
    "2016-02-01",
    "2015-11-01",
    "2015-01-01",
    "2014-04-01-preview",
    "2014-04-01",
    "2014-01-01",
    "2013-03-01",
    "2014-02-26",
    "2014-04",
];

/// api-versions of `/metadata/endpoints` [INFERRED: the versions clients send; shapes in `http::metadata`].
pub const METADATA_VERSIONS: &[&str] = &[
    "2022-09-01",
    "2020-06-01",
    "2019-10-01",
    "2019-05-01",
    "2018-01-01",
    "2015-01-01",
];

/// api-versions of Microsoft.ManagedIdentity (azure-rest-api-specs msi folders; 2025-05-31-preview
/// is what `az identity list` sends from azure-cli 2.91.0, its `aaz/latest/identity/_list.py`).
pub const MSI_VERSIONS: &[&str] = &[
    "2015-08-31-PREVIEW",
    "2018-11-30",
    "2021-09-30-PREVIEW",
    "2022-01-31-PREVIEW",
    "2023-01-31",
    "2023-07-31-PREVIEW",
    "2024-11-30",
    "2025-01-31-PREVIEW",
    "2025-05-31-PREVIEW",
];

/// api-versions of Microsoft.Authorization role assignments and definitions
/// (azure-rest-api-specs authorization folders).
pub const AUTHORIZATION_VERSIONS: &[&str] = &[
    "2015-07-01",
    "2017-10-01-preview",
    "2018-01-01-preview",
    "2018-07-01",
    "2018-09-01-preview",
    "2020-03-01-preview",
    "2020-04-01-preview",
    "2020-08-01-preview",
    "2020-10-01-preview",
    "2021-04-01-preview",
    "2022-01-01-preview",
    "2022-04-01",
    "2022-05-01-preview",
];

/// What an ARM request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Metadata,
    Tenants,
    Subscriptions,
    Subscription(String),
    Groups(String),
    Group(String, String),
    /// User-assigned identities of a subscription, or of one of its groups.
    Identities(String, Option<String>),
    /// Any resource by id (identity-bearing resources and user-assigned identities).
    Resource(String),
    /// `{scope}/providers/Microsoft.ManagedIdentity/identities/default`.
    SystemIdentity(String),
    Assignments(String),
    Assignment(String, String),
    Definitions(String),
    Definition(String, String),
}

/// A role-assignment `$filter` (Authorization RP, S14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentFilter {
    /// No filter: at, above and below the scope.
    None,
    /// `atScope()`: at or above the scope.
    AtScope,
    /// `principalId eq '...'`: the principal's, at, above or below.
    Principal(String),
    /// `assignedTo('...')`, optionally with `atScope() and`.
    AssignedTo(String, bool),
}

/// A parsed ARM request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmRequest {
    pub target: Target,
    pub api_version: String,
    pub filter: AssignmentFilter,
}

/// Parses a path (segments) and query string into a request, checking its api-version.
pub fn parse(segments: &[&str], query: &str) -> Result<ArmRequest, ArmError> {
    let target = target(segments)?;
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let api_version = get("api-version").ok_or_else(ArmError::missing_api_version)?;
    check_version(&target, &api_version)?;
    let filter = match (&target, get("$filter")) {
        (Target::Assignments(_), Some(f)) => assignment_filter(&f)?,
        _ => AssignmentFilter::None,
    };
    Ok(ArmRequest {
        target,
        api_version,
        filter,
    })
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The target a path names; ARM matches path segments case-insensitively.
fn target(segments: &[&str]) -> Result<Target, ArmError> {
    let path = format!("/{}", segments.join("/"));
    if let Some(at) = provider_at(segments, "Microsoft.Authorization") {
        let scope = scope_of(&segments[..at]);
        return match &segments[at + 2..] {
            [kind] if eq(kind, "roleAssignments") => Ok(Target::Assignments(scope)),
            [kind, name] if eq(kind, "roleAssignments") => {
                Ok(Target::Assignment(scope, name.to_string()))
            }
            [kind] if eq(kind, "roleDefinitions") => Ok(Target::Definitions(scope)),
            [kind, id] if eq(kind, "roleDefinitions") => {
                Ok(Target::Definition(scope, id.to_string()))
            }
            _ => Err(ArmError::no_route(&path)),
        };
    }
    match segments {
        [m, e] if eq(m, "metadata") && eq(e, "endpoints") => Ok(Target::Metadata),
        [t] if eq(t, "tenants") => Ok(Target::Tenants),
        [s] if eq(s, "subscriptions") => Ok(Target::Subscriptions),
        [s, id] if eq(s, "subscriptions") => Ok(Target::Subscription(id.to_string())),
        [s, id, rg] if eq(s, "subscriptions") && eq(rg, "resourceGroups") => {
            Ok(Target::Groups(id.to_string()))
        }
        [s, id, rg, name] if eq(s, "subscriptions") && eq(rg, "resourceGroups") => {
            Ok(Target::Group(id.to_string(), name.to_string()))
        }
        [s, id, p, ns, kind] if eq(s, "subscriptions") && is_uami(p, ns, kind) => {
            Ok(Target::Identities(id.to_string(), None))
        }
        [s, id, rg, name, p, ns, kind]
            if eq(s, "subscriptions") && eq(rg, "resourceGroups") && is_uami(p, ns, kind) =>
        {
            Ok(Target::Identities(id.to_string(), Some(name.to_string())))
        }
        [.., p, ns, i, d]
            if eq(p, "providers")
                && eq(ns, "Microsoft.ManagedIdentity")
                && eq(i, "identities")
                && eq(d, "default") =>
        {
            Ok(Target::SystemIdentity(scope_of(
                &segments[..segments.len() - 4],
            )))
        }
        [s, _, rg, _, p, _, _, _, ..]
            if eq(s, "subscriptions") && eq(rg, "resourceGroups") && eq(p, "providers") =>
        {
            Ok(Target::Resource(path))
        }
        _ => Err(ArmError::no_route(&path)),
    }
}

fn is_uami(p: &str, ns: &str, kind: &str) -> bool {
    eq(p, "providers") && eq(ns, "Microsoft.ManagedIdentity") && eq(kind, "userAssignedIdentities")
}

/// The index of the last `providers/{namespace}` pair.
fn provider_at(segments: &[&str], namespace: &str) -> Option<usize> {
    (0..segments.len().saturating_sub(1))
        .rev()
        .find(|&i| eq(segments[i], "providers") && eq(segments[i + 1], namespace))
}

fn scope_of(segments: &[&str]) -> String {
    if segments.is_empty() {
        "/".to_string()
    } else {
        format!("/{}", segments.join("/"))
    }
}

/// ARM refuses an api-version its resource type does not know.
fn check_version(target: &Target, given: &str) -> Result<(), ArmError> {
    let known = |list: &[&str]| list.iter().any(|v| eq(v, given));
    match target {
        Target::Metadata if !known(METADATA_VERSIONS) => {
            Err(ArmError::invalid_api_version(given, METADATA_VERSIONS))
        }
        Target::Tenants
        | Target::Subscriptions
        | Target::Subscription(_)
        | Target::Groups(_)
        | Target::Group(..)
            if !known(RESOURCES_VERSIONS) =>
        {
            Err(ArmError::invalid_api_version(given, RESOURCES_VERSIONS))
        }
        Target::Identities(..) | Target::SystemIdentity(_) if !known(MSI_VERSIONS) => Err(
            ArmError::no_registered_provider(given, "userAssignedIdentities", MSI_VERSIONS),
        ),
        Target::Resource(id) if is_uami_id(id) && !known(MSI_VERSIONS) => Err(
            ArmError::no_registered_provider(given, "userAssignedIdentities", MSI_VERSIONS),
        ),
        Target::Assignments(_) | Target::Assignment(..) if !known(AUTHORIZATION_VERSIONS) => Err(
            ArmError::no_registered_provider(given, "roleAssignments", AUTHORIZATION_VERSIONS),
        ),
        Target::Definitions(_) | Target::Definition(..) if !known(AUTHORIZATION_VERSIONS) => Err(
            ArmError::no_registered_provider(given, "roleDefinitions", AUTHORIZATION_VERSIONS),
        ),
        // Other resource types: each RP has its own list, which entrasim does not know;
        // any well-formed version is served [INFERRED: refuse only what is surely refused].
        Target::Resource(_) if !well_formed(given) => Err(ArmError::no_registered_provider(
            given,
            "resources",
            &["2023-01-01"],
        )),
        _ => Ok(()),
    }
}

fn is_uami_id(id: &str) -> bool {
    id.to_ascii_lowercase()
        .contains("/providers/microsoft.managedidentity/userassignedidentities/")
}

/// `YYYY-MM-DD`, optionally `-preview`.
fn well_formed(version: &str) -> bool {
    let date = version
        .strip_suffix("-preview")
        .or_else(|| version.strip_suffix("-PREVIEW"))
        .unwrap_or(version);
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
}

/// Parses the Authorization RP's `$filter`: `atScope()`, `principalId eq '{id}'`,
/// `assignedTo('{id}')`, `atScope() and assignedTo('{id}')` (S14).
pub fn assignment_filter(filter: &str) -> Result<AssignmentFilter, ArmError> {
    let text = filter.trim();
    let unquote = |s: &str| s.trim().trim_matches('\'').trim_matches('"').to_string();
    let lower = text.to_ascii_lowercase();
    if lower == "atscope()" {
        return Ok(AssignmentFilter::AtScope);
    }
    if let Some(rest) = lower.strip_prefix("principalid eq ") {
        let id = unquote(&text[text.len() - rest.len()..]);
        return valid_id(id, filter).map(AssignmentFilter::Principal);
    }
    let (at_scope, call) = match lower.strip_prefix("atscope() and ") {
        Some(rest) => (true, &text[text.len() - rest.len()..]),
        None => (false, text),
    };
    let inner = call
        .strip_prefix("assignedTo(")
        .or_else(|| call.strip_prefix("assignedto("))
        .and_then(|r| r.strip_suffix(')'));
    match inner {
        Some(id) => {
            valid_id(unquote(id), filter).map(|id| AssignmentFilter::AssignedTo(id, at_scope))
        }
        None => Err(ArmError::invalid_filter(filter)),
    }
}

fn valid_id(id: String, filter: &str) -> Result<String, ArmError> {
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(ArmError::invalid_filter(filter));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<&str> {
        path.split('/').filter(|s| !s.is_empty()).collect()
    }

    #[test]
    fn a_request_without_api_version_is_refused_as_arm_does() {
        let e = parse(&segs("/subscriptions"), "").unwrap_err();
        assert_eq!(e.code, "MissingApiVersionParameter");
    }

    #[test]
    fn an_unknown_resources_version_lists_the_supported_ones() {
        let e = parse(&segs("/subscriptions"), "api-version=2099-01-01").unwrap_err();
        assert_eq!(e.code, "InvalidApiVersionParameter");
        assert!(e.message.starts_with(
            "The api-version '2099-01-01' is invalid. The supported versions are '2024-08-01,"
        ));
    }

    #[test]
    fn role_assignment_scopes_and_filters_parse() {
        let r = parse(
            &segs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments"),
            "api-version=2022-04-01&$filter=principalId%20eq%20'abc'",
        )
        .unwrap();
        assert_eq!(
            r.target,
            Target::Assignments("/subscriptions/s/resourceGroups/rg".into())
        );
        assert_eq!(r.filter, AssignmentFilter::Principal("abc".into()));
        assert_eq!(
            assignment_filter("atScope()").unwrap(),
            AssignmentFilter::AtScope
        );
        assert_eq!(
            assignment_filter("atScope() and assignedTo('x')").unwrap(),
            AssignmentFilter::AssignedTo("x".into(), true)
        );
        assert!(assignment_filter("roleName eq 'Reader'").is_err());
    }

    #[test]
    fn paths_are_matched_case_insensitively() {
        let r = parse(
            &segs("/SUBSCRIPTIONS/s/resourcegroups/rg/providers/microsoft.managedidentity/userassignedidentities"),
            "api-version=2023-01-31",
        )
        .unwrap();
        assert_eq!(r.target, Target::Identities("s".into(), Some("rg".into())));
    }
}

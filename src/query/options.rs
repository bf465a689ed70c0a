//! OData system query options: raw query strings become validated [`Options`].

use super::capability::{ApiVersion, Resource};
use super::error::QueryError;
use super::filter::{self, Expr};

/// Page-size and option rules of one resource.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub default_top: u32,
    pub max_top: u32,
    /// The property `$orderby` may name (None: no ordering option).
    pub order_property: Option<&'static str>,
    pub select: bool,
    pub count: bool,
}

/// The rules Graph applies to each resource (see README, "Query options").
pub fn rules(resource: Resource, allow_select_on_sign_ins: bool) -> Rules {
    match resource {
        Resource::SignIns => Rules {
            default_top: 1000,
            max_top: 1000,
            order_property: Some("createdDateTime"),
            select: allow_select_on_sign_ins,
            count: false,
        },
        Resource::DirectoryAudits => Rules {
            default_top: 1000,
            max_top: 1000,
            order_property: Some("activityDateTime"),
            select: true,
            count: false,
        },
        Resource::Provisioning => Rules {
            default_top: 1000,
            max_top: 1000,
            order_property: Some("activityDateTime"),
            select: true,
            count: false,
        },
        _ => Rules {
            default_top: 100,
            max_top: 999,
            order_property: None,
            select: true,
            count: true,
        },
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Validated query options of one request.
#[derive(Debug, Clone)]
pub struct Options {
    /// The filter text as received, and its parse.
    pub filter: Option<(String, Expr)>,
    pub top: u32,
    /// Whether `$top` was given (it is repeated in nextLinks).
    pub top_given: bool,
    pub direction: Direction,
    pub orderby_text: Option<String>,
    pub select: Option<Vec<String>>,
    pub skiptoken: Option<String>,
    pub count: bool,
    /// `$search` as received (directory objects only; quotes kept).
    pub search: Option<String>,
    /// `$expand`: the navigation properties named (directory objects and role management).
    pub expand: Option<Vec<String>>,
    /// The options as received, without `$skiptoken`, for nextLinks.
    pub passthrough: Vec<(String, String)>,
}

/// The options recognised, by canonical name.
const KNOWN: [&str; 10] = [
    "filter",
    "top",
    "orderby",
    "select",
    "skiptoken",
    "skip",
    "count",
    "search",
    "expand",
    "format",
];

/// Parses a raw query string (`a=b&c=d`, percent-encoded) for `resource`.
pub fn parse(
    query: &str,
    resource: Resource,
    version: ApiVersion,
    rules: Rules,
) -> Result<Options, QueryError> {
    let mut options = Options {
        filter: None,
        top: rules.default_top,
        top_given: false,
        direction: Direction::Desc,
        orderby_text: None,
        select: None,
        skiptoken: None,
        count: false,
        search: None,
        expand: None,
        passthrough: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for (raw_name, value) in form_urlencoded::parse(query.as_bytes()) {
        let Some(name) = canonical(&raw_name, version) else {
            continue;
        };
        if seen.contains(&name) {
            return Err(QueryError::bad_request(
                format!(
                    "Query option '{}' was specified more than once, but it must be specified at most once.",
                    title(name)
                ),
                None,
            ));
        }
        seen.push(name);
        if name != "skiptoken" {
            options
                .passthrough
                .push((raw_name.to_string(), value.to_string()));
        }
        apply(&mut options, name, &value, resource, rules)?;
    }
    Ok(options)
}

/// `$filter`/`$Filter` → "filter"; on beta the `$` is optional. Unknown names: None.
fn canonical(name: &str, version: ApiVersion) -> Option<&'static str> {
    let bare = match name.strip_prefix('$') {
        Some(bare) => bare,
        None if version == ApiVersion::Beta => name,
        None => return None,
    };
    KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(bare))
}

/// The option's name as ASP.NET OData's `AllowedQueryOptions` spells it.
fn title(name: &str) -> &'static str {
    match name {
        "filter" => "Filter",
        "top" => "Top",
        "orderby" => "OrderBy",
        "select" => "Select",
        "skiptoken" => "SkipToken",
        "skip" => "Skip",
        "count" => "Count",
        "search" => "Search",
        "expand" => "Expand",
        _ => "Format",
    }
}

fn apply(
    options: &mut Options,
    name: &str,
    value: &str,
    resource: Resource,
    rules: Rules,
) -> Result<(), QueryError> {
    match name {
        "filter" => options.filter = Some((value.to_string(), parse_filter(value)?)),
        "top" => {
            options.top = parse_top(value, rules.max_top)?;
            options.top_given = true;
        }
        "orderby" => {
            options.direction = parse_orderby(value, rules)?;
            options.orderby_text = Some(value.to_string());
        }
        "select" if rules.select => {
            let names: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
            if names.iter().any(String::is_empty) {
                return Err(QueryError::bad_request(
                    format!("Syntax error: '{value}' is not a valid $select list."),
                    Some("name one or more properties, separated by commas".into()),
                ));
            }
            options.select = Some(names);
        }
        "skiptoken" => options.skiptoken = Some(value.to_string()),
        "count" if rules.count => {
            options.count = match value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(QueryError::bad_request(
                        format!("'{value}' is not a valid count option."),
                        None,
                    ));
                }
            }
        }
        "format" => {}
        // Only under the directory's own rules (other surfaces reuse `Resource::Users`).
        "search" if rules.count && resource.is_directory_object() => {
            options.search = Some(value.to_string());
        }
        "expand" if rules.count && !resource.is_log() => {
            options.expand = Some(expand_items(value));
        }
        other => {
            return Err(QueryError::not_allowed(title(other)));
        }
    }
    Ok(())
}

/// `$expand` items split on the commas outside parentheses, so that
/// `manager($select=id,displayName),memberOf` is two items.
fn expand_items(value: &str) -> Vec<String> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                items.push(value[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(value[start..].trim().to_string());
    items
}

fn parse_filter(text: &str) -> Result<Expr, QueryError> {
    filter::parse(text).map_err(QueryError::filter)
}

/// `$top`: a whole number from 1 to the maximum.
fn parse_top(value: &str, max: u32) -> Result<u32, QueryError> {
    let n: i64 = value.trim().parse().map_err(|_| {
        QueryError::bad_request(
            format!("Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value."),
            None,
        )
    })?;
    if n < 0 {
        return Err(QueryError::bad_request(
            format!(
                "Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value."
            ),
            None,
        ));
    }
    if n == 0 {
        return Err(QueryError::bad_request(
            format!("Invalid page size specified: '0'. Must be between 1 and {max} inclusive."),
            None,
        ));
    }
    if n > max as i64 {
        return Err(QueryError::bad_request(
            format!(
                "The query specified in the URI is not valid. The limit of '{max}' for Top query has been exceeded. The value from the incoming request is '{n}'."
            ),
            None,
        ));
    }
    Ok(n as u32)
}

/// `$orderby=<time property> [asc|desc]`, any case.
fn parse_orderby(value: &str, rules: Rules) -> Result<Direction, QueryError> {
    let mut words = value.split_whitespace();
    let property = words.next().unwrap_or_default();
    let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => Direction::Asc,
        Some("desc") => Direction::Desc,
        Some(other) => {
            return Err(QueryError::bad_request(
                format!(
                    "Syntax error at position {}: '{other}' is not asc or desc.",
                    value.len()
                ),
                None,
            ));
        }
    };
    let Some(allowed) = rules.order_property else {
        return Err(QueryError::not_allowed("OrderBy"));
    };
    if !property.eq_ignore_ascii_case(allowed) || words.next().is_some() {
        return Err(QueryError::bad_request(
            format!("OrderBy not supported for property '{property}'."),
            Some(format!(
                "only '{allowed} asc' and '{allowed} desc' are supported"
            )),
        ));
    }
    Ok(direction)
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_expand_items_nested_select_keeps_its_commas() {
        assert_eq!(
            super::expand_items("manager($select=id,displayName), memberOf"),
            ["manager($select=id,displayName)", "memberOf"]
        );
    }

    use super::*;

    fn sign_ins(q: &str) -> Result<Options, QueryError> {
        parse(
            q,
            Resource::SignIns,
            ApiVersion::V1,
            rules(Resource::SignIns, false),
        )
    }

    #[test]
    fn sign_ins_default_to_a_thousand_newest_first() {
        let options = sign_ins("").unwrap();
        assert_eq!((options.top, options.direction), (1000, Direction::Desc));
    }

    #[test]
    fn option_names_are_case_insensitive_and_the_dollar_is_optional_on_beta() {
        assert_eq!(sign_ins("$TOP=5").unwrap().top, 5);
        let beta = parse(
            "top=7",
            Resource::SignIns,
            ApiVersion::Beta,
            rules(Resource::SignIns, false),
        )
        .unwrap();
        assert_eq!(beta.top, 7);
        assert_eq!(sign_ins("top=7").unwrap().top, 1000);
    }

    #[test]
    fn bad_top_values_are_refused() {
        for bad in ["0", "-1", "abc", "1001", "1.5"] {
            assert_eq!(
                sign_ins(&format!("$top={bad}")).unwrap_err().status,
                400,
                "{bad}"
            );
        }
    }

    #[test]
    fn skip_and_select_on_sign_ins_get_graphs_messages() {
        assert!(
            sign_ins("$skip=10")
                .unwrap_err()
                .message
                .starts_with("Query option 'Skip' is not allowed")
        );
        assert!(
            sign_ins("$select=id")
                .unwrap_err()
                .message
                .starts_with("Query option 'Select' is not allowed")
        );
    }

    #[test]
    fn orderby_accepts_any_case_of_the_time_property() {
        assert_eq!(
            sign_ins("$orderby=createdDateTime%20ASC")
                .unwrap()
                .direction,
            Direction::Asc
        );
        assert_eq!(
            sign_ins("$orderBy=createdDateTime+DESC").unwrap().direction,
            Direction::Desc
        );
        assert!(sign_ins("$orderby=userId").is_err());
    }

    #[test]
    fn repeated_options_are_refused_with_odatas_spelling() {
        for (query, name) in [
            ("$top=1&$top=2", "Top"),
            ("$skiptoken=a&$SkipToken=b", "SkipToken"),
            (
                "$orderby=createdDateTime&$orderby=createdDateTime",
                "OrderBy",
            ),
        ] {
            assert_eq!(
                sign_ins(query).unwrap_err().message,
                format!(
                    "Query option '{name}' was specified more than once, but it must be specified at most once."
                ),
                "{query}"
            );
        }
    }
}

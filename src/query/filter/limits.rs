//! Size limits checked on the raw `$filter` text before the parser runs.
//!
//! The parser builds `and`/`or` chains and `not` prefixes iteratively, but the
//! tree it builds is as deep as the chain is long, and everything that walks a
//! filter afterwards (capability check, compilation, evaluation, drop) recurses.
//! Bounding the operators and the parentheses bounds that depth, so no filter
//! can exhaust a worker's stack.

use super::FilterError;

/// Deepest nesting of parentheses accepted; bounds the parser's recursion.
pub const MAX_NESTING: usize = 64;

/// Most `and`, `or` and `not` operators one filter may use (so at most 257
/// clauses): far beyond what a hand-written or generated client filter needs.
pub const MAX_OPERATORS: usize = 256;

/// Rejects input nested deeper than [`MAX_NESTING`] or combining more than
/// [`MAX_OPERATORS`] clauses. Keywords inside string literals do not count; a
/// property literally named `and`, `or` or `not` does (the check is lexical).
pub fn check(input: &str) -> Result<(), FilterError> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut in_string = false;
    let mut word_start: Option<usize> = None;
    for (pos, c) in input.char_indices().chain([(input.len(), ' ')]) {
        let in_word = !in_string && (c.is_ascii_alphanumeric() || c == '_');
        match (word_start, in_word) {
            (None, true) => word_start = Some(pos),
            (Some(start), false) => {
                word_start = None;
                if is_operator(&input[start..pos]) {
                    operators += 1;
                    if operators > MAX_OPERATORS {
                        return Err(too_many(start));
                    }
                }
            }
            _ => {}
        }
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(FilterError {
                position: pos,
                expected: format!("at most {MAX_NESTING} nested parentheses"),
            });
        }
    }
    Ok(())
}

fn is_operator(word: &str) -> bool {
    ["and", "or", "not"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

fn too_many(position: usize) -> FilterError {
    FilterError {
        position,
        expected: format!(
            "at most {MAX_OPERATORS} and/or/not operators (this filter combines more clauses than entrasim accepts)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert!(parse(&deep(MAX_NESTING)).is_ok());
        let err = parse(&deep(MAX_NESTING + 1)).unwrap_err();
        assert_eq!(err.position, MAX_NESTING);
        assert!(parse(&format!("x eq '{}'", "(".repeat(1000))).is_ok());
    }

    #[test]
    fn long_chains_are_refused_before_a_deep_tree_is_built() {
        let chain = |op: &str, n: usize| vec!["true"; n + 1].join(&format!(" {op} "));
        for op in ["or", "and", "OR", "And"] {
            assert!(parse(&chain(op, MAX_OPERATORS)).is_ok(), "{op}");
            let err = parse(&chain(op, MAX_OPERATORS + 1)).unwrap_err();
            assert!(err.expected.contains("and/or/not"), "{op}: {err}");
            assert!(parse(&chain(op, 7_000)).is_err(), "{op}");
        }
        let nots = |n: usize| format!("{}a", "not ".repeat(n));
        assert!(parse(&nots(MAX_OPERATORS)).is_ok());
        assert!(parse(&nots(MAX_OPERATORS + 1)).is_err());
        assert!(parse(&nots(10_000)).is_err());
    }

    #[test]
    fn the_error_points_at_the_first_operator_over_the_limit() {
        let input = vec!["a"; MAX_OPERATORS + 2].join(" or ");
        let err = parse(&input).unwrap_err();
        let expected = (MAX_OPERATORS + 1) * "a or ".len() - "or ".len();
        assert_eq!(err.position, expected);
        assert_eq!(&input[err.position..err.position + 2], "or");
    }

    #[test]
    fn keywords_in_strings_and_longer_names_do_not_count() {
        let quoted = format!("x eq '{}'", "a or ".repeat(2 * MAX_OPERATORS));
        assert!(parse(&quoted).is_ok());
        let names = vec!["notable eq 1"; MAX_OPERATORS + 1].join(" or ");
        assert!(parse(&names).is_ok());
        let mixed = vec!["order eq 1"; MAX_OPERATORS + 1].join(" and ");
        assert!(parse(&mixed).is_ok());
    }
}

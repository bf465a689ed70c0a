//! Parser for Graph's `$filter` dialect: `parse` text into an [`Expr`].
//!
//! The input must already be URL-decoded (`+` is not treated as a space).
//! See `grammar.rs` for the syntax accepted and `ast.rs` for the tree.

mod ast;
mod grammar;
mod limits;

pub use ast::{CmpOp, Expr, Literal, Operand, Path, Quantifier, StrFunc};
pub use limits::{MAX_NESTING, MAX_OPERATORS};

/// A `$filter` syntax error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("syntax error at position {position}: expected {expected}")]
pub struct FilterError {
    /// Byte offset into the input where parsing failed.
    pub position: usize,
    /// What the parser would have accepted there, in words.
    pub expected: String,
}

/// Parses a URL-decoded `$filter` value, refusing filters larger than the
/// limits in [`MAX_NESTING`] and [`MAX_OPERATORS`].
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    limits::check(input)?;
    grammar::odata::filter(input).map_err(|e| FilterError {
        position: e.location.offset,
        expected: describe(e.expected.tokens()),
    })
}

/// Renders peg's expected set as prose, e.g. `one of "(", not`.
fn describe<'a>(tokens: impl Iterator<Item = &'a str>) -> String {
    let mut tokens: Vec<&str> = tokens
        .map(|t| if t == "EOF" { "end of input" } else { t })
        .collect();
    // A hint naming the known functions beats a list of everything else.
    if let Some(hint) = tokens
        .iter()
        .find(|t| **t == grammar::KNOWN_FUNCTION || **t == grammar::KNOWN_LAMBDA)
    {
        return (*hint).to_owned();
    }
    tokens.sort_unstable();
    tokens.dedup();
    match tokens.as_slice() {
        [] => "valid filter syntax".to_owned(),
        [one] => (*one).to_owned(),
        many => format!("one of {}", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;

    fn path(text: &str) -> Operand {
        Operand::Path(Path::new(text))
    }

    fn int(i: i64) -> Operand {
        Operand::Literal(Literal::Int(i))
    }

    fn string(s: &str) -> Operand {
        Operand::Literal(Literal::String(s.to_owned()))
    }

    fn cmp(left: Operand, op: CmpOp, right: Operand) -> Expr {
        Expr::Compare { left, op, right }
    }

    fn eq(p: &str, right: Operand) -> Expr {
        cmp(path(p), CmpOp::Eq, right)
    }

    fn and(l: Expr, r: Expr) -> Expr {
        Expr::And(Box::new(l), Box::new(r))
    }

    fn or(l: Expr, r: Expr) -> Expr {
        Expr::Or(Box::new(l), Box::new(r))
    }

    fn not(e: Expr) -> Expr {
        Expr::Not(Box::new(e))
    }

    fn lambda(coll: &str, var: &str, body: Expr) -> Expr {
        Expr::Lambda {
            collection: Path::new(coll),
            quantifier: Quantifier::Any,
            var: Some(var.to_owned()),
            body: Some(Box::new(body)),
        }
    }

    fn call(func: StrFunc, target: Operand, arg: Operand) -> Expr {
        Expr::Call { func, target, arg }
    }

    fn lit(l: Literal) -> Operand {
        Operand::Literal(l)
    }

    /// Parses or fails the test with the input in the message.
    fn ok(input: &str) -> Expr {
        parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"))
    }

    /// Every `$filter` string quoted in graph-api.md §3.2 (and its nextLink
    /// examples in §3.4, URL-decoded), with `{v}` and `<ISO>` filled in.
    const GRAPH_API_EXAMPLES: &[&str] = &[
        "signInEventTypes/any(t: t eq 'nonInteractiveUser')",
        "(signInEventTypes/any(t: t ne 'interactiveUser'))",
        "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
        "status/errorCode eq 0",
        "status/errorCode ne 0",
        "isRisky eq true",
        "createdDateTime ge 2018-01-24",
        "createdDateTime ge 2024-01-01T00:00:00Z",
        "startsWith(appDisplayName,'Graph')",
        "activityDateTime ge 2024-01-01T00:00:00Z and activityDateTime le 2024-01-31T00:00:00Z",
        "startswith(activityDisplayName, 'Add')",
        "initiatedBy/user/id eq 'b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1'",
        "initiatedBy/user/userPrincipalName eq 'admin@contoso.com'",
        "startswith(initiatedBy/user/userPrincipalName, 'admin')",
        "initiatedBy/app/appId eq 'de8bc8b5-d9f9-48b1-a8ad-b748da725064'",
        "initiatedBy/app/appDisplayName eq 'x'",
        "targetResources/any(t: t/id eq 'ef7e527d-6c92-4234-8c6d-cf6fdfb57f95')",
        "targetResources/any(t: t/displayName eq 'Contoso')",
        "targetResources/any(x: startswith(x/displayName, 'Con'))",
        "category eq 'UserManagement'",
        "activityDateTime gt 2022-12-10",
        "activityDateTime ge 2024-01-01T00:00:00.0000000Z",
        "jobid eq 'AD2AADProvisioning.e9c1.8f00'",
        "contains(tolower(sourceIdentity/displayName), 'ann') or contains(tolower(targetIdentity/displayName), 'ann')",
        "provisioningAction eq 'create' and provisioningStatusInfo/status eq 'failure'",
        "durationInMilliseconds gt 1000 and durationInMilliseconds lt 5000",
        "(createdDateTime ge 2024-01-01 and createdDateTime le 2024-01-02) and appDisplayName eq 'Windows Sign In'",
    ];

    #[test]
    fn every_graph_api_example_filter_parses() {
        for input in GRAPH_API_EXAMPLES {
            ok(input);
        }
    }

    #[test]
    fn the_rows_odata_params_got_wrong_parse_correctly() {
        let guid = Literal::Guid("b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1".into());
        let cases: &[(&str, &str, Expr)] = &[
            (
                "property paths",
                "status/errorCode eq 0",
                eq("status/errorCode", int(0)),
            ),
            (
                "two-level paths",
                "location/city eq 'Redmond'",
                eq("location/city", string("Redmond")),
            ),
            (
                "three-level paths",
                "initiatedBy/user/id eq 'x'",
                eq("initiatedBy/user/id", string("x")),
            ),
            (
                "lambdas",
                "targetResources/any(t: t/id eq 'x')",
                lambda("targetResources", "t", eq("t/id", string("x"))),
            ),
            ("one-character names", "x eq 1", eq("x", int(1))),
            (
                "and binds tighter than or",
                "aa eq 1 and bb eq 2 or cc eq 3",
                or(and(eq("aa", int(1)), eq("bb", int(2))), eq("cc", int(3))),
            ),
            (
                "not applies to one comparison",
                "not aa eq 1 and bb eq 2",
                and(not(eq("aa", int(1))), eq("bb", int(2))),
            ),
            (
                "keywords need a word boundary",
                "notable eq 1",
                eq("notable", int(1)),
            ),
            (
                "names may start with null",
                "nullable eq 1",
                eq("nullable", int(1)),
            ),
            (
                "names may start with true",
                "trueName eq 'x'",
                eq("trueName", string("x")),
            ),
            (
                "negative numbers",
                "errorCode eq -1",
                eq("errorCode", int(-1)),
            ),
            (
                "exponents",
                "aa eq 1.5e3",
                eq("aa", lit(Literal::Float(1500.0))),
            ),
            (
                "a leading dot",
                "aa eq .5",
                eq("aa", lit(Literal::Float(0.5))),
            ),
            (
                "mixed-case operators",
                "Name Eq 'x'",
                eq("Name", string("x")),
            ),
            (
                "mixed-case conjunctions",
                "aa eq 1 And bb eq 2",
                and(eq("aa", int(1)), eq("bb", int(2))),
            ),
            (
                "doubled quotes",
                "name eq 'O''Brien'",
                eq("name", string("O'Brien")),
            ),
            (
                "date-only literals",
                "createdDateTime ge 2024-01-01",
                cmp(
                    path("createdDateTime"),
                    CmpOp::Ge,
                    lit(Literal::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())),
                ),
            ),
            (
                "bare GUIDs",
                "userId eq B3ECAA03-0E04-4C7F-9C59-52C0A9E1F5F1",
                eq("userId", lit(guid)),
            ),
            (
                "contains over tolower",
                "contains(tolower(userDisplayName),'ann')",
                call(
                    StrFunc::Contains,
                    Operand::ToLower(Box::new(path("userDisplayName"))),
                    string("ann"),
                ),
            ),
            (
                "in lists",
                "id in ('a','b')",
                Expr::In {
                    left: path("id"),
                    values: vec![Literal::String("a".into()), Literal::String("b".into())],
                },
            ),
        ];
        for (name, input, expected) in cases {
            assert_eq!(parse(input).as_ref(), Ok(expected), "{name}: {input}");
        }
    }

    #[test]
    fn precedence_and_associativity_follow_odata() {
        let a = || Expr::Bool(path("a"));
        let b = || Expr::Bool(path("b"));
        let c = || Expr::Bool(path("c"));
        let cases: &[(&str, Expr)] = &[
            ("a and b or c", or(and(a(), b()), c())),
            ("a or b and c", or(a(), and(b(), c()))),
            ("a or b or c", or(or(a(), b()), c())),
            ("a and b and c", and(and(a(), b()), c())),
            ("a and (b or c)", and(a(), or(b(), c()))),
            ("not a or b", or(not(a()), b())),
            ("not not a", not(not(a()))),
            ("not (a or b)", not(or(a(), b()))),
            ("((a))", a()),
            (
                "0 eq status/errorCode",
                cmp(int(0), CmpOp::Eq, path("status/errorCode")),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).as_ref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn literals_take_their_odata_types() {
        let at = |s: &str| Literal::DateTime(s.parse().unwrap());
        let cases: &[(&str, Literal)] = &[
            ("null", Literal::Null),
            ("TRUE", Literal::Bool(true)),
            ("false", Literal::Bool(false)),
            ("50126", Literal::Int(50126)),
            ("+7", Literal::Int(7)),
            ("-9223372036854775808", Literal::Int(i64::MIN)),
            ("99999999999999999999", Literal::Float(1e20)),
            ("1e3", Literal::Float(1000.0)),
            ("-2.5E-1", Literal::Float(-0.25)),
            ("''", Literal::String(String::new())),
            (
                "'it''s ''quoted'''",
                Literal::String("it's 'quoted'".into()),
            ),
            ("'a/b eq c'", Literal::String("a/b eq c".into())),
            ("2024-01-01T00:00:00Z", at("2024-01-01T00:00:00Z")),
            (
                "2024-01-01T00:00:00.1234567Z",
                at("2024-01-01T00:00:00.1234567Z"),
            ),
            ("2024-01-01T00:00:00.5Z", at("2024-01-01T00:00:00.5Z")),
            ("2024-01-01T00:00:00+02:00", at("2023-12-31T22:00:00Z")),
            ("2024-01-01T00:00:00-05:30", at("2024-01-01T05:30:00Z")),
            ("2024-01-01T00:00Z", at("2024-01-01T00:00:00Z")),
            (
                "2024-02-29",
                Literal::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            ),
            (
                "12345678-1234-1234-1234-123456789ABC",
                Literal::Guid("12345678-1234-1234-1234-123456789abc".into()),
            ),
        ];
        for (text, expected) in cases {
            let input = format!("x eq {text}");
            assert_eq!(parse(&input), Ok(eq("x", lit(expected.clone()))), "{input}");
        }
    }

    #[test]
    fn date_times_keep_100_nanosecond_precision() {
        let parsed = ok("x ge 2018-01-09T21:20:02.7215374Z");
        let expected = Utc.with_ymd_and_hms(2018, 1, 9, 21, 20, 2).unwrap()
            + chrono::Duration::nanoseconds(721_537_400);
        assert_eq!(
            parsed,
            cmp(path("x"), CmpOp::Ge, lit(Literal::DateTime(expected)))
        );
        assert_eq!(parsed.to_string(), "x ge 2018-01-09T21:20:02.7215374Z");
    }

    #[test]
    fn lambdas_functions_and_bare_predicates_parse() {
        let cases: &[(&str, Expr)] = &[
            (
                "signInEventTypes/any(t: t eq 'nonInteractiveUser' or t eq 'interactiveUser')",
                lambda(
                    "signInEventTypes",
                    "t",
                    or(
                        eq("t", string("nonInteractiveUser")),
                        eq("t", string("interactiveUser")),
                    ),
                ),
            ),
            (
                "targetResources/any(x:startswith(x/displayName, 'ab'))",
                lambda(
                    "targetResources",
                    "x",
                    call(StrFunc::StartsWith, path("x/displayName"), string("ab")),
                ),
            ),
            (
                "x/all(v: v eq 1)",
                Expr::Lambda {
                    collection: Path::new("x"),
                    quantifier: Quantifier::All,
                    var: Some("v".into()),
                    body: Some(Box::new(eq("v", int(1)))),
                },
            ),
            (
                "x/ANY( )",
                Expr::Lambda {
                    collection: Path::new("x"),
                    quantifier: Quantifier::Any,
                    var: None,
                    body: None,
                },
            ),
            (
                "a/b/any(outer: outer/c/any(inner: inner eq outer/d))",
                lambda(
                    "a/b",
                    "outer",
                    lambda("outer/c", "inner", eq("inner", path("outer/d"))),
                ),
            ),
            (
                "ENDSWITH(mail, '@contoso.com')",
                call(StrFunc::EndsWith, path("mail"), string("@contoso.com")),
            ),
            (
                "toupper(tolower(x)) eq 'A'",
                eq_op(
                    Operand::ToUpper(Box::new(Operand::ToLower(Box::new(path("x"))))),
                    string("A"),
                ),
            ),
            ("isInteractive", Expr::Bool(path("isInteractive"))),
            ("true", Expr::Bool(lit(Literal::Bool(true)))),
            ("tolower eq 1", eq("tolower", int(1))),
            ("any eq 1", eq("any", int(1))),
            (
                "status/errorCode in (0, 50126)",
                Expr::In {
                    left: path("status/errorCode"),
                    values: vec![Literal::Int(0), Literal::Int(50126)],
                },
            ),
            (
                " \ta eq 1\t and  b eq 2 ",
                and(eq("a", int(1)), eq("b", int(2))),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).as_ref(), Ok(expected), "{input}");
        }
    }

    fn eq_op(left: Operand, right: Operand) -> Expr {
        cmp(left, CmpOp::Eq, right)
    }

    #[test]
    fn malformed_filters_report_where_and_what() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "an operand"),
            ("   ", 3, "an operand"),
            ("status/errorCode eq", 19, "an operand"),
            ("status/errorCode eq ", 20, "an operand"),
            ("a eq 1 andb eq 2", 7, "and"),
            ("a eq 1 or", 9, "an operand"),
            ("(a eq 1", 7, "\")\""),
            ("a eq 1)", 6, "end of input"),
            ("'abc", 4, "closing quote"),
            ("a eq 'abc", 9, "closing quote"),
            ("a eq 1 x", 7, "end of input"),
            ("status/ eq 1", 7, "property name"),
            (
                "foo(x)",
                3,
                "a known function (startswith, endswith, contains, tolower, toupper)",
            ),
            ("substring(a, 1) eq 'x'", 9, "a known function"),
            ("x/foo(t: t eq 1)", 5, "a lambda operator (any, all)"),
            ("x eq 2024-01-01T00:00:00", 24, "time-zone offset"),
            ("x eq 2024-13-01T00:00:00Z", 25, "a valid date-time"),
            ("x eq 2024-02-30", 15, "a valid calendar date"),
            ("a eq1", 2, "an operator"),
            ("a + eq 1", 2, "an operator"),
            ("x/any(t t eq 1)", 8, "\":\""),
            ("a in ()", 6, "a literal"),
            ("startswith(a 'b')", 13, "\",\""),
        ];
        for (input, position, expected) in cases {
            let err = parse(input).expect_err(input);
            assert_eq!(err.position, *position, "{input}: {err}");
            assert!(err.expected.contains(expected), "{input}: {err}");
        }
    }

    #[test]
    fn error_messages_read_as_prose() {
        let err = parse("status/errorCode eq").unwrap_err();
        assert_eq!(
            err.to_string(),
            "syntax error at position 19: expected an operand (property, literal or function)"
        );
        let err = parse("a eq 1 andb eq 2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "syntax error at position 7: expected one of and, end of input, or"
        );
    }

    #[test]
    fn display_writes_parseable_odata() {
        let cases: &[(&str, &str)] = &[
            ("name eq 'O''Brien'", "name eq 'O''Brien'"),
            ("a and (b or c)", "a and (b or c)"),
            ("not (a and b)", "not (a and b)"),
            ("(a or b) or c", "a or b or c"),
            ("a or (b or c)", "a or (b or c)"),
            ("startsWith(x,'y')", "startswith(x, 'y')"),
            ("x/any()", "x/any()"),
            (
                "x ge 2024-01-01T00:00:00.1000000Z",
                "x ge 2024-01-01T00:00:00.1000000Z",
            ),
            (
                "x ge 2024-01-01T00:00:00.000000000Z",
                "x ge 2024-01-01T00:00:00Z",
            ),
            ("x eq 1.0", "x eq 1.0"),
        ];
        for (input, expected) in cases {
            assert_eq!(ok(input).to_string(), *expected, "{input}");
        }
    }

    mod properties {
        use chrono::{DateTime, NaiveDate};
        use proptest::prelude::*;

        use super::super::*;

        const TOKENS: &[&str] = &[
            "(",
            ")",
            "'",
            "''",
            ",",
            ":",
            "/",
            " ",
            "\t",
            "eq",
            " eq ",
            " and ",
            " or ",
            "not ",
            " in ",
            "any",
            "all",
            "startswith(",
            "tolower(",
            "x",
            "t/id",
            "0",
            "-1",
            "1.5e3",
            "null",
            "true",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "+02:00",
            "é",
            "\u{0}",
            "b3ecaa03-0e04-4c7f-9c59-52c0a9e1f5f1",
        ];

        fn token_soup() -> impl Strategy<Value = String> {
            prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.concat())
        }

        /// Deletes, inserts or duplicates bytes at char boundaries of a valid filter.
        fn mutated() -> impl Strategy<Value = String> {
            let base = prop::sample::select(super::GRAPH_API_EXAMPLES);
            let edits = prop::collection::vec((any::<usize>(), 0u8..3, any::<char>()), 1..6);
            (base, edits).prop_map(|(base, edits)| {
                let mut chars: Vec<char> = base.chars().collect();
                for (at, kind, c) in edits {
                    let i = at % (chars.len() + 1);
                    match kind {
                        0 if i < chars.len() => {
                            chars.remove(i);
                        }
                        1 => chars.insert(i, c),
                        _ => chars.insert(i, chars.get(i).copied().unwrap_or(c)),
                    }
                }
                chars.into_iter().collect()
            })
        }

        fn ident() -> impl Strategy<Value = String> {
            "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("reserved word", |s| {
                !["not", "null", "true", "false"].contains(&s.to_ascii_lowercase().as_str())
            })
        }

        fn path() -> impl Strategy<Value = Path> {
            prop::collection::vec(ident(), 1..4).prop_map(|segments| Path { segments })
        }

        fn literal() -> impl Strategy<Value = Literal> {
            prop_oneof![
                Just(Literal::Null),
                any::<bool>().prop_map(Literal::Bool),
                any::<i64>().prop_map(Literal::Int),
                any::<f64>()
                    .prop_filter("finite", |x| x.is_finite())
                    .prop_map(Literal::Float),
                ".*".prop_map(Literal::String),
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                    .prop_map(Literal::Guid),
                (0i64..253_402_300_799, 0u32..1_000_000_000).prop_map(|(s, n)| {
                    Literal::DateTime(DateTime::from_timestamp(s, n).unwrap_or_default())
                }),
                (0i32..2_900_000).prop_map(|d| Literal::Date(
                    NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default()
                )),
            ]
        }

        fn operand() -> impl Strategy<Value = Operand> {
            let leaf = prop_oneof![
                path().prop_map(Operand::Path),
                literal().prop_map(Operand::Literal)
            ];
            leaf.prop_recursive(2, 4, 1, |inner| {
                prop_oneof![
                    inner.clone().prop_map(|o| Operand::ToLower(Box::new(o))),
                    inner.prop_map(|o| Operand::ToUpper(Box::new(o))),
                ]
            })
        }

        fn cmp_op() -> impl Strategy<Value = CmpOp> {
            prop::sample::select(
                &[
                    CmpOp::Eq,
                    CmpOp::Ne,
                    CmpOp::Gt,
                    CmpOp::Ge,
                    CmpOp::Lt,
                    CmpOp::Le,
                ][..],
            )
        }

        fn leaf_expr() -> impl Strategy<Value = Expr> {
            const FUNCS: [StrFunc; 3] = [StrFunc::StartsWith, StrFunc::EndsWith, StrFunc::Contains];
            prop_oneof![
                (operand(), cmp_op(), operand()).prop_map(|(left, op, right)| Expr::Compare {
                    left,
                    op,
                    right
                }),
                (operand(), prop::collection::vec(literal(), 1..4))
                    .prop_map(|(left, values)| Expr::In { left, values }),
                (prop::sample::select(&FUNCS[..]), operand(), operand())
                    .prop_map(|(func, target, arg)| Expr::Call { func, target, arg }),
                operand().prop_map(Expr::Bool),
                path().prop_map(|collection| Expr::Lambda {
                    collection,
                    quantifier: Quantifier::Any,
                    var: None,
                    body: None,
                }),
            ]
        }

        fn expr() -> impl Strategy<Value = Expr> {
            leaf_expr().prop_recursive(4, 24, 2, |inner| {
                let quantifier = prop::sample::select(&[Quantifier::Any, Quantifier::All][..]);
                prop_oneof![
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| Expr::Or(Box::new(l), Box::new(r))),
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| Expr::And(Box::new(l), Box::new(r))),
                    inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                    (path(), quantifier, ident(), inner).prop_map(
                        |(collection, quantifier, v, body)| {
                            Expr::Lambda {
                                collection,
                                quantifier,
                                var: Some(v),
                                body: Some(Box::new(body)),
                            }
                        }
                    ),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn parse_never_panics_on_arbitrary_text(input in ".{0,80}") {
                let _ = parse(&input);
            }

            #[test]
            fn parse_never_panics_on_token_soup(input in token_soup()) {
                let _ = parse(&input);
            }

            #[test]
            fn parse_never_panics_on_mutated_examples(input in mutated()) {
                if let Err(e) = parse(&input) {
                    prop_assert!(e.position <= input.len());
                    prop_assert!(input.is_char_boundary(e.position));
                }
            }

            #[test]
            fn display_round_trips_through_parse(expr in expr()) {
                let text = expr.to_string();
                prop_assert_eq!(parse(&text), Ok(expr), "text: {}", text);
            }
        }
    }
}

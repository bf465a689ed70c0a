//! The `peg` grammar for Graph's `$filter` dialect (OData v4 as Graph accepts it).
//!
//! Precedence, lowest to highest: `or`, `and`, `not`, comparisons (`eq ne gt
//! ge lt le`, `in`), primaries (parentheses, function calls, lambdas,
//! operands). Keywords are case-insensitive and need a word boundary.
//! Every lexical rule is `quiet!` with a readable `expected!` label, so
//! peg's "expected" set reads like prose.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::ast::{CmpOp, Expr, Literal, Operand, Path, Quantifier, StrFunc};

/// Expected-set label for an unknown function name.
pub(super) const KNOWN_FUNCTION: &str =
    "a known function (startswith, endswith, contains, tolower, toupper)";
/// Expected-set label for a lambda with an unknown quantifier.
pub(super) const KNOWN_LAMBDA: &str = "a lambda operator (any, all)";
/// Expected-set label after an operand.
const OPERATOR: &str = "an operator (eq, ne, gt, ge, lt, le, in)";

peg::parser! {
    /// OData `$filter` grammar; `filter` is the entry point.
    pub(super) grammar odata() for str {
        /// A whole `$filter` value.
        pub rule filter() -> Expr = _ e:or_expr() _ { e }

        rule or_expr() -> Expr
            = first:and_expr() rest:(_ kw("or") _ e:and_expr() { e })* { fold(first, rest, Expr::Or) }

        rule and_expr() -> Expr
            = first:not_expr() rest:(_ kw("and") _ e:not_expr() { e })* { fold(first, rest, Expr::And) }

        // Iterative rather than recursive, so `not not … x` cannot exhaust the stack.
        rule not_expr() -> Expr
            = nots:(kw("not") _)* e:cmp_expr() { nots.iter().fold(e, |e, _| Expr::Not(Box::new(e))) }

        rule cmp_expr() -> Expr
            = left:operand() _ (quiet!{kw("in")} / expected!(OPERATOR)) _ values:in_list() { Expr::In { left, values } }
            / left:operand() _ op:cmp_op() _ right:operand() { Expr::Compare { left, op, right } }
            / primary()

        rule in_list() -> Vec<Literal>
            = "(" _ values:(literal() ++ (_ "," _)) _ ")" { values }

        rule cmp_op() -> CmpOp
            = quiet!{
                kw("eq") { CmpOp::Eq } / kw("ne") { CmpOp::Ne } / kw("gt") { CmpOp::Gt }
                / kw("ge") { CmpOp::Ge } / kw("lt") { CmpOp::Lt } / kw("le") { CmpOp::Le }
            } / expected!(OPERATOR)

        rule primary() -> Expr
            = "(" _ e:or_expr() _ ")" { e }
            / call()
            / lambda()
            / o:operand() { Expr::Bool(o) }

        rule call() -> Expr
            = func:quiet!{str_func()} _ "(" _ target:operand() _ "," _ arg:operand() _ ")" {
                Expr::Call { func, target, arg }
            }

        rule str_func() -> StrFunc
            = kw("startswith") { StrFunc::StartsWith }
            / kw("endswith") { StrFunc::EndsWith }
            / kw("contains") { StrFunc::Contains }

        rule lambda() -> Expr
            = segments:quiet!{(s:ident() "/" { s })+} quantifier:quiet!{quantifier()} _ "(" _
              b:lambda_body()? _ ")" {
                let (var, body) = match b {
                    Some((v, e)) => (Some(v), Some(Box::new(e))),
                    None => (None, None),
                };
                Expr::Lambda { collection: Path { segments }, quantifier, var, body }
            }

        rule quantifier() -> Quantifier
            = kw("any") { Quantifier::Any } / kw("all") { Quantifier::All }

        rule lambda_body() -> (String, Expr)
            = v:quiet!{ident()} _ ":" _ e:or_expr() { (v, e) }

        rule operand() -> Operand
            = case_fold()
            / s:string() { Operand::Literal(Literal::String(s)) }
            / l:bare_literal() { Operand::Literal(l) }
            / p:path() { Operand::Path(p) }
            / unknown_call()
            / expected!("an operand (property, literal or function)")

        rule case_fold() -> Operand
            = quiet!{kw("tolower")} _ "(" _ o:operand() _ ")" { Operand::ToLower(Box::new(o)) }
            / quiet!{kw("toupper")} _ "(" _ o:operand() _ ")" { Operand::ToUpper(Box::new(o)) }

        /// Never matches: names an unknown function or lambda operator in the error.
        rule unknown_call() -> Operand
            = quiet!{ident() ("/" ident())+} _ &"(" {? Err(KNOWN_LAMBDA) }
            / quiet!{ident()} _ &"(" {? Err(KNOWN_FUNCTION) }

        rule path() -> Path
            = first:quiet!{ident()} rest:(quiet!{"/"} s:property_name() { s })* !(_ "(") {
                let mut segments = vec![first];
                segments.extend(rest);
                Path { segments }
            }

        rule property_name() -> String = quiet!{ident()} / expected!("a property name")

        rule ident() -> String
            = s:$(['a'..='z' | 'A'..='Z' | '_'] ident_char()*) { s.to_owned() }

        rule ident_char() = ['a'..='z' | 'A'..='Z' | '0'..='9' | '_']

        /// A case-insensitive keyword that ends at a word boundary.
        rule kw(k: &'static str)
            = quiet!{ w:$(ident_char()+) {? if w.eq_ignore_ascii_case(k) { Ok(()) } else { Err(k) } } }
            / expected!(k)

        rule literal() -> Literal
            = s:string() { Literal::String(s) }
            / bare_literal()
            / expected!("a literal")

        /// Unquoted literals; the order keeps a GUID or date from being half-read as a number.
        rule bare_literal() -> Literal
            = d:date_time() { Literal::DateTime(d) }
            / g:quiet!{guid()} { Literal::Guid(g) }
            / d:date() { Literal::Date(d) }
            / quiet!{
                number()
                / kw("null") { Literal::Null }
                / kw("true") { Literal::Bool(true) }
                / kw("false") { Literal::Bool(false) }
            }

        rule string() -> String
            = quiet!{"'"} s:$(quiet!{([^ '\''] / "''")*}) (quiet!{"'"} / expected!("a closing quote")) {
                s.replace("''", "'")
            }

        rule number() -> Literal
            = s:$(['-' | '+']? mantissa() (['e' | 'E'] ['-' | '+']? digit()+)?) !ident_char() {? to_number(s) }

        rule mantissa() = digit()+ ("." digit()+)? / "." digit()+

        rule digit() = ['0'..='9']

        rule hex() = ['0'..='9' | 'a'..='f' | 'A'..='F']

        rule guid() -> String
            = s:$(hex()*<8> "-" hex()*<4> "-" hex()*<4> "-" hex()*<4> "-" hex()*<12>) !(ident_char() / "-") {
                s.to_ascii_lowercase()
            }

        rule date() -> NaiveDate
            = d:quiet!{d:date_part() !(ident_char() / ['-' | ':' | '.']) { d }} {? d.ok_or("a valid calendar date") }

        rule date_part() -> Option<NaiveDate>
            = y:$(digit()*<4>) "-" m:two() "-" d:two() { NaiveDate::from_ymd_opt(num(y) as i32, m, d) }

        rule date_time() -> DateTime<Utc>
            = d:quiet!{d:date_part() ['T' | 't'] { d }} t:quiet!{time()} z:zone() !ident_char() {? to_date_time(d, t, z) }

        rule time() -> Option<NaiveTime>
            = h:two() ":" m:two() s:(":" s:two() f:fraction()? { (s, f.unwrap_or(0)) })? {
                let (s, nanos) = s.unwrap_or((0, 0));
                NaiveTime::from_hms_nano_opt(h, m, s, nanos)
            }

        rule fraction() -> u32 = "." f:$(digit()*<1, 12>) { fraction_nanos(f) }

        /// The UTC offset in seconds.
        rule zone() -> i32
            = quiet!{
                ['Z' | 'z'] { 0 }
                / sign:$(['+' | '-']) h:two() ":" m:two() {
                    let secs = (h * 3600 + m * 60) as i32;
                    if sign == "-" { -secs } else { secs }
                }
            } / expected!("a time-zone offset (Z or +hh:mm)")

        rule two() -> u32 = s:$(digit()*<2>) { num(s) }

        // Line breaks count as white space: multi-line PowerShell here-strings send them
        // inside $filter and Graph answers (issue 13).
        rule _ = quiet!{[' ' | '\t' | '\n' | '\r']*}
    }
}

/// Folds a left-associative chain `first op r1 op r2 …`.
fn fold(first: Expr, rest: Vec<Expr>, make: fn(Box<Expr>, Box<Expr>) -> Expr) -> Expr {
    rest.into_iter()
        .fold(first, |acc, r| make(Box::new(acc), Box::new(r)))
}

/// Value of a short run of ASCII digits (the grammar guarantees the shape).
fn num(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

/// Nanoseconds from 1–12 fractional digits (digits past the 9th are dropped).
fn fraction_nanos(digits: &str) -> u32 {
    let kept = &digits[..digits.len().min(9)];
    num(kept) * 10u32.pow(9 - kept.len() as u32)
}

/// An integer literal if it fits `i64`, otherwise a finite float.
fn to_number(text: &str) -> Result<Literal, &'static str> {
    let is_int = !text.contains(['.', 'e', 'E']);
    if is_int && let Ok(i) = text.parse::<i64>() {
        return Ok(Literal::Int(i));
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Literal::Float(x)),
        _ => Err("a finite number"),
    }
}

/// Assembles a UTC instant from its checked parts.
fn to_date_time(
    date: Option<NaiveDate>,
    time: Option<NaiveTime>,
    offset_secs: i32,
) -> Result<DateTime<Utc>, &'static str> {
    const INVALID: &str = "a valid date-time";
    let local = NaiveDateTime::new(date.ok_or(INVALID)?, time.ok_or(INVALID)?);
    let offset = FixedOffset::east_opt(offset_secs).ok_or(INVALID)?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
        .ok_or(INVALID)
}

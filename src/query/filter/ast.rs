//! AST for Graph's `$filter` dialect, and its `Display` back to OData text.

use std::fmt;

use chrono::{DateTime, NaiveDate, Timelike, Utc};

/// A boolean filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left or right`
    Or(Box<Expr>, Box<Expr>),
    /// `left and right`
    And(Box<Expr>, Box<Expr>),
    /// `not expr`
    Not(Box<Expr>),
    /// `left op right`, operands kept in the order written.
    Compare {
        /// Left-hand operand.
        left: Operand,
        /// Comparison operator.
        op: CmpOp,
        /// Right-hand operand.
        right: Operand,
    },
    /// `left in (v1, v2, …)`
    In {
        /// The operand tested for membership.
        left: Operand,
        /// The candidate values (at least one).
        values: Vec<Literal>,
    },
    /// startswith / endswith / contains (case-insensitive function names: startsWith too)
    Call {
        /// Which string function.
        func: StrFunc,
        /// First argument: the value searched.
        target: Operand,
        /// Second argument: the value searched for.
        arg: Operand,
    },
    /// coll/any(v: body) or coll/all(v: body); `any()` with no argument → body None
    Lambda {
        /// The collection-valued member path before `/any` or `/all`.
        collection: Path,
        /// `any` or `all`.
        quantifier: Quantifier,
        /// The range variable (`t` in `any(t: …)`); `None` for `any()`.
        var: Option<String>,
        /// The lambda body; `None` for `any()`.
        body: Option<Box<Expr>>,
    },
    /// a bare boolean-valued operand used as a predicate, e.g. `isInteractive` or `true`
    Bool(Operand),
}

impl Expr {
    /// `property eq literal`, written either way round.
    pub fn as_equality(&self) -> Option<(&Path, &Literal)> {
        match self {
            Expr::Compare {
                left: Operand::Path(path),
                op: CmpOp::Eq,
                right: Operand::Literal(literal),
            }
            | Expr::Compare {
                left: Operand::Literal(literal),
                op: CmpOp::Eq,
                right: Operand::Path(path),
            } => Some((path, literal)),
            _ => None,
        }
    }
}

/// A value-producing term: a member path, a literal, or a case-folding call.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A property (or range-variable) path.
    Path(Path),
    /// A literal value.
    Literal(Literal),
    /// `tolower(x)`
    ToLower(Box<Operand>),
    /// `toupper(x)`
    ToUpper(Box<Operand>),
}

/// A member path: `status/errorCode` → `["status", "errorCode"]`.
///
/// Inside a lambda the range variable is the first segment (`t/id` → `["t", "id"]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// The `/`-separated segments, as written.
    pub segments: Vec<String>,
}

impl Path {
    /// Builds a path from `/`-separated text (no validation).
    pub fn new(text: &str) -> Self {
        Self {
            segments: text.split('/').map(str::to_owned).collect(),
        }
    }

    /// The segments joined with `/`.
    pub fn as_string(&self) -> String {
        self.segments.join("/")
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CmpOp {
    /// The OData keyword, lower-case.
    pub fn keyword(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    /// The operator with its operands swapped (`a lt b` ⇔ `b gt a`).
    pub fn mirrored(self) -> Self {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            other => other,
        }
    }
}

/// A boolean string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFunc {
    /// `startswith(a, b)` (also spelled `startsWith`)
    StartsWith,
    /// `endswith(a, b)`
    EndsWith,
    /// `contains(a, b)`
    Contains,
}

impl StrFunc {
    /// The canonical (lower-case) function name.
    pub fn name(self) -> &'static str {
        match self {
            StrFunc::StartsWith => "startswith",
            StrFunc::EndsWith => "endswith",
            StrFunc::Contains => "contains",
        }
    }
}

/// The quantifier of a lambda expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `any`
    Any,
    /// `all`
    All,
}

impl Quantifier {
    /// The OData keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
        }
    }
}

/// A literal value.
///
/// A quoted string that looks like a date/time stays a [`Literal::String`];
/// [`Literal::is_quoted_date_time`] flags it so capability checks can reject it.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A decimal or exponent number (or an integer too large for `i64`).
    Float(f64),
    /// quotes removed, '' unescaped to '
    String(String),
    /// unquoted GUID, lowercased
    Guid(String),
    /// unquoted, Z or ±hh:mm offset, 0–7 fractional digits (keep 100 ns precision)
    DateTime(DateTime<Utc>),
    /// unquoted 2024-01-31
    Date(NaiveDate),
}

impl Literal {
    /// True for a quoted string whose content is a date or date-time
    /// (`'2024-01-01'`, `'2024-01-01T00:00:00Z'`), which Graph rejects.
    pub fn is_quoted_date_time(&self) -> bool {
        match self {
            Literal::String(s) => looks_like_date(s),
            _ => false,
        }
    }
}

/// `YYYY-MM-DD` optionally followed by `T…`.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b.len() == 10 || b[10] == b'T' || b[10] == b't')
}

/// Binding strength used to decide where `Display` needs parentheses.
fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Or(..) => 1,
        Expr::And(..) => 2,
        Expr::Not(_) => 3,
        _ => 4,
    }
}

/// Writes `expr`, parenthesised when it binds less tightly than `min`.
fn write_at(f: &mut fmt::Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if precedence(expr) < min {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

/// Writes a left-associative binary operator chain element.
fn write_binary(f: &mut fmt::Formatter<'_>, l: &Expr, kw: &str, r: &Expr, prec: u8) -> fmt::Result {
    write_at(f, l, prec)?;
    write!(f, " {kw} ")?;
    write_at(f, r, prec + 1)
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(l, r) => write_binary(f, l, "or", r, 1),
            Expr::And(l, r) => write_binary(f, l, "and", r, 2),
            Expr::Not(e) => {
                f.write_str("not ")?;
                write_at(f, e, 3)
            }
            Expr::Compare { left, op, right } => write!(f, "{left} {} {right}", op.keyword()),
            Expr::In { left, values } => write_in(f, left, values),
            Expr::Call { func, target, arg } => write!(f, "{}({target}, {arg})", func.name()),
            Expr::Lambda {
                collection,
                quantifier,
                var,
                body,
            } => write_lambda(f, collection, *quantifier, var.as_deref(), body.as_deref()),
            Expr::Bool(o) => write!(f, "{o}"),
        }
    }
}

/// Writes `left in (v1, v2)`.
fn write_in(f: &mut fmt::Formatter<'_>, left: &Operand, values: &[Literal]) -> fmt::Result {
    write!(f, "{left} in (")?;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{v}")?;
    }
    f.write_str(")")
}

/// Writes `coll/any(v: body)` or `coll/any()`.
fn write_lambda(
    f: &mut fmt::Formatter<'_>,
    collection: &Path,
    quantifier: Quantifier,
    var: Option<&str>,
    body: Option<&Expr>,
) -> fmt::Result {
    write!(f, "{collection}/{}(", quantifier.keyword())?;
    if let (Some(v), Some(b)) = (var, body) {
        write!(f, "{v}: {b}")?;
    }
    f.write_str(")")
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Path(p) => write!(f, "{p}"),
            Operand::Literal(l) => write!(f, "{l}"),
            Operand::ToLower(o) => write!(f, "tolower({o})"),
            Operand::ToUpper(o) => write!(f, "toupper({o})"),
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            // `{:?}` always yields a `.` or an exponent, so it re-parses as a float.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Literal::Guid(g) => f.write_str(g),
            Literal::DateTime(dt) => write_date_time(f, dt),
            Literal::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

/// `2024-01-01T00:00:00Z`, with 7 fractional digits when the time has
/// sub-second precision (9 if it is finer than 100 ns).
fn write_date_time(f: &mut fmt::Formatter<'_>, dt: &DateTime<Utc>) -> fmt::Result {
    write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S"))?;
    let nanos = dt.nanosecond();
    if nanos != 0 && nanos.is_multiple_of(100) {
        write!(f, ".{:07}", nanos / 100)?;
    } else if nanos != 0 {
        write!(f, ".{nanos:09}")?;
    }
    f.write_str("Z")
}

//! The OData query engine: options, `$filter` (parser, capability check,
//! compiled evaluation), skip tokens and paging. Pure and synchronous: no HTTP
//! types here.

pub mod capability;
pub mod error;
pub mod eval;
pub(crate) mod fast;
pub mod fields;
pub mod filter;
pub mod index;
pub mod keys;
pub mod options;
pub mod page;
pub mod served;
pub mod skiptoken;
pub mod value;

#[cfg(test)]
mod engine_tests;

pub use error::QueryError;

use filter::Expr;

/// True when the filter mentions `signInEventTypes` (beta: then all four kinds are eligible).
pub fn mentions(expr: &Expr, property: &str) -> bool {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => mentions(a, property) || mentions(b, property),
        Expr::Not(a) => mentions(a, property),
        Expr::Lambda { collection, .. } => collection.as_string().eq_ignore_ascii_case(property),
        Expr::Compare { left, right, .. } => {
            [left, right].iter().any(|o| operand_mentions(o, property))
        }
        Expr::In { left, .. } => operand_mentions(left, property),
        Expr::Call { target, .. } => operand_mentions(target, property),
        Expr::Bool(o) => operand_mentions(o, property),
    }
}

fn operand_mentions(operand: &filter::Operand, property: &str) -> bool {
    match operand {
        filter::Operand::Path(p) => p.as_string().eq_ignore_ascii_case(property),
        filter::Operand::ToLower(o) | filter::Operand::ToUpper(o) => operand_mentions(o, property),
        filter::Operand::Literal(_) => false,
    }
}

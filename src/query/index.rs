//! Which index a log filter can use: a top-level `and`ed equality on a field
//! with a posting list (sign-ins: `userId`, `appId`, a failing
//! `status/errorCode`, `ipAddress`) or on a record key (`id`, `correlationId`).

use super::fast::ipv4;
use super::filter::{Expr, Literal};
use super::keys::{audit_id_parts, keys_of};
use crate::activity::Plan;
use crate::model::ids::Purpose;
use crate::store::Indexed;

/// A key no record has, in an hour no store holds.
const NO_KEY: u64 = (1 << 62) - 1;

/// The index of a sign-in filter. An id the tenant lacks gives an index that
/// matches nothing; an empty `userId` (workload sign-ins) is left to the scan.
pub fn sign_in_index(expr: Option<&Expr>, plan: &Plan) -> Option<Indexed> {
    let tenant = &plan.tenant;
    first(expr?, &|path, literal| match (path, literal) {
        ("status/errorCode", Literal::Int(code)) if *code != 0 => {
            let index = i32::try_from(*code)
                .ok()
                .map(|c| plan.error_code(c))
                .filter(|&e| e != 0);
            Some(Indexed::Error(index.map_or(u32::MAX, u32::from)))
        }
        (_, Literal::String(text) | Literal::Guid(text)) if !text.is_empty() => match path {
            "userId" => Some(Indexed::User(tenant.user_by_id(text).unwrap_or(u32::MAX))),
            "appId" => Some(Indexed::App(tenant.sp_by_app_id(text).unwrap_or(u32::MAX))),
            "correlationId" => key(
                Indexed::Corr,
                keys_of(tenant.seed, Purpose::Correlation, text, false),
            ),
            "id" | "originalRequestId" => key(
                Indexed::Key,
                keys_of(tenant.seed, Purpose::SignIn, text, false),
            ),
            // Text that is not a dotted quad as Graph writes one matches no record.
            "ipAddress" => Some(ipv4(text).map_or(Indexed::Key(NO_KEY), Indexed::Ip)),
            _ => None,
        },
        _ => None,
    })
}

/// The index of a directory-audit filter: `correlationId`, or the correlation
/// id inside an audit `id`.
pub fn audit_index(expr: Option<&Expr>, plan: &Plan) -> Option<Indexed> {
    let seed = plan.tenant.seed;
    first(expr?, &|path, literal| {
        let (Literal::String(text) | Literal::Guid(text)) = literal else {
            return None;
        };
        let correlation = match path {
            "correlationId" => text.as_str(),
            "id" => audit_id_parts(text).map_or("", |(correlation, _)| correlation),
            _ => return None,
        };
        key(
            Indexed::Corr,
            keys_of(seed, Purpose::Correlation, correlation, false),
        )
    })
}

/// The index of a provisioning filter: `id` (compared case-sensitively, as
/// provisioning filters are).
pub fn provisioning_index(expr: Option<&Expr>, plan: &Plan) -> Option<Indexed> {
    let seed = plan.tenant.seed;
    first(expr?, &|path, literal| match (path, literal) {
        ("id", Literal::String(text) | Literal::Guid(text)) => key(
            Indexed::Key,
            keys_of(seed, Purpose::Provisioning, text, true),
        ),
        _ => None,
    })
}

/// The first indexable `property eq literal` (either way round) among the
/// top-level `and`ed clauses.
fn first(expr: &Expr, index: &dyn Fn(&str, &Literal) -> Option<Indexed>) -> Option<Indexed> {
    match expr {
        Expr::And(a, b) => first(a, index).or_else(|| first(b, index)),
        _ => expr
            .as_equality()
            .and_then(|(path, literal)| index(&path.as_string(), literal)),
    }
}

/// A key index; no key matches nothing, several (never seen) fall back to a scan.
fn key(make: fn(u64) -> Indexed, keys: Vec<u64>) -> Option<Indexed> {
    match keys.as_slice() {
        [] => Some(make(NO_KEY)),
        [one] => Some(make(*one)),
        _ => None,
    }
}

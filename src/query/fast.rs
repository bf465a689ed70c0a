//! Equality tests decided from a record's own bits: `id`, `correlationId` and
//! `ipAddress` compare keys or address bytes instead of building a string per
//! record. Each answers exactly what the generic comparison would.

use super::eval::Predicate;
use super::filter::Literal;
use super::keys::keys_of;
use crate::activity::Plan;
use crate::model::ids::Purpose;
use crate::store::records::{Audit, Provisioning, SignIn, SignInKind};

/// The literal of an equality as text (None for null, numbers and the like).
fn text(literal: &Literal) -> Option<&str> {
    match literal {
        Literal::String(text) | Literal::Guid(text) => Some(text),
        _ => None,
    }
}

/// `path eq literal` on a sign-in, when its bits decide it.
pub fn sign_in(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<SignIn>> {
    let text = text(literal)?;
    let seed = plan.tenant.seed;
    Some(match path.to_ascii_lowercase().as_str() {
        "correlationid" => {
            let keys = keys_of(seed, Purpose::Correlation, text, false);
            Box::new(move |_, r| keys.contains(&r.corr))
        }
        "id" | "originalrequestid" => {
            let keys = keys_of(seed, Purpose::SignIn, text, false);
            Box::new(move |_, r| keys.contains(&r.key))
        }
        "ipaddress" => {
            let address = ipv4(text);
            Box::new(move |_, r| r.kind != SignInKind::ManagedIdentity && address == Some(r.ip))
        }
        _ => return None,
    })
}

/// Dotted-quad text exactly as `ipAddress` is written, as bytes.
pub fn ipv4(text: &str) -> Option<[u8; 4]> {
    let address: std::net::Ipv4Addr = text.parse().ok()?;
    (address.to_string() == text).then_some(address.octets())
}

/// `path eq literal` on a directory audit, when its bits decide it.
pub fn audit(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<Audit>> {
    let text = text(literal)?;
    (path.eq_ignore_ascii_case("correlationId")).then(|| {
        let keys = keys_of(plan.tenant.seed, Purpose::Correlation, text, false);
        Box::new(move |_: &Plan, r: &Audit| keys.contains(&r.corr)) as Predicate<Audit>
    })
}

/// `path eq literal` on a provisioning record (case-sensitive), when its bits decide it.
pub fn provisioning(path: &str, literal: &Literal, plan: &Plan) -> Option<Predicate<Provisioning>> {
    let text = text(literal)?;
    (path.eq_ignore_ascii_case("id")).then(|| {
        let keys = keys_of(plan.tenant.seed, Purpose::Provisioning, text, true);
        Box::new(move |_: &Plan, r: &Provisioning| keys.contains(&r.key)) as Predicate<Provisioning>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_dotted_quads_are_addresses() {
        assert_eq!(ipv4("10.0.0.1"), Some([10, 0, 0, 1]));
        for text in ["010.0.0.1", "10.0.0", "10.0.0.256", " 10.0.0.1", "::1", ""] {
            assert_eq!(ipv4(text), None, "{text}");
        }
    }
}

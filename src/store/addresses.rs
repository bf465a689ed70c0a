//! The sign-ins of one hour by client IP address: positions sorted by
//! (address, position), four bytes a sign-in, searched by binary search on the
//! records' own `ip` field. Managed-identity sign-ins show no address and are
//! left out.

use super::records::{SignIn, SignInKind};

/// Positions in an hour's `sign_ins`, ordered by address, then position.
#[derive(Debug, Default, Clone)]
pub struct Addresses(Vec<u32>);

impl Addresses {
    /// The list for one hour's sign-ins.
    pub fn of(sign_ins: &[SignIn]) -> Addresses {
        let mut positions: Vec<u32> = (0..sign_ins.len() as u32)
            .filter(|&i| sign_ins[i as usize].kind != SignInKind::ManagedIdentity)
            .collect();
        positions.sort_by_key(|&i| (sign_ins[i as usize].ip, i));
        Addresses(positions)
    }

    /// Positions (ascending) of the sign-ins from `ip`.
    pub fn find<'a>(&'a self, sign_ins: &[SignIn], ip: [u8; 4]) -> std::slice::Iter<'a, u32> {
        let start = self.0.partition_point(|&i| sign_ins[i as usize].ip < ip);
        let end = self.0.partition_point(|&i| sign_ins[i as usize].ip <= ip);
        self.0[start..end].iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in(ip: [u8; 4], kind: SignInKind) -> SignIn {
        SignIn {
            at: 0,
            key: 0,
            corr: 0,
            delay_ms: 0,
            subject: 0,
            app: 0,
            resource: 0,
            device: 0,
            ip,
            location: 0,
            error: 0,
            kind,
            client_app: 0,
            flags: 0,
            risk: 0,
        }
    }

    #[test]
    fn positions_come_back_ascending_for_each_address_and_never_for_managed_identities() {
        let a = [10, 0, 0, 1];
        let b = [10, 0, 0, 2];
        let records = [
            sign_in(b, SignInKind::Interactive),
            sign_in(a, SignInKind::NonInteractive),
            sign_in(a, SignInKind::ManagedIdentity),
            sign_in(b, SignInKind::ServicePrincipal),
            sign_in(a, SignInKind::Interactive),
        ];
        let index = Addresses::of(&records);
        let found = |ip| index.find(&records, ip).copied().collect::<Vec<_>>();
        assert_eq!(found(a), [1, 4]);
        assert_eq!(found(b), [0, 3]);
        assert!(found([1, 2, 3, 4]).is_empty());
        assert_eq!(index.find(&records, a).rev().copied().next(), Some(4));
    }
}

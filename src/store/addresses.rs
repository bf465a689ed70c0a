//! The sign-ins of one hour by client IP address: positions sorted by
//! (address, position), four bytes a sign-in, searched by binary search on the
//! records' own `ip` field. Managed-identity sign-ins show no address and are
//! left out.

use super::records::{SignIn, SignInKind};

/// Every this many entries, the address is kept beside the list.
const FENCE: usize = 64;

/// Positions in an hour's `sign_ins`, ordered by address, then position, with
/// the address of every `FENCE`th entry: a search reads the small fence
/// array first and touches records only inside one or two blocks, a handful of
/// cache misses an hour instead of thirty.
#[derive(Debug, Default, Clone)]
pub struct Addresses {
    positions: Vec<u32>,
    fences: Vec<[u8; 4]>,
}

impl Addresses {
    /// The list for one hour's sign-ins.
    pub fn of(sign_ins: &[SignIn]) -> Addresses {
        let mut positions: Vec<u32> = (0..sign_ins.len() as u32)
            .filter(|&i| sign_ins[i as usize].kind != SignInKind::ManagedIdentity)
            .collect();
        positions.sort_by_key(|&i| (sign_ins[i as usize].ip, i));
        let fences = positions
            .iter()
            .step_by(FENCE)
            .map(|&i| sign_ins[i as usize].ip)
            .collect();
        Addresses { positions, fences }
    }

    /// Positions (ascending) of the sign-ins from `ip`.
    pub fn find<'a>(&'a self, sign_ins: &[SignIn], ip: [u8; 4]) -> std::slice::Iter<'a, u32> {
        // Entries before block `first - 1`'s fence are below `ip`; entries from
        // block `last`'s fence on are above it.
        let first = self.fences.partition_point(|f| *f < ip);
        let last = self.fences.partition_point(|f| *f <= ip);
        let from = first.saturating_sub(1) * FENCE;
        let to = (last * FENCE).min(self.positions.len());
        let window = &self.positions[from..to];
        let start = window.partition_point(|&i| sign_ins[i as usize].ip < ip);
        let end = window.partition_point(|&i| sign_ins[i as usize].ip <= ip);
        window[start..end].iter()
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

    #[test]
    fn fenced_search_finds_what_a_scan_finds_across_many_blocks() {
        let records: Vec<SignIn> = (0..1000u32)
            .map(|i| {
                sign_in(
                    [10, 0, (i % 7) as u8, (i * 31 % 13) as u8],
                    SignInKind::Interactive,
                )
            })
            .collect();
        let index = Addresses::of(&records);
        for c in 0..8u8 {
            for d in 0..14u8 {
                let ip = [10, 0, c, d];
                let scan: Vec<u32> = (0..1000)
                    .filter(|&i| records[i as usize].ip == ip)
                    .collect();
                let found: Vec<u32> = index.find(&records, ip).copied().collect();
                assert_eq!(found, scan, "{ip:?}");
            }
        }
        assert!(index.find(&records, [0, 0, 0, 0]).next().is_none());
        assert!(index.find(&records, [255, 0, 0, 0]).next().is_none());
    }
}

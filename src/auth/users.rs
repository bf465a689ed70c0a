//! The tenant's users as the token service sees them: their passwords (derived from the
//! seed), their directory roles (the `wids` claim) and the named test users.

use crate::rng::Seed;
use crate::tenant::{Tenant, UserKind};

/// The role template ids that open the activity logs, with their names (reference part C.1).
pub const LOG_READER_ROLES: [(&str, &str); 6] = [
    (
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
    ),
    (
        "Security Administrator",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
    ),
    ("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
    ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
    ("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
];

/// The "User" role every member holds, always in `wids` (reference C.7, inferred).
pub const MEMBER_ROLE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// A user's password: 16 characters from the seed's `user-password` stream, plus a
/// symbol and a digit so it meets Entra's complexity rule. Same seed, same password.
pub fn password(seed: Seed, user: u32) -> String {
    let key = seed.key("user-password", u64::from(user));
    let body: String = key[..16]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}!{}", &body[..8], &body[8..], key[16] % 10)
}

/// Template ids of the directory roles `user` holds permanently, the member role first
/// for members (guests hold the guest role instead).
pub fn wids(tenant: &Tenant, user: u32) -> Vec<String> {
    let base = match tenant.user(user).kind {
        UserKind::Guest => "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        _ => MEMBER_ROLE,
    };
    let mut out: Vec<String> = tenant
        .role_assignments
        .iter()
        .filter(|a| !a.principal_is_sp && a.principal == user)
        .map(|a| tenant.role_definitions[a.role as usize].template_id.clone())
        .collect();
    out.sort();
    out.dedup();
    out.push(base.to_string());
    out
}

/// A named test user: why it is listed, and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// What the user stands for: a role name, "No role", "Guest", "Disabled", "MFA required".
    pub label: String,
    /// Index among the tenant's users.
    pub user: u32,
}

/// The named test users: a holder of each log-reading role the tenant has, then a member
/// with no role, a guest, and a disabled account; the first match in directory order.
pub fn test_users(tenant: &Tenant) -> Vec<TestUser> {
    let mut out = Vec::new();
    for (name, template) in LOG_READER_ROLES {
        let holder = tenant.role_assignments.iter().find(|a| {
            !a.principal_is_sp
                && tenant.role_definitions[a.role as usize].template_id == template
                && usable(tenant, a.principal)
        });
        if let Some(a) = holder {
            out.push(TestUser {
                label: name.to_string(),
                user: a.principal,
            });
        }
    }
    let first = |label: &str, pick: &dyn Fn(u32) -> bool| {
        (0..tenant.users.len() as u32)
            .find(|&u| pick(u))
            .map(|user| TestUser {
                label: label.to_string(),
                user,
            })
    };
    let plain = |u: u32| {
        let user = tenant.user(u);
        usable(tenant, u) && user.kind == UserKind::Member && !user.is_admin
    };
    out.extend(first("No role", &|u| {
        plain(u) && tenant.user(u).mfa_method.is_some() && wids(tenant, u).len() == 1
    }));
    out.extend(first("Guest", &|u| {
        usable(tenant, u) && tenant.user(u).kind == UserKind::Guest
    }));
    out.extend(first("Disabled", &|u| {
        let user = tenant.user(u);
        user.deleted.is_none() && !user.account_enabled && user.kind == UserKind::Member
    }));
    out.extend(first("MFA not registered", &|u| {
        plain(u) && tenant.user(u).mfa_method.is_none()
    }));
    out
}

fn usable(tenant: &Tenant, user: u32) -> bool {
    let u = tenant.user(user);
    u.deleted.is_none() && u.account_enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_stable_per_seed_and_differ_between_users() {
        let a = password(Seed(42), 3);
        assert_eq!(a, password(Seed(42), 3));
        assert_ne!(a, password(Seed(42), 4));
        assert_ne!(a, password(Seed(43), 3));
        assert_eq!(a.len(), 19);
        assert!(a.trim() == a);
    }
}

//! Run-time state of the user flows: authorization codes (single use, PKCE), refresh
//! tokens and device codes. Handles are counters hashed with the tenant id, never random.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::error::AadError;

/// Lifetime of an authorization code ("about 10 minutes", reference C.4).
pub const CODE_LIFETIME_SECS: i64 = 600;
/// Lifetime of a device code (`expires_in`, reference C.5).
pub const DEVICE_LIFETIME_SECS: i64 = 900;
/// Polling interval of the device flow.
pub const DEVICE_INTERVAL_SECS: i64 = 5;
/// Lifetime of a refresh token (inactivity, 90 days as Entra's default).
pub const REFRESH_LIFETIME_DAYS: i64 = 90;

/// Who signed in to which client, and for what: what a code, refresh token or approved
/// device code stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Tenant id.
    pub tenant_id: String,
    /// User index in the tenant.
    pub user: u32,
    /// Client application id.
    pub client_id: String,
    /// Scopes asked for (space-separated, as sent).
    pub scope: String,
    /// MFA was performed.
    pub mfa: bool,
}

/// An authorization code's binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// What it grants.
    pub grant: Grant,
    /// The authorize request's redirect URI.
    pub redirect_uri: String,
    /// PKCE challenge and method (`S256` or `plain`).
    pub challenge: Option<(String, String)>,
    /// The OIDC nonce to echo in the id token.
    pub nonce: Option<String>,
    /// Expiry (wall clock).
    pub expires: DateTime<Utc>,
    /// Redeemed already.
    pub redeemed: bool,
}

/// A device code in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The short code the user types.
    pub user_code: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Client application id.
    pub client_id: String,
    /// Scopes asked for.
    pub scope: String,
    /// Expiry (wall clock).
    pub expires: DateTime<Utc>,
    /// The last poll (wall clock).
    pub last_poll: Option<DateTime<Utc>>,
    /// Set once a user approves.
    pub approved: Option<Grant>,
    /// Redeemed already.
    pub redeemed: bool,
}

#[derive(Debug, Default)]
struct Inner {
    counter: u64,
    codes: BTreeMap<String, CodeEntry>,
    refresh: BTreeMap<String, (Grant, DateTime<Utc>)>,
    devices: BTreeMap<String, DeviceEntry>,
}

/// The flow state of a server.
#[derive(Debug, Default)]
pub struct Flows {
    inner: Mutex<Inner>,
}

const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl Flows {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn handle(inner: &mut Inner, label: &str, tenant_id: &str) -> [u8; 32] {
        inner.counter += 1;
        let mut hasher = Sha256::new();
        for part in [label.as_bytes(), tenant_id.as_bytes()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        hasher.update(inner.counter.to_le_bytes());
        hasher.finalize().into()
    }

    /// Files an authorization code; returns it.
    pub fn issue_code(&self, entry: CodeEntry) -> String {
        self.with(|inner| {
            let bytes = Flows::handle(inner, "code", &entry.grant.tenant_id);
            let code = format!("1.A{}", URL_SAFE_NO_PAD.encode(bytes));
            inner.codes.insert(code.clone(), entry);
            code
        })
    }

    /// Redeems a code at `now`: unknown is malformed, a second use is 54005, late is 70008.
    /// The entry is returned for the caller's redirect URI and PKCE checks.
    pub fn redeem_code(&self, code: &str, now: DateTime<Utc>) -> Result<CodeEntry, AadError> {
        self.with(|inner| {
            let entry = inner
                .codes
                .get_mut(code)
                .ok_or_else(AadError::malformed_grant)?;
            if entry.redeemed {
                return Err(AadError::code_redeemed());
            }
            if entry.expires <= now {
                return Err(AadError::grant_expired());
            }
            entry.redeemed = true;
            Ok(entry.clone())
        })
    }

    /// Files a refresh token for `grant`, valid `REFRESH_LIFETIME_DAYS` from `now`.
    pub fn issue_refresh(&self, grant: Grant, now: DateTime<Utc>) -> String {
        self.with(|inner| {
            let bytes = Flows::handle(inner, "refresh", &grant.tenant_id);
            let token = format!("1.A{}", URL_SAFE_NO_PAD.encode([bytes, bytes].concat()));
            let expires = now + Duration::days(REFRESH_LIFETIME_DAYS);
            inner.refresh.insert(token.clone(), (grant, expires));
            token
        })
    }

    /// The grant a refresh token stands for (it stays valid: Entra does not revoke on use).
    pub fn refresh(&self, token: &str, now: DateTime<Utc>) -> Result<Grant, AadError> {
        self.with(|inner| match inner.refresh.get(token) {
            None => Err(AadError::malformed_grant()),
            Some((_, expires)) if *expires <= now => Err(AadError::grant_expired()),
            Some((grant, _)) => Ok(grant.clone()),
        })
    }

    /// Starts a device flow; returns (device_code, user_code).
    pub fn start_device(
        &self,
        tenant_id: &str,
        client_id: &str,
        scope: &str,
        now: DateTime<Utc>,
    ) -> (String, String) {
        self.with(|inner| {
            let bytes = Flows::handle(inner, "device", tenant_id);
            let device_code = format!("DAQABAAEAAAB{}", URL_SAFE_NO_PAD.encode(bytes));
            let user_code: String = bytes[..9]
                .iter()
                .map(|b| USER_CODE_ALPHABET[*b as usize % USER_CODE_ALPHABET.len()] as char)
                .collect();
            inner.devices.insert(
                device_code.clone(),
                DeviceEntry {
                    user_code: user_code.clone(),
                    tenant_id: tenant_id.to_string(),
                    client_id: client_id.to_string(),
                    scope: scope.to_string(),
                    expires: now + Duration::seconds(DEVICE_LIFETIME_SECS),
                    last_poll: None,
                    approved: None,
                    redeemed: false,
                },
            );
            (device_code, user_code)
        })
    }

    /// The pending device entry a user code names (case-insensitive, dashes ignored).
    pub fn device_by_user_code(&self, user_code: &str) -> Option<DeviceEntry> {
        let wanted = normalise(user_code);
        self.with(|inner| {
            inner
                .devices
                .values()
                .find(|d| d.user_code == wanted)
                .cloned()
        })
    }

    /// Approves the device code a user code names, as `user` (with `mfa`). False if the
    /// code is unknown, expired or approved already.
    pub fn approve_device(
        &self,
        user_code: &str,
        user: u32,
        mfa: bool,
        now: DateTime<Utc>,
    ) -> bool {
        let wanted = normalise(user_code);
        self.with(|inner| {
            let Some(entry) = inner.devices.values_mut().find(|d| d.user_code == wanted) else {
                return false;
            };
            if entry.expires <= now || entry.approved.is_some() {
                return false;
            }
            entry.approved = Some(Grant {
                tenant_id: entry.tenant_id.clone(),
                user,
                client_id: entry.client_id.clone(),
                scope: entry.scope.clone(),
                mfa,
            });
            true
        })
    }

    /// Ends the device code a user code names now (for tests of `expired_token`); false
    /// if there is none.
    pub fn expire_device(&self, user_code: &str, now: DateTime<Utc>) -> bool {
        let wanted = normalise(user_code);
        self.with(|inner| {
            inner
                .devices
                .values_mut()
                .find(|d| d.user_code == wanted)
                .map(|d| d.expires = d.expires.min(now))
                .is_some()
        })
    }

    /// One poll of the token endpoint with a device code at `now`.
    pub fn poll_device(&self, device_code: &str, now: DateTime<Utc>) -> Result<Grant, AadError> {
        self.with(|inner| {
            let entry = inner
                .devices
                .get_mut(device_code)
                .ok_or_else(AadError::bad_verification_code)?;
            if entry.expires <= now {
                return Err(AadError::device_code_expired());
            }
            if entry.redeemed {
                return Err(AadError::code_redeemed());
            }
            let last = entry.last_poll.replace(now);
            if let Some(grant) = entry.approved.clone() {
                entry.redeemed = true;
                return Ok(grant);
            }
            // Inferred (RFC 8628): a poll well inside the interval is told to slow down.
            match last {
                Some(last) if now - last < Duration::seconds(DEVICE_INTERVAL_SECS) / 5 => {
                    Err(AadError::slow_down())
                }
                _ => Err(AadError::authorization_pending()),
            }
        })
    }
}

fn normalise(user_code: &str) -> String {
    user_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `verifier` answers `challenge` by `method` (`S256` or `plain`, RFC 7636).
pub fn pkce_matches(challenge: &str, method: &str, verifier: &str) -> bool {
    if method.eq_ignore_ascii_case("plain") {
        return challenge == verifier;
    }
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap() + Duration::seconds(s)
    }

    fn grant() -> Grant {
        Grant {
            tenant_id: "t".into(),
            user: 1,
            client_id: "c".into(),
            scope: "openid".into(),
            mfa: false,
        }
    }

    #[test]
    fn a_code_is_redeemed_once_and_not_after_it_expires() {
        let flows = Flows::default();
        let entry = CodeEntry {
            grant: grant(),
            redirect_uri: "http://localhost".into(),
            challenge: None,
            nonce: None,
            expires: at(600),
            redeemed: false,
        };
        let code = flows.issue_code(entry.clone());
        assert!(flows.redeem_code(&code, at(1)).is_ok());
        assert_eq!(flows.redeem_code(&code, at(2)).unwrap_err().code, 54005);
        let late = flows.issue_code(entry);
        assert_eq!(flows.redeem_code(&late, at(601)).unwrap_err().code, 70008);
        assert_eq!(flows.redeem_code("x", at(0)).unwrap_err().code, 9002313);
    }

    #[test]
    fn a_device_code_is_pending_until_approved_then_expires() {
        let flows = Flows::default();
        let (device, user) = flows.start_device("t", "c", "openid", at(0));
        assert_eq!(
            flows.poll_device(&device, at(5)).unwrap_err().error,
            "authorization_pending"
        );
        assert_eq!(
            flows.poll_device(&device, at(5)).unwrap_err().error,
            "slow_down"
        );
        assert!(flows.approve_device(&user.to_lowercase(), 7, true, at(6)));
        assert_eq!(flows.poll_device(&device, at(10)).unwrap().user, 7);
        let (late, _) = flows.start_device("t", "c", "openid", at(0));
        assert_eq!(
            flows.poll_device(&late, at(900)).unwrap_err().error,
            "expired_token"
        );
    }

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(challenge, "S256", verifier));
        assert!(!pkce_matches(challenge, "S256", "other"));
        assert!(pkce_matches("abc", "plain", "abc"));
    }
}

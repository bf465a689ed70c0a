//! The tenant's token-signing key: deterministic from the seed, published as a JWKS, signing and checking RS256 access tokens.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::Digest;

use super::bearer::{BearerError, read_token};
use super::certs;
use super::claims::{AccessClaims, is_graph_audience, issuer_for};

/// Graph tolerates this much clock skew on `nbf` and `exp`.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// The RSA key a tenant signs its access tokens with, and its self-signed certificate.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    n: String,
    e: String,
    cert_der: Vec<u8>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// RSA-2048 generated deterministically from the seed (ChaCha8 seeded with SHA-256 of
    /// "entrasim/signing-key" and the seed): the same seed gives the same key and token bytes.
    pub fn from_seed(seed: u64) -> SigningKey {
        let key = certs::seeded_rsa_key("entrasim/signing-key", seed, "");
        let cert_der = certs::self_signed_der(
            &key,
            "accounts.entrasim.local",
            &certs::serial_for(seed, "signing-key"),
        );
        let pkcs1 = key.to_pkcs1_der().expect("an RSA key encodes as PKCS#1");
        let (n, e) = (key.n().to_bytes_be(), key.e().to_bytes_be());
        SigningKey {
            kid: URL_SAFE_NO_PAD.encode(Sha1::digest(&cert_der)),
            n: URL_SAFE_NO_PAD.encode(&n),
            e: URL_SAFE_NO_PAD.encode(&e),
            cert_der,
            encoding: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
        }
    }

    /// The key id, like Entra's: base64url of the SHA-1 thumbprint of the signing certificate (also `x5t`).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JSON Web Key Set served at `/{tenant}/discovery/v2.0/keys`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
            "n": self.n, "e": self.e, "x5c": [STANDARD.encode(&self.cert_der)], "alg": "RS256",
        }]})
    }

    /// An RS256 JWT of `claims`, header `{"typ":"JWT","alg":"RS256","kid":…,"x5t":…}`.
    pub fn sign<T: serde::Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.x5t = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .expect("RS256 signing with a valid key succeeds")
    }

    /// The claims of a token this key signed, if it is valid at `now` for Microsoft Graph.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, BearerError> {
        self.verify_with(token, now, &[])
    }

    /// Like [`SigningKey::verify`], also accepting the audiences in `extra_audiences`
    /// (e.g. the emulator's own origin, which SDKs derive scopes from).
    pub fn verify_with(
        &self,
        token: &str,
        now: DateTime<Utc>,
        extra_audiences: &[String],
    ) -> Result<AccessClaims, BearerError> {
        let claims = self.decode(token)?;
        check_lifetime(&claims, now)?;
        if !is_graph_audience(&claims.aud) && !extra_audiences.contains(&claims.aud) {
            return Err(BearerError::InvalidAudience);
        }
        if claims.iss != issuer_for(&claims.tid) {
            return Err(BearerError::InvalidIssuer);
        }
        Ok(claims)
    }

    fn decode(&self, token: &str) -> Result<AccessClaims, BearerError> {
        read_token(token)?;
        // Well formed from here: an alg jsonwebtoken does not know is a signature failure.
        let header = jsonwebtoken::decode_header(token).map_err(|_| BearerError::BadSignature)?;
        if header.alg != Algorithm::RS256
            || header.kid.as_deref().is_some_and(|kid| kid != self.kid)
        {
            return Err(BearerError::BadSignature);
        }
        let data = jsonwebtoken::decode::<AccessClaims>(
            token,
            &self.decoding,
            &signature_only(Algorithm::RS256),
        );
        // The shape was checked above; what fails now is the signature (or, for a token
        // whose signature verified, nothing: its claims are ours).
        data.map(|d| d.claims)
            .map_err(|_| BearerError::BadSignature)
    }
}

/// A validation that checks the signature and `alg` only; times and audience are judged
/// against the simulated clock by the caller (jsonwebtoken would read the wall clock).
pub(super) fn signature_only(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    validation
}

fn check_lifetime(claims: &AccessClaims, now: DateTime<Utc>) -> Result<(), BearerError> {
    let now = now.timestamp();
    if now > claims.exp.saturating_add(CLOCK_SKEW_SECS) {
        return Err(BearerError::Expired);
    }
    if now < claims.nbf.saturating_sub(CLOCK_SKEW_SECS) {
        return Err(BearerError::NotYetValid);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::token::ClientRecord;
    use super::*;
    use chrono::{Duration, TimeZone};
    use std::sync::OnceLock;

    fn key() -> &'static SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| SigningKey::from_seed(42))
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn claims() -> AccessClaims {
        let client = ClientRecord {
            app_id: "11111111-2222-3333-4444-555555555555".into(),
            service_principal_id: "66666666-7777-8888-9999-000000000000".into(),
            display_name: "SIEM connector".into(),
            secrets: vec![],
            certificates: vec![],
            roles: vec!["AuditLog.Read.All".into()],
        };
        AccessClaims::app_only(
            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            &client,
            now(),
            3599,
            b"n",
        )
    }

    #[test]
    fn the_same_seed_gives_the_same_jwks_and_the_same_token_bytes() {
        let other = SigningKey::from_seed(42);
        assert_eq!(key().jwks(), other.jwks());
        assert_eq!(key().sign(&claims()), other.sign(&claims()));
    }

    #[test]
    fn another_seed_gives_another_key() {
        assert_ne!(SigningKey::from_seed(43).kid(), key().kid());
    }

    #[test]
    fn the_kid_looks_like_entras_and_the_header_names_it() {
        assert_eq!(key().kid().len(), 27);
        let header = jsonwebtoken::decode_header(key().sign(&claims())).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key().kid()));
        assert_eq!(header.x5t.as_deref(), Some(key().kid()));
        assert_eq!(header.typ.as_deref(), Some("JWT"));
    }

    #[test]
    fn a_minted_token_verifies_with_a_key_built_from_the_jwks_alone() {
        let jwk = &key().jwks()["keys"][0];
        let decoding = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["https://graph.microsoft.com"]);
        validation.validate_exp = false;
        let data =
            jsonwebtoken::decode::<AccessClaims>(key().sign(&claims()), &decoding, &validation)
                .unwrap();
        assert_eq!(data.claims, claims());
        assert_eq!(jwk["e"], "AQAB");
    }

    #[test]
    fn a_minted_token_verifies_at_its_issue_time() {
        assert_eq!(key().verify(&key().sign(&claims()), now()), Ok(claims()));
    }

    #[test]
    fn a_tampered_payload_has_a_bad_signature() {
        let token = key().sign(&claims());
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims();
        forged.roles.push("Directory.ReadWrite.All".into());
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
        assert_eq!(
            key().verify(&tampered, now()),
            Err(BearerError::BadSignature)
        );
    }

    #[test]
    fn a_token_from_another_tenant_key_has_a_bad_signature() {
        let token = SigningKey::from_seed(7).sign(&claims());
        assert_eq!(key().verify(&token, now()), Err(BearerError::BadSignature));
    }

    #[test]
    fn an_expired_token_is_refused_after_five_minutes_of_grace() {
        let token = key().sign(&claims());
        let exp = Utc.timestamp_opt(claims().exp, 0).unwrap();
        assert!(key().verify(&token, exp + Duration::seconds(300)).is_ok());
        assert_eq!(
            key().verify(&token, exp + Duration::seconds(301)),
            Err(BearerError::Expired)
        );
    }

    #[test]
    fn a_token_from_the_future_is_not_yet_valid() {
        let token = key().sign(&claims());
        assert_eq!(
            key().verify(&token, now() - Duration::minutes(11)),
            Err(BearerError::NotYetValid)
        );
    }

    #[test]
    fn a_token_for_another_resource_has_an_invalid_audience() {
        let mut other = claims();
        other.aud = "https://management.azure.com".into();
        let token = key().sign(&other);
        assert_eq!(
            key().verify(&token, now()),
            Err(BearerError::InvalidAudience)
        );
        assert!(
            key()
                .verify_with(&token, now(), &["https://management.azure.com".to_string()])
                .is_ok()
        );
    }

    #[test]
    fn every_graph_audience_form_is_accepted() {
        for aud in [
            "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000",
        ] {
            let mut c = claims();
            c.aud = aud.into();
            assert!(key().verify(&key().sign(&c), now()).is_ok(), "{aud}");
        }
    }

    #[test]
    fn an_issuer_that_is_not_the_tenants_is_invalid() {
        let mut other = claims();
        other.iss = "https://login.microsoftonline.com/x/v2.0".into();
        assert_eq!(
            key().verify(&key().sign(&other), now()),
            Err(BearerError::InvalidIssuer)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(
            key().verify("opaque-abc", now()),
            Err(BearerError::Malformed)
        );
        assert_eq!(key().verify("a.b.c", now()), Err(BearerError::BadHeader));
    }
}

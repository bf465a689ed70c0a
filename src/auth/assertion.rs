//! Client assertions (private_key_jwt): a JWT the client signs with the key of one of its registered certificates.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Header};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::Value;

use super::certs::upper_hex;
use super::error::AadError;
use super::keys::{CLOCK_SKEW_SECS, signature_only};
use super::token::{CertificateCredential, ClientRecord};

/// The only `client_assertion_type` Entra accepts for certificate credentials.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Accept `assertion` as proof that the caller is `client` (whose id the request named
/// `client_id`): the certificate's validity judged at `now` (the tenant's timeline),
/// the assertion's `nbf`/`exp` at `wall` (the client stamps them on its real clock).
pub fn authenticate(
    assertion: &str,
    client_id: &str,
    client: &ClientRecord,
    (now, wall): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(), AadError> {
    let header =
        jsonwebtoken::decode_header(assertion).map_err(|_| AadError::malformed_assertion())?;
    check_algorithm(header.alg)?;
    let (thumbprint, certificate) = find_certificate(&header, client)?;
    if certificate.end < now {
        return Err(AadError::assertion_bad_signature(
            "The key used is expired.",
            &thumbprint,
            certificate.end,
        ));
    }
    let claims = verify_signature(assertion, header.alg, certificate, &thumbprint)?;
    check_claims(&claims, client_id, wall)
}

fn check_algorithm(alg: Algorithm) -> Result<(), AadError> {
    use Algorithm::{PS256, PS384, PS512, RS256, RS384, RS512};
    match alg {
        RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => Ok(()),
        other => Err(AadError::unsupported_assertion_algorithm(&format!(
            "{other:?}"
        ))),
    }
}

// The certificate named by x5t (SHA-1), x5t#S256 or kid, with the thumbprint as the client gave it.
fn find_certificate<'c>(
    header: &Header,
    client: &'c ClientRecord,
) -> Result<(String, &'c CertificateCredential), AadError> {
    let wanted = if let Some(x5t) = &header.x5t {
        Thumbprint::Sha1(decode_thumbprint(x5t))
    } else if let Some(x5t) = &header.x5t_s256 {
        Thumbprint::Sha256(decode_thumbprint(x5t))
    } else if let Some(kid) = &header.kid {
        Thumbprint::KeyId(kid.clone())
    } else {
        return Err(AadError::assertion_without_thumbprint());
    };
    let found = client.certificates.iter().find(|c| wanted.matches(c));
    let shown = wanted.shown();
    found
        .map(|c| (shown.clone(), c))
        .ok_or_else(|| AadError::assertion_key_not_found(&shown, &client.app_id))
}

enum Thumbprint {
    Sha1(String),
    Sha256(String),
    KeyId(String),
}

impl Thumbprint {
    fn matches(&self, certificate: &CertificateCredential) -> bool {
        match self {
            Thumbprint::Sha1(hex) => certificate.thumbprint_sha1_hex.eq_ignore_ascii_case(hex),
            Thumbprint::Sha256(hex) => certificate.thumbprint_sha256_hex.eq_ignore_ascii_case(hex),
            Thumbprint::KeyId(kid) => {
                certificate.key_id.eq_ignore_ascii_case(kid)
                    || certificate.thumbprint_sha1_hex.eq_ignore_ascii_case(kid)
            }
        }
    }

    fn shown(&self) -> String {
        match self {
            Thumbprint::Sha1(hex) | Thumbprint::Sha256(hex) | Thumbprint::KeyId(hex) => hex.clone(),
        }
    }
}

fn decode_thumbprint(value: &str) -> String {
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map(|bytes| upper_hex(&bytes))
        .unwrap_or_else(|_| value.to_string())
}

fn verify_signature(
    assertion: &str,
    alg: Algorithm,
    certificate: &CertificateCredential,
    thumbprint: &str,
) -> Result<Value, AadError> {
    let mismatch = || {
        AadError::assertion_bad_signature(
            "The provided signature value did not match the expected signature value.",
            thumbprint,
            certificate.end,
        )
    };
    let public =
        RsaPublicKey::from_public_key_pem(&certificate.public_key_pem).map_err(|_| mismatch())?;
    let key =
        DecodingKey::from_rsa_raw_components(&public.n().to_bytes_be(), &public.e().to_bytes_be());
    match jsonwebtoken::decode::<Value>(assertion, &key, &signature_only(alg)) {
        Ok(data) => Ok(data.claims),
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::InvalidSignature | ErrorKind::InvalidRsaKey(_)
            ) =>
        {
            Err(mismatch())
        }
        Err(_) => Err(AadError::malformed_assertion()),
    }
}

fn check_claims(claims: &Value, client_id: &str, now: DateTime<Utc>) -> Result<(), AadError> {
    let iss = text_claim(claims, "iss")?;
    let aud = audience(claims)?;
    let sub = text_claim(claims, "sub")?;
    if !iss.eq_ignore_ascii_case(client_id) || !sub.eq_ignore_ascii_case(client_id) {
        return Err(AadError::assertion_subject_mismatch());
    }
    if !aud.iter().any(|a| is_token_endpoint(a)) {
        return Err(AadError::assertion_audience_mismatch());
    }
    check_time_range(claims, now)
}

fn text_claim<'v>(claims: &'v Value, name: &str) -> Result<&'v str, AadError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| AadError::assertion_missing_claim(name))
}

fn audience(claims: &Value) -> Result<Vec<&str>, AadError> {
    match claims.get("aud") {
        Some(Value::String(aud)) => Ok(vec![aud.as_str()]),
        Some(Value::Array(auds)) => Ok(auds.iter().filter_map(Value::as_str).collect()),
        _ => Err(AadError::assertion_missing_claim("aud")),
    }
}

fn is_token_endpoint(aud: &str) -> bool {
    let aud = aud.trim_end_matches('/');
    aud.ends_with("/oauth2/v2.0/token") || aud.ends_with("/oauth2/token")
}

fn check_time_range(claims: &Value, now: DateTime<Utc>) -> Result<(), AadError> {
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let nbf = claims
        .get("nbf")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MIN);
    let t = now.timestamp();
    if t > exp.saturating_add(CLOCK_SKEW_SECS) || t < nbf.saturating_sub(CLOCK_SKEW_SECS) {
        return Err(AadError::assertion_time_range(now, nbf.max(0), exp));
    }
    Ok(())
}

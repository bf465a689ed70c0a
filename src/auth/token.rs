//! The client-credentials token endpoint: parsing the request, checking the client's credential, minting the token.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::assertion::{self, JWT_BEARER};
use super::claims::{AccessClaims, GRAPH_RESOURCE, is_graph_audience};
pub use super::error::AadError;
use super::keys::SigningKey;

/// One application's credentials as the tenant knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// Application (client) id.
    pub app_id: String,
    /// Object id of the application's service principal (the token's `oid`/`sub`).
    pub service_principal_id: String,
    /// Display name (the token's `app_displayname`).
    pub display_name: String,
    /// Client secrets.
    pub secrets: Vec<SecretCredential>,
    /// Certificate credentials.
    pub certificates: Vec<CertificateCredential>,
    /// Application permissions granted in the tenant (the token's `roles`).
    pub roles: Vec<String>,
}

/// A client secret and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretCredential {
    /// The credential's keyId GUID.
    pub key_id: String,
    /// The secret value.
    pub secret: String,
    /// Expiry.
    pub end: DateTime<Utc>,
}

/// A certificate credential: its thumbprints, public key and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateCredential {
    /// The credential's keyId GUID.
    pub key_id: String,
    /// SHA-1 of the certificate DER, hex (the `x5t` header names it).
    pub thumbprint_sha1_hex: String,
    /// SHA-256 of the certificate DER, hex (the `x5t#S256` header names it).
    pub thumbprint_sha256_hex: String,
    /// The certificate's public key, SubjectPublicKeyInfo PEM.
    pub public_key_pem: String,
    /// Expiry.
    pub end: DateTime<Utc>,
}

/// The fields of a token request that matter; anything else in the form is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    /// `grant_type`.
    pub grant_type: Option<String>,
    /// `client_id` (from the form, else from Basic authentication).
    pub client_id: Option<String>,
    /// `client_secret` (from the form, else from Basic authentication).
    pub client_secret: Option<String>,
    /// `client_assertion_type`.
    pub client_assertion_type: Option<String>,
    /// `client_assertion`.
    pub client_assertion: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `username` (password grant).
    pub username: Option<String>,
    /// `password` (password grant).
    pub password: Option<String>,
    /// `code` (authorization code grant; MSAL also sends it with device codes).
    pub code: Option<String>,
    /// `redirect_uri` (authorization code grant).
    pub redirect_uri: Option<String>,
    /// `code_verifier` (PKCE).
    pub code_verifier: Option<String>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `device_code`.
    pub device_code: Option<String>,
}

impl TokenRequest {
    /// From an x-www-form-urlencoded body and an optional `Authorization: Basic` header
    /// (client_id:client_secret, both URL-decoded per RFC 6749 §2.3.1). Unknown fields
    /// (claims, client_info, x-client-*, client-request-id) are ignored.
    pub fn parse(body: &[u8], authorization: Option<&str>) -> Result<TokenRequest, AadError> {
        let body =
            std::str::from_utf8(body).map_err(|_| AadError::missing_parameter("grant_type"))?;
        let mut request = TokenRequest::default();
        for (name, value) in
            form_pairs(body).ok_or_else(|| AadError::missing_parameter("grant_type"))?
        {
            request.set(&name, value);
        }
        if let Some((id, secret)) = authorization.map(basic_credentials).transpose()?.flatten() {
            request.client_id.get_or_insert(id);
            request.client_secret.get_or_insert(secret);
        }
        Ok(request)
    }

    fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "grant_type" => &mut self.grant_type,
            "client_id" => &mut self.client_id,
            "client_secret" => &mut self.client_secret,
            "client_assertion_type" => &mut self.client_assertion_type,
            "client_assertion" => &mut self.client_assertion,
            "scope" => &mut self.scope,
            "username" => &mut self.username,
            "password" => &mut self.password,
            "code" => &mut self.code,
            "redirect_uri" => &mut self.redirect_uri,
            "code_verifier" => &mut self.code_verifier,
            "refresh_token" => &mut self.refresh_token,
            "device_code" => &mut self.device_code,
            _ => return,
        };
        slot.get_or_insert(value);
    }
}

/// A successful token response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    /// Always "Bearer".
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// Same as `expires_in` (Entra's resilience extension).
    pub ext_expires_in: u64,
    /// The signed JWT.
    pub access_token: String,
}

/// Issue a token for a client-credentials request to `tenant_id`, `client` being the
/// application the request's client_id names (if the tenant has it). The token expires
/// `lifetime_secs` after `wall` (`expires_in`); its `iat`/`nbf` are back-dated 5 minutes.
/// Credentials expire on the tenant's timeline (`now`, the log clock); the token and the
/// client's assertion live on the client's real clock (`wall`, issue 12).
pub fn issue(
    req: &TokenRequest,
    tenant_id: &str,
    client: Option<&ClientRecord>,
    key: &SigningKey,
    (now, wall): (DateTime<Utc>, DateTime<Utc>),
    lifetime_secs: u64,
) -> Result<TokenResponse, AadError> {
    let grant_type = required(&req.grant_type, "grant_type")?;
    if grant_type != "client_credentials" {
        return Err(AadError::unsupported_grant_type(grant_type));
    }
    let client_id = required(&req.client_id, "client_id")?;
    let scope = required(&req.scope, "scope")?;
    let client = client.ok_or_else(|| AadError::application_not_found(client_id, tenant_id))?;
    let appidacr = authenticate(req, client_id, client, (now, wall))?;
    let mut claims =
        AccessClaims::app_only(tenant_id, client, wall, lifetime_secs, scope.as_bytes());
    claims.aud = resource_of(scope)?;
    claims.appidacr = appidacr.to_string();
    Ok(TokenResponse {
        token_type: "Bearer",
        expires_in: lifetime_secs,
        ext_expires_in: lifetime_secs,
        access_token: key.sign(&claims),
    })
}

pub(crate) fn required<'r>(field: &'r Option<String>, name: &str) -> Result<&'r str, AadError> {
    field
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AadError::missing_parameter(name))
}

// The client's proof of identity; the token's appidacr: "1" secret, "2" certificate.
pub(crate) fn authenticate(
    req: &TokenRequest,
    client_id: &str,
    client: &ClientRecord,
    (now, wall): (DateTime<Utc>, DateTime<Utc>),
) -> Result<&'static str, AadError> {
    let assertion = req.client_assertion.as_deref().filter(|a| !a.is_empty());
    if let (Some(assertion), Some(JWT_BEARER)) = (assertion, req.client_assertion_type.as_deref()) {
        assertion::authenticate(assertion, client_id, client, (now, wall))?;
        return Ok("2");
    }
    match req.client_secret.as_deref().filter(|s| !s.is_empty()) {
        Some(secret) => check_secret(secret, client, now).map(|()| "1"),
        None => Err(AadError::missing_credentials()),
    }
}

fn check_secret(secret: &str, client: &ClientRecord, now: DateTime<Utc>) -> Result<(), AadError> {
    let matching: Vec<&SecretCredential> = client
        .secrets
        .iter()
        .filter(|s| constant_time_eq(s.secret.as_bytes(), secret.as_bytes()))
        .collect();
    if matching.iter().any(|s| s.end > now) {
        Ok(())
    } else if matching.is_empty() {
        Err(AadError::invalid_secret(&client.app_id))
    } else {
        Err(AadError::expired_secret(&client.app_id))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The one resource a client-credentials scope names, Graph's aliases folded to
/// `https://graph.microsoft.com`; any other host is accepted as its own resource.
pub fn resource_of(scope: &str) -> Result<String, AadError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if scopes.iter().any(|s| !s.ends_with("/.default")) {
        return Err(AadError::scope_not_default(scope));
    }
    let resources: BTreeSet<String> = scopes
        .iter()
        .map(|s| fold_graph(&s[..s.len() - "/.default".len()]))
        .collect();
    match resources.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if !one.is_empty() => Ok(one.clone()),
        _ => Err(AadError::invalid_scope(scope)),
    }
}

fn fold_graph(resource: &str) -> String {
    if is_graph_audience(resource) {
        GRAPH_RESOURCE.to_string()
    } else {
        resource.to_string()
    }
}

fn basic_credentials(header: &str) -> Result<Option<(String, String)>, AadError> {
    let Some((scheme, encoded)) = header.trim().split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let (id, secret) = decoded
        .as_deref()
        .and_then(|d| d.split_once(':'))
        .ok_or_else(AadError::missing_credentials)?;
    match (form_decode(id), form_decode(secret)) {
        (Some(id), Some(secret)) => Ok(Some((id, secret))),
        _ => Err(AadError::missing_credentials()),
    }
}

// name=value pairs of an x-www-form-urlencoded body, decoded; None if an escape is broken.
fn form_pairs(body: &str) -> Option<Vec<(String, String)>> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form_decode(name)?, form_decode(value)?))
        })
        .collect()
}

fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;

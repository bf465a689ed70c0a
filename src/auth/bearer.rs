//! Reading and judging the `Authorization: Bearer …` header of a Graph request.
//!
//! Messages are the ones Graph returns with 401 `InvalidAuthenticationToken`. Sources
//! (public captures of real Graph responses):
//! - "Access token is empty.": graph-api.md §4.2 (many captures, incl. a Microsoft docs page).
//! - "Lifetime validation failed, the token is expired.": s1t5/mail-archiver#267 (2025),
//!   Microsoft365DSC/Microsoft365DSC#4427 (2024-03, full 401 with request-id headers).
//! - "Access token has expired or is not yet valid.": microsofthackathons/tdi#24 (2022, full
//!   401 from graph.microsoft.com/v1.0/me); the older expiry text, used here for `nbf`.
//! - "Access token validation failure. Invalid audience.": graph-api.md §4.2 (I-16208).
//! - "Signature is invalid.": wazuh/wazuh-documentation#7620 (2024-08, Graph 401 body) and a
//!   second capture of a token altered in transit; 2018 captures said
//!   "Access token validation failure." (microsoftgraph/console-java-connect-sample#1).
//! - IDX14100: Graph 401 bodies captured 2024-11-16 and 2025-02-05 (code index) spell
//!   "EncodedPayload"; IdentityModel before the fix (and the brief) spelled "EndcodedPayload".
//! - Invalid issuer: no capture found; phrased like the audience message.

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    /// The header said `Bearer` but carried no token.
    #[error("access token is empty")]
    Empty,
    /// Not a JWS compact token, or another authorization scheme.
    #[error("access token is not a well-formed JWT")]
    Malformed,
    /// Not signed by this tenant's key.
    #[error("access token signature is invalid")]
    BadSignature,
    /// Past `exp` plus the allowed clock skew.
    #[error("access token is expired")]
    Expired,
    /// Before `nbf` minus the allowed clock skew.
    #[error("access token is not yet valid")]
    NotYetValid,
    /// Not issued for Microsoft Graph.
    #[error("access token audience is not Microsoft Graph")]
    InvalidAudience,
    /// Not issued by this tenant's token service.
    #[error("access token issuer is invalid")]
    InvalidIssuer,
}

const MALFORMED: &str = "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.";

impl BearerError {
    /// The Graph error code, always `InvalidAuthenticationToken` (HTTP 401).
    pub fn code(&self) -> &'static str {
        "InvalidAuthenticationToken"
    }

    /// The Graph error message for this refusal.
    pub fn message(&self) -> &'static str {
        match self {
            BearerError::Empty => "Access token is empty.",
            BearerError::Malformed => MALFORMED,
            BearerError::BadSignature => "Signature is invalid.",
            BearerError::Expired => "Lifetime validation failed, the token is expired.",
            BearerError::NotYetValid => "Access token has expired or is not yet valid.",
            BearerError::InvalidAudience => "Access token validation failure. Invalid audience.",
            BearerError::InvalidIssuer => "Access token validation failure. Invalid issuer.",
        }
    }
}

/// The token in an `Authorization` header value: no header is `Ok(None)`, `Bearer` with
/// nothing after it is `Empty`, any other scheme is `Malformed`.
pub fn token_from_header(value: Option<&str>) -> Result<Option<&str>, BearerError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim();
    if value.is_empty() {
        return Err(BearerError::Empty);
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::Malformed);
    }
    match rest.trim() {
        "" => Err(BearerError::Empty),
        token => Ok(Some(token)),
    }
}

/// The `WWW-Authenticate` value Graph sends with a 401, pointing at `authorization_uri`
/// (Graph uses `https://login.microsoftonline.com/common/oauth2/authorize`).
pub fn www_authenticate(authorization_uri: &str) -> String {
    format!(
        r#"Bearer realm="", authorization_uri="{authorization_uri}", client_id="00000003-0000-0000-c000-000000000000""#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_header_is_not_an_error_here() {
        assert_eq!(token_from_header(None), Ok(None));
    }

    #[test]
    fn a_bearer_header_yields_its_token_whatever_the_scheme_case() {
        assert_eq!(
            token_from_header(Some("Bearer abc.def.ghi")),
            Ok(Some("abc.def.ghi"))
        );
        assert_eq!(token_from_header(Some("bearer  abc")), Ok(Some("abc")));
    }

    #[test]
    fn bearer_without_a_token_is_empty() {
        assert_eq!(token_from_header(Some("Bearer ")), Err(BearerError::Empty));
        assert_eq!(token_from_header(Some("Bearer")), Err(BearerError::Empty));
        assert_eq!(token_from_header(Some("")), Err(BearerError::Empty));
    }

    #[test]
    fn another_scheme_is_malformed() {
        assert_eq!(
            token_from_header(Some("Basic dXNlcjpwYXNz")),
            Err(BearerError::Malformed)
        );
    }

    #[test]
    fn every_refusal_is_invalid_authentication_token_with_graphs_text() {
        assert_eq!(BearerError::Expired.code(), "InvalidAuthenticationToken");
        assert_eq!(BearerError::Empty.message(), "Access token is empty.");
        assert!(
            BearerError::Malformed
                .message()
                .starts_with("IDX14100: JWT is not well formed, there are no dots (.).\nThe token")
        );
    }

    #[test]
    fn the_challenge_names_graphs_client_id() {
        let value = www_authenticate("https://127.0.0.1:8443/common/oauth2/authorize");
        assert!(
            value.starts_with(r#"Bearer realm="", authorization_uri="https://127.0.0.1:8443/"#)
        );
        assert!(value.ends_with(r#"client_id="00000003-0000-0000-c000-000000000000""#));
    }
}

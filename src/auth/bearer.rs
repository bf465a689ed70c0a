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
//! - IDX14120 (one dot): a Graph 401 quoted in a calendar-sync project's source (2025, code
//!   index); IDX14121/14122 (three, or more than four dots), IDX14101/14102 (a segment that is
//!   not base64url JSON): IdentityModel's JsonWebToken.ReadToken and LogMessages.cs, which
//!   Graph's parser is (the PII placeholder is IdentityModel's default logging).
//! - An unsigned token (`alg: none` or an empty signature) is a signature failure for
//!   IdentityModel (IDX10504); Graph words signature failures "Signature is invalid.".
//! - Invalid issuer: no capture found; phrased like the audience message.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    /// The header said `Bearer` but carried no token.
    #[error("access token is empty")]
    Empty,
    /// No dots (not a compact JWT), or another authorization scheme.
    #[error("access token is not a well-formed JWT")]
    Malformed,
    /// One dot only.
    #[error("access token has only one dot")]
    OneDot,
    /// Three dots: neither a JWS (two) nor a JWE (four).
    #[error("access token has three dots")]
    ThreeDots,
    /// More than four dots.
    #[error("access token has more than four dots")]
    TooManyDots,
    /// The header is not base64url-encoded JSON.
    #[error("access token header does not decode")]
    BadHeader,
    /// The payload is not base64url-encoded JSON.
    #[error("access token payload does not decode")]
    BadPayload,
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

const FORMATS: &str = "The token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.";
const PII: &str = "[PII of type 'Microsoft.IdentityModel.Logging.SecurityArtifact' is hidden. For more details, see https://aka.ms/IdentityModel/PII.]";

impl BearerError {
    /// The Graph error code, always `InvalidAuthenticationToken` (HTTP 401).
    pub fn code(&self) -> &'static str {
        "InvalidAuthenticationToken"
    }

    /// The Graph error message for this refusal.
    pub fn message(&self) -> String {
        let shape = |code: &str, what: &str| format!("{code}: JWT is not {what}.\n{FORMATS}");
        match self {
            BearerError::Malformed => shape("IDX14100", "well formed, there are no dots (.)"),
            BearerError::OneDot => shape("IDX14120", "well formed, there is only one dot (.)"),
            BearerError::ThreeDots => {
                shape("IDX14121", "a well formed JWE, there must be four dots (.)")
            }
            BearerError::TooManyDots => shape(
                "IDX14122",
                "a well formed JWE, there are more than four dots (.) a JWE can have at most 4 dots",
            ),
            BearerError::BadHeader => {
                format!(
                    "IDX14102: Unable to decode the header '{PII}' as Base64Url encoded string."
                )
            }
            BearerError::BadPayload => {
                format!(
                    "IDX14101: Unable to decode the payload '{PII}' as Base64Url encoded string."
                )
            }
            other => other.fixed_message().to_string(),
        }
    }

    fn fixed_message(&self) -> &'static str {
        match self {
            BearerError::Empty => "Access token is empty.",
            BearerError::BadSignature => "Signature is invalid.",
            BearerError::Expired => "Lifetime validation failed, the token is expired.",
            BearerError::NotYetValid => "Access token has expired or is not yet valid.",
            BearerError::InvalidAudience => "Access token validation failure. Invalid audience.",
            BearerError::InvalidIssuer => "Access token validation failure. Invalid issuer.",
            _ => "Access token validation failure.",
        }
    }
}

/// The header and payload of a compact JWS, checked the way IdentityModel reads a token
/// before any signature check: the number of dots, then base64url JSON in each segment;
/// an unsigned token (`alg: none`, or nothing after the second dot) is refused as a bad
/// signature.
pub fn read_token(token: &str) -> Result<(Value, Value), BearerError> {
    let dots = token.matches('.').count();
    let first = token.find('.');
    match (dots, first) {
        (0, _) => return Err(BearerError::Malformed),
        (_, Some(i)) if i + 1 == token.len() => return Err(BearerError::Malformed),
        (1, _) => return Err(BearerError::OneDot),
        (3, _) => return Err(BearerError::ThreeDots),
        // A JWE: entrasim issues no encrypted tokens, so none decrypts.
        (4, _) => return Err(BearerError::BadSignature),
        (d, _) if d > 4 => return Err(BearerError::TooManyDots),
        _ => {}
    }
    let mut parts = token.splitn(3, '.');
    let (header, payload, signature) = (parts.next(), parts.next(), parts.next());
    let header = segment_json(header).ok_or(BearerError::BadHeader)?;
    let payload = segment_json(payload).ok_or(BearerError::BadPayload)?;
    if signature.is_none_or(str::is_empty)
        || header["alg"]
            .as_str()
            .is_none_or(|a| a.eq_ignore_ascii_case("none"))
    {
        return Err(BearerError::BadSignature);
    }
    Ok((header, payload))
}

fn segment_json(segment: Option<&str>) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment?.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
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

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn each_wrong_number_of_dots_has_identitymodels_own_message() {
        let code = |t: &str| read_token(t).unwrap_err().message()[..8].to_string();
        assert_eq!(code("opaque-abc"), "IDX14100");
        assert_eq!(code("abc."), "IDX14100");
        assert_eq!(code("a.b"), "IDX14120");
        assert_eq!(code("a.b.c.d"), "IDX14121");
        assert_eq!(code("a.b.c.d.e.f"), "IDX14122");
    }

    #[test]
    fn segments_that_are_not_base64url_json_are_named() {
        let header = encode(r#"{"alg":"RS256"}"#);
        assert_eq!(read_token("a.b.c"), Err(BearerError::BadHeader));
        assert_eq!(
            read_token(&format!("{header}.bm90IGpzb24.sig")),
            Err(BearerError::BadPayload)
        );
        assert!(
            BearerError::BadPayload
                .message()
                .starts_with("IDX14101: Unable to decode the payload '[PII")
        );
    }

    #[test]
    fn an_unsigned_token_has_an_invalid_signature_not_a_missing_dot() {
        let payload = encode(r#"{"tid":"t"}"#);
        let none = format!("{}.{payload}.", encode(r#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(read_token(&none), Err(BearerError::BadSignature));
        assert_eq!(BearerError::BadSignature.message(), "Signature is invalid.");
        let unsigned = format!("{}.{payload}.", encode(r#"{"alg":"RS256"}"#));
        assert_eq!(read_token(&unsigned), Err(BearerError::BadSignature));
        let signed = format!("{}.{payload}.c2ln", encode(r#"{"alg":"RS256"}"#));
        assert_eq!(read_token(&signed).unwrap().1["tid"], "t");
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

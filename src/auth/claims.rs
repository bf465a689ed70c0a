//! The claims of a Microsoft Graph v1.0 app-only access token, as Entra ID issues them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::token::ClientRecord;

/// The resource URI of Microsoft Graph, the `aud` of the tokens entrasim issues for it.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// Microsoft Graph's application id, also accepted as an audience.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Region scope written into tokens and discovery documents.
pub const DEFAULT_REGION_SCOPE: &str = "NA";
/// Entra back-dates `iat`/`nbf` by five minutes against clock skew.
pub(crate) const BACKDATE_SECS: i64 = 300;

/// The payload of a v1.0 access token for Microsoft Graph, in Entra's claim order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Audience: `https://graph.microsoft.com` for Graph.
    pub aud: String,
    /// Issuer: `https://sts.windows.net/{tid}/`.
    pub iss: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Authentication context class: "1" for a user (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Opaque Entra-internal claim.
    pub aio: String,
    /// How the user authenticated, e.g. `["pwd","mfa"]` (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,

    /// Display name of the calling application.
    pub app_displayname: String,
    /// Application (client) id of the caller.
    pub appid: String,
    /// How the client authenticated: "1" secret, "2" certificate.
    pub appidacr: String,
    /// The user's surname (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The user's given name (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Identity provider; equals `iss` for app-only tokens.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub idp: String,
    /// Token type: "app" for app-only tokens.
    pub idtyp: String,
    /// The client's IP address (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipaddr: Option<String>,
    /// The user's display name (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Object id of the caller's service principal, or of the signed-in user.
    pub oid: String,
    /// Opaque Entra-internal claim.
    pub rh: String,
    /// Application permissions granted to the caller (absent from delegated tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Delegated permissions, space-separated (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,

    /// Subject; equals `oid` for app-only tokens.
    pub sub: String,
    /// Region of the tenant ("NA", "EU", ...).
    pub tenant_region_scope: String,
    /// Tenant id.
    pub tid: String,
    /// The user's UPN (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    /// The user's UPN (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// Unique token id.
    pub uti: String,
    /// Token format version: "1.0".
    pub ver: String,
    /// Template ids of the user's directory roles (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wids: Option<Vec<String>>,

    /// Tenant creation time, Unix seconds.
    pub xms_tcdt: i64,
}

impl AccessClaims {
    /// Claims for `client` calling Graph with a secret, issued at `now` and valid for
    /// `lifetime_secs`; `aio`, `rh` and `uti` are hashes of the inputs, never random.
    pub fn app_only(
        tenant_id: &str,
        client: &ClientRecord,
        now: DateTime<Utc>,
        lifetime_secs: u64,
        nonce_source: &[u8],
    ) -> AccessClaims {
        let iat = now.timestamp() - BACKDATE_SECS;
        let iss = issuer_for(tenant_id);
        let hash = |label: &str| opaque_digest(label, tenant_id, &client.app_id, iat, nonce_source);
        AccessClaims {
            aud: GRAPH_RESOURCE.to_string(),
            iss: iss.clone(),
            iat,
            nbf: iat,
            exp: now
                .timestamp()
                .saturating_add(i64::try_from(lifetime_secs).unwrap_or(i64::MAX)),
            aio: STANDARD.encode(&hash("aio")[..22]),
            app_displayname: client.display_name.clone(),
            appid: client.app_id.clone(),
            appidacr: "1".to_string(),
            idp: iss,
            idtyp: "app".to_string(),
            oid: client.service_principal_id.clone(),
            rh: refresh_handle(tenant_id),
            roles: client.roles.clone(),
            sub: client.service_principal_id.clone(),
            tenant_region_scope: DEFAULT_REGION_SCOPE.to_string(),
            tid: tenant_id.to_string(),
            uti: URL_SAFE_NO_PAD.encode(&hash("uti")[..16]),
            ver: "1.0".to_string(),
            xms_tcdt: tenant_created(tenant_id),
            ..AccessClaims::default()
        }
    }
}

/// The v1.0 issuer of a tenant's access tokens.
pub fn issuer_for(tenant_id: &str) -> String {
    format!("https://sts.windows.net/{tenant_id}/")
}

/// Whether `aud` names Microsoft Graph in one of the forms Graph accepts.
pub fn is_graph_audience(aud: &str) -> bool {
    let aud = aud.to_ascii_lowercase();
    aud == GRAPH_RESOURCE || aud == "https://graph.microsoft.com/" || aud == GRAPH_APP_ID
}

pub(crate) fn opaque_digest(
    label: &str,
    tenant_id: &str,
    app_id: &str,
    iat: i64,
    nonce: &[u8],
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [
        label.as_bytes(),
        tenant_id.as_bytes(),
        app_id.as_bytes(),
        &iat.to_le_bytes(),
        nonce,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

// Shaped like Entra's `rh`: "0." + base64url(01 79 00 ‖ tenant GUID ‖ Graph app GUID ‖ 95 00 00) + ".".
pub(crate) fn refresh_handle(tenant_id: &str) -> String {
    let mut bytes = vec![0x01, 0x79, 0x00];
    bytes.extend_from_slice(&guid_bytes(tenant_id));
    bytes.extend_from_slice(&guid_bytes(GRAPH_APP_ID));
    bytes.extend_from_slice(&[0x95, 0x00, 0x00]);
    format!("0.{}.", URL_SAFE_NO_PAD.encode(bytes))
}

fn guid_bytes(id: &str) -> [u8; 16] {
    match uuid::Uuid::parse_str(id) {
        Ok(guid) => guid.to_bytes_le(),
        Err(_) => {
            let mut out = [0u8; 16];
            out.copy_from_slice(&Sha256::digest(id.as_bytes())[..16]);
            out
        }
    }
}

// A creation time between 2014 and 2020, fixed per tenant id.
pub(crate) fn tenant_created(tenant_id: &str) -> i64 {
    let digest =
        Sha256::digest(["entrasim/tenant-created".as_bytes(), tenant_id.as_bytes()].concat());
    let offset = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) % 189_000_000;
    1_400_000_000 + i64::from(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn client() -> ClientRecord {
        ClientRecord {
            app_id: "11111111-2222-3333-4444-555555555555".into(),
            service_principal_id: "66666666-7777-8888-9999-000000000000".into(),
            display_name: "SIEM connector".into(),
            secrets: vec![],
            certificates: vec![],
            roles: vec!["AuditLog.Read.All".into(), "Directory.Read.All".into()],
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn app_only_claims_describe_the_client_as_entra_would() {
        let c = AccessClaims::app_only(
            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            &client(),
            now(),
            3599,
            b"x",
        );
        assert_eq!(c.aud, "https://graph.microsoft.com");
        assert_eq!(
            c.iss,
            "https://sts.windows.net/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/"
        );
        assert_eq!(c.idp, c.iss);
        assert_eq!(
            (c.idtyp.as_str(), c.ver.as_str(), c.appidacr.as_str()),
            ("app", "1.0", "1")
        );
        assert_eq!(c.oid, c.sub);
        assert_eq!(c.iat, now().timestamp() - 300);
        assert_eq!(c.exp, now().timestamp() + 3599);
        assert_eq!(c.roles, client().roles);
    }

    #[test]
    fn opaque_claims_are_stable_for_the_same_inputs_and_differ_for_others() {
        let a = AccessClaims::app_only("t", &client(), now(), 3599, b"x");
        let b = AccessClaims::app_only("t", &client(), now(), 3599, b"x");
        let c = AccessClaims::app_only("t", &client(), now(), 3599, b"y");
        assert_eq!(a, b);
        assert_ne!(a.uti, c.uti);
        assert_eq!(a.uti.len(), 22);
        assert!(a.rh.starts_with("0.AXkA") && a.rh.ends_with('.'));
    }

    #[test]
    fn claims_serialise_in_entra_order() {
        let c = AccessClaims::app_only("t", &client(), now(), 3599, b"x");
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.starts_with(r#"{"aud":"https://graph.microsoft.com","iss":"#));
        assert!(json.ends_with(&format!(r#""ver":"1.0","xms_tcdt":{}}}"#, c.xms_tcdt)));
    }

    #[test]
    fn graph_is_recognised_in_all_three_audience_forms() {
        for aud in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            GRAPH_APP_ID,
        ] {
            assert!(is_graph_audience(aud), "{aud}");
        }
        assert!(!is_graph_audience("https://management.azure.com"));
    }
}

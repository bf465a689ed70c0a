//! The tokens of a signed-in user: the delegated v1.0 access token (`scp`, `wids`, `upn`,
//! `idtyp=user`), the v2.0 id token and `client_info`, as Entra issues them (reference C.7).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::claims::{
    AccessClaims, BACKDATE_SECS, DEFAULT_REGION_SCOPE, issuer_for, opaque_digest, refresh_handle,
    tenant_created,
};

/// The user a token is issued to, as the token service knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Object id.
    pub oid: String,
    /// User principal name.
    pub upn: String,
    /// Display name.
    pub name: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub family_name: String,
    /// Role template ids.
    pub wids: Vec<String>,
    /// Whether MFA satisfied the sign-in (`amr` gains "mfa").
    pub mfa: bool,
}

/// The client a user token is issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Application id.
    pub app_id: String,
    /// Display name.
    pub display_name: String,
    /// "0" public client, "1" secret, "2" certificate.
    pub appidacr: &'static str,
}

/// Claims of a delegated access token for `aud`, carrying `scp`.
pub fn access_claims(
    tenant_id: &str,
    client: &Client,
    user: &Subject,
    (aud, scp): (&str, &str),
    (wall, lifetime_secs, ip): (DateTime<Utc>, u64, &str),
) -> AccessClaims {
    let iat = wall.timestamp() - BACKDATE_SECS;
    let nonce = [user.oid.as_bytes(), scp.as_bytes(), aud.as_bytes()].concat();
    let hash = |label: &str| opaque_digest(label, tenant_id, &client.app_id, iat, &nonce);
    let mut amr = vec!["pwd".to_string()];
    if user.mfa {
        amr.push("mfa".to_string());
    }
    AccessClaims {
        aud: aud.to_string(),
        iss: issuer_for(tenant_id),
        iat,
        nbf: iat,
        exp: wall
            .timestamp()
            .saturating_add(i64::try_from(lifetime_secs).unwrap_or(i64::MAX)),
        acr: Some("1".to_string()),
        aio: STANDARD.encode(&hash("aio")[..22]),
        amr: Some(amr),
        app_displayname: client.display_name.clone(),
        appid: client.app_id.clone(),
        appidacr: client.appidacr.to_string(),
        family_name: Some(user.family_name.clone()),
        given_name: Some(user.given_name.clone()),
        idtyp: "user".to_string(),
        ipaddr: Some(ip.to_string()),
        name: Some(user.name.clone()),
        oid: user.oid.clone(),
        rh: refresh_handle(tenant_id),
        scp: Some(scp.to_string()),
        sub: URL_SAFE_NO_PAD.encode(&hash("sub")[..32]),
        tenant_region_scope: DEFAULT_REGION_SCOPE.to_string(),
        tid: tenant_id.to_string(),
        unique_name: Some(user.upn.clone()),
        upn: Some(user.upn.clone()),
        uti: URL_SAFE_NO_PAD.encode(&hash("uti")[..16]),
        ver: "1.0".to_string(),
        wids: Some(user.wids.clone()),
        xms_tcdt: tenant_created(tenant_id),
        ..AccessClaims::default()
    }
}

/// The claims of a v2.0 id token (audience: the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdClaims {
    /// The client id.
    pub aud: String,
    /// `{authority}/{tid}/v2.0`.
    pub iss: String,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Display name.
    pub name: String,
    /// The nonce the authorize request sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// User object id.
    pub oid: String,
    /// The UPN.
    pub preferred_username: String,
    /// Opaque.
    pub rh: String,
    /// Pairwise subject.
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    /// Opaque.
    pub uti: String,
    /// "2.0".
    pub ver: String,
}

/// The id token's claims for `user` signing in to `client_id` at `authority`.
pub fn id_claims(
    (authority, tenant_id): (&str, &str),
    client_id: &str,
    user: &Subject,
    nonce: Option<String>,
    (wall, lifetime_secs): (DateTime<Utc>, u64),
) -> IdClaims {
    let iat = wall.timestamp() - BACKDATE_SECS;
    let hash = |label: &str| opaque_digest(label, tenant_id, client_id, iat, user.oid.as_bytes());
    IdClaims {
        aud: client_id.to_string(),
        iss: format!("{}/{tenant_id}/v2.0", authority.trim_end_matches('/')),
        iat,
        nbf: iat,
        exp: wall.timestamp() + i64::try_from(lifetime_secs).unwrap_or(3599),
        name: user.name.clone(),
        nonce,
        oid: user.oid.clone(),
        preferred_username: user.upn.clone(),
        rh: refresh_handle(tenant_id),
        sub: URL_SAFE_NO_PAD.encode(&hash("sub")[..32]),
        tid: tenant_id.to_string(),
        uti: URL_SAFE_NO_PAD.encode(&hash("uti")[..16]),
        ver: "2.0".to_string(),
    }
}

/// MSAL's `client_info`: base64url of `{"uid": oid, "utid": tid}`.
pub fn client_info(oid: &str, tenant_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!({ "uid": oid, "utid": tenant_id }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn user() -> Subject {
        Subject {
            oid: "u1".into(),
            upn: "ada@contoso.com".into(),
            name: "Ada".into(),
            given_name: "Ada".into(),
            family_name: "L".into(),
            wids: vec!["4a5d8f65-41da-4de4-8968-e035b65339cf".into()],
            mfa: true,
        }
    }

    #[test]
    fn a_delegated_token_names_the_user_and_their_roles_and_no_app_roles() {
        let client = Client {
            app_id: "c".into(),
            display_name: "Tool".into(),
            appidacr: "0",
        };
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let c = access_claims(
            "t",
            &client,
            &user(),
            ("https://graph.microsoft.com", "AuditLog.Read.All"),
            (at, 3599, "127.0.0.1"),
        );
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["idtyp"], "user");
        assert_eq!(json["upn"], "ada@contoso.com");
        assert_eq!(json["scp"], "AuditLog.Read.All");
        assert_eq!(json["amr"], serde_json::json!(["pwd", "mfa"]));
        assert!(json.get("roles").is_none());
        assert_eq!(json["wids"][0], "4a5d8f65-41da-4de4-8968-e035b65339cf");
    }

    #[test]
    fn client_info_decodes_to_uid_and_utid() {
        let raw = URL_SAFE_NO_PAD.decode(client_info("u1", "t1")).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(
            (v["uid"].as_str(), v["utid"].as_str()),
            (Some("u1"), Some("t1"))
        );
    }
}

//! The OpenID configuration and MSAL instance-discovery documents, pointing at entrasim instead of login.microsoftonline.com.
//!
//! Shapes copied from real responses: the v2.0 tenant document recorded by the Azure SDK
//! for JS test recordings (login.microsoftonline.com, 2021-10) and MSAL.NET's
//! `DiscoveryJsonResponse` test constant for `/common/discovery/instance?api-version=1.1`.

use serde_json::{Value, json};

use super::claims::DEFAULT_REGION_SCOPE;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration` for `base` (scheme, host and
/// port, e.g. `https://127.0.0.1:8443`), the path segment the client used, and the tenant id.
pub fn openid_configuration(base: &str, tenant_segment: &str, tenant_id: &str) -> Value {
    let base = base.trim_end_matches('/');
    let at = |path: &str| format!("{base}/{tenant_segment}/{path}");
    let multi_tenant = is_multi_tenant(tenant_segment);
    let issuer_tenant = if multi_tenant {
        "{tenantid}"
    } else {
        tenant_id
    };
    json!({
        "token_endpoint": at("oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": at("discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": at("oauth2/v2.0/authorize"),
        "device_authorization_endpoint": at("oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": at("oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": at("kerberos"),
        "tenant_region_scope": if multi_tenant { Value::Null } else { json!(DEFAULT_REGION_SCOPE) },
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

/// `GET /common/discovery/instance` for our host (`127.0.0.1:8443`, with or without a
/// scheme): names our own discovery document for the tenant in `authorization_endpoint`
/// (MSAL sends it without the port) and lists our host as its only alias.
pub fn instance_discovery(base_host: &str, authorization_endpoint: Option<&str>) -> Value {
    let (scheme, host) = base_host.split_once("://").unwrap_or(("https", base_host));
    let host = host.trim_end_matches('/');
    let (tenant, v2) = authorization_endpoint
        .map(tenant_of)
        .unwrap_or(("common".to_string(), true));
    let version = if v2 { "v2.0/" } else { "" };
    let bare_host = strip_port(host);
    let mut aliases = vec![host.to_string()];
    if bare_host != host {
        aliases.push(bare_host.to_string());
    }
    json!({
        "tenant_discovery_endpoint": format!("{scheme}://{host}/{tenant}/{version}.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": aliases}],
    })
}

/// Whether a tenant path segment is one of Entra's multi-tenant names: `common`,
/// `organizations` or `consumers` (any case).
pub fn is_multi_tenant(segment: &str) -> bool {
    ["common", "organizations", "consumers"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(segment))
}

// The tenant path segment of an authorize URL, and whether it is the v2.0 endpoint.
fn tenant_of(authorization_endpoint: &str) -> (String, bool) {
    let path = authorization_endpoint
        .split_once("://")
        .map_or(authorization_endpoint, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1).filter(|s| !s.is_empty());
    let tenant = segments.next().unwrap_or("common").to_string();
    (tenant, path.contains("/v2.0/"))
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..h.len() + 1]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openid_configuration_points_every_endpoint_at_entrasim() {
        let doc = openid_configuration(
            "https://127.0.0.1:8443/",
            "tenant1",
            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        );
        assert_eq!(
            doc["token_endpoint"],
            "https://127.0.0.1:8443/tenant1/oauth2/v2.0/token"
        );
        assert_eq!(
            doc["authorization_endpoint"],
            "https://127.0.0.1:8443/tenant1/oauth2/v2.0/authorize"
        );
        assert_eq!(
            doc["jwks_uri"],
            "https://127.0.0.1:8443/tenant1/discovery/v2.0/keys"
        );
        assert_eq!(
            doc["issuer"],
            "https://127.0.0.1:8443/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/v2.0"
        );
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"][1],
            "private_key_jwt"
        );
        assert_eq!(doc["tenant_region_scope"], "NA");
    }

    #[test]
    fn the_common_document_has_a_placeholder_issuer_like_entras() {
        let doc = openid_configuration("https://localhost:8443", "common", "t");
        assert_eq!(doc["issuer"], "https://localhost:8443/{tenantid}/v2.0");
        assert!(doc["tenant_region_scope"].is_null());
    }

    #[test]
    fn instance_discovery_restores_the_port_msal_dropped() {
        let doc = instance_discovery(
            "127.0.0.1:8443",
            Some("https://127.0.0.1/tenant1/oauth2/v2.0/authorize"),
        );
        assert_eq!(
            doc["tenant_discovery_endpoint"],
            "https://127.0.0.1:8443/tenant1/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(doc["api-version"], "1.1");
        assert_eq!(
            doc["metadata"][0]["aliases"],
            json!(["127.0.0.1:8443", "127.0.0.1"])
        );
    }

    #[test]
    fn instance_discovery_without_an_endpoint_describes_common() {
        let doc = instance_discovery("https://localhost:9000", None);
        assert_eq!(
            doc["tenant_discovery_endpoint"],
            "https://localhost:9000/common/v2.0/.well-known/openid-configuration"
        );
    }

    #[test]
    fn a_v1_authorize_endpoint_gets_the_v1_document() {
        let doc = instance_discovery(
            "[::1]:8443",
            Some("https://[::1]/contoso.onmicrosoft.com/oauth2/authorize"),
        );
        assert_eq!(
            doc["tenant_discovery_endpoint"],
            "https://[::1]:8443/contoso.onmicrosoft.com/.well-known/openid-configuration"
        );
        assert_eq!(
            doc["metadata"][0]["aliases"],
            json!(["[::1]:8443", "[::1]"])
        );
    }
}

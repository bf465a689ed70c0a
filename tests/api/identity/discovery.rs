//! Discovery for Entra's multi-tenant names, and the token endpoint's refusal of them.

use super::{client, token};
use crate::helpers::spawn;

#[actix_rt::test]
async fn common_organizations_and_consumers_have_discovery_documents() {
    let app = spawn(&[]).await;
    for name in ["common", "organizations", "consumers"] {
        let (status, config) = app
            .get(&format!("/{name}/v2.0/.well-known/openid-configuration"))
            .await;
        assert_eq!(status, 200, "{name}: {config}");
        assert_eq!(config["issuer"], format!("{}/{{tenantid}}/v2.0", app.url));
        assert_eq!(
            config["token_endpoint"],
            format!("{}/{name}/oauth2/v2.0/token", app.url)
        );
    }
}

#[actix_rt::test]
async fn the_common_key_set_holds_every_tenants_key() {
    let app = spawn(&["--tenants", "2"]).await;
    let (_, tenants) = app.get("/_entrasim/tenant").await;
    let mut kids = Vec::new();
    for t in tenants["tenants"].as_array().unwrap() {
        let id = t["tenantId"].as_str().unwrap();
        let (status, keys) = app.get(&format!("/{id}/discovery/v2.0/keys")).await;
        assert_eq!(status, 200);
        kids.push(keys["keys"][0]["kid"].clone());
    }
    let (status, common) = app.get("/common/discovery/v2.0/keys").await;
    assert_eq!(status, 200);
    let listed: Vec<_> = common["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(listed, kids);
    assert_ne!(kids[0], kids[1]);
}

#[actix_rt::test]
async fn client_credentials_at_common_are_refused_with_aadsts50059() {
    let app = spawn(&[]).await;
    let (_, id, secret, _) = client(&app, 0).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    for name in ["common", "organizations", "consumers"] {
        let (status, body) = token(&app, name, &form).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_codes"][0], 50059);
        assert!(body["correlation_id"].is_string());
    }
}

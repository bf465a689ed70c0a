//! The App Service managed-identity token endpoint (`IDENTITY_ENDPOINT` +
//! `IDENTITY_HEADER`, api-version 2019-08-01), answering as one of the tenant's managed
//! identities, and the control listing of it and of the named test users.
//!
//! Protocol (Microsoft's "Managed identities for App Service and Azure Functions" page):
//! `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with `X-IDENTITY-HEADER`;
//! `client_id`, `principal_id` (alias `object_id`) or `mi_res_id` pick a user-assigned
//! identity, none the system-assigned one. Success: `access_token`, `expires_on` (string,
//! epoch seconds), `resource`, `token_type`, `client_id`. Errors are App Service's
//! `{"statusCode","message","correlationId"}`; the texts for a missing header and an
//! unknown identity ("Unable to load the proper Managed Identity.") follow azure-identity's
//! handling of them (inferred where no capture was found).

use super::identity::TOKEN_LIFETIME_SECS;
use super::sign_in_log::{self, Attempt};
use super::user_token::resource_sp;
use crate::app::AppState;
use crate::auth::{self, AccessClaims, ClientRecord};
use crate::store::records::SignInKind;
use crate::tenant::{MsiType, Tenant};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

/// The endpoint's path (`IDENTITY_ENDPOINT` is the server's origin plus this).
pub const PATH: &str = "/msi/token";
const API_VERSION: &str = "2019-08-01";

/// Registers the token endpoint.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(token));
}

/// The `IDENTITY_HEADER` secret of a seed: 32 hex digits from its own stream.
pub fn identity_header(seed: crate::rng::Seed) -> String {
    seed.key("identity-header", 0)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The managed identity a request picks, by index in `tenant.managed_identities`.
fn pick(tenant: &Tenant, params: &[(String, String)]) -> Result<usize, &'static str> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let sp = |m: &crate::tenant::ManagedIdentity| tenant.sp(m.service_principal);
    let found = if let Some(id) = get("client_id") {
        tenant
            .managed_identities
            .iter()
            .position(|m| sp(m).app_id.eq_ignore_ascii_case(id))
    } else if let Some(id) = get("principal_id").or_else(|| get("object_id")) {
        tenant
            .managed_identities
            .iter()
            .position(|m| sp(m).id.eq_ignore_ascii_case(id))
    } else if let Some(id) = get("mi_res_id") {
        tenant
            .managed_identities
            .iter()
            .position(|m| m.resource_id.eq_ignore_ascii_case(id))
    } else {
        return system_assigned(tenant).ok_or("Unable to load the proper Managed Identity.");
    };
    found.ok_or("Unable to load the proper Managed Identity.")
}

/// The app's own (system-assigned) identity: the first one that reads the logs, else the
/// first system-assigned identity.
pub fn system_assigned(tenant: &Tenant) -> Option<usize> {
    let system: Vec<usize> = (0..tenant.managed_identities.len())
        .filter(|&i| tenant.managed_identities[i].kind == MsiType::SystemAssigned)
        .collect();
    system
        .iter()
        .copied()
        .find(|&i| {
            permissions(tenant, tenant.managed_identities[i].service_principal)
                .iter()
                .any(|p| p == "AuditLog.Read.All")
        })
        .or_else(|| system.first().copied())
}

fn permissions(tenant: &Tenant, sp: u32) -> Vec<String> {
    tenant
        .app_role_grants
        .iter()
        .filter(|g| g.principal == sp)
        .map(|g| g.value.clone())
        .collect()
}

fn refuse(state: &AppState, status: u16, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(json!({ "statusCode": status.as_u16(), "message": message, "correlationId": state.next_request_id() }).to_string())
}

/// `GET /msi/token`: a token for the picked identity, filed as its sign-in.
async fn token(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let plan = state.world().tenants[0].plan.clone();
    let tenant = &plan.tenant;
    let header = req
        .headers()
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok());
    match header {
        None => {
            return refuse(
                &state,
                400,
                "The request is missing the X-IDENTITY-HEADER header.",
            );
        }
        Some(h) if h != identity_header(tenant.seed) => {
            return refuse(
                &state,
                401,
                "The X-IDENTITY-HEADER header does not match IDENTITY_HEADER.",
            );
        }
        Some(_) => {}
    }
    let params: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if get("api-version").as_deref() != Some(API_VERSION) {
        return refuse(
            &state,
            400,
            "The api-version is missing or not supported; use 2019-08-01.",
        );
    }
    let Some(resource) = get("resource").filter(|r| !r.is_empty()) else {
        return refuse(&state, 400, "The resource parameter is required.");
    };
    let index = match pick(tenant, &params) {
        // A deleted identity is one the endpoint can no longer load.
        Ok(index) if !tenant.managed_identities[index].alive_at(state.clock.now()) => {
            return refuse(&state, 400, "Unable to load the proper Managed Identity.");
        }
        Ok(index) => index,
        Err(message) => return refuse(&state, 400, message),
    };
    let identity = &tenant.managed_identities[index];
    let sp = tenant.sp(identity.service_principal);
    let local = super::caller::local_audiences(&req, &state);
    let audience = resource.trim_end_matches('/').to_string();
    let audience = if auth::claims::is_graph_audience(&audience) {
        auth::GRAPH_RESOURCE.to_string()
    } else {
        audience
    };
    if !auth::resources::is_served(&audience, &local) {
        let e = crate::auth::AadError::resource_not_found(&resource, &tenant.id);
        return refuse(&state, 400, &format!("AADSTS{}: {}", e.code, e.description));
    }
    let record = ClientRecord {
        app_id: sp.app_id.clone(),
        service_principal_id: sp.id.clone(),
        display_name: sp.display_name.clone(),
        secrets: Vec::new(),
        certificates: Vec::new(),
        roles: permissions(tenant, identity.service_principal),
    };
    let wall = state.clock.wall_now();
    let mut claims = AccessClaims::app_only(
        &tenant.id,
        &record,
        wall,
        TOKEN_LIFETIME_SECS,
        resource.as_bytes(),
    );
    claims.aud = audience.clone();
    claims.appidacr = "2".to_string();
    let access_token = state.signing_key(tenant.seed.0).sign(&claims);
    sign_in_log::record(
        &state,
        0,
        &plan,
        &Attempt {
            kind: SignInKind::ManagedIdentity,
            subject: identity.service_principal,
            app: identity.service_principal,
            resource: resource_sp(&plan, &audience),
            error: 0,
            client_app: 0,
            flags: 0,
            ip: sign_in_log::client_ip(&req),
        },
    );
    let body = json!({
        "access_token": access_token,
        "expires_on": claims.exp.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": sp.app_id,
    });
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

/// The control listing: the named test users with their passwords and roles, and the
/// managed-identity endpoint with the tenant's identities (first tenant only serves it).
pub fn listing(base: &str, tenant: &Tenant, first: bool) -> Value {
    let users: Vec<Value> = crate::auth::users::test_users(tenant)
        .into_iter()
        .map(|t| {
            let u = tenant.user(t.user);
            json!({
                "label": t.label,
                "userPrincipalName": u.user_principal_name,
                "id": u.id,
                "password": crate::auth::users::password(tenant.seed, t.user),
                "accountEnabled": u.account_enabled,
                "userType": if u.kind == crate::tenant::UserKind::Guest { "Guest" } else { "Member" },
                "mfaRegistered": u.mfa_method.is_some(),
                "wids": crate::auth::users::wids(tenant, t.user),
            })
        })
        .collect();
    let identities: Vec<Value> = tenant
        .managed_identities
        .iter()
        .map(|m| {
            let sp = tenant.sp(m.service_principal);
            json!({
                "name": m.name, "type": m.kind.as_str(), "clientId": sp.app_id,
                "principalId": sp.id, "resourceId": m.resource_id,
                "permissions": permissions(tenant, m.service_principal),
                "deletedDateTime": m.deleted.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
        })
        .collect();
    let default = system_assigned(tenant).map(|i| {
        tenant
            .sp(tenant.managed_identities[i].service_principal)
            .app_id
            .clone()
    });
    let mut out = json!({ "testUsers": users });
    if first {
        out["managedIdentity"] = json!({
            "IDENTITY_ENDPOINT": format!("{base}{PATH}"),
            "IDENTITY_HEADER": identity_header(tenant.seed),
            "apiVersion": API_VERSION,
            "systemAssignedClientId": default,
            "identities": identities,
        });
    }
    out
}

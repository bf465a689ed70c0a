//! The identity surface: token endpoint, OpenID discovery, keys, instance
//! discovery; and the HTTPS listener.

use super::StartError;
use super::links::origin;
use super::middleware::JSON;
use super::routes::Route;
use crate::app::{AppState, ServeSettings};
use crate::auth::{self, AadError, ClientRecord, SecretCredential, TokenRequest};
use crate::tenant::Tenant;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use std::net::TcpListener;

/// Lifetime of issued access tokens, as Entra's `expires_in`.
pub const TOKEN_LIFETIME_SECS: u64 = 3599;

/// Registers the identity routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/common/discovery/instance", web::get().to(instance))
        .route("/{tenant}/oauth2/v2.0/token", web::post().to(token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            web::get().to(openid),
        )
        .route("/{tenant}/discovery/v2.0/keys", web::get().to(keys))
        .route("/{tenant}/discovery/keys", web::get().to(keys))
        .route("/common/userrealm/{username}", web::get().to(user_realm));
    super::authorize::configure(cfg);
    super::managed_identity::configure(cfg);
}

/// `GET /common/userrealm/{username}` (MSAL's ROPC pre-flight): every account is a
/// managed (cloud) one here, so MSAL goes on with the plain password grant.
async fn user_realm(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let domain = path
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let known = tenant_index(&state, &domain).is_some();
    let body = json!({
        "ver": "1.0",
        "account_type": if known { "Managed" } else { "Unknown" },
        "domain_name": domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    });
    HttpResponse::Ok().content_type(JSON).body(body.to_string())
}

/// The tenant a path segment names (id or any of its domains).
pub(super) fn tenant_index(state: &AppState, segment: &str) -> Option<usize> {
    let world = state.world();
    world.tenants.iter().position(|t| {
        let tenant = &t.plan.tenant;
        tenant.id.eq_ignore_ascii_case(segment)
            || tenant.initial_domain.eq_ignore_ascii_case(segment)
            || tenant
                .custom_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(segment))
    })
}

/// An AADSTS error in Entra's complete body: error, error_description with the trace
/// suffix, error_codes, timestamp, trace_id, correlation_id and error_uri.
pub(super) fn aad_error(state: &AppState, error: &AadError) -> HttpResponse {
    aad_error_with(state, error, None)
}

fn aad_error_with(state: &AppState, error: &AadError, allow: Option<String>) -> HttpResponse {
    let trace = state.next_request_id();
    let correlation = state.next_request_id();
    let body = error.body(state.clock.now(), &trace, &correlation);
    let mut response =
        HttpResponse::build(StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST));
    if let Some(allow) = allow {
        response.insert_header(("Allow", allow));
    }
    response
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

/// A method an identity route does not take: AADSTS900561 naming the route's methods,
/// with `status` (400 on the token endpoint as in Entra, else 405) and `Allow`.
pub fn wrong_method(
    req: &HttpRequest,
    state: &AppState,
    route: &Route,
    status: u16,
) -> HttpResponse {
    let error = AadError::wrong_method(status, &route.allow(), req.method().as_str());
    aad_error_with(state, &error, Some(route.allow()))
}

async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let parsed = TokenRequest::parse(&body, authorization);
    if let Ok(request) = &parsed
        && super::user_token::is_user_grant(request.grant_type.as_deref().unwrap_or_default())
    {
        return super::user_token::token(&req, &state, &path, request);
    }
    if auth::is_multi_tenant(&path) {
        return aad_error(&state, &AadError::no_tenant_information());
    }
    let Some(index) = tenant_index(&state, &path) else {
        return aad_error(&state, &AadError::tenant_not_found(&path));
    };
    let request = match parsed {
        Ok(request) => request,
        Err(e) => return aad_error(&state, &e),
    };
    let world = state.world();
    let tenant = &world.tenants[index].plan.tenant;
    let client = request
        .client_id
        .as_deref()
        .and_then(|id| client_record(&state, tenant, id));
    let key = state.signing_key(tenant.seed.0);
    let issued = auth::issue(
        &request,
        &tenant.id,
        client.as_ref(),
        &key,
        (state.clock.now(), state.clock.wall_now()),
        TOKEN_LIFETIME_SECS,
    );
    let served = issued.is_ok() && serves(&req, &state, &request);
    log_client_sign_in(&req, &state, index, &request, &issued, served);
    match issued {
        Ok(_) if !served => {
            let resource = auth::token::resource_of(request.scope.as_deref().unwrap_or_default())
                .unwrap_or_default();
            aad_error(&state, &AadError::resource_not_found(&resource, &path))
        }
        Ok(response) => HttpResponse::Ok()
            .content_type("application/json; charset=utf-8")
            .body(serde_json::to_vec(&response).expect("json")),
        Err(e) => aad_error(&state, &e),
    }
}

/// Files a client-credentials request as a service-principal sign-in: a token issued, or
/// a secret refused (7000215 wrong, 7000222 expired) for a known application.
fn log_client_sign_in(
    req: &HttpRequest,
    state: &AppState,
    index: usize,
    request: &TokenRequest,
    issued: &Result<auth::TokenResponse, AadError>,
    served: bool,
) {
    let error = match issued {
        Ok(_) if served => 0,
        Err(e) if matches!(e.code, 7000215 | 7000222) => e.code as i32,
        _ => return,
    };
    let plan = state.world().tenants[index].plan.clone();
    let Some(sp) = request
        .client_id
        .as_deref()
        .and_then(|id| plan.tenant.sp_by_app_id(id))
    else {
        return;
    };
    let scope = request.scope.as_deref().unwrap_or_default();
    let resource = auth::token::resource_of(scope).unwrap_or_default();
    let certificate = request.client_assertion.is_some() && error == 0;
    let attempt = super::sign_in_log::Attempt {
        kind: crate::store::records::SignInKind::ServicePrincipal,
        subject: sp,
        app: sp,
        resource: super::user_token::resource_sp(&plan, &resource),
        error,
        client_app: 0,
        flags: if certificate {
            crate::store::records::flags::CERTIFICATE
        } else {
            0
        },
        ip: super::sign_in_log::client_ip(req),
    };
    super::sign_in_log::record(state, index, &plan, &attempt);
}

/// Whether the (already authenticated) request's resource is one entrasim serves;
/// checked after the client's credentials (inferred: every 500011 capture is of a client
/// whose credentials were good).
fn serves(req: &HttpRequest, state: &AppState, request: &TokenRequest) -> bool {
    let scope = request.scope.as_deref().unwrap_or_default();
    auth::token::resource_of(scope).is_ok_and(|resource| {
        auth::resources::is_served(&resource, &super::caller::local_audiences(req, state))
    })
}

/// The credentials the token endpoint checks for an application of the tenant.
pub(super) fn client_record(
    state: &AppState,
    tenant: &Tenant,
    client_id: &str,
) -> Option<ClientRecord> {
    let app = &tenant.applications[tenant.application_by_app_id(client_id)? as usize];
    let test_client = tenant
        .test_clients
        .iter()
        .find(|c| tenant.applications[c.application as usize].app_id == app.app_id);
    let certificates = test_client
        .map(|c| vec![state.client_certificate(tenant.seed.0, c.name).credential()])
        .unwrap_or_default();
    Some(ClientRecord {
        app_id: app.app_id.clone(),
        service_principal_id: tenant.sp(app.service_principal).id.clone(),
        display_name: app.display_name.clone(),
        secrets: app
            .passwords
            .iter()
            .map(|p| SecretCredential {
                key_id: p.key_id.clone(),
                secret: p.secret.clone(),
                end: p.end,
            })
            .collect(),
        certificates,
        roles: app.graph_permissions.clone(),
    })
}

/// The OpenID configuration of a tenant, or of `common`/`organizations`/`consumers`
/// (issuer `{tenantid}`), as Entra serves all of them.
async fn openid(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let id = if auth::is_multi_tenant(&path) {
        String::new()
    } else {
        let Some(index) = tenant_index(&state, &path) else {
            return aad_error(&state, &AadError::tenant_not_found(&path));
        };
        state.world().tenants[index].plan.tenant.id.clone()
    };
    HttpResponse::Ok()
        .content_type(JSON)
        .body(auth::openid_configuration(&origin(&req), &path, &id).to_string())
}

/// A tenant's signing keys; for `common`/`organizations`/`consumers`, every tenant's
/// (Entra publishes one key set for all tenants there).
async fn keys(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let seeds: Vec<u64> = if auth::is_multi_tenant(&path) {
        let world = state.world();
        world.tenants.iter().map(|t| t.plan.tenant.seed.0).collect()
    } else {
        let Some(index) = tenant_index(&state, &path) else {
            return aad_error(&state, &AadError::tenant_not_found(&path));
        };
        vec![state.world().tenants[index].plan.tenant.seed.0]
    };
    let keys: Vec<Value> = seeds
        .into_iter()
        .flat_map(|seed| {
            state.signing_key(seed).jwks()["keys"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    HttpResponse::Ok()
        .content_type(JSON)
        .body(json!({ "keys": keys }).to_string())
}

async fn instance(req: HttpRequest) -> HttpResponse {
    let endpoint = form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "authorization_endpoint")
        .map(|(_, v)| v.into_owned());
    let host = origin(&req);
    HttpResponse::Ok()
        .content_type(JSON)
        .body(auth::instance_discovery(&host, endpoint.as_deref()).to_string())
}

/// The HTTPS listener and its TLS configuration, when `--https-port` is set.
pub fn tls_listener(
    settings: &ServeSettings,
) -> Result<Option<(TcpListener, rustls::ServerConfig)>, StartError> {
    let Some(port) = settings.https_port else {
        return Ok(None);
    };
    let config = match &settings.tls_files {
        Some((cert, key)) => {
            crate::tls::from_files(cert, key).map_err(|e| StartError::Tls(e.to_string()))?
        }
        None => {
            let dir = settings
                .data_dir
                .clone()
                .unwrap_or_else(crate::tls::default_data_dir);
            crate::tls::load_or_create(&dir, &settings.tls_san, crate::clock::wall_now())
                .map_err(|e| StartError::Tls(e.to_string()))?
                .server_config
        }
    };
    Ok(Some((super::bind(&settings.host, port)?, config)))
}

/// The published certificate of a test client: PEMs, thumbprint and key id.
pub fn certificate_json(
    state: &AppState,
    tenant: &Tenant,
    client: &crate::tenant::TestClient,
) -> Value {
    let cert = state.client_certificate(tenant.seed.0, client.name);
    json!({
        "keyId": cert.key_id,
        "thumbprint": cert.thumbprint_sha1_hex,
        "x5t": cert.x5t(),
        "certificatePem": cert.cert_pem,
        "privateKeyPem": cert.key_pem,
    })
}

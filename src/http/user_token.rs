//! The user grants of the token endpoint: password (ROPC), authorization code with PKCE,
//! refresh token and device code. Each success answers Entra's body (access token,
//! refresh token with `offline_access`, id token and `client_info` with `openid`); each
//! sign-in, failed or not, is filed in the tenant's sign-in log.

use super::identity::{TOKEN_LIFETIME_SECS, aad_error, client_record, tenant_index};
use super::links::origin;
use super::sign_in_log::{self, Attempt};
use crate::activity::Plan;
use crate::app::AppState;
use crate::auth::delegated::{self, Client, Subject};
use crate::auth::flows::{Grant, pkce_matches};
use crate::auth::token::{authenticate, required};
use crate::auth::{self, AadError, ClientRecord, GRAPH_APP_ID, TokenRequest};
use crate::store::records::{SignInKind, flags};
use crate::tenant::{SpOrigin, Tenant};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};
use std::sync::Arc;

/// The device-code grant type.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// OpenID Connect scopes, which name no resource.
const OIDC: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// What `.default` grants a Microsoft public client (Azure CLI, Graph command-line
/// tools): their preauthorised Graph scopes (inferred: the activity-log readers' set).
const FIRST_PARTY_SCOPES: [&str; 6] = [
    "AuditLog.Read.All",
    "Directory.Read.All",
    "IdentityRiskEvent.Read.All",
    "IdentityRiskyUser.Read.All",
    "Reports.Read.All",
    "User.Read",
];

/// Whether `grant_type` is one of the user grants handled here.
pub fn is_user_grant(grant_type: &str) -> bool {
    matches!(
        grant_type,
        "password" | "authorization_code" | "refresh_token" | DEVICE_GRANT
    )
}

/// A client application a user signs in to.
#[derive(Debug, Clone)]
pub struct ClientApp {
    /// Its service principal in the tenant.
    pub sp: u32,
    /// Application id.
    pub app_id: String,
    /// Display name.
    pub display_name: String,
    /// Credentials, for the tenant's own (confidential) applications.
    pub confidential: Option<ClientRecord>,
}

/// The tenant a user-flow request addresses: the path's tenant, or for `organizations`
/// (azure-identity's default) the tenant of the user's domain, else the first tenant.
pub fn resolve_tenant(
    state: &AppState,
    segment: &str,
    username: Option<&str>,
) -> Result<usize, AadError> {
    if !auth::is_multi_tenant(segment) {
        return tenant_index(state, segment).ok_or_else(|| AadError::tenant_not_found(segment));
    }
    let domain = username.and_then(|u| u.rsplit_once('@')).map(|(_, d)| d);
    Ok(domain.and_then(|d| tenant_index(state, d)).unwrap_or(0))
}

/// The application `client_id` names: one of the tenant's, or a Microsoft first-party
/// public client with a service principal in the tenant.
pub fn client_app(state: &AppState, tenant: &Tenant, client_id: &str) -> Option<ClientApp> {
    if let Some(record) = client_record(state, tenant, client_id) {
        let app = &tenant.applications[tenant.application_by_app_id(client_id)? as usize];
        return Some(ClientApp {
            sp: app.service_principal,
            app_id: record.app_id.clone(),
            display_name: record.display_name.clone(),
            confidential: Some(record),
        });
    }
    let sp = tenant.sp_by_app_id(client_id)?;
    let principal = tenant.sp(sp);
    matches!(principal.origin, SpOrigin::FirstParty(_)).then(|| ClientApp {
        sp,
        app_id: principal.app_id.clone(),
        display_name: principal.display_name.clone(),
        confidential: None,
    })
}

/// `POST /{tenant}/oauth2/v2.0/token` for a user grant.
pub fn token(
    req: &HttpRequest,
    state: &AppState,
    segment: &str,
    request: &TokenRequest,
) -> HttpResponse {
    match redeem(req, state, segment, request) {
        Ok(body) => HttpResponse::Ok()
            .content_type("application/json; charset=utf-8")
            .body(body.to_string()),
        Err(e) => aad_error(state, &e),
    }
}

fn redeem(
    req: &HttpRequest,
    state: &AppState,
    segment: &str,
    request: &TokenRequest,
) -> Result<Value, AadError> {
    let grant_type = required(&request.grant_type, "grant_type")?;
    if grant_type == "password"
        && matches!(
            segment.to_ascii_lowercase().as_str(),
            "common" | "consumers"
        )
    {
        return Err(AadError::ropc_needs_tenant());
    }
    let index = resolve_tenant(state, segment, request.username.as_deref())?;
    let plan = state.world().tenants[index].plan.clone();
    let tenant = &plan.tenant;
    let client_id = required(&request.client_id, "client_id")?;
    let client = client_app(state, tenant, client_id)
        .ok_or_else(|| AadError::application_not_found(client_id, &tenant.id))?;
    let appidacr = client_authentication(state, request, &client)?;
    let wall = state.clock.wall_now();
    let (grant, kind, nonce) = match grant_type {
        "password" => (
            password(req, state, (index, &plan), &client, request)?,
            None,
            None,
        ),
        "authorization_code" => {
            let (grant, nonce) = code(state, &client, request)?;
            (grant, None, nonce)
        }
        "refresh_token" => {
            let token = required(&request.refresh_token, "refresh_token")?;
            let grant = state.flows.refresh(token, wall)?;
            if !grant.client_id.eq_ignore_ascii_case(&client.app_id) {
                return Err(AadError::malformed_grant());
            }
            (grant, Some(SignInKind::NonInteractive), None)
        }
        _ => {
            let code = request.device_code.clone().or_else(|| request.code.clone());
            let code = required(&code, "device_code")?;
            (state.flows.poll_device(code, wall)?, None, None)
        }
    };
    let scope = request.scope.clone().unwrap_or_else(|| grant.scope.clone());
    let issued = Issue {
        req,
        state,
        tenant: (index, &plan),
        client: &client,
        appidacr,
    };
    let body = issued.body(&grant, &scope, nonce)?;
    if let Some(kind) = kind {
        issued.log(&grant, kind, &scope, 0);
    }
    Ok(body)
}

/// "0" for a public client; a confidential client's credential as the client-credentials
/// grant checks it ("1" secret, "2" certificate) when it sends one.
fn client_authentication(
    state: &AppState,
    request: &TokenRequest,
    client: &ClientApp,
) -> Result<&'static str, AadError> {
    let sends = request
        .client_secret
        .as_deref()
        .is_some_and(|s| !s.is_empty())
        || request
            .client_assertion
            .as_deref()
            .is_some_and(|s| !s.is_empty());
    match (&client.confidential, sends) {
        (Some(record), true) => authenticate(
            request,
            &client.app_id,
            record,
            (state.clock.now(), state.clock.wall_now()),
        ),
        _ => Ok("0"),
    }
}

/// ROPC: the user's password, account state and Conditional Access; every outcome past
/// the user lookup is a sign-in in the log.
fn password(
    req: &HttpRequest,
    state: &AppState,
    (index, plan): (usize, &Arc<Plan>),
    client: &ClientApp,
    request: &TokenRequest,
) -> Result<Grant, AadError> {
    let username = required(&request.username, "username")?;
    let password = required(&request.password, "password")?;
    let scope = request.scope.clone().unwrap_or_default();
    let user = check_user(
        req,
        state,
        (index, plan),
        client,
        (username, password),
        (
            &scope,
            plan.client_app("Mobile Apps and Desktop clients"),
            flags::MFA_CLAIM,
        ),
    )?;
    Ok(Grant {
        tenant_id: plan.tenant.id.clone(),
        user,
        client_id: client.app_id.clone(),
        scope,
        mfa: plan.tenant.user(user).mfa_method.is_some(),
    })
}

/// A user's credentials as any sign-in checks them (ROPC, the sign-in page): unknown
/// 50034, disabled 50057, wrong password 50126, then Conditional Access (53003, 53000,
/// 50076). MFA counts as done (with `mfa_flag`) for users who registered a method.
/// Files the sign-in (interactive) unless the user is unknown.
pub fn check_user(
    req: &HttpRequest,
    state: &AppState,
    (index, plan): (usize, &Arc<Plan>),
    client: &ClientApp,
    (username, password): (&str, &str),
    (scope, client_app, mfa_flag): (&str, u8, u8),
) -> Result<u32, AadError> {
    let tenant = &plan.tenant;
    let user = tenant
        .user_by_upn(username.trim())
        .filter(|&u| tenant.user(u).deleted.is_none())
        .ok_or_else(|| AadError::unknown_user(&tenant.id))?;
    let u = tenant.user(user);
    let resource = resource_of(scope).unwrap_or_else(|_| auth::GRAPH_RESOURCE.to_string());
    let mut attempt = Attempt {
        kind: SignInKind::Interactive,
        subject: user,
        app: client.sp,
        resource: resource_sp(plan, &resource),
        error: 0,
        client_app,
        flags: if u.mfa_method.is_some() { mfa_flag } else { 0 },
        ip: sign_in_log::client_ip(req),
    };
    let at = crate::store::records::ticks(state.clock.now());
    attempt.error = if !u.account_enabled {
        50057
    } else if password != crate::auth::users::password(tenant.seed, user) {
        50126
    } else {
        sign_in_log::conditional_access(plan, &attempt, at)
    };
    sign_in_log::record(state, index, plan, &attempt);
    match attempt.error {
        0 => Ok(user),
        50057 => Err(AadError::user_disabled()),
        50126 => Err(AadError::invalid_credentials()),
        50076 => Err(AadError::mfa_required(&tenant.sp(attempt.resource).app_id)),
        _ => Err(AadError::ca_blocked()),
    }
}

/// Authorization code redemption: the code, its client, redirect URI and PKCE verifier.
fn code(
    state: &AppState,
    client: &ClientApp,
    request: &TokenRequest,
) -> Result<(Grant, Option<String>), AadError> {
    let code = required(&request.code, "code")?;
    let redirect_uri = required(&request.redirect_uri, "redirect_uri")?;
    let entry = state.flows.redeem_code(code, state.clock.wall_now())?;
    if !entry.grant.client_id.eq_ignore_ascii_case(&client.app_id) {
        return Err(AadError::malformed_grant());
    }
    if entry.redirect_uri != redirect_uri {
        return Err(AadError::reply_address_mismatch(
            redirect_uri,
            &entry.redirect_uri,
        ));
    }
    if let Some((challenge, method)) = &entry.challenge {
        let verifier = required(&request.code_verifier, "code_verifier")?;
        if !pkce_matches(challenge, method, verifier) {
            return Err(AadError::pkce_mismatch());
        }
    }
    Ok((entry.grant, entry.nonce))
}

/// What a scope string asks for: one resource and its permissions, plus OIDC scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes {
    /// The resource URI (Graph folded to `https://graph.microsoft.com`).
    pub resource: String,
    /// Permissions on it (`.default` kept as is).
    pub permissions: Vec<String>,
    /// `openid`, `profile`, `email`, `offline_access` as asked.
    pub oidc: Vec<String>,
}

/// Splits a v2 scope string; bare permission names are Graph's; no resource scope means
/// Graph's `User.Read` (as Entra answers `scope=openid profile`). Two resources: 70011.
pub fn parse_scopes(scope: &str) -> Result<Scopes, AadError> {
    let mut resources = std::collections::BTreeSet::new();
    let mut permissions = Vec::new();
    let mut oidc = Vec::new();
    for item in scope.split_whitespace() {
        if OIDC.iter().any(|o| o.eq_ignore_ascii_case(item)) {
            oidc.push(item.to_ascii_lowercase());
            continue;
        }
        let (resource, permission) = match item.rsplit_once('/') {
            Some((r, p)) if r.contains("://") || uuid::Uuid::parse_str(r).is_ok() => (r, p),
            Some(_) => return Err(AadError::invalid_scope(scope)),
            None => (auth::GRAPH_RESOURCE, item),
        };
        let resource = resource.trim_end_matches('/');
        let resource = if auth::claims::is_graph_audience(resource) {
            auth::GRAPH_RESOURCE.to_string()
        } else {
            resource.to_string()
        };
        resources.insert(resource);
        permissions.push(permission.to_string());
    }
    let resource = match resources.len() {
        0 => {
            permissions.push("User.Read".to_string());
            auth::GRAPH_RESOURCE.to_string()
        }
        1 => resources.into_iter().next().unwrap_or_default(),
        _ => return Err(AadError::invalid_scope(scope)),
    };
    Ok(Scopes {
        resource,
        permissions,
        oidc,
    })
}

fn resource_of(scope: &str) -> Result<String, AadError> {
    parse_scopes(scope).map(|s| s.resource)
}

/// The service principal a resource URI names in the tenant (Graph by default).
pub fn resource_sp(plan: &Plan, resource: &str) -> u32 {
    let app_id = match resource.trim_end_matches('/') {
        "https://management.azure.com" | "https://management.core.windows.net" => {
            "797f4846-ba00-4fd7-ba43-dac1f8f63013"
        }
        "https://vault.azure.net" => "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
        "https://storage.azure.com" => "e406a681-f3d4-42a8-90b6-c2b029497af1",
        other => other,
    };
    plan.first_party(app_id)
        .or_else(|| plan.first_party(GRAPH_APP_ID))
        .unwrap_or(0)
}

/// Everything needed to mint a user's tokens.
struct Issue<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    tenant: (usize, &'a Arc<Plan>),
    client: &'a ClientApp,
    appidacr: &'static str,
}

impl Issue<'_> {
    /// The token response for `grant` and `scope`.
    fn body(&self, grant: &Grant, scope: &str, nonce: Option<String>) -> Result<Value, AadError> {
        let plan = self.tenant.1;
        let tenant = &plan.tenant;
        let scopes = parse_scopes(scope)?;
        let local = super::caller::local_audiences(self.req, self.state);
        if !auth::resources::is_served(&scopes.resource, &local) {
            return Err(AadError::resource_not_found(&scopes.resource, &tenant.id));
        }
        let granted = self.granted(&scopes);
        let mut scp: Vec<String> = granted.clone();
        scp.extend(["openid", "profile", "email"].iter().map(|s| s.to_string()));
        let subject = subject(tenant, grant);
        let wall = self.state.clock.wall_now();
        let ip = std::net::Ipv4Addr::from(sign_in_log::client_ip(self.req)).to_string();
        let client = Client {
            app_id: self.client.app_id.clone(),
            display_name: self.client.display_name.clone(),
            appidacr: self.appidacr,
        };
        let claims = delegated::access_claims(
            &tenant.id,
            &client,
            &subject,
            (&scopes.resource, &scp.join(" ")),
            (wall, TOKEN_LIFETIME_SECS, &ip),
        );
        let key = self.state.signing_key(tenant.seed.0);
        let mut body = json!({
            "token_type": "Bearer",
            "scope": self.response_scope(&scopes, &granted),
            "expires_in": TOKEN_LIFETIME_SECS,
            "ext_expires_in": TOKEN_LIFETIME_SECS,
            "access_token": key.sign(&claims),
        });
        if scopes.oidc.iter().any(|s| s == "offline_access") {
            let refresh = Grant {
                scope: scope.to_string(),
                ..grant.clone()
            };
            body["refresh_token"] = json!(self.state.flows.issue_refresh(refresh, wall));
        }
        if scopes.oidc.iter().any(|s| s == "openid") {
            let id = delegated::id_claims(
                (&origin(self.req), &tenant.id),
                &self.client.app_id,
                &subject,
                nonce,
                (wall, TOKEN_LIFETIME_SECS),
            );
            body["id_token"] = json!(key.sign(&id));
        }
        if !scopes.oidc.is_empty() {
            body["client_info"] = json!(delegated::client_info(&subject.oid, &tenant.id));
        }
        Ok(body)
    }

    /// The permissions granted: the ones asked for by name, or for `.default` the
    /// client's consented set (its application's Graph permissions, a consent grant's
    /// scopes, or a Microsoft client's preauthorised scopes).
    fn granted(&self, scopes: &Scopes) -> Vec<String> {
        let mut out: Vec<String> = scopes
            .permissions
            .iter()
            .filter(|p| *p != ".default")
            .cloned()
            .collect();
        if scopes.permissions.iter().any(|p| p == ".default") {
            out.extend(self.consented());
        }
        out.sort();
        out.dedup();
        out
    }

    fn consented(&self) -> Vec<String> {
        let tenant = &self.tenant.1.tenant;
        if let Some(record) = &self.client.confidential {
            return record.roles.clone();
        }
        if let Some(grant) = tenant
            .delegated_grants
            .iter()
            .find(|g| g.client == self.client.sp)
        {
            return grant
                .scope
                .split_whitespace()
                .filter(|s| !OIDC.contains(s))
                .map(str::to_string)
                .collect();
        }
        FIRST_PARTY_SCOPES.iter().map(|s| s.to_string()).collect()
    }

    fn response_scope(&self, scopes: &Scopes, granted: &[String]) -> String {
        let graph = scopes.resource == auth::GRAPH_RESOURCE;
        let mut out: Vec<String> = granted
            .iter()
            .map(|p| {
                if graph {
                    p.clone()
                } else {
                    format!("{}/{p}", scopes.resource)
                }
            })
            .collect();
        out.extend(
            scopes
                .oidc
                .iter()
                .filter(|s| *s != "offline_access")
                .cloned(),
        );
        out.join(" ")
    }

    /// Files the sign-in of a redemption that is its own sign-in (refresh).
    fn log(&self, grant: &Grant, kind: SignInKind, scope: &str, error: i32) {
        let (index, plan) = self.tenant;
        let resource = resource_of(scope).unwrap_or_else(|_| auth::GRAPH_RESOURCE.to_string());
        let attempt = Attempt {
            kind,
            subject: grant.user,
            app: self.client.sp,
            resource: resource_sp(plan, &resource),
            error,
            client_app: plan.client_app("Mobile Apps and Desktop clients"),
            flags: if grant.mfa { flags::MFA_CLAIM } else { 0 },
            ip: sign_in_log::client_ip(self.req),
        };
        sign_in_log::record(self.state, index, plan, &attempt);
    }
}

/// The token subject for a grant's user.
pub fn subject(tenant: &Tenant, grant: &Grant) -> Subject {
    let user = tenant.user(grant.user);
    Subject {
        oid: user.id.clone(),
        upn: user.user_principal_name.clone(),
        name: user.display_name.clone(),
        given_name: user.given_name.clone(),
        family_name: user.surname.clone(),
        wids: crate::auth::users::wids(tenant, grant.user),
        mfa: grant.mfa,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_into_one_resource_and_oidc() {
        let s = parse_scopes("https://graph.microsoft.com/.default openid profile offline_access")
            .unwrap();
        assert_eq!(s.resource, "https://graph.microsoft.com");
        assert_eq!(s.permissions, vec![".default"]);
        assert_eq!(s.oidc, vec!["openid", "profile", "offline_access"]);
        let bare = parse_scopes("AuditLog.Read.All openid").unwrap();
        assert_eq!(bare.resource, "https://graph.microsoft.com");
        assert_eq!(
            parse_scopes("openid").unwrap().permissions,
            vec!["User.Read"]
        );
        let two = parse_scopes(
            "https://graph.microsoft.com/.default https://management.azure.com/.default",
        );
        assert_eq!(two.unwrap_err().code, 70011);
    }
}

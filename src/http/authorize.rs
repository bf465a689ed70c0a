//! The interactive side of the user flows: `GET|POST /{tenant}/oauth2/v2.0/authorize` with a
//! minimal server-rendered sign-in page (authorization code, PKCE, `login_hint`), the
//! device-code endpoint, the `/devicelogin` page, and the control route that approves a
//! device code for a user in tests.
//!
//! Entra shows its authorize errors (unknown client, unregistered redirect URI) on an error
//! page rather than redirecting; the page here carries the same AADSTS line, with 200 as
//! Entra's page does. Redirect-URI rule (inferred from Entra's native-client rules, as
//! entrasim's applications register none): `http://localhost` or `http://127.0.0.1` with
//! any port and path, and `https://login.microsoftonline.com/common/oauth2/nativeclient`.

use super::identity::aad_error;
use super::links::origin;
use super::user_token::{ClientApp, check_user, client_app, resolve_tenant};
use crate::activity::Plan;
use crate::app::AppState;
use crate::auth::AadError;
use crate::auth::flows::{
    CODE_LIFETIME_SECS, CodeEntry, DEVICE_INTERVAL_SECS, DEVICE_LIFETIME_SECS, Grant,
};
use crate::store::records::flags;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Registers the authorize, device-code and device-login routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/oauth2/v2.0/authorize", web::get().to(authorize))
        .route("/{tenant}/oauth2/v2.0/authorize", web::post().to(sign_in))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            web::post().to(devicecode),
        )
        .route("/devicelogin", web::get().to(device_page))
        .route("/devicelogin", web::post().to(device_sign_in));
}

/// Registers the control route approving a device code.
pub fn configure_control(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/_entrasim/deviceCodes/{user_code}/approve",
        web::post().to(approve),
    )
    .route(
        "/_entrasim/deviceCodes/{user_code}/expire",
        web::post().to(expire),
    );
}

/// `POST /_entrasim/deviceCodes/{user_code}/expire`: the code's 15 minutes are over now
/// (device codes expire on the wall clock, which tests cannot wait for).
async fn expire(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, super::error::GraphError> {
    if !state.flows.expire_device(&path, state.clock.wall_now()) {
        return Err(super::error::GraphError::new(
            404,
            "Request_ResourceNotFound",
            format!("No device code '{}'.", path.as_str()),
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

type Form = BTreeMap<String, String>;

fn form(bytes: &[u8]) -> Form {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn html(status: u16, body: String) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK),
    )
    .content_type("text/html; charset=utf-8")
    .body(body)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><main><h1>{t}</h1>{content}</main></body></html>",
        t = escape(title)
    )
}

/// The error page Entra shows instead of redirecting.
fn error_page(state: &AppState, error: &AadError) -> HttpResponse {
    let trace = state.next_request_id();
    let correlation = state.next_request_id();
    let content = format!(
        "<p>Sorry, but we're having trouble signing you in.</p><p id=\"error\">AADSTS{}: {}</p><p>Request Id: {trace}<br>Correlation Id: {correlation}</p>",
        error.code,
        escape(&error.description)
    );
    html(200, page("Sign in", &content))
}

/// Whether Entra would accept `uri` as a public client's redirect URI (see module docs).
pub fn redirect_allowed(uri: &str) -> bool {
    let loopback = uri.strip_prefix("http://").is_some_and(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            _ => authority,
        };
        matches!(host, "localhost" | "127.0.0.1" | "[::1]")
    });
    loopback
        || uri.eq_ignore_ascii_case("https://login.microsoftonline.com/common/oauth2/nativeclient")
}

/// A checked authorize request.
struct Authorize {
    index: usize,
    plan: Arc<Plan>,
    client: ClientApp,
    params: Form,
}

/// The authorize request's checks, in Entra's order: client, redirect URI (both on the
/// error page), then response type (redirected back as `unsupported_response_type`).
fn check(state: &AppState, segment: &str, params: Form) -> Result<Authorize, Box<HttpResponse>> {
    let refuse = |e: AadError| Box::new(error_page(state, &e));
    let hint = params.get("login_hint").map(String::as_str);
    let index = resolve_tenant(state, segment, hint).map_err(refuse)?;
    let plan = state.world().tenants[index].plan.clone();
    let param = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let client_id =
        param("client_id").ok_or_else(|| refuse(AadError::missing_parameter("client_id")))?;
    let client = client_app(state, &plan.tenant, client_id)
        .ok_or_else(|| refuse(AadError::application_not_found(client_id, &plan.tenant.id)))?;
    let redirect =
        param("redirect_uri").ok_or_else(|| refuse(AadError::missing_parameter("redirect_uri")))?;
    if !redirect_allowed(redirect) {
        return Err(refuse(AadError::redirect_uri_mismatch(
            redirect,
            &client.app_id,
        )));
    }
    if !param("response_type").is_some_and(|t| t.split_whitespace().any(|p| p == "code")) {
        return Err(Box::new(back(
            redirect,
            &params,
            &[
                ("error", "unsupported_response_type"),
                (
                    "error_description",
                    "AADSTS70018: The provided value for the input parameter 'response_type' is not allowed for this request. Expected values: code.",
                ),
            ],
        )));
    }
    Ok(Authorize {
        index,
        plan,
        client,
        params,
    })
}

/// A redirect to the client with `pairs` (and `state`), by the response mode asked for.
fn back(redirect: &str, params: &Form, pairs: &[(&str, &str)]) -> HttpResponse {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    if let Some(state) = params.get("state") {
        all.push(("state", state));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(all.iter())
        .finish();
    match params.get("response_mode").map(String::as_str) {
        Some("form_post") => {
            let inputs: String = all
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                        escape(k),
                        escape(v)
                    )
                })
                .collect();
            html(
                200,
                format!(
                    "<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
                    escape(redirect)
                ),
            )
        }
        Some("fragment") => found(&format!("{redirect}#{encoded}")),
        _ => {
            let join = if redirect.contains('?') { '&' } else { '?' };
            found(&format!("{redirect}{join}{encoded}"))
        }
    }
}

fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// The sign-in form: every authorize parameter carried as a hidden field.
fn sign_in_form(action: &str, params: &Form, error: Option<&str>) -> String {
    let hidden: String = params
        .iter()
        .filter(|(k, _)| *k != "password" && *k != "login")
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let user = params
        .get("login")
        .or_else(|| params.get("login_hint"))
        .map(String::as_str)
        .unwrap_or_default();
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "{error}<form method=\"post\" action=\"{}\">{hidden}<label for=\"login\">Email, phone, or Skype</label><input id=\"login\" name=\"login\" type=\"email\" autocomplete=\"username\" value=\"{}\" required><label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required><button id=\"submit\" type=\"submit\">Sign in</button></form>",
        escape(action),
        escape(user)
    )
}

async fn authorize(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let params = form(req.query_string().as_bytes());
    match check(&state, &path, params) {
        Ok(checked) => {
            let action = format!("{}{}", origin(&req), req.path());
            html(
                200,
                page("Sign in", &sign_in_form(&action, &checked.params, None)),
            )
        }
        Err(response) => *response,
    }
}

/// The sign-in form's POST: the user's credentials as any sign-in checks them, then the
/// code, back to the redirect URI.
async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut params = form(req.query_string().as_bytes());
    params.extend(form(&body));
    let checked = match check(&state, &path, params) {
        Ok(checked) => checked,
        Err(response) => return *response,
    };
    let params = &checked.params;
    let login = params.get("login").cloned().unwrap_or_default();
    let password = params.get("password").cloned().unwrap_or_default();
    let scope = params.get("scope").cloned().unwrap_or_default();
    let browser = checked.plan.client_app("Browser");
    let user = check_user(
        &req,
        &state,
        (checked.index, &checked.plan),
        &checked.client,
        (&login, &password),
        (&scope, browser, flags::MFA),
    );
    let redirect = params.get("redirect_uri").cloned().unwrap_or_default();
    let user = match user {
        Ok(user) => user,
        // Wrong password or unknown account: the page again, as Entra does.
        Err(e) if e.code == 50126 || e.code == 50034 => {
            let action = format!("{}{}", origin(&req), req.path());
            let text = format!("AADSTS{}: {}", e.code, e.description);
            return html(
                200,
                page("Sign in", &sign_in_form(&action, params, Some(&text))),
            );
        }
        Err(e) => {
            let text = format!("AADSTS{}: {}", e.code, e.description);
            return back(
                &redirect,
                params,
                &[("error", e.error), ("error_description", &text)],
            );
        }
    };
    let challenge = params
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .map(|c| {
            let method = params
                .get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "plain".to_string());
            (c.clone(), method)
        });
    let wall = state.clock.wall_now();
    let code = state.flows.issue_code(CodeEntry {
        grant: Grant {
            tenant_id: checked.plan.tenant.id.clone(),
            user,
            client_id: checked.client.app_id.clone(),
            scope,
            mfa: checked.plan.tenant.user(user).mfa_method.is_some(),
        },
        redirect_uri: redirect.clone(),
        challenge,
        nonce: params.get("nonce").cloned(),
        expires: wall + chrono::Duration::seconds(CODE_LIFETIME_SECS),
        redeemed: false,
    });
    back(&redirect, params, &[("code", &code)])
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
async fn devicecode(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let params = form(&body);
    let index = match resolve_tenant(&state, &path, None) {
        Ok(index) => index,
        Err(e) => return aad_error(&state, &e),
    };
    let plan = state.world().tenants[index].plan.clone();
    let Some(client_id) = params.get("client_id").filter(|c| !c.is_empty()) else {
        return aad_error(&state, &AadError::missing_parameter("client_id"));
    };
    let Some(client) = client_app(&state, &plan.tenant, client_id) else {
        return aad_error(
            &state,
            &AadError::application_not_found(client_id, &plan.tenant.id),
        );
    };
    let scope = params.get("scope").cloned().unwrap_or_default();
    if scope.trim().is_empty() {
        return aad_error(&state, &AadError::missing_parameter("scope"));
    }
    let (device_code, user_code) = state.flows.start_device(
        &plan.tenant.id,
        &client.app_id,
        &scope,
        state.clock.wall_now(),
    );
    let uri = format!("{}/devicelogin", origin(&req));
    let body = json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": DEVICE_LIFETIME_SECS,
        "interval": DEVICE_INTERVAL_SECS,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    });
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

fn device_form(params: &Form, error: Option<&str>) -> String {
    let value = |k: &str| escape(params.get(k).map(String::as_str).unwrap_or_default());
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "{error}<form method=\"post\" action=\"/devicelogin\"><label for=\"otc\">Code</label><input id=\"otc\" name=\"otc\" value=\"{}\" required><label for=\"login\">Email, phone, or Skype</label><input id=\"login\" name=\"login\" type=\"email\" value=\"{}\" required><label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" required><button id=\"submit\" type=\"submit\">Sign in</button></form>",
        value("otc"),
        value("login")
    )
}

async fn device_page(req: HttpRequest) -> HttpResponse {
    let params = form(req.query_string().as_bytes());
    html(200, page("Enter code", &device_form(&params, None)))
}

/// The device-login form's POST: the code, then the user's credentials.
async fn device_sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let params = form(&body);
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let again = |text: &str| html(200, page("Enter code", &device_form(&params, Some(text))));
    match approve_with(
        &req,
        &state,
        &get("otc"),
        &get("login"),
        Some(&get("password")),
    ) {
        Ok(app) => html(
            200,
            page(
                "Enter code",
                &format!(
                    "<p id=\"done\">You have signed in to the {} application on your device. You may now close this window.</p>",
                    escape(&app)
                ),
            ),
        ),
        Err(text) => again(&text),
    }
}

/// Approves `user_code` as `login`; checks `password` when given (the page) and skips it
/// for the control route. Returns the client's name, or the text to show.
fn approve_with(
    req: &HttpRequest,
    state: &AppState,
    user_code: &str,
    login: &str,
    password: Option<&str>,
) -> Result<String, String> {
    let wall = state.clock.wall_now();
    let entry = state
        .flows
        .device_by_user_code(user_code)
        .filter(|d| d.expires > wall && d.approved.is_none())
        .ok_or_else(|| {
            "AADSTS70019: That code didn't work. Check the code and try again.".to_string()
        })?;
    let index = super::identity::tenant_index(state, &entry.tenant_id).unwrap_or(0);
    let plan = state.world().tenants[index].plan.clone();
    let client = client_app(state, &plan.tenant, &entry.client_id)
        .ok_or_else(|| "AADSTS700016: the application is gone".to_string())?;
    let known = plan
        .tenant
        .user_by_upn(login.trim())
        .or_else(|| plan.tenant.user_by_id(login.trim()));
    let real = known.map(|u| crate::auth::users::password(plan.tenant.seed, u));
    let password = password.map(str::to_string).or(real).unwrap_or_default();
    let login = known.map_or(login.to_string(), |u| {
        plan.tenant.user(u).user_principal_name.clone()
    });
    let desktop = plan.client_app("Mobile Apps and Desktop clients");
    let user = check_user(
        req,
        state,
        (index, &plan),
        &client,
        (&login, &password),
        (&entry.scope, desktop, flags::MFA),
    )
    .map_err(|e| format!("AADSTS{}: {}", e.code, e.description))?;
    let mfa = plan.tenant.user(user).mfa_method.is_some();
    if !state.flows.approve_device(user_code, user, mfa, wall) {
        return Err(
            "AADSTS70019: That code didn't work. Check the code and try again.".to_string(),
        );
    }
    Ok(client.display_name)
}

/// `POST /_entrasim/deviceCodes/{user_code}/approve` with `{"user": UPN or object id}`:
/// the user signs in (no password asked) and the device code is approved.
async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, super::error::GraphError> {
    let body = super::control::object(&body)?;
    let Some(user) = body.get("user").and_then(|v| v.as_str()) else {
        return Err(super::error::GraphError::bad_request(
            "The body must name the user who approves: {\"user\": \"<userPrincipalName or id>\"}.",
        ));
    };
    match approve_with(&req, &state, &path, user, None) {
        Ok(app) => Ok(HttpResponse::Ok()
            .content_type(super::middleware::JSON)
            .body(
                json!({ "userCode": path.as_str(), "approved": true, "application": app })
                    .to_string(),
            )),
        Err(text) if text.starts_with("AADSTS70019") => Err(super::error::GraphError::new(
            404,
            "Request_ResourceNotFound",
            format!("No pending device code '{}'.", path.as_str()),
        )),
        Err(text) => Err(super::error::GraphError::bad_request(text)),
    }
}

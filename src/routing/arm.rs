//! `/providers/microsoft.aadiam/diagnosticSettings` and its categories on the ARM
//! surface (reference B1.2, S21): ARM's token check and error envelope, thin handlers
//! over [`super::setting`] and [`super::deliver::Routing`].

use super::category::ALL;
use super::setting::Setting;
use crate::app::AppState;
use crate::arm::ArmError;
use crate::store::records::ticks;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

/// The api-versions the provider serves (S21).
const VERSIONS: [&str; 2] = ["2017-04-01", "2017-04-01-preview"];

/// Registers the provider's paths (ARM paths are case-insensitive); call before the
/// ARM surface's catch-all `/providers/...`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/providers/{p:(?i)microsoft\\.aadiam}/{kind:(?i)diagnosticSettings}",
        web::route().to(list),
    )
    .route(
        "/providers/{p:(?i)microsoft\\.aadiam}/{kind:(?i)diagnosticSettings}/{name}",
        web::route().to(one),
    )
    .route(
        "/providers/{p:(?i)microsoft\\.aadiam}/{kind:(?i)diagnosticSettingsCategories}",
        web::route().to(categories),
    );
}

/// The caller's tenant after ARM's token and api-version checks.
fn admit(req: &HttpRequest, state: &AppState, methods: &[Method]) -> Result<usize, ArmError> {
    if !methods.contains(req.method()) {
        let allowed: Vec<&str> = methods.iter().map(Method::as_str).collect();
        return Err(ArmError::method_not_allowed_on(
            req.method().as_str(),
            &allowed,
        ));
    }
    api_version(req.query_string())?;
    Ok(crate::arm::http::identify(req, state)?.tenant)
}

fn api_version(query: &str) -> Result<(), ArmError> {
    let given = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.into_owned())
        .ok_or_else(ArmError::missing_api_version)?;
    if VERSIONS.contains(&given.as_str()) {
        return Ok(());
    }
    Err(ArmError::no_registered_provider(
        &given,
        "diagnosticSettings",
        &VERSIONS,
    ))
}

async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ArmError> {
    let tenant = admit(&req, &state, &[Method::GET, Method::HEAD])?;
    let value: Vec<_> = state
        .routing
        .settings
        .all()
        .into_iter()
        .filter(|(t, _)| *t == tenant)
        .map(|(_, s)| s.to_json())
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "value": value })))
}

async fn one(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ArmError> {
    let methods = [Method::GET, Method::HEAD, Method::PUT, Method::DELETE];
    let tenant = admit(&req, &state, &methods)?;
    let name = path.into_inner().2;
    let routing = &state.routing;
    match *req.method() {
        Method::PUT => {
            let setting = Setting::from_body(&name, &body)?;
            let answer = setting.to_json();
            routing.put(tenant, setting, ticks(state.clock.now()))?;
            super::deliver::ensure_started(&state.clone().into_inner());
            Ok(HttpResponse::Ok().json(answer))
        }
        // 200 when a setting was removed, 204 when there was none (S21).
        Method::DELETE if routing.delete(tenant, &name) => Ok(HttpResponse::Ok().finish()),
        Method::DELETE => Ok(HttpResponse::NoContent().finish()),
        _ => routing
            .settings
            .get(tenant, &name)
            .map(|s| HttpResponse::Ok().json(s.to_json()))
            .ok_or_else(|| not_found(&name)),
    }
}

/// [INFERRED wording] a setting that does not exist.
fn not_found(name: &str) -> ArmError {
    ArmError::new(
        404,
        "ResourceNotFound",
        format!("The diagnostic setting '{name}' doesn't exist."),
    )
}

async fn categories(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ArmError> {
    admit(&req, &state, &[Method::GET, Method::HEAD])?;
    let value: Vec<_> = ALL
        .iter()
        .map(|c| {
            json!({
                "id": format!("providers/microsoft.aadiam/diagnosticSettingsCategories/{}", c.name),
                "name": c.name,
                "type": "microsoft.aadiam/diagnosticSettingsCategories",
                "properties": {"categoryType": "Logs"},
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "value": value })))
}

//! The HTTP layer: one route table for the Graph, identity and control
//! surfaces, the error envelope, and the listeners.

pub mod advanced;
pub mod app_grants;
pub mod authorize;
pub mod batch;
pub mod ca_file;
pub mod caller;
pub mod control;
pub mod directory;
pub mod directory_actions;
pub mod directory_keys;
pub mod error;
pub mod expand;
pub mod graph;
pub mod guard;
pub mod identity;
pub mod import;
pub mod inject;
pub mod json_pages;
pub mod limits;
pub mod links;
pub mod listen;
pub mod logs;
pub mod managed_identity;
pub mod middleware;
pub mod organization;
pub mod permissions;
pub mod pim_instances;
pub mod pressure;
pub mod routes;
pub mod shared;
pub mod sign_in_activity;
pub mod sign_in_log;
pub mod user_token;

use crate::app::{AppState, ServeSettings};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use std::net::TcpListener;

/// Why the server could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Tls(String),
    /// `--import` found a problem (one line: file, line, field).
    #[error("{0}")]
    Import(#[from] import::ImportError),
    /// A `--scenario` cannot be placed in the tenant.
    #[error("{0}")]
    Scenario(#[from] crate::scenario::Unplaceable),
}

/// Registers every route on an app (used by the server and by tests).
pub fn configure(cfg: &mut web::ServiceConfig, control: bool) {
    if control {
        // Before the `/_entrasim` scope, which would answer these paths itself.
        authorize::configure_control(cfg);
        crate::scenario::http::configure(cfg);
        control::configure(cfg);
    }
    identity::configure(cfg);
    crate::routing::arm::configure(cfg);
    crate::arm::http::configure(cfg);
    batch::configure(cfg);
    cfg.route("/openapi.yaml", web::get().to(openapi));
    cfg.default_service(web::to(graph::dispatch));
}

/// Serves HEAD wherever GET is served: the request is routed as a GET and the
/// transport drops the body (actix remembers the method the client sent).
pub(super) async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

async fn openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/yaml")
        .body(include_str!("../../openapi.yaml"))
}

/// A running server and the addresses it listens on.
pub struct Running {
    pub server: actix_web::dev::Server,
    pub urls: Vec<String>,
    /// The CONNECT proxy's address (`--proxy-port`), printed as `entrasim proxy listening on`.
    pub proxy: Option<String>,
}

/// Binds the listeners and builds the server (call inside an actix system).
pub fn start(settings: ServeSettings) -> Result<Running, StartError> {
    let host = settings.host.clone();
    let http = bind(&host, settings.port)?;
    let mut urls = vec![format!("http://{}", display(&http))];
    let control = settings.control;
    let tls = identity::tls_listener(&settings)?;
    if let Some((listener, _)) = &tls {
        urls.push(format!("https://{}", display(listener)));
    }
    let proxy = crate::proxy::listener(&settings)?;
    let proxy_url = proxy
        .as_ref()
        .map(|(socket, _)| format!("http://{}", display(socket)));
    let import = settings.import.clone();
    let state = web::Data::new(AppState::new(settings)?);
    crate::routing::deliver::start_configured(&state.clone().into_inner());
    if let Some((dir, lenient)) = import {
        let outcome = import::import_dir(&state, &dir, lenient)?;
        import::log_outcome(&outcome);
    }
    let server =
        listen::serve(state, control, http, tls, proxy).map_err(|source| StartError::Bind {
            address: host,
            source,
        })?;
    Ok(Running {
        server,
        urls,
        proxy: proxy_url,
    })
}

/// Binds one TCP listener (port 0 picks a free port).
pub fn bind(host: &str, port: u16) -> Result<TcpListener, StartError> {
    let address = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    TcpListener::bind(&address).map_err(|source| StartError::Bind { address, source })
}

fn display(listener: &TcpListener) -> String {
    listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

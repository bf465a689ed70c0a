//! The listeners: actix-web's app served over HTTP/1.1 on plain and TLS
//! sockets, each connection [`Guarded`] so even requests actix-http refuses
//! before routing are answered in Graph's envelope.
//!
//! This is what `HttpServer::listen` and `listen_rustls_0_23` build, with the
//! same timeouts, plus the wrapper, which `HttpServer` has no hook for.

use super::guard::Guarded;
use super::middleware;
use crate::app::AppState;
use crate::proxy::Tunnels;
use actix_http::{HttpService, Protocol};
use actix_server::{Server, ServerBuilder};
use actix_service::{
    IntoServiceFactory, ServiceFactory, ServiceFactoryExt, fn_service, map_config,
};
use actix_tls::accept::TlsError;
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream};
use actix_web::dev::AppConfig;
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The listener a connection arrived on (connection data, read by links).
#[derive(Debug, Clone, Copy)]
pub struct Listener {
    /// Reached over TLS.
    pub secure: bool,
    /// The listening address.
    pub addr: SocketAddr,
}

/// A server on `http`, and on `tls` when given, serving the app with `state`.
pub fn serve(
    state: web::Data<AppState>,
    control: bool,
    http: TcpListener,
    tls: Option<(TcpListener, rustls::ServerConfig)>,
    proxy: Option<(TcpListener, Arc<Tunnels>)>,
) -> io::Result<Server> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let listener = Listener {
        secure: false,
        addr: http.local_addr()?,
    };
    let plain = state.clone();
    let mut builder = Server::build().workers(workers).listen(
        format!("entrasim-{}", listener.addr),
        http,
        move || {
            let state = plain.clone();
            fn_service(move |io: TcpStream| {
                let state = state.clone();
                async move {
                    let peer = io.peer_addr().ok();
                    Ok((Guarded::new(io, state), Protocol::Http1, peer))
                }
            })
            .and_then(service(plain.clone(), control, listener))
        },
    )?;
    if let Some((socket, tunnels)) = proxy {
        builder = listen_proxy(builder, state.clone(), control, socket, tunnels)?;
    }
    if let Some((socket, mut config)) = tls {
        let listener = Listener {
            secure: true,
            addr: socket.local_addr()?,
        };
        config.alpn_protocols.insert(0, b"http/1.1".to_vec());
        builder = builder.listen(format!("entrasim-{}", listener.addr), socket, move || {
            let state = state.clone();
            let wrap = state.clone();
            Acceptor::new(config.clone())
                .map_init_err(|_| ())
                .map_err(TlsError::into_service_error)
                .and_then(fn_service(move |io: TlsStream<TcpStream>| {
                    let state = wrap.clone();
                    async move {
                        let peer = io.get_ref().0.peer_addr().ok();
                        Ok((Guarded::new(io, state), Protocol::Http1, peer))
                    }
                }))
                .and_then(service(state, control, listener).map_err(TlsError::Service))
        })?;
    }
    Ok(builder.run())
}

/// The `--proxy-port` listener: each connection's CONNECT head and TLS handshake
/// (src/proxy/), then the app over the tunnel as on the TLS listener.
fn listen_proxy(
    builder: ServerBuilder,
    state: web::Data<AppState>,
    control: bool,
    socket: TcpListener,
    tunnels: Arc<Tunnels>,
) -> io::Result<ServerBuilder> {
    let listener = Listener {
        secure: true,
        addr: socket.local_addr()?,
    };
    builder.listen(
        format!("entrasim-proxy-{}", listener.addr),
        socket,
        move || {
            let (tunnels, wrap) = (tunnels.clone(), state.clone());
            fn_service(move |io: TcpStream| {
                let (tunnels, state) = (tunnels.clone(), wrap.clone());
                async move {
                    let peer = io.peer_addr().ok();
                    let gauge = state.metrics.proxy_connections();
                    match crate::proxy::open(io, gauge, &tunnels).await {
                        Ok(tls) => Ok((Guarded::new(tls, state), Protocol::Http1, peer)),
                        Err(error) => {
                            tracing::debug!(?peer, %error, "proxy connection closed");
                            Err(())
                        }
                    }
                }
            })
            .and_then(service(state.clone(), control, listener).map_err(|_| ()))
        },
    )
}

/// The app as an HTTP/1.1 service over one kind of guarded connection.
fn service<T: AsyncRead + AsyncWrite + Unpin + 'static>(
    state: web::Data<AppState>,
    control: bool,
    listener: Listener,
) -> impl ServiceFactory<
    (Guarded<T>, Protocol, Option<SocketAddr>),
    Config = (),
    Response = (),
    Error = actix_http::error::DispatchError,
    InitError = (),
> {
    let metrics = control && state.settings.metrics;
    let app = App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(1 << 20))
        .wrap(from_fn(super::shared::layer))
        .wrap(from_fn(middleware::envelope_layer))
        .wrap(from_fn(super::head_as_get))
        .wrap(from_fn(crate::telemetry::access::layer))
        .configure(|cfg| crate::telemetry::configure(cfg, metrics))
        .configure(|cfg| super::configure(cfg, control))
        .into_factory()
        .map_err(|err: actix_web::Error| err.as_response_error().error_response());
    HttpService::build()
        // Generous: on a loaded CI machine a client can take seconds to send its head, and a
        // 408 there fails a test for nothing Graph would do (actix's default is 5 s).
        .client_request_timeout(Duration::from_secs(30))
        .client_disconnect_timeout(Duration::from_secs(1))
        .h1_allow_half_closed(true)
        .local_addr(listener.addr)
        .on_connect_ext(move |_: &Guarded<T>, data| {
            data.insert(listener);
        })
        .finish(map_config(app, |_| AppConfig::default()))
}

//! `--proxy-port`: an HTTP CONNECT proxy that answers as graph.microsoft.com,
//! login.microsoftonline.com and management.azure.com, for clients whose hosts are
//! hard-coded but which honour `HTTPS_PROXY`.
//!
//! A tunnel to one of those hosts on port 443 is answered `200`, then TLS is terminated
//! with a certificate for that host issued by the local CA (`entrasim ca`), and the
//! decrypted connection is served by entrasim's own app (same routes, auth and
//! throttling; links keep the real host because the client's `Host` header names it).
//! Any other target is refused `403` with the target named: there is nowhere to forward
//! to. A malformed head is `400`, a method other than CONNECT `405`; a head or TLS
//! handshake that does not finish within [`HANDSHAKE_TIMEOUT`] closes the connection.

mod connect;
mod counted;
mod tunnel;

pub use counted::Counted;
pub use tunnel::{Tunnels, open};

use std::time::Duration;

/// The hosts served through the proxy, each on port 443.
pub const HOSTS: [&str; 3] = [
    "graph.microsoft.com",
    "login.microsoftonline.com",
    "management.azure.com",
];

/// How long a client has to send its CONNECT head, and then to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a proxy connection ended before its tunnel carried HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The CONNECT head was refused (and answered with this status).
    #[error("CONNECT refused with {status}: {message}")]
    Refused {
        /// The status the proxy answered.
        status: u16,
        /// The text it sent.
        message: String,
    },
    /// The client sent nothing usable within the timeout.
    #[error("{0} did not finish within the timeout")]
    Timeout(&'static str),
    /// The socket or the TLS handshake failed (the client hung up, sent garbage, ...).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The proxy's socket and tunnels when `--proxy-port` is set: certificates for [`HOSTS`]
/// from the local CA in the data directory (created on first use).
pub fn listener(
    settings: &crate::app::ServeSettings,
) -> Result<Option<(std::net::TcpListener, std::sync::Arc<Tunnels>)>, crate::http::StartError> {
    let Some(port) = settings.proxy_port else {
        return Ok(None);
    };
    let dir = settings
        .data_dir
        .clone()
        .unwrap_or_else(crate::tls::default_data_dir);
    let configs = crate::tls::for_hosts(&dir, &HOSTS, crate::clock::wall_now())
        .map_err(|e| crate::http::StartError::Tls(e.to_string()))?;
    let socket = crate::http::bind(&settings.host, port)?;
    Ok(Some((socket, std::sync::Arc::new(Tunnels::new(configs)))))
}

//! One proxy connection from accept to a TLS stream ready for the app: the CONNECT head,
//! its answer, and the handshake as the requested host, each under a timeout.

use super::connect::{self, Refusal};
use super::{Counted, HANDSHAKE_TIMEOUT, HOSTS, ProxyError};
use prometheus::IntGauge;
use std::sync::Arc;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A tunnel's decrypted connection, as the app reads it.
pub type Stream = TlsStream<BufReader<Counted<TcpStream>>>;

const ESTABLISHED: &[u8] = b"HTTP/1.1 200 Connection established\r\nProxy-Agent: entrasim\r\n\r\n";

/// The TLS acceptors of the served hosts, in the order of [`HOSTS`].
pub struct Tunnels {
    acceptors: Vec<TlsAcceptor>,
}

impl Tunnels {
    /// One configuration per host of [`HOSTS`], in that order (HTTP/1.1 is offered by ALPN).
    pub fn new(configs: Vec<rustls::ServerConfig>) -> Tunnels {
        assert_eq!(configs.len(), HOSTS.len(), "one TLS configuration per host");
        let acceptors = configs
            .into_iter()
            .map(|mut config| {
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                TlsAcceptor::from(Arc::new(config))
            })
            .collect();
        Tunnels { acceptors }
    }
}

/// Reads the CONNECT head from `io`, answers it, and for a served host completes the TLS
/// handshake as that host. The connection is counted in `gauge` until dropped.
pub async fn open(io: TcpStream, gauge: IntGauge, tunnels: &Tunnels) -> Result<Stream, ProxyError> {
    let mut io = BufReader::new(Counted::new(io, gauge));
    let head = timeout(HANDSHAKE_TIMEOUT, connect::read_head(&mut io))
        .await
        .map_err(|_| ProxyError::Timeout("the CONNECT head"))??;
    let host = match head.and_then(|line| connect::target(&line)) {
        Ok(host) => host,
        Err(refusal) => return Err(refuse(io, refusal).await),
    };
    timeout(HANDSHAKE_TIMEOUT, io.write_all(ESTABLISHED))
        .await
        .map_err(|_| ProxyError::Timeout("the CONNECT answer"))??;
    let tls = timeout(HANDSHAKE_TIMEOUT, tunnels.acceptors[host].accept(io))
        .await
        .map_err(|_| ProxyError::Timeout("the TLS handshake"))??;
    Ok(tls)
}

/// Sends the refusal and closes (best effort: the client may already be gone).
async fn refuse(mut io: BufReader<Counted<TcpStream>>, refusal: Refusal) -> ProxyError {
    let _ = timeout(HANDSHAKE_TIMEOUT, async {
        io.write_all(&refusal.response()).await?;
        io.shutdown().await
    })
    .await;
    ProxyError::Refused {
        status: refusal.status,
        message: refusal.message,
    }
}

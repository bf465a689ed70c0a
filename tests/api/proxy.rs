//! `--proxy-port`: the CONNECT proxy answering as graph.microsoft.com,
//! login.microsoftonline.com and management.azure.com with the local CA's certificates.

use clap::Parser;
use entrasim::app::ServeSettings;
use entrasim::cli::Cli;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server with the proxy on, its CA in a temporary data directory.
struct Proxied {
    /// `http://127.0.0.1:P` of the plain listener.
    url: String,
    /// `127.0.0.1:P` of the proxy.
    proxy: String,
    ca_pem: String,
    _data: tempfile::TempDir,
}

async fn spawn(extra: &[&str]) -> Proxied {
    let data = tempfile::TempDir::new().unwrap();
    let dir = data.path().to_str().unwrap().to_string();
    let mut args = vec!["entrasim", "--port", "0", "--proxy-port", "0"];
    args.extend(["--preset", "small", "--throttle", "off", "--data-dir", &dir]);
    args.extend(["--clock", "fixed:2026-06-01T12:00:00Z"]);
    args.extend_from_slice(extra);
    let settings = ServeSettings::from_args(&Cli::try_parse_from(args).unwrap().serve).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let running = entrasim::http::start(settings).expect("server starts");
            tx.send((running.urls[0].clone(), running.proxy.clone()))
                .unwrap();
            running.server.await.expect("server runs");
        })
    });
    let (url, proxy) = rx.recv().unwrap();
    let proxy = proxy.expect("the proxy is announced");
    Proxied {
        url,
        proxy: proxy.trim_start_matches("http://").to_string(),
        ca_pem: std::fs::read_to_string(data.path().join("ca.pem")).unwrap(),
        _data: data,
    }
}

impl Proxied {
    /// A client that reaches every https URL through the proxy and trusts only `roots`.
    fn client_trusting(&self, roots: &[&str]) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .proxy(reqwest::Proxy::https(format!("http://{}", self.proxy)).unwrap())
            .tls_built_in_root_certs(false)
            .pool_max_idle_per_host(0);
        for pem in roots {
            builder = builder
                .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
        }
        builder.build().unwrap()
    }

    fn client(&self) -> reqwest::Client {
        self.client_trusting(&[&self.ca_pem])
    }

    async fn tenant(&self) -> Value {
        reqwest::get(format!("{}/_entrasim/tenant", self.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A client-credentials token from https://login.microsoftonline.com through the proxy.
    async fn token(&self, scope: &str) -> String {
        let tenant = self.tenant().await;
        let client = &tenant["clients"][0];
        let response = self
            .client()
            .post(format!(
                "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
                tenant["tenantId"].as_str().unwrap()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client["clientId"].as_str().unwrap()),
                ("client_secret", client["clientSecret"].as_str().unwrap()),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }

    async fn get(&self, url: &str, token: &str) -> (u16, Value) {
        let response = self
            .client()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// The raw answer to `head` sent to the proxy: status code and whole text.
    async fn raw(&self, head: &[u8]) -> (u16, String) {
        let mut io = TcpStream::connect(&self.proxy).await.unwrap();
        io.write_all(head).await.unwrap();
        let mut out = String::new();
        io.read_to_string(&mut out).await.unwrap();
        let status = out.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, out)
    }

    /// The gauge once it reaches 0, or its value after 15 s.
    async fn settled(&self) -> i64 {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut open = self.open_connections().await;
        while open != 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            open = self.open_connections().await;
        }
        open
    }

    /// The open-connections gauge of the proxy, read from /metrics.
    async fn open_connections(&self) -> i64 {
        let text = reqwest::get(format!("{}/metrics", self.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("entrasim_proxy_connections_open "))
            .expect("the gauge is exported")
            .trim()
            .parse()
            .unwrap()
    }
}

#[actix_rt::test]
async fn the_three_hosts_answer_through_connect_with_the_local_cas_certificates() {
    let app = spawn(&["--auth", "strict"]).await;
    let graph = app.token("https://graph.microsoft.com/.default").await;
    let (status, users) = app
        .get("https://graph.microsoft.com/v1.0/users?$top=1", &graph)
        .await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users["value"].as_array().unwrap().len(), 1);
    let arm = app.token("https://management.azure.com/.default").await;
    let (status, subs) = app
        .get(
            "https://management.azure.com/subscriptions?api-version=2022-12-01",
            &arm,
        )
        .await;
    assert_eq!(status, 200, "{subs}");
    assert!(!subs["value"].as_array().unwrap().is_empty());
    // The same auth as on the plain listener: no token is Graph's 401.
    let response = app
        .client()
        .get("https://graph.microsoft.com/v1.0/users")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[actix_rt::test]
async fn a_client_that_does_not_trust_the_local_ca_refuses_the_tunnels_certificate() {
    let app = spawn(&[]).await;
    let other = tempfile::TempDir::new().unwrap();
    let material = entrasim::tls::load_or_create(other.path(), &[], chrono::Utc::now()).unwrap();
    let error = app
        .client_trusting(&[&material.ca_pem])
        .get("https://graph.microsoft.com/v1.0/users")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[actix_rt::test]
async fn a_next_link_keeps_the_real_host_and_follows_through_the_proxy() {
    let app = spawn(&[]).await;
    let client = app.client();
    let first: Value = client
        .get("https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = first["@odata.nextLink"].as_str().expect("a second page");
    assert!(
        next.starts_with("https://graph.microsoft.com/v1.0/auditLogs/signIns?"),
        "{next}"
    );
    let second = client.get(next).send().await.unwrap();
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["value"].as_array().unwrap().len(), 2);
    assert_ne!(second["value"][0]["id"], first["value"][0]["id"]);
}

#[actix_rt::test]
async fn an_unknown_host_is_refused_403_with_the_host_named() {
    let app = spawn(&[]).await;
    let (status, text) = app
        .raw(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        .await;
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("refuses CONNECT to example.com:443"),
        "{text}"
    );
    assert!(text.contains("graph.microsoft.com:443"), "{text}");
    let error = app
        .client()
        .get("https://example.com/")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[actix_rt::test]
async fn malformed_connect_lines_are_answered_400_and_other_methods_405() {
    let app = spawn(&[]).await;
    for head in [
        &b"CONNECT graph.microsoft.com HTTP/1.1\r\n\r\n"[..],
        b"CONNECT graph.microsoft.com:443/x HTTP/1.1\r\n\r\n",
        b"CONNECT\r\n\r\n",
        b"CONNECT graph.microsoft.com:443 HTTP/1.1\r\nbroken header\r\n\r\n",
    ] {
        let (status, text) = app.raw(head).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("Connection: close\r\n"), "{text}");
    }
    let (status, text) = app
        .raw(b"GET http://graph.microsoft.com/ HTTP/1.1\r\n\r\n")
        .await;
    assert_eq!(status, 405, "{text}");
}

/// A TLS client trusting anything: the robustness test only needs to reach the tunnel.
fn tls_connector() -> tokio_rustls::TlsConnector {
    #[derive(Debug)]
    struct Any;
    impl rustls::client::danger::ServerCertVerifier for Any {
        fn verify_server_cert(
            &self,
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            rustls::crypto::ring::default_provider()
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(Arc::new(Any))
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

const CONNECT: &[u8] =
    b"CONNECT graph.microsoft.com:443 HTTP/1.1\r\nHost: graph.microsoft.com:443\r\n\r\n";

/// One misbehaving client, by `kind`; `held` ones keep the socket open until the server closes it.
async fn misbehave(proxy: &str, kind: usize) -> std::io::Result<()> {
    let mut io = TcpStream::connect(proxy).await?;
    match kind {
        0 => {} // hang up at once
        1 => io.write_all(b"\x16\x03\x01\x02\x00garbage\r\n\r\n").await?,
        2 => {
            // half a head, then wait for the server to give up
            io.write_all(b"CONNECT graph.micro").await?;
            let _ = io.read(&mut [0; 64]).await;
        }
        3 => {
            // a tunnel, then half a ClientHello, then hang up
            io.write_all(CONNECT).await?;
            let _ = io.read(&mut [0; 128]).await?;
            io.write_all(b"\x16\x03\x01\x00\xc8\x01\x00\x00").await?;
        }
        4 => {
            // a tunnel whose TLS handshake never starts: held until the server gives up
            io.write_all(CONNECT).await?;
            let _ = io.read(&mut [0; 128]).await?;
            let _ = io.read(&mut [0; 128]).await;
        }
        _ => {
            // TLS done, then half a request and a hang-up mid-stream
            io.write_all(CONNECT).await?;
            let _ = io.read(&mut [0; 128]).await?;
            let name = rustls::pki_types::ServerName::try_from("graph.microsoft.com").unwrap();
            let mut tls = tls_connector().connect(name, io).await?;
            tls.write_all(b"GET /v1.0/users HTTP/1.1\r\nHost: graph.micr")
                .await?;
        }
    }
    Ok(())
}

#[actix_rt::test]
async fn five_hundred_bad_connections_leave_no_connection_open_and_the_proxy_still_answers() {
    let app = spawn(&[]).await;
    let started = Instant::now();
    let clients: Vec<_> = (0..500)
        .map(|i| {
            let proxy = app.proxy.clone();
            tokio::spawn(async move { misbehave(&proxy, i % 6).await })
        })
        .collect();
    for client in clients {
        // Errors are fine (the server may hang up first); panics are not.
        let _ = client.await.expect("the client task ran");
    }
    // The held ones end when the server's 5 s head and handshake timeouts close them.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(app.settled().await, 0, "proxy connections still open");
    let response = app
        .client()
        .get("https://graph.microsoft.com/v1.0/users?$top=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    drop(response);
    assert_eq!(app.settled().await, 0);
}

//! The local certificate authority and server certificate behind `--https-port`, kept in the data directory.
//!
//! The CA and server keys come from the operating system's RNG (ring), not from the seed:
//! users add this CA to their trust stores, so its key must not be predictable.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{RootCertStore, ServerConfig};

const CA_NAME: &str = "entrasim local CA";
const SERVER_DAYS: i64 = 825;
const CA_DAYS: i64 = 3650;

/// The CA to trust and the TLS configuration to serve with.
#[derive(Debug)]
pub struct TlsMaterial {
    /// Where the CA certificate is (for REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, ...).
    pub ca_cert_path: PathBuf,
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// Server configuration presenting a certificate signed by the CA.
    pub server_config: ServerConfig,
}

/// Why TLS material could not be loaded or created; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file's contents are unusable.
    #[error("{}: {detail}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// Half of the CA is present.
    #[error("{} exists but {} is missing; restore it, or delete {} to create a new CA", present.display(), missing.display(), present.display())]
    Incomplete {
        /// The file that exists.
        present: PathBuf,
        /// The file that does not.
        missing: PathBuf,
    },
}

/// Load the CA and server certificate from `data_dir` (ca.pem, ca-key.pem, server.pem,
/// server-key.pem), creating them on first use: an ECDSA P-256 CA "entrasim local CA" and a
/// server certificate it signs for localhost, 127.0.0.1, ::1 and `extra_sans`. A server
/// certificate that no longer verifies for every name at `now` is re-issued from the same
/// CA. Key files are written with mode 0600.
pub fn load_or_create(
    data_dir: &Path,
    extra_sans: &[String],
    now: DateTime<Utc>,
) -> Result<TlsMaterial, TlsError> {
    create_private_dir(data_dir)?;
    let files = Files::in_dir(data_dir);
    let names = server_names(extra_sans, &files.server)?;
    let ca = load_or_create_ca(&files, now)?;
    let (chain, key) = match load_server(&files, &ca, &names, now)? {
        Some(existing) => existing,
        None => issue_server(&files, &ca, &names, now)?,
    };
    let server_config =
        server_config(chain, key).map_err(|detail| invalid(&files.server, detail))?;
    Ok(TlsMaterial {
        ca_cert_path: files.ca,
        ca_pem: ca.pem,
        server_config,
    })
}

/// One TLS configuration per name in `hosts`, each presenting a certificate for that name
/// alone, signed by the CA in `data_dir` (created on first use) and kept in memory only:
/// what the `--proxy-port` tunnels present as graph.microsoft.com and its peers.
pub fn for_hosts(
    data_dir: &Path,
    hosts: &[&str],
    now: DateTime<Utc>,
) -> Result<Vec<ServerConfig>, TlsError> {
    create_private_dir(data_dir)?;
    let files = Files::in_dir(data_dir);
    let ca = load_or_create_ca(&files, now)?;
    hosts
        .iter()
        .map(|host| {
            let names = vec![host.to_string()];
            let (cert, key) = sign_server(&ca, &names, now)
                .map_err(|detail| invalid(&files.ca, format!("{host}: {detail}")))?;
            let chain = vec![cert.der().clone()];
            verifies(&chain, &ca, &names, now).map_err(|e| invalid(&files.ca, e))?;
            let key = PrivateKeyDer::try_from(key.serialize_der())
                .map_err(|e| invalid(&files.ca, e.to_string()))?;
            server_config(chain, key).map_err(|detail| invalid(&files.ca, detail))
        })
        .collect()
}

/// A user-supplied certificate chain and key instead.
pub fn from_files(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let chain = read_chain(cert)?;
    let key = PrivateKeyDer::from_pem_slice(&read(key)?)
        .map_err(|e| invalid(key, format!("no usable PRIVATE KEY block ({e})")))?;
    server_config(chain, key).map_err(|detail| invalid(cert, detail))
}

/// Default data directory: $ENTRASIM_DATA_DIR, else $XDG_DATA_HOME/entrasim, else
/// $HOME/.local/share/entrasim (./.entrasim if none is set).
pub fn default_data_dir() -> PathBuf {
    data_dir_from(|name| std::env::var(name).ok())
}

fn data_dir_from(var: impl Fn(&str) -> Option<String>) -> PathBuf {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("ENTRASIM_DATA_DIR")
        .or_else(|| set("XDG_DATA_HOME").map(|d| d.join("entrasim")))
        .or_else(|| set("HOME").map(|d| d.join(".local/share/entrasim")))
        .unwrap_or_else(|| PathBuf::from(".entrasim"))
}

struct Files {
    ca: PathBuf,
    ca_key: PathBuf,
    server: PathBuf,
    server_key: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Files {
        Files {
            ca: dir.join("ca.pem"),
            ca_key: dir.join("ca-key.pem"),
            server: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
        }
    }
}

struct Ca {
    pem: String,
    der: CertificateDer<'static>,
    key: KeyPair,
}

fn load_or_create_ca(files: &Files, now: DateTime<Utc>) -> Result<Ca, TlsError> {
    match (files.ca.exists(), files.ca_key.exists()) {
        (true, true) => load_ca(files),
        (false, false) => create_ca(files, now),
        (true, false) => Err(TlsError::Incomplete {
            present: files.ca.clone(),
            missing: files.ca_key.clone(),
        }),
        (false, true) => Err(TlsError::Incomplete {
            present: files.ca_key.clone(),
            missing: files.ca.clone(),
        }),
    }
}

fn load_ca(files: &Files) -> Result<Ca, TlsError> {
    let pem = String::from_utf8(read(&files.ca)?)
        .map_err(|_| invalid(&files.ca, "not a PEM text file"))?;
    let der = CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| invalid(&files.ca, format!("no CERTIFICATE block ({e})")))?;
    let key_pem = String::from_utf8(read(&files.ca_key)?)
        .map_err(|_| invalid(&files.ca_key, "not a PEM text file"))?;
    let key = KeyPair::from_pem(&key_pem)
        .map_err(|e| invalid(&files.ca_key, format!("no usable private key ({e})")))?;
    Ok(Ca { pem, der, key })
}

fn create_ca(files: &Files, now: DateTime<Utc>) -> Result<Ca, TlsError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .map_err(|e| invalid(&files.ca_key, e.to_string()))?;
    let mut params = ca_params();
    set_validity(&mut params, now, CA_DAYS);
    let cert = params
        .self_signed(&key)
        .map_err(|e| invalid(&files.ca, e.to_string()))?;
    write_file(&files.ca_key, &key.serialize_pem(), true)?;
    write_file(&files.ca, &cert.pem(), false)?;
    Ok(Ca {
        pem: cert.pem(),
        der: cert.der().clone(),
        key,
    })
}

// Everything an issuer needs from the CA besides its key; must match what create_ca signed.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(CA_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "entrasim");
    name.push(DnType::CommonName, common_name);
    name
}

fn server_names(extra_sans: &[String], server_path: &Path) -> Result<Vec<String>, TlsError> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for san in extra_sans.iter().map(|s| s.trim()) {
        if ServerName::try_from(san).is_err() {
            return Err(invalid(
                server_path,
                format!("'{san}' is not a DNS name or IP address"),
            ));
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(san)) {
            names.push(san.to_string());
        }
    }
    Ok(names)
}

type ServerPair = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

// The stored server certificate and key, if both exist and the certificate still verifies for every name.
fn load_server(
    files: &Files,
    ca: &Ca,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<Option<ServerPair>, TlsError> {
    if !files.server.exists() || !files.server_key.exists() {
        return Ok(None);
    }
    let Ok(chain) = read_chain(&files.server) else {
        return Ok(None);
    };
    let Ok(key) = PrivateKeyDer::from_pem_slice(&read(&files.server_key)?) else {
        return Ok(None);
    };
    Ok(verifies(&chain, ca, names, now)
        .is_ok()
        .then_some((chain, key)))
}

fn issue_server(
    files: &Files,
    ca: &Ca,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<ServerPair, TlsError> {
    let (cert, key) = sign_server(ca, names, now).map_err(|e| invalid(&files.server, e))?;
    let chain = vec![cert.der().clone()];
    verifies(&chain, ca, names, now).map_err(|e| invalid(&files.ca, format!("cannot sign a server certificate that verifies ({e}); delete the data directory to create a new CA")))?;
    write_file(&files.server_key, &key.serialize_pem(), true)?;
    write_file(&files.server, &cert.pem(), false)?;
    let key = PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| invalid(&files.server_key, e.to_string()))?;
    Ok((chain, key))
}

// A fresh key and a server certificate for `names`, signed by the CA.
fn sign_server(
    ca: &Ca,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<(rcgen::Certificate, KeyPair), String> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(names.to_vec()).map_err(|e| e.to_string())?;
    params.distinguished_name = distinguished_name("entrasim");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    set_validity(&mut params, now, SERVER_DAYS);
    let cert = params
        .signed_by(&key, &Issuer::new(ca_params(), &ca.key))
        .map_err(|e| e.to_string())?;
    Ok((cert, key))
}

// Whether a client trusting only the CA accepts `chain` for every name at `now`.
fn verifies(
    chain: &[CertificateDer<'static>],
    ca: &Ca,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<(), String> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.der.clone()).map_err(|e| e.to_string())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| e.to_string())?;
    let (leaf, intermediates) = chain.split_first().ok_or("empty certificate chain")?;
    let when = UnixTime::since_unix_epoch(since_epoch(now));
    for name in names {
        let server_name = ServerName::try_from(name.as_str()).map_err(|e| e.to_string())?;
        verifier
            .verify_server_cert(leaf, intermediates, &server_name, &[], when)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, String> {
    ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("certificate and key do not form a usable pair ({e})"))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let chain: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(path, format!("unreadable PEM ({e})")))?;
    if chain.is_empty() {
        return Err(invalid(path, "no CERTIFICATE block"));
    }
    Ok(chain)
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), TlsError> {
    let io = |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = if private { 0o600 } else { 0o644 };
        options.mode(mode);
        let mut file = options.open(path).map_err(io)?;
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io)?;
        file.write_all(contents.as_bytes()).map_err(io)
    }
    #[cfg(not(unix))]
    {
        let _ = private;
        options
            .open(path)
            .and_then(|mut f| f.write_all(contents.as_bytes()))
            .map_err(io)
    }
}

fn create_private_dir(dir: &Path) -> Result<(), TlsError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| TlsError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn invalid(path: &Path, detail: impl Into<String>) -> TlsError {
    TlsError::Invalid {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

fn since_epoch(t: DateTime<Utc>) -> std::time::Duration {
    std::time::Duration::from_secs(u64::try_from(t.timestamp()).unwrap_or(0))
}

// Valid from a day before `now` for `days` days; rcgen takes `time` dates, this crate speaks chrono.
fn set_validity(params: &mut CertificateParams, now: DateTime<Utc>, days: i64) {
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    params.not_before = epoch + since_epoch(now - Duration::days(1));
    params.not_after = epoch + since_epoch(now + Duration::days(days));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rustls::time_provider::TimeProvider;
    use rustls::{ClientConfig, ClientConnection, ServerConnection};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir =
                std::env::temp_dir().join(format!("entrasim-tls-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[derive(Debug)]
    struct FixedTime(DateTime<Utc>);

    impl TimeProvider for FixedTime {
        fn current_time(&self) -> Option<UnixTime> {
            Some(UnixTime::since_unix_epoch(since_epoch(self.0)))
        }
    }

    fn client_trusting(ca_pem: &str, at: DateTime<Utc>) -> ClientConfig {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        ClientConfig::builder_with_details(provider, Arc::new(FixedTime(at)))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth()
    }

    // Shuttle TLS records between the two ends in memory until both finish the handshake.
    fn handshake(
        client: ClientConfig,
        server: ServerConfig,
        name: &str,
    ) -> Result<(), rustls::Error> {
        let name = ServerName::try_from(name.to_string()).unwrap();
        let mut client = ClientConnection::new(Arc::new(client), name)?;
        let mut server = ServerConnection::new(Arc::new(server))?;
        for _ in 0..10 {
            let mut buf = Vec::new();
            client.write_tls(&mut buf).unwrap();
            server.read_tls(&mut buf.as_slice()).unwrap();
            server.process_new_packets()?;
            let mut buf = Vec::new();
            server.write_tls(&mut buf).unwrap();
            client.read_tls(&mut buf.as_slice()).unwrap();
            client.process_new_packets()?;
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(());
            }
        }
        Err(rustls::Error::General("handshake did not finish".into()))
    }

    #[test]
    fn loading_twice_reuses_the_same_ca_and_server_certificate() {
        let dir = TempDir::new("reuse");
        let first = load_or_create(&dir.0, &[], now()).unwrap();
        let server_pem = fs::read(dir.0.join("server.pem")).unwrap();
        let second = load_or_create(&dir.0, &[], now() + Duration::days(3)).unwrap();
        assert_eq!(first.ca_pem, second.ca_pem);
        assert_eq!(second.ca_cert_path, dir.0.join("ca.pem"));
        assert_eq!(fs::read(dir.0.join("server.pem")).unwrap(), server_pem);
    }

    #[test]
    fn a_client_trusting_the_ca_completes_a_handshake_for_every_default_name() {
        let dir = TempDir::new("handshake");
        let material = load_or_create(&dir.0, &[], now()).unwrap();
        for name in ["localhost", "127.0.0.1", "::1"] {
            handshake(
                client_trusting(&material.ca_pem, now()),
                material.server_config.clone(),
                name,
            )
            .unwrap();
        }
    }

    #[test]
    fn a_client_trusting_another_ca_refuses_the_server() {
        let (a, b) = (TempDir::new("ca-a"), TempDir::new("ca-b"));
        let material = load_or_create(&a.0, &[], now()).unwrap();
        let other = load_or_create(&b.0, &[], now()).unwrap();
        assert!(
            handshake(
                client_trusting(&other.ca_pem, now()),
                material.server_config,
                "localhost"
            )
            .is_err()
        );
    }

    #[test]
    fn a_new_extra_san_reissues_the_server_certificate_from_the_same_ca() {
        let dir = TempDir::new("san");
        let first = load_or_create(&dir.0, &[], now()).unwrap();
        let server_pem = fs::read(dir.0.join("server.pem")).unwrap();
        let sans = vec!["entrasim.test".to_string(), "10.0.0.7".to_string()];
        let second = load_or_create(&dir.0, &sans, now()).unwrap();
        assert_eq!(first.ca_pem, second.ca_pem);
        assert_ne!(fs::read(dir.0.join("server.pem")).unwrap(), server_pem);
        handshake(
            client_trusting(&second.ca_pem, now()),
            second.server_config,
            "entrasim.test",
        )
        .unwrap();
    }

    #[test]
    fn an_expired_server_certificate_is_reissued() {
        let dir = TempDir::new("expiry");
        load_or_create(&dir.0, &[], now()).unwrap();
        let later = now() + Duration::days(SERVER_DAYS + 1);
        let material = load_or_create(&dir.0, &[], later).unwrap();
        handshake(
            client_trusting(&material.ca_pem, later),
            material.server_config,
            "localhost",
        )
        .unwrap();
    }

    #[test]
    fn host_certificates_come_from_the_same_ca_and_name_only_their_host() {
        let dir = TempDir::new("hosts");
        let material = load_or_create(&dir.0, &[], now()).unwrap();
        let configs = for_hosts(&dir.0, &["graph.microsoft.com", "login.example"], now()).unwrap();
        assert_eq!(configs.len(), 2);
        let client = || client_trusting(&material.ca_pem, now());
        handshake(client(), configs[0].clone(), "graph.microsoft.com").unwrap();
        handshake(client(), configs[1].clone(), "login.example").unwrap();
        assert!(handshake(client(), configs[0].clone(), "login.example").is_err());
        assert!(handshake(client(), configs[0].clone(), "localhost").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("modes");
        load_or_create(&dir.0, &[], now()).unwrap();
        for (file, mode) in [
            ("ca-key.pem", 0o600),
            ("server-key.pem", 0o600),
            ("ca.pem", 0o644),
        ] {
            let actual = fs::metadata(dir.0.join(file)).unwrap().permissions().mode() & 0o777;
            assert_eq!(actual, mode, "{file}");
        }
    }

    #[test]
    fn a_ca_without_its_key_is_an_error_naming_both_files() {
        let dir = TempDir::new("incomplete");
        load_or_create(&dir.0, &[], now()).unwrap();
        fs::remove_file(dir.0.join("ca-key.pem")).unwrap();
        let message = load_or_create(&dir.0, &[], now()).unwrap_err().to_string();
        assert!(
            message.contains("ca.pem exists but") && message.contains("ca-key.pem is missing"),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn an_extra_san_that_is_no_name_is_refused_with_the_file_named() {
        let dir = TempDir::new("badsan");
        let message = load_or_create(&dir.0, &["not a host".to_string()], now())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("server.pem")
                && message.contains("'not a host' is not a DNS name or IP address"),
            "{message}"
        );
    }

    #[test]
    fn user_supplied_files_load_and_missing_ones_are_named() {
        let dir = TempDir::new("files");
        load_or_create(&dir.0, &[], now()).unwrap();
        assert!(from_files(&dir.0.join("server.pem"), &dir.0.join("server-key.pem")).is_ok());
        let message = from_files(&dir.0.join("nope.pem"), &dir.0.join("server-key.pem"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("nope.pem"), "{message}");
        let message = from_files(&dir.0.join("server.pem"), &dir.0.join("ca-key.pem"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("server.pem") && message.contains("do not form a usable pair"),
            "{message}"
        );
    }

    #[test]
    fn the_data_directory_follows_the_environment_in_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            data_dir_from(env(&[("ENTRASIM_DATA_DIR", "/d"), ("HOME", "/h")])),
            PathBuf::from("/d")
        );
        assert_eq!(
            data_dir_from(env(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])),
            PathBuf::from("/x/entrasim")
        );
        assert_eq!(
            data_dir_from(env(&[("HOME", "/h")])),
            PathBuf::from("/h/.local/share/entrasim")
        );
        assert_eq!(
            data_dir_from(env(&[("ENTRASIM_DATA_DIR", "")])),
            PathBuf::from(".entrasim")
        );
    }
}

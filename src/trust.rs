//! Trust bundles for clients: the system's root certificates plus entrasim's local CA,
//! one PEM file ready for `SSL_CERT_FILE` / `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE`.

use std::path::{Path, PathBuf};

/// Where distributions keep their PEM bundle of roots, in the order OpenSSL's probe
/// (openssl-probe's `cert_file` list) tries them: Debian/Ubuntu, RHEL/Fedora, openSUSE,
/// Alpine/macOS-style, FreeBSD.
const SYSTEM_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/var/lib/ca-certificates/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
];

/// The system roots bundle: `$SSL_CERT_FILE` when set and readable (unless it is the
/// bundle being written, which would nest entrasim's CA twice), else the first
/// distribution path that exists.
pub fn system_bundle(env_file: Option<PathBuf>) -> Option<PathBuf> {
    env_file.filter(|p| p.is_file()).or_else(|| {
        SYSTEM_BUNDLES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    })
}

/// The system roots (when found) followed by `ca_pem`, each block separated by a blank line.
pub fn bundle(system: Option<&Path>, ca_pem: &str) -> std::io::Result<String> {
    let mut out = match system {
        Some(path) => std::fs::read_to_string(path)?,
        None => String::new(),
    };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("# entrasim local CA\n");
    out.push_str(ca_pem);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

    #[test]
    fn the_bundle_is_the_system_roots_then_the_local_ca() {
        let dir = tempfile::TempDir::new().unwrap();
        let roots = dir.path().join("roots.pem");
        std::fs::write(
            &roots,
            "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----",
        )
        .unwrap();
        let out = bundle(Some(&roots), CA).unwrap();
        assert!(out.starts_with(
            "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n# entrasim"
        ));
        assert!(out.ends_with(CA));
    }

    #[test]
    fn without_system_roots_the_bundle_is_the_local_ca_alone() {
        assert_eq!(
            bundle(None, CA).unwrap(),
            format!("# entrasim local CA\n{CA}")
        );
    }

    #[test]
    fn a_missing_ssl_cert_file_falls_back_to_the_distribution_bundle() {
        let missing = PathBuf::from("/nonexistent/bundle.pem");
        assert_ne!(system_bundle(Some(missing.clone())), Some(missing));
    }
}

//! Deterministic RSA keys and self-signed certificates: the tenant's signing certificate and the test clients' certificates.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use rand_chacha_03::ChaCha8Rng;
use rand_chacha_03::rand_core::SeedableRng;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256, SerialNumber};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::token::CertificateCredential;

/// First day of validity of every deterministic certificate.
const NOT_BEFORE: (i32, u8, u8) = (2025, 1, 1);
/// Last day of validity of every deterministic certificate.
const NOT_AFTER: (i32, u8, u8) = (2035, 1, 1);

/// A client certificate and its private key, as a test client would hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The self-signed certificate, PEM.
    pub cert_pem: String,
    /// The RSA private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The public key, SubjectPublicKeyInfo PEM.
    pub public_key_pem: String,
    /// SHA-1 of the certificate DER, uppercase hex, as the Azure portal shows it.
    pub thumbprint_sha1_hex: String,
    /// SHA-256 of the certificate DER, uppercase hex (for `x5t#S256` assertions).
    pub thumbprint_sha256_hex: String,
    /// The credential's keyId GUID, derived from the seed and the name.
    pub key_id: String,
}

impl ClientCertificate {
    /// The `x5t` header value for client assertions: base64url of the SHA-1 thumbprint.
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(hex_to_bytes(&self.thumbprint_sha1_hex))
    }

    /// The `x5t#S256` header value: base64url of the SHA-256 thumbprint.
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(hex_to_bytes(&self.thumbprint_sha256_hex))
    }

    /// The credential the tenant stores for this certificate, valid until the certificate ends.
    pub fn credential(&self) -> CertificateCredential {
        CertificateCredential {
            key_id: self.key_id.clone(),
            thumbprint_sha1_hex: self.thumbprint_sha1_hex.clone(),
            thumbprint_sha256_hex: self.thumbprint_sha256_hex.clone(),
            public_key_pem: self.public_key_pem.clone(),
            end: certificate_end(),
        }
    }
}

/// The certificate a test client named `name` uses in the tenant made from `seed`: same inputs, same bytes.
pub fn client_certificate(seed: u64, name: &str) -> ClientCertificate {
    let key = seeded_rsa_key("entrasim/client-certificate", seed, name);
    let der = self_signed_der(&key, name, &serial_for(seed, name));
    let digest = Sha256::digest(
        [
            "entrasim/client-certificate-key-id".as_bytes(),
            &seed.to_le_bytes(),
            name.as_bytes(),
        ]
        .concat(),
    );
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&digest[..16]);
    ClientCertificate {
        cert_pem: to_pem("CERTIFICATE", &der),
        key_pem: key
            .to_pkcs8_pem(LineEnding::LF)
            .expect("an RSA key encodes as PKCS#8")
            .to_string(),
        public_key_pem: public_key_pem(&key),
        thumbprint_sha1_hex: upper_hex(&Sha1::digest(&der)),
        thumbprint_sha256_hex: upper_hex(&Sha256::digest(&der)),
        key_id: uuid::Builder::from_random_bytes(guid)
            .into_uuid()
            .to_string(),
    }
}

/// The moment every deterministic certificate stops being valid (2035-01-01).
pub fn certificate_end() -> DateTime<Utc> {
    let (y, m, d) = NOT_AFTER;
    Utc.with_ymd_and_hms(y, m.into(), d.into(), 0, 0, 0)
        .single()
        .expect("a fixed valid date")
}

/// RSA-2048 drawn from ChaCha8 seeded with SHA-256(domain ‖ seed ‖ name): the same inputs always give the same key.
pub(super) fn seeded_rsa_key(domain: &str, seed: u64, name: &str) -> RsaPrivateKey {
    let material = [domain.as_bytes(), &seed.to_le_bytes(), name.as_bytes()].concat();
    let mut rng = ChaCha8Rng::from_seed(Sha256::digest(&material).into());
    RsaPrivateKey::new(&mut rng, 2048).expect("RSA-2048 generation succeeds")
}

/// A self-signed certificate for `key` with subject CN=`common_name`, the fixed validity and `serial`, DER.
pub(super) fn self_signed_der(key: &RsaPrivateKey, common_name: &str, serial: &[u8]) -> Vec<u8> {
    let pkcs8 = key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("an RSA key encodes as PKCS#8");
    let key_pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pkcs8, &PKCS_RSA_SHA256)
        .expect("ring accepts an RSA-2048 PKCS#8 key");
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    params.serial_number = Some(SerialNumber::from_slice(serial));
    params.not_before = rcgen::date_time_ymd(NOT_BEFORE.0, NOT_BEFORE.1, NOT_BEFORE.2);
    params.not_after = rcgen::date_time_ymd(NOT_AFTER.0, NOT_AFTER.1, NOT_AFTER.2);
    params
        .self_signed(&key_pair)
        .expect("rcgen signs a self-signed certificate")
        .der()
        .to_vec()
}

/// A positive 16-byte serial number derived from the seed and the name.
pub(super) fn serial_for(seed: u64, name: &str) -> Vec<u8> {
    let digest = Sha256::digest(
        [
            "entrasim/serial".as_bytes(),
            &seed.to_le_bytes(),
            name.as_bytes(),
        ]
        .concat(),
    );
    let mut serial = digest[..16].to_vec();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    serial
}

/// The SubjectPublicKeyInfo PEM of an RSA key.
pub(super) fn public_key_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("an RSA public key encodes as SPKI")
}

/// PEM armour around DER bytes, 64 columns, LF line endings.
pub(super) fn to_pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Uppercase hex of bytes.
pub(super) fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Bytes of a hex string; invalid pairs become zero (inputs are our own thumbprints).
pub(super) fn hex_to_bytes(hex: &str) -> Vec<u8> {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_name_give_identical_certificate_bytes() {
        let a = client_certificate(7, "reporting-app");
        let b = client_certificate(7, "reporting-app");
        assert_eq!(a, b);
        assert!(a.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(a.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn another_name_gives_another_key_and_key_id() {
        let a = client_certificate(7, "reporting-app");
        let b = client_certificate(7, "siem-connector");
        assert_ne!(a.public_key_pem, b.public_key_pem);
        assert_ne!(a.key_id, b.key_id);
    }

    #[test]
    fn the_thumbprint_is_forty_uppercase_hex_digits_and_x5t_is_its_base64url() {
        let cert = client_certificate(1, "app");
        assert_eq!(cert.thumbprint_sha1_hex.len(), 40);
        assert!(
            cert.thumbprint_sha1_hex
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_eq!(
            URL_SAFE_NO_PAD.decode(cert.x5t()).unwrap(),
            hex_to_bytes(&cert.thumbprint_sha1_hex)
        );
        assert_eq!(cert.x5t().len(), 27);
    }

    #[test]
    fn the_key_id_is_a_guid() {
        let cert = client_certificate(1, "app");
        assert!(uuid::Uuid::parse_str(&cert.key_id).is_ok());
    }
}

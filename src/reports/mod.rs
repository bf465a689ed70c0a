//! Usage & insights and authentication-methods reports under `/reports`: every
//! number is a count over the sign-ins visible at the query's instant and the
//! directory (walk -> reports in `apps`/`activity`/`registration`/`methods`,
//! rules in `access`, HTTP in `http`).

pub mod access;
pub mod activity;
pub mod apps;
pub mod http;
pub mod methods;
pub mod registration;
pub mod walk;

use sha2::{Digest, Sha256};

/// A stable GUID-shaped id for a report row, from its key text (INFERRED: the docs
/// show opaque GUIDs for aggregated rows).
pub fn row_id(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Base64 of a key, the id Graph gives activity rows (reference §B.5, §B.6, decoded).
pub fn base64_id(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

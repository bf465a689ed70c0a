//! Identity: the tenant's signing key, the client-credentials token endpoint, discovery documents and bearer-token checks.
//!
//! Pure logic only: the HTTP routes that call these live in `http`.

pub mod assertion;
pub mod bearer;
pub mod certs;
pub mod claims;
pub mod delegated;
pub mod discovery;
pub mod error;
pub mod flows;
pub mod keys;
pub mod resources;
pub mod token;
pub mod user_errors;
pub mod users;

pub use bearer::{BearerError, read_token, token_from_header, www_authenticate};
pub use certs::{ClientCertificate, client_certificate};
pub use claims::{AccessClaims, GRAPH_APP_ID, GRAPH_RESOURCE};
pub use discovery::{instance_discovery, is_multi_tenant, openid_configuration};
pub use error::AadError;
pub use keys::SigningKey;
pub use token::{
    CertificateCredential, ClientRecord, SecretCredential, TokenRequest, TokenResponse, issue,
};

//! Graph resources as JSON: the wire contract. Records are compact in the
//! store and become these shapes only when served.

pub mod audit;
mod audit_props;
pub mod ca;
pub mod directory;
pub mod ids;
pub mod provisioning;
pub mod sign_in;
pub mod tenant_extras;

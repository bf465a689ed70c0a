//! The Azure Resource Manager surface: subscriptions, resource groups, tenants, cloud
//! metadata, managed identities, role assignments and role definitions, derived from
//! the generated tenant (generation -> [`inventory`] -> [`query`] -> [`http`]).

pub mod error;
pub mod http;
pub mod inventory;
pub mod query;
pub mod roles;

pub use error::ArmError;

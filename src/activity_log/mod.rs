//! The Azure Activity Log of the tenant's subscriptions: the ARM operations that follow
//! from its managed identities and Azure role assignments (generation -> [`record`] in the
//! store -> [`filter`] -> [`json`] -> [`http`]).

pub mod filter;
pub mod generate;
pub mod http;
pub mod json;
pub mod live;
pub mod record;

pub use record::ArmEvent;

//! Routing Entra logs where large consumers read them, as Azure Monitor does:
//! `microsoft.aadiam` diagnostic settings on the ARM surface, delivery to storage
//! (Azure Blob Storage or a directory) and Event Hubs payloads, and Log Analytics tables.
//!
//! Layers: [`category`] and [`tables`] (definitions) < [`envelope`] (records as Azure
//! Monitor writes them) < [`window`] (what is due) < [`sink`], [`blob`] (destinations)
//! < [`deliver`] (the engine) < [`arm`] (HTTP); [`export`] writes the same offline.

pub mod arm;
pub mod blob;
pub mod category;
pub mod config;
pub mod deliver;
pub mod envelope;
pub mod export;
pub mod setting;
pub mod sink;
pub mod tables;
pub mod window;

pub use config::RoutingConfig;
pub use deliver::Routing;

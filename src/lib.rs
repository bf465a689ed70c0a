//! entrasim: a local emulator of the Microsoft Graph activity-log API for
//! Microsoft Entra ID.
//!
//! It generates a realistic tenant from a seed, lets simulated time run over
//! it, and serves what that tenant's sign-in, audit and provisioning logs would
//! show, through Graph's URLs, OData query options, paging, errors, throttling
//! and record delays.
//!
//! # Layout
//! - [`cli`], [`config`]: flags and presets become validated settings.
//! - [`clock`]: the only reader of wall time; [`rng`]: seeds and named streams.
//! - [`catalog`]: the data under `seed/`, embedded and parsed.
//! - [`tenant`]: the directory and its generator.
//! - [`activity`]: the events of each hour (sign-ins, audits, provisioning).
//! - [`store`]: compact hourly logs, generated as time reaches them.
//! - [`model`]: Graph JSON shapes, written when served.
//! - [`query`]: OData options, `$filter`, skip tokens, paging.
//! - [`throttle`]: Graph's limits, scripted throttling and faults.
//! - [`auth`], [`tls`]: tokens, discovery, keys, the local CA.
//! - [`http`]: routes, the error envelope, the control surface.
//! - [`arm`]: the Azure Resource Manager surface (subscriptions, identities, RBAC).
//! - [`activity_log`]: the Azure Activity Log of ARM operations on identities and roles.
//! - [`protection`], [`reports`]: Identity Protection and Usage & insights reports, from the logs.
//! - [`routing`]: diagnostic settings, delivery to storage and Event Hubs, Log Analytics tables.
//! - [`proxy`]: the CONNECT proxy that answers as Graph, login and ARM's real hosts.
//! - [`scenario`]: known incidents placed in the logs, with their answer keys.
//! - [`state`]: run-time state shared by replicas through Redis (`--state`).
//! - [`telemetry`]: `/metrics` and one log line per request; [`health`]: `entrasim health`.
//! - [`trust`]: CA bundles for clients; [`az_cloud`]: the Azure CLI's custom cloud.
//! - [`app`]: server state and startup; [`export`]: `entrasim generate`;
//!   [`commands`]: what each subcommand runs.

pub mod activity;
pub mod activity_log;
pub mod app;
pub mod arm;
pub mod auth;
pub mod az_cloud;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod export;
mod export_csv;
pub mod health;
pub mod http;
pub mod model;
pub mod protection;
pub mod proxy;
pub mod query;
pub mod reports;
pub mod rng;
pub mod routing;
pub mod scenario;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenant;
pub mod throttle;
pub mod tls;
pub mod trust;

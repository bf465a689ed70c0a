//! The command line: flags as clap sees them, before validation.
//!
//! Every flag can also be set through an `ENTRASIM_*` environment variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// entrasim: a local emulator of Microsoft Graph's Entra activity logs.
#[derive(Debug, Parser)]
#[command(
    name = "entrasim",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What to do.
#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once at startup; boxing would only complicate clap's derive"
)]
pub enum Command {
    /// Serve the Graph, identity and control surfaces (the default).
    Serve(ServeArgs),
    /// Write the directory and the three logs to files.
    Generate(GenerateArgs),
    /// Print a summary of the generated tenant (or all of it with --json).
    Tenant(TenantCommandArgs),
    /// Print the local certificate authority used for HTTPS.
    Ca(CaArgs),
    /// Check a running server: exit 0 if it answers 200, 1 otherwise (for HEALTHCHECK).
    Health(HealthArgs),
    /// Print the Azure CLI custom-cloud registration (cloud.json and `az cloud register`) for a server.
    AzCloud(AzCloudArgs),
}

/// Flags of `az-cloud`.
#[derive(Debug, Clone, Args)]
pub struct AzCloudArgs {
    /// The server's HTTPS origin (login and Microsoft Graph), e.g. https://127.0.0.1:8443.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    pub url: String,
    /// ARM's origin; by default the same listener under the other loopback name
    /// (localhost for 127.0.0.1 and back), so `az rest` tells ARM and Graph apart.
    #[arg(long)]
    pub arm_url: Option<String>,
    /// The cloud's name in az.
    #[arg(long, default_value = "entrasim")]
    pub name: String,
    /// Print only the cloud.json for `az cloud register --cloud-config @cloud.json`.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `health`.
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// The server's HTTP URL; a URL without a path checks /_entrasim/health.
    #[arg(
        long,
        env = "ENTRASIM_HEALTH_URL",
        default_value = "http://127.0.0.1:8400"
    )]
    pub url: String,
}

/// Which tenant to generate.
#[derive(Debug, Clone, Args)]
pub struct TenantArgs {
    /// Seed of the tenant and its activity.
    #[arg(long, env = "ENTRASIM_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Size and rhythm of the tenant: small, default, enterprise, loadtest, or
    /// the path of a TOML preset file (a value ending in .toml or containing a `/`).
    #[arg(long, env = "ENTRASIM_PRESET", default_value = "default")]
    pub preset: String,
    /// Licence tier: p2, p1 or free.
    #[arg(long, env = "ENTRASIM_LICENSE", default_value = "p2")]
    pub license: String,
    /// Number of tenants (each with its own seed: seed, seed+1, ...).
    #[arg(long, env = "ENTRASIM_TENANTS", default_value_t = 1)]
    pub tenants: u32,
}

/// How time runs.
#[derive(Debug, Clone, Args)]
pub struct ClockArgs {
    /// `system`, or `fixed:<RFC 3339 instant>` for a frozen clock.
    #[arg(long, env = "ENTRASIM_CLOCK", default_value = "system")]
    pub clock: String,
    /// Simulated seconds per wall-clock second.
    #[arg(long, env = "ENTRASIM_CLOCK_SPEED", default_value_t = 1.0)]
    pub clock_speed: f64,
    /// Delay before a record becomes visible: `graph` (Graph's documented latency) or `off`.
    #[arg(long, env = "ENTRASIM_LATENCY", default_value = "graph")]
    pub latency: GraphMode,
}

/// `graph` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphMode {
    Graph,
    Off,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ENTRASIM_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// HTTP port; 0 picks a free one.
    #[arg(long, env = "ENTRASIM_PORT", default_value_t = 8400)]
    pub port: u16,
    /// Also serve HTTPS on this port (0 picks a free one).
    #[arg(long, env = "ENTRASIM_HTTPS_PORT")]
    pub https_port: Option<u16>,
    /// Also run an HTTP CONNECT proxy on this port (0 picks a free one) answering as
    /// graph.microsoft.com, login.microsoftonline.com and management.azure.com.
    #[arg(long, env = "ENTRASIM_PROXY_PORT")]
    pub proxy_port: Option<u16>,
    /// Simulate Graph's throttling: `graph` or `off`.
    #[arg(long, env = "ENTRASIM_THROTTLE", default_value = "graph")]
    pub throttle: GraphMode,
    /// Bearer-token checks: lenient, strict or off.
    #[arg(long, env = "ENTRASIM_AUTH", default_value = "lenient")]
    pub auth: AuthMode,
    /// Also accept tokens whose audience is this server's own address (Graph refuses them).
    #[arg(long, env = "ENTRASIM_ACCEPT_LOCAL_AUDIENCE", value_parser = clap::builder::BoolishValueParser::new())]
    pub accept_local_audience: bool,
    /// The /_entrasim control surface: on or off.
    #[arg(long, env = "ENTRASIM_CONTROL", default_value = "on")]
    pub control: Switch,
    /// Where the local CA and server certificate live.
    #[arg(long, env = "ENTRASIM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Extra names (DNS or IP) for the server certificate.
    #[arg(long = "tls-san", env = "ENTRASIM_TLS_SAN", value_delimiter = ',')]
    pub tls_san: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM) instead of the local CA's.
    #[arg(long, env = "ENTRASIM_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) for --tls-cert.
    #[arg(long, env = "ENTRASIM_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Accept `$select` on sign-ins (Graph refuses it: "Query option 'Select' is not allowed").
    #[arg(long, env = "ENTRASIM_SELECT_ON_SIGN_INS", value_parser = clap::builder::BoolishValueParser::new())]
    pub select_on_sign_ins: bool,
    /// Prometheus metrics at GET /metrics, served with the control surface: on or off.
    #[arg(long, env = "ENTRASIM_METRICS", default_value = "on")]
    pub metrics: Switch,
    /// Request logs on stderr: text or json (one object per line); levels by RUST_LOG.
    #[arg(long, env = "ENTRASIM_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// Load exported records (Graph JSON pages or NDJSON of signIns, directoryAudits, provisioning) from this directory at startup
    #[arg(long, env = "ENTRASIM_IMPORT")]
    pub import: Option<PathBuf>,
    /// With --import: load the good records of a file with bad ones (reported on stderr) instead of refusing to start
    #[arg(long, env = "ENTRASIM_IMPORT_LENIENT", value_parser = clap::builder::BoolishValueParser::new())]
    pub import_lenient: bool,
    /// Place a scenario: a shipped name (password-spray, impossible-travel, mfa-fatigue,
    /// leaked-client-secret) or a .toml file, optionally `@<RFC 3339 time>`; repeatable.
    #[arg(long = "scenario", env = "ENTRASIM_SCENARIO", value_delimiter = ',')]
    pub scenario: Vec<String>,
    /// Share the run-time state (clock, injected records, throttling, faults, verdicts,
    /// resets) with other replicas in Redis, e.g. redis://127.0.0.1:6379/0
    #[arg(long, env = "ENTRASIM_STATE")]
    pub state: Option<String>,
    #[command(flatten)]
    pub routing: RoutingArgs,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// Diagnostic settings and where their destinations deliver (README, "Diagnostic settings").
#[derive(Debug, Clone, Args)]
pub struct RoutingArgs {
    /// A diagnostic setting created at startup (repeatable; `;` between several in the
    /// variable): `name=ci,categories=all|SignInLogs+AuditLogs,to=storage+eventhub[,hub=NAME]`.
    #[arg(
        long = "diagnostics",
        env = "ENTRASIM_DIAGNOSTICS",
        value_delimiter = ';'
    )]
    pub diagnostics: Vec<String>,
    /// Where storage accounts deliver: a blob endpoint (`http://127.0.0.1:10000/devstoreaccount1`,
    /// Azurite's by default) or `dir:PATH` for a local directory with the same layout.
    #[arg(long, env = "ENTRASIM_STORAGE_ENDPOINT", default_value = crate::routing::config::AZURITE_ENDPOINT)]
    pub storage_endpoint: String,
    /// The storage account key (SharedKey); Azurite's well-known key by default.
    #[arg(long, env = "ENTRASIM_STORAGE_KEY", default_value = crate::routing::config::AZURITE_KEY, hide_default_value = true)]
    pub storage_key: String,
    /// Where event hubs deliver: `stdout` or `dir:PATH` (one `{"records":[...]}` message per file).
    #[arg(long, env = "ENTRASIM_EVENTHUB_ENDPOINT", default_value = "stdout")]
    pub eventhub_endpoint: String,
    /// Simulated seconds between a record becoming visible and its delivery.
    #[arg(long, env = "ENTRASIM_DIAGNOSTICS_DELAY", default_value_t = crate::routing::config::DEFAULT_DELAY_SECS)]
    pub diagnostics_delay: i64,
    /// Most records a setting holds in flight while a destination is down.
    #[arg(long, env = "ENTRASIM_DIAGNOSTICS_BACKLOG", default_value_t = 100_000)]
    pub diagnostics_backlog: usize,
}

/// `lenient`, `strict` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// No token means the tenant's default client; a token, if sent, is checked.
    Lenient,
    /// A valid token is required.
    Strict,
    /// Tokens are ignored.
    Off,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// `text` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Flags of `generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Directory to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// ndjson (one Graph object per line), json (Graph collection pages), csv (portal download columns),
    /// azure-storage (diagnostic-settings blobs) or log-analytics (tables).
    #[arg(long, default_value = "ndjson")]
    pub format: Format,
    /// API version whose shapes to write.
    #[arg(long = "api-version", default_value = "v1.0")]
    pub api_version: String,
    /// Place a scenario: a shipped name (password-spray, impossible-travel, mfa-fatigue,
    /// leaked-client-secret) or a .toml file, optionally `@<RFC 3339 time>`; repeatable.
    #[arg(long = "scenario", env = "ENTRASIM_SCENARIO", value_delimiter = ',')]
    pub scenario: Vec<String>,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// Output format of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Ndjson,
    Json,
    Csv,
    /// The blob tree a diagnostic setting's storage account holds.
    AzureStorage,
    /// Log Analytics tables (JSON lines, CSV and schema per table).
    LogAnalytics,
}

/// Flags of `tenant`.
#[derive(Debug, Clone, Args)]
pub struct TenantCommandArgs {
    /// Print the whole directory as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// Flags of `ca`.
#[derive(Debug, Clone, Args)]
pub struct CaArgs {
    /// Where the local CA lives.
    #[arg(long, env = "ENTRASIM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print the system's root certificates plus the local CA, one PEM bundle for
    /// SSL_CERT_FILE / REQUESTS_CA_BUNDLE (`entrasim ca --bundle > bundle.pem`).
    #[arg(long)]
    pub bundle: bool,
}

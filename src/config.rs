//! Validated settings: raw flags and preset files become typed values once, here.

use crate::catalog::Catalog;
use crate::cli::{ClockArgs, GraphMode, TenantArgs};
use crate::clock::ClockSpec;
use crate::rng::Seed;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A problem with the command line or a preset; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "unknown preset '{0}' (known: small, default, enterprise, loadtest, or a path to a .toml file)"
    )]
    UnknownPreset(String),
    #[error("preset '{name}' is invalid: {reason}")]
    BadPreset { name: String, reason: String },
    #[error("cannot read preset file '{path}': {reason}")]
    UnreadablePreset { path: String, reason: String },
    #[error("unknown licence '{0}' (expected p2, p1 or free)")]
    UnknownLicense(String),
    #[error("--clock must be 'system' or 'fixed:<RFC 3339 time>', got '{0}'")]
    BadClock(String),
    #[error("--state must be a redis://host:port/db URL, got '{0}'")]
    State(String),
    #[error(
        "--import cannot be combined with --state: each replica would load its own copy; send the files to POST /_entrasim/import instead (journaled once, served by every replica)"
    )]
    ImportWithState,
    #[error("--clock-speed must be a positive number, got {0}")]
    BadClockSpeed(f64),
    #[error("--tenants must be between 1 and 64, got {0}")]
    BadTenantCount(u32),
    /// A `--scenario` value or file is bad (one line: file, line, field).
    #[error("{0}")]
    Scenario(#[from] crate::scenario::DefError),
    /// A routing flag (`--diagnostics`, `--storage-endpoint`, ...) that does not parse.
    #[error(transparent)]
    Routing(#[from] crate::routing::config::RoutingError),
}

/// Microsoft Entra ID licence tier of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum License {
    Free,
    P1,
    P2,
}

impl License {
    /// Parses `p2`, `p1` or `free` (any case).
    pub fn parse(text: &str) -> Result<License, ConfigError> {
        match text.to_ascii_lowercase().as_str() {
            "p2" => Ok(License::P2),
            "p1" => Ok(License::P1),
            "free" => Ok(License::Free),
            _ => Err(ConfigError::UnknownLicense(text.to_string())),
        }
    }

    /// Days of sign-in and audit history Graph keeps for this tier.
    pub fn retention_days(self) -> i64 {
        match self {
            License::Free => 7,
            License::P1 | License::P2 => 30,
        }
    }

    /// Lower-case name as used in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            License::Free => "free",
            License::P1 => "p1",
            License::P2 => "p2",
        }
    }
}

/// Size of the generated directory.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TenantShape {
    pub organization: String,
    pub members: u32,
    pub guests: u32,
    pub admins: u32,
    pub service_accounts: u32,
    pub disabled_fraction: f64,
    pub soft_deleted: u32,
    pub created_in_window_fraction: f64,
    pub custom_domains: u32,
    pub groups: u32,
    pub line_of_business_apps: u32,
    pub third_party_apps: u32,
    pub user_assigned_identities: u32,
    pub system_assigned_identities: u32,
    pub agent_identities: u32,
    pub max_devices_per_user: u32,
}

/// Rates of the activity that fills the logs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActivityShape {
    pub interactive_per_user_per_workday: f64,
    pub non_interactive_per_interactive: f64,
    pub service_principal_sign_ins_per_app_per_hour: f64,
    pub managed_identity_sign_ins_per_identity_per_hour: f64,
    pub audits_per_day: f64,
    pub provisioning_cycle_minutes: u32,
    pub provisioning_changes_per_cycle: f64,
    pub pim_activations_per_day: f64,
    pub failure_rate: f64,
    pub travel_rate: f64,
    pub vpn_rate: f64,
}

/// Record-latency distributions: `[quantile, seconds]` points of a piecewise-linear quantile function.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LatencyShape {
    pub sign_ins: Vec<[f64; 2]>,
    pub audits: Vec<[f64; 2]>,
}

/// A named size and rhythm of tenant, from `seed/presets/*.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    pub description: String,
    pub days: u32,
    pub tenant: TenantShape,
    pub activity: ActivityShape,
    /// Overrides Graph's documented record delays (see README, "Time and late records").
    #[serde(default)]
    pub latency: Option<LatencyShape>,
    /// Diagnostic settings created at startup, in `--diagnostics` syntax (README, "Diagnostic settings").
    #[serde(default)]
    pub diagnostics: Vec<String>,
}

impl Preset {
    /// The embedded preset with this name.
    pub fn named(name: &str) -> Result<Preset, ConfigError> {
        let text =
            Catalog::preset_source(name).ok_or_else(|| ConfigError::UnknownPreset(name.into()))?;
        Preset::parse(name, text)
    }

    /// The preset `--preset` names: a path to a TOML file when the value ends
    /// in `.toml` or contains a path separator, else an embedded preset.
    pub fn load(value: &str) -> Result<Preset, ConfigError> {
        if !(value.ends_with(".toml") || value.contains('/') || value.contains('\\')) {
            return Preset::named(value);
        }
        let text = std::fs::read_to_string(value).map_err(|e| ConfigError::UnreadablePreset {
            path: value.into(),
            reason: e.to_string(),
        })?;
        Preset::parse(value, &text)
    }

    /// A preset from TOML text (`name` for error messages).
    pub fn parse(name: &str, text: &str) -> Result<Preset, ConfigError> {
        let preset: Preset = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let at = line.map_or(String::new(), |l| format!(" (line {l})"));
            ConfigError::BadPreset {
                name: name.into(),
                reason: format!("{}{at}", e.message().trim()).replace('\n', " "),
            }
        })?;
        preset.validate()?;
        Ok(preset)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |reason: &str| ConfigError::BadPreset {
            name: self.name.clone(),
            reason: reason.into(),
        };
        if self.tenant.members < self.tenant.admins.max(1) {
            return Err(bad("members must be at least admins and at least 1"));
        }
        if !(1..=90).contains(&self.days) {
            return Err(bad("days must be between 1 and 90"));
        }
        if self.activity.provisioning_cycle_minutes == 0 {
            return Err(bad("provisioning_cycle_minutes must be positive"));
        }
        if let Some(latency) = &self.latency {
            for (name, knots) in [
                ("latency.sign_ins", &latency.sign_ins),
                ("latency.audits", &latency.audits),
            ] {
                crate::activity::latency::validate(knots)
                    .map_err(|e| bad(&format!("{name} {e}")))?;
            }
        }
        Ok(())
    }
}

/// Record-latency model: Graph's documented delays or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyMode {
    Graph,
    Off,
}

/// Everything that decides which tenant and which records exist.
#[derive(Debug, Clone)]
pub struct TenantSettings {
    pub seed: Seed,
    pub preset: Preset,
    pub license: License,
    pub tenants: u32,
}

impl TenantSettings {
    /// Validates the tenant flags.
    pub fn from_args(args: &TenantArgs) -> Result<TenantSettings, ConfigError> {
        if !(1..=64).contains(&args.tenants) {
            return Err(ConfigError::BadTenantCount(args.tenants));
        }
        Ok(TenantSettings {
            seed: Seed(args.seed),
            preset: Preset::load(&args.preset)?,
            license: License::parse(&args.license)?,
            tenants: args.tenants,
        })
    }
}

/// How time runs and how late records arrive.
#[derive(Debug, Clone, Copy)]
pub struct TimeSettings {
    pub clock: ClockSpec,
    pub speed: f64,
    pub latency: LatencyMode,
}

impl TimeSettings {
    /// Validates the clock flags.
    pub fn from_args(args: &ClockArgs) -> Result<TimeSettings, ConfigError> {
        if !(args.clock_speed.is_finite() && args.clock_speed > 0.0) {
            return Err(ConfigError::BadClockSpeed(args.clock_speed));
        }
        Ok(TimeSettings {
            clock: parse_clock(&args.clock)?,
            speed: args.clock_speed,
            latency: match args.latency {
                GraphMode::Graph => LatencyMode::Graph,
                GraphMode::Off => LatencyMode::Off,
            },
        })
    }
}

fn parse_clock(text: &str) -> Result<ClockSpec, ConfigError> {
    if text.eq_ignore_ascii_case("system") {
        return Ok(ClockSpec::System);
    }
    let at = text
        .strip_prefix("fixed:")
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| ConfigError::BadClock(text.into()))?;
    Ok(ClockSpec::Fixed(at.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_preset_is_valid() {
        for name in Catalog::PRESETS {
            let preset = Preset::named(name).unwrap();
            assert_eq!(&preset.name, name);
        }
    }

    #[test]
    fn an_unknown_preset_is_named_in_the_error() {
        let err = Preset::named("huge").unwrap_err().to_string();
        assert!(err.contains("'huge'"), "{err}");
    }

    #[test]
    fn a_preset_may_bring_its_own_latency_and_bad_knots_are_refused() {
        let base = Catalog::preset_source("small").unwrap();
        let good = format!(
            "{base}\n[latency]\nsign_ins = [[0.0, 1.0], [1.0, 60.0]]\naudits = [[0.0, 0.0], [1.0, 10.0]]\n"
        );
        let preset = Preset::parse("custom", &good).unwrap();
        assert_eq!(
            preset.latency.unwrap().sign_ins,
            vec![[0.0, 1.0], [1.0, 60.0]]
        );
        let bad = format!(
            "{base}\n[latency]\nsign_ins = [[0.0, 9.0], [1.0, 3.0]]\naudits = [[0.0, 0.0], [1.0, 10.0]]\n"
        );
        let err = Preset::parse("custom", &bad).unwrap_err().to_string();
        assert!(err.contains("latency.sign_ins"), "{err}");
    }

    #[test]
    fn a_preset_file_is_read_and_validated_like_an_embedded_one() {
        let dir = std::env::temp_dir().join(format!("entrasim-preset-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let base = Catalog::preset_source("small").unwrap();
        let good = dir.join("mine.toml");
        std::fs::write(
            &good,
            format!("{base}\n[latency]\nsign_ins = [[0.0, 1.0], [1.0, 60.0]]\naudits = [[0.0, 0.0], [1.0, 10.0]]\n"),
        )
        .unwrap();
        let preset = Preset::load(good.to_str().unwrap()).unwrap();
        assert_eq!(
            preset.latency.unwrap().audits,
            vec![[0.0, 0.0], [1.0, 10.0]]
        );
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, base.replace("days = 30", "days = \"thirty\"")).unwrap();
        let err = Preset::load(bad.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("line 3"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        let missing = Preset::load("no/such/preset.toml").unwrap_err().to_string();
        assert!(
            missing.contains("cannot read preset file 'no/such/preset.toml'"),
            "{missing}"
        );
        assert!(matches!(Preset::load("small"), Ok(p) if p.name == "small"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fixed_clocks_parse_and_nonsense_is_refused() {
        assert_eq!(
            parse_clock("fixed:2026-06-01T12:00:00Z").unwrap(),
            ClockSpec::Fixed("2026-06-01T12:00:00Z".parse().unwrap())
        );
        assert!(parse_clock("fixed:tomorrow").is_err());
        assert!(parse_clock("sundial").is_err());
    }
}

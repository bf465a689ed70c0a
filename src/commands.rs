//! What each subcommand does, given parsed flags.

use crate::app::ServeSettings;
use crate::cli::{Cli, Command, TenantCommandArgs};
use crate::clock::Clock;
use crate::config::{ConfigError, TenantSettings, TimeSettings};
use std::io::Write;

/// A failure of a command; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Start(#[from] crate::http::StartError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// Runs the command the user asked for. A reader that stops reading early
/// (`entrasim ca | head -1`) is not a failure: a broken pipe ends the command quietly.
pub fn run(cli: Cli) -> Result<(), CommandError> {
    match dispatch(cli) {
        Err(CommandError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn dispatch(cli: Cli) -> Result<(), CommandError> {
    match cli.command {
        None => serve(ServeSettings::from_args(&cli.serve)?),
        Some(Command::Serve(args)) => serve(ServeSettings::from_args(&args)?),
        Some(Command::Tenant(args)) => tenant(&args),
        Some(Command::Generate(args)) => crate::export::generate(&args),
        Some(Command::Ca(args)) => crate::export::print_ca(args.data_dir.as_deref(), args.bundle),
        Some(Command::AzCloud(args)) => az_cloud(&args),
        Some(Command::Health(args)) => {
            let line =
                crate::health::check(&args.url).map_err(|e| CommandError::Other(e.to_string()))?;
            println!("{line}");
            Ok(())
        }
    }
}

fn az_cloud(args: &crate::cli::AzCloudArgs) -> Result<(), CommandError> {
    let urls = crate::az_cloud::CloudUrls::new(&args.url, args.arm_url.as_deref())
        .map_err(|e| CommandError::Other(e.to_string()))?;
    let text = if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&urls.cloud_config()).expect("JSON")
        )
    } else {
        urls.script(&args.name)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn serve(settings: ServeSettings) -> Result<(), CommandError> {
    init_tracing(settings.log_format);
    actix_rt::System::new().block_on(async move {
        let running = crate::http::start(settings)?;
        let mut stdout = std::io::stdout().lock();
        for url in &running.urls {
            writeln!(stdout, "entrasim listening on {url}")?;
        }
        if let Some(url) = &running.proxy {
            writeln!(stdout, "entrasim proxy listening on {url}")?;
        }
        stdout.flush()?;
        drop(stdout);
        running.server.await?;
        Ok(())
    })
}

/// Logs on stderr, filtered by `RUST_LOG` (then `ENTRASIM_LOG`, else `info`:
/// one line per request), as text or one JSON object per line.
fn init_tracing(format: crate::cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_env("ENTRASIM_LOG"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        crate::cli::LogFormat::Json => builder.json().flatten_event(true).try_init(),
        crate::cli::LogFormat::Text => builder.try_init(),
    };
}

fn tenant(args: &TenantCommandArgs) -> Result<(), CommandError> {
    let settings = TenantSettings::from_args(&args.tenant)?;
    let time = TimeSettings::from_args(&args.clock)?;
    let now = Clock::new(time.clock, time.speed).now();
    let mut out = std::io::stdout().lock();
    for index in 0..settings.tenants {
        let tenant = crate::tenant::generate(&settings, index, now);
        if args.json {
            serde_json::to_writer(&mut out, &crate::export::tenant_json(&tenant, now))
                .map_err(|e| CommandError::Other(e.to_string()))?;
            writeln!(out)?;
        } else {
            write!(out, "{}", crate::export::tenant_summary(&tenant))?;
        }
    }
    Ok(())
}

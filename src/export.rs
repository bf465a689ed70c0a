//! `entrasim generate` and `entrasim tenant`: the directory and the logs as
//! files, byte for byte what the API serves for the same seed and clock.

use crate::cli::{Format, GenerateArgs};
use crate::clock::Clock;
use crate::commands::CommandError;
use crate::config::{TenantSettings, TimeSettings};
use crate::model::directory::Collection;
use crate::query::capability::ApiVersion;
use crate::store::records::{SignInKind, ticks};
use crate::store::{LogOf, TenantLogs, World};
use crate::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use std::io::{BufWriter, Write};
use std::path::Path;

const COLLECTIONS: [Collection; 8] = [
    Collection::Users,
    Collection::Groups,
    Collection::Applications,
    Collection::ServicePrincipals,
    Collection::RoleDefinitions,
    Collection::RoleAssignments,
    Collection::RoleEligibilitySchedules,
    Collection::RoleAssignmentSchedules,
];

/// The whole directory of a tenant as one JSON document.
pub fn tenant_json(tenant: &Tenant, now: DateTime<Utc>) -> Value {
    let mut doc = json!({
        "tenantId": tenant.id,
        "organization": tenant.organization,
        "initialDomain": tenant.initial_domain,
        "customDomains": tenant.custom_domains,
        "license": tenant.license.as_str(),
        "seed": tenant.seed.0,
        "anchor": tenant.anchor.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    for collection in COLLECTIONS {
        let name = collection
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        doc[name] = Value::Array(collection.with_relationships(tenant, now));
    }
    doc["managedIdentities"] = tenant
        .managed_identities
        .iter()
        .map(|m| json!({"name": m.name, "msiType": m.kind.as_str(), "resourceId": m.resource_id, "resourceType": m.resource_label,
            "associatedResourceId": m.used_by, "associatedResourceType": m.used_by_label,
            "servicePrincipalId": tenant.sp(m.service_principal).id}))
        .collect();
    for (key, value) in crate::model::tenant_extras::extras(tenant, now) {
        doc[key] = value;
    }
    doc["provisioningJobs"] = tenant
        .provisioning_jobs
        .iter()
        .map(|j| json!({"jobId": j.id, "servicePrincipalId": tenant.sp(j.service_principal).id}))
        .collect();
    doc
}

/// A short human summary of a tenant.
pub fn tenant_summary(tenant: &Tenant) -> String {
    format!(
        "tenant {} ({})\n  domain {}  licence {}  seed {}\n  {} users, {} groups, {} applications, {} service principals, {} managed identities\n  {} role definitions, {} assignments, {} PIM eligibilities, {} CA policies, {} provisioning jobs\n",
        tenant.id,
        tenant.organization,
        tenant.default_domain(),
        tenant.license.as_str(),
        tenant.seed.0,
        tenant.users.len(),
        tenant.groups.len(),
        tenant.applications.len(),
        tenant.service_principals.len(),
        tenant.managed_identities.len(),
        tenant.role_definitions.len(),
        tenant.role_assignments.len(),
        tenant.eligibility_schedules.len(),
        tenant.ca_policies.len(),
        tenant.provisioning_jobs.len(),
    )
}

/// Records of one log as the API serves them at `now`: visible, inside
/// retention, newest first.
pub fn served<R: LogOf + Copy>(logs: &TenantLogs, now: i64, keep: impl Fn(&R) -> bool) -> Vec<R> {
    let from = now - crate::store::retention_ticks(&logs.plan);
    let mut records: Vec<R> = logs
        .hours
        .values()
        .flat_map(|h| R::log(h).iter().copied())
        .filter(|r| r.at() >= from && r.at() <= now && r.visible_at() <= now && keep(r))
        .collect();
    records.sort_by_key(|r| std::cmp::Reverse(r.order()));
    records
}

/// `entrasim generate`.
pub fn generate(args: &GenerateArgs) -> Result<(), CommandError> {
    let settings = TenantSettings::from_args(&args.tenant)?;
    let time = TimeSettings::from_args(&args.clock)?;
    let version = match args.api_version.as_str() {
        "v1.0" => ApiVersion::V1,
        "beta" => ApiVersion::Beta,
        other => {
            return Err(CommandError::Other(format!(
                "--api-version must be v1.0 or beta, got '{other}'"
            )));
        }
    };
    let now = Clock::new(time.clock, time.speed).now();
    let scenarios = args
        .scenario
        .iter()
        .map(|s| crate::scenario::Request::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(crate::config::ConfigError::from)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CommandError::Other(format!("cannot create {}: {e}", args.out.display())))?;
    let spinner = progress(None, "generating the tenant and its logs");
    let mut world = World::new(
        0,
        crate::app::plans(&settings, time.latency, now),
        ticks(now),
    );
    crate::scenario::place_all(&mut world, &scenarios)
        .map_err(|e| CommandError::Other(e.to_string()))?;
    spinner.finish_and_clear();
    for logs in &world.tenants {
        let dir = if world.tenants.len() == 1 {
            args.out.clone()
        } else {
            args.out.join(&logs.plan.tenant.id)
        };
        std::fs::create_dir_all(&dir)?;
        match args.format {
            Format::AzureStorage => crate::routing::export::azure_storage(&dir, logs, ticks(now))?,
            Format::LogAnalytics => crate::routing::export::log_analytics(&dir, logs, ticks(now))?,
            _ => {
                write_all(&dir, logs, now, version, args.format)?;
                if !scenarios.is_empty() {
                    write_keys(&dir, logs)?;
                }
            }
        }
    }
    Ok(())
}

fn write_all(
    dir: &Path,
    logs: &TenantLogs,
    now: DateTime<Utc>,
    version: ApiVersion,
    format: Format,
) -> Result<(), CommandError> {
    let plan = &logs.plan;
    let t = ticks(now);
    let sign_ins = served(logs, t, |r: &crate::store::records::SignIn| {
        version == ApiVersion::Beta || r.kind == SignInKind::Interactive
    });
    let target = |name| Target {
        dir,
        name,
        format,
        version,
    };
    target("signIns").write(&sign_ins, |out, r| {
        crate::model::sign_in::write(out, plan, r, version)
    })?;
    let audits = served(logs, t, |_: &crate::store::records::Audit| true);
    target("directoryAudits").write(&audits, |out, r| {
        crate::model::audit::write(out, plan, r, version)
    })?;
    let provisioning = served(logs, t, |_: &crate::store::records::Provisioning| true);
    target("provisioning").write(&provisioning, |out, r| {
        crate::model::provisioning::write(out, plan, r, version)
    })?;
    // The Activity Log keeps 90 days (more than any Graph retention, so all held events).
    let events = served(logs, t, |_: &crate::activity_log::ArmEvent| true);
    target("activityLog").write(&events, |out, e| {
        let event = crate::activity_log::json::event(&plan.tenant, e, None);
        serde_json::to_writer(out, &event).expect("writing to a Vec cannot fail")
    })?;
    for (name, objects) in
        crate::protection::export::collections(logs, t, version == ApiVersion::Beta)
    {
        target(name).write(&objects, |out, v| {
            serde_json::to_writer(out, v).expect("writing to a Vec cannot fail")
        })?;
    }
    for collection in COLLECTIONS {
        let name = collection.path().rsplit('/').next().unwrap_or_default();
        let objects = collection.objects(&plan.tenant, now);
        target(name).write(&objects, |out, v| {
            serde_json::to_writer(out, v).expect("writing to a Vec cannot fail")
        })?;
    }
    Ok(())
}

/// The answer keys of the placed scenarios, as `GET /_entrasim/scenarios` lists them.
fn write_keys(dir: &Path, logs: &TenantLogs) -> Result<(), CommandError> {
    let doc = crate::scenario::http::listing(logs);
    let mut text = serde_json::to_vec_pretty(&doc).expect("keys serialise");
    text.push(b'\n');
    std::fs::write(dir.join("scenarios.json"), text)?;
    Ok(())
}

/// A progress bar on a terminal (a spinner when `total` is unknown), hidden otherwise.
fn progress(total: Option<usize>, name: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || total.is_some_and(|t| t < 100_000) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t as u64),
        None => {
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            spinner
        }
    };
    bar.set_message(name.to_string());
    bar
}

/// One output file: a log or a directory collection in one format.
struct Target<'a> {
    dir: &'a Path,
    name: &'a str,
    format: Format,
    version: ApiVersion,
}

impl Target<'_> {
    /// The `@odata.context` fragment Graph gives the collection.
    fn context(&self) -> String {
        match self.name {
            "signIns" | "directoryAudits" | "provisioning" => format!("auditLogs/{}", self.name),
            name if name.starts_with("role") => format!("roleManagement/directory/{name}"),
            name => name.to_string(),
        }
    }

    /// Streams the records to the file, serialising each once into a reused buffer.
    fn write<R>(
        &self,
        records: &[R],
        write: impl Fn(&mut Vec<u8>, &R),
    ) -> Result<(), CommandError> {
        let extension = match self.format {
            Format::Ndjson => "ndjson",
            Format::Json => "json",
            Format::Csv | Format::AzureStorage | Format::LogAnalytics => "csv",
        };
        let path = self.dir.join(format!("{}.{extension}", self.name));
        let file = std::fs::File::create(&path)
            .map_err(|e| CommandError::Other(format!("cannot write {}: {e}", path.display())))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let beta = self.version == ApiVersion::Beta;
        let columns = crate::export_csv::columns_for(self.name, beta);
        match self.format {
            // ARM's collection has no OData context.
            Format::Json if self.name == "activityLog" => write!(out, "{{\"value\":[")?,
            Format::Json => {
                let v = if beta { "beta" } else { "v1.0" };
                let context = self.context();
                write!(
                    out,
                    "{{\"@odata.context\":\"https://graph.microsoft.com/{v}/$metadata#{context}\",\"value\":["
                )?;
            }
            Format::Csv | Format::AzureStorage | Format::LogAnalytics => {
                crate::export_csv::header(&mut out, columns)?
            }
            Format::Ndjson => {}
        }
        let bar = progress(Some(records.len()), self.name);
        let mut line = Vec::with_capacity(4096);
        for (i, r) in records.iter().enumerate() {
            line.clear();
            write(&mut line, r);
            match self.format {
                Format::Ndjson => {
                    out.write_all(&line)?;
                    out.write_all(b"\n")?;
                }
                Format::Json => {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(&line)?;
                }
                Format::Csv | Format::AzureStorage | Format::LogAnalytics => {
                    crate::export_csv::row(&mut out, columns, &line)?
                }
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        if self.format == Format::Json {
            out.write_all(b"]}\n")?;
        }
        out.flush()?;
        Ok(())
    }
}

/// `entrasim ca`: the local CA's path and PEM.
pub fn print_ca(data_dir: Option<&Path>, bundle: bool) -> Result<(), CommandError> {
    let dir = data_dir.map_or_else(crate::tls::default_data_dir, Path::to_path_buf);
    let material = crate::tls::load_or_create(&dir, &[], crate::clock::wall_now())
        .map_err(|e| CommandError::Other(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if bundle {
        let system = crate::trust::system_bundle(std::env::var_os("SSL_CERT_FILE").map(Into::into));
        write!(
            out,
            "{}",
            crate::trust::bundle(system.as_deref(), &material.ca_pem)?
        )?;
        return Ok(());
    }
    writeln!(out, "{}", material.ca_cert_path.display())?;
    write!(out, "{}", material.ca_pem)?;
    Ok(())
}

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
        doc[name] = Value::Array(collection.objects(tenant, now));
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
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CommandError::Other(format!("cannot create {}: {e}", args.out.display())))?;
    let world = World::new(
        0,
        crate::app::plans(&settings, time.latency, now),
        ticks(now),
    );
    for logs in &world.tenants {
        let dir = if world.tenants.len() == 1 {
            args.out.clone()
        } else {
            args.out.join(&logs.plan.tenant.id)
        };
        std::fs::create_dir_all(&dir)?;
        write_all(&dir, logs, now, version, args.format)?;
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
    write_log(dir, "signIns", format, version, &sign_ins, |out, r| {
        crate::model::sign_in::write(out, plan, r, version)
    })?;
    let audits = served(logs, t, |_: &crate::store::records::Audit| true);
    write_log(
        dir,
        "directoryAudits",
        format,
        version,
        &audits,
        |out, r| crate::model::audit::write(out, plan, r, version),
    )?;
    let provisioning = served(logs, t, |_: &crate::store::records::Provisioning| true);
    write_log(
        dir,
        "provisioning",
        format,
        version,
        &provisioning,
        |out, r| crate::model::provisioning::write(out, plan, r, version),
    )?;
    for collection in COLLECTIONS {
        let name = collection.path().rsplit('/').next().unwrap_or_default();
        let objects = collection.objects(&plan.tenant, now);
        write_values(dir, name, format, version, &objects)?;
    }
    Ok(())
}

fn progress(total: usize, name: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || total < 100_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_message(name.to_string());
    bar
}

fn write_log<R>(
    dir: &Path,
    name: &str,
    format: Format,
    version: ApiVersion,
    records: &[R],
    write: impl Fn(&mut Vec<u8>, &R),
) -> Result<(), CommandError> {
    let bar = progress(records.len(), name);
    let mut lines = Vec::with_capacity(records.len());
    for r in records {
        let mut line = Vec::with_capacity(1500);
        write(&mut line, r);
        lines.push(line);
        bar.inc(1);
    }
    bar.finish_and_clear();
    write_lines(dir, name, format, version, &lines)
}

fn write_values(
    dir: &Path,
    name: &str,
    format: Format,
    version: ApiVersion,
    values: &[Value],
) -> Result<(), CommandError> {
    let lines: Vec<Vec<u8>> = values
        .iter()
        .map(|v| serde_json::to_vec(v).expect("json"))
        .collect();
    write_lines(dir, name, format, version, &lines)
}

fn write_lines(
    dir: &Path,
    name: &str,
    format: Format,
    version: ApiVersion,
    lines: &[Vec<u8>],
) -> Result<(), CommandError> {
    let extension = match format {
        Format::Ndjson => "ndjson",
        Format::Json => "json",
        Format::Csv => "csv",
    };
    let path = dir.join(format!("{name}.{extension}"));
    let file = std::fs::File::create(&path)
        .map_err(|e| CommandError::Other(format!("cannot write {}: {e}", path.display())))?;
    let mut out = BufWriter::new(file);
    match format {
        Format::Ndjson => {
            for line in lines {
                out.write_all(line)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Json => {
            let v = if version == ApiVersion::V1 {
                "v1.0"
            } else {
                "beta"
            };
            write!(
                out,
                "{{\"@odata.context\":\"https://graph.microsoft.com/{v}/$metadata#{name}\",\"value\":["
            )?;
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(line)?;
            }
            out.write_all(b"]}\n")?;
        }
        Format::Csv => crate::export_csv::write(&mut out, lines)?,
    }
    out.flush()?;
    Ok(())
}

/// `entrasim ca`: the local CA's path and PEM.
pub fn print_ca(data_dir: Option<&Path>) -> Result<(), CommandError> {
    let dir = data_dir.map_or_else(crate::tls::default_data_dir, Path::to_path_buf);
    let material = crate::tls::load_or_create(&dir, &[], crate::clock::wall_now())
        .map_err(|e| CommandError::Other(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", material.ca_cert_path.display())?;
    write!(out, "{}", material.ca_pem)?;
    Ok(())
}

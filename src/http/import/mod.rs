//! Bring your own records: `serve --import DIR` and `POST /_entrasim/import`
//! load exported sign-ins, audits and provisioning records (Graph pages or
//! NDJSON). Each record keeps every property it has (its id and time
//! included) as supplied properties over a record completed from the tenant,
//! so it is served, filtered and paged like a generated one. A file with a bad
//! record loads nothing unless the import is lenient; problems are named by
//! file, line and field.

pub mod files;

use super::error::GraphError;
use super::inject::{Failed, Injected, Mode, Ready, check_all, store_all};
use super::middleware::JSON;
use crate::app::AppState;
use crate::store::World;
use crate::store::records::{Audit, Provisioning, SignIn};
use actix_web::{HttpRequest, HttpResponse, web};
use files::LogName;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

/// One problem of an import: where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    /// `field: what is wrong`.
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.detail)
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// (file, log, records loaded).
    pub loaded: Vec<(String, LogName, usize)>,
    /// Files not holding one of the three logs (directory collections, CSV).
    pub skipped: Vec<String>,
    pub problems: Vec<Problem>,
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("import: cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("import: {first}{more}")]
    Invalid { first: Problem, more: String },
}

impl ImportError {
    fn invalid(problems: &[Problem]) -> Option<ImportError> {
        let first = problems.first()?.clone();
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more problems)", n - 1),
        };
        Some(ImportError::Invalid { first, more })
    }
}

/// Imports every file of `dir` (by name order). Strict: any problem fails
/// the whole import before anything is stored. Lenient: bad records are
/// reported and the rest loaded.
pub fn import_dir(state: &AppState, dir: &Path, lenient: bool) -> Result<Outcome, ImportError> {
    let read = |e| ImportError::Read(dir.display().to_string(), e);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ImportError::Read(path.display().to_string(), e))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let ext = path
            .extension()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let name = path.display().to_string();
        let json = ["json", "ndjson", "jsonl"].contains(&ext.to_ascii_lowercase().as_str());
        files.push((name, json.then(|| LogName::recognise(stem)).flatten(), text));
    }
    import_texts(state, files, lenient)
}

/// Imports named texts (log from the page's context, else the name). Every
/// file is checked before anything is stored; a strict import stores nothing
/// if any record has a problem, a lenient one every good record.
pub fn import_texts(
    state: &AppState,
    files: Vec<(String, Option<LogName>, String)>,
    lenient: bool,
) -> Result<Outcome, ImportError> {
    let mut outcome = Outcome::default();
    let world = state.world();
    let mut ids = BTreeSet::new();
    let mut pending = Vec::new();
    let mut named = Vec::new();
    for (name, log, text) in files {
        let parsed = match files::parse(&text) {
            Err(e) if log.is_some() => {
                outcome.problems.push(problem(&name, e.line, e.message));
                continue;
            }
            Ok(p) if p.context.or(log).is_some() => p,
            _ => {
                outcome.skipped.push(name);
                continue;
            }
        };
        let log = parsed.context.or(log).unwrap_or(LogName::SignIns);
        let items: Vec<_> = parsed.records.iter().map(|r| r.record.clone()).collect();
        let (batch, failed) = match log {
            LogName::SignIns => checked(state, &world, &items, &mut ids, Batch::SignIns),
            LogName::DirectoryAudits => checked(state, &world, &items, &mut ids, Batch::Audits),
            LogName::Provisioning => checked(state, &world, &items, &mut ids, Batch::Provisioning),
        };
        let bad: BTreeSet<usize> = failed.iter().map(|(i, _)| *i).collect();
        for (i, problems) in failed {
            for p in problems {
                outcome
                    .problems
                    .push(problem(&name, parsed.records[i].line, p));
            }
        }
        let good = items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !bad.contains(i));
        named.extend(good.map(|(_, record)| record));
        pending.push((name, log, batch));
    }
    if !lenient && let Some(e) = ImportError::invalid(&outcome.problems) {
        return Err(e);
    }
    for (name, log, batch) in pending {
        let n = batch.store(state).map_err(|e| ImportError::Invalid {
            first: problem(&name, 0, e.message),
            more: String::new(),
        })?;
        outcome.loaded.push((name, log, n));
    }
    add_principals(state, &named);
    Ok(outcome)
}

/// Adds the users, apps and service principals the stored records name and
/// the tenant (0, where imports go) lacks.
fn add_principals(state: &AppState, records: &[serde_json::Value]) {
    if records.is_empty() {
        return;
    }
    state.update(|world| {
        let logs = &mut world.tenants[0];
        let plan = logs.plan.clone();
        let principals = std::sync::Arc::make_mut(&mut logs.principals);
        for record in records {
            principals.note(&plan.tenant, record);
        }
    });
}

/// Checked records of one file, ready to file.
enum Batch {
    SignIns(Vec<Ready<SignIn>>),
    Audits(Vec<Ready<Audit>>),
    Provisioning(Vec<Ready<Provisioning>>),
}

impl Batch {
    fn store(self, state: &AppState) -> Result<usize, GraphError> {
        Ok(match self {
            Batch::SignIns(r) => store_all(state, r)?.len(),
            Batch::Audits(r) => store_all(state, r)?.len(),
            Batch::Provisioning(r) => store_all(state, r)?.len(),
        })
    }
}

fn checked<R: Injected>(
    state: &AppState,
    world: &World,
    items: &[serde_json::Value],
    ids: &mut BTreeSet<String>,
    wrap: fn(Vec<Ready<R>>) -> Batch,
) -> (Batch, Vec<Failed>) {
    let (ready, failed) = check_all::<R>(state, world, items, Mode::Import, ids);
    (wrap(ready), failed)
}

/// Logs what a startup import loaded, skipped and (leniently) left out.
pub fn log_outcome(outcome: &Outcome) {
    for (file, log, n) in &outcome.loaded {
        tracing::info!("import: {file}: {n} {} records", log.as_str());
    }
    for file in &outcome.skipped {
        tracing::info!("import: {file}: skipped (not a sign-in, audit or provisioning file)");
    }
    for problem in &outcome.problems {
        tracing::warn!("import: {problem} (record left out)");
    }
}

fn problem(file: &str, line: usize, detail: String) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        detail,
    }
}

/// `POST /_entrasim/import[?log=signIns|directoryAudits|provisioning][&lenient=true]`:
/// the body is one exported file (a Graph page, an array or NDJSON).
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let (log, lenient) = import_options(req.query_string())?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| GraphError::bad_request("The body must be UTF-8 text."))?;
    if text.trim().is_empty() {
        return Err(GraphError::bad_request(
            "The body is empty: send a Graph page or NDJSON.",
        ));
    }
    let outcome = import_texts(&state, vec![("body".into(), log, text)], lenient)
        .map_err(|e| GraphError::bad_request(e.to_string()))?;
    if outcome.loaded.is_empty()
        && let Some(problem) = outcome.problems.first()
    {
        return Err(GraphError::bad_request(format!("import: {problem}")));
    }
    if outcome.loaded.is_empty() {
        return Err(GraphError::bad_request(
            "Which log the body holds is unknown: add ?log=signIns, directoryAudits or provisioning, or send a page with its @odata.context.",
        ));
    }
    let (_, log, n) = &outcome.loaded[0];
    let problems: Vec<String> = outcome.problems.iter().map(|p| p.to_string()).collect();
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .body(json!({"log": log.as_str(), "imported": n, "problems": problems}).to_string()))
}

fn import_options(query: &str) -> Result<(Option<LogName>, bool), GraphError> {
    let (mut log, mut lenient) = (None, false);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "log" => {
                log = Some(LogName::recognise(&value).ok_or_else(|| {
                    GraphError::bad_request(format!(
                        "log: '{value}' is not signIns, directoryAudits or provisioning"
                    ))
                })?);
            }
            "lenient" => lenient = matches!(value.as_ref(), "true" | "1" | "yes"),
            other => {
                return Err(GraphError::bad_request(format!(
                    "Unknown query parameter '{other}' (known: log, lenient)."
                )));
            }
        }
    }
    Ok((log, lenient))
}

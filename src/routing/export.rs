//! `generate --format azure-storage` (the blob tree a storage destination holds) and
//! `generate --format log-analytics` (one JSON-lines and one CSV file per table, with
//! its schema), from the records the API serves at the clock's reading.

use super::category::Category;
use super::deliver::blob_path;
use super::envelope::Shape;
use super::tables::{Table, table};
use super::window::{self, Item, Mark};
use crate::store::TenantLogs;
use crate::store::records::Ticks;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// `2026-06-01T11:57:10.1234567Z`.
pub fn time7(at: Ticks) -> String {
    crate::model::ids::time7(at)
}

/// Every record the API serves at `now`, of the routed categories, in visibility order.
fn served(logs: &TenantLogs, now: Ticks) -> Vec<(Mark, Item)> {
    let from = now - crate::store::retention_ticks(&logs.plan);
    let all: Vec<Category> = Category::routed_all().collect();
    window::marks(logs, &all, (i64::MIN, 0, 0), now, usize::MAX)
        .into_iter()
        .filter(|(_, item)| item_time(item) >= from && item_time(item) <= now)
        .collect()
}

fn item_time(item: &Item) -> Ticks {
    use crate::store::records::Record;
    match item {
        Item::SignIn(r) => r.at(),
        Item::Audit(r) => r.at(),
        Item::Provisioning(r) => r.at(),
    }
}

/// The storage tree: `insights-logs-{category}/tenantId=.../PT1H.json`, JSON lines.
pub fn azure_storage(dir: &Path, logs: &TenantLogs, now: Ticks) -> std::io::Result<()> {
    let plan = &logs.plan;
    let mut files: BTreeMap<std::path::PathBuf, BufWriter<std::fs::File>> = BTreeMap::new();
    for (_, item) in served(logs, now) {
        let routed = item.route(plan, Shape::Full);
        let path = dir
            .join(routed.category.container())
            .join(blob_path(&plan.tenant.id, item.visible_at()));
        if let std::collections::btree_map::Entry::Vacant(slot) = files.entry(path.clone()) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            slot.insert(BufWriter::new(std::fs::File::create(&path)?));
        }
        let out = files.get_mut(&path).expect("opened");
        serde_json::to_writer(&mut *out, &routed.envelope)?;
        out.write_all(b"\n")?;
    }
    for (_, mut out) in files {
        out.flush()?;
    }
    Ok(())
}

/// The workspace id a tenant's tables carry in `TenantId` (deterministic per seed).
pub fn workspace_id(logs: &TenantLogs) -> String {
    crate::rng::guid_for(logs.plan.tenant.seed, 0x776f_726b, 0, 0)
}

/// Records one thread renders at a time.
const CHUNK: usize = 16_384;

type Files = (BufWriter<std::fs::File>, BufWriter<std::fs::File>);

/// One file pair per table: `{Table}.json` (JSON lines), `{Table}.csv`, `{Table}.schema.json`.
/// Rows are rendered in chunks on every core and written in order.
pub fn log_analytics(dir: &Path, logs: &TenantLogs, now: Ticks) -> std::io::Result<()> {
    let workspace = workspace_id(logs);
    let mut tables: BTreeMap<&'static str, Table> = BTreeMap::new();
    let mut files: BTreeMap<&'static str, Files> = BTreeMap::new();
    for category in Category::routed_all() {
        let t = table(category.name).expect("routed categories have tables");
        let create = |ext: &str| std::fs::File::create(dir.join(format!("{}.{ext}", t.name)));
        let json = BufWriter::with_capacity(1 << 20, create("json")?);
        let mut csv = BufWriter::with_capacity(1 << 20, create("csv")?);
        let header: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
        writeln!(csv, "{}", header.join(","))?;
        std::fs::write(
            dir.join(format!("{}.schema.json", t.name)),
            schema(&t).to_string() + "\n",
        )?;
        files.insert(category.name, (json, csv));
        tables.insert(category.name, t);
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let items = served(logs, now);
    for wave in items.chunks(CHUNK * workers) {
        let rendered: Vec<Rendered> = std::thread::scope(|scope| {
            let handles: Vec<_> = wave
                .chunks(CHUNK)
                .map(|chunk| scope.spawn(|| render(logs, &tables, &workspace, chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("render thread"))
                .collect()
        });
        for chunk in rendered {
            for (name, (json, csv)) in chunk {
                let (j, c) = files.get_mut(name).expect("opened");
                j.write_all(&json)?;
                c.write_all(&csv)?;
            }
        }
    }
    for (_, (mut json, mut csv)) in files {
        json.flush()?;
        csv.flush()?;
    }
    Ok(())
}

/// Per table, the JSON lines and CSV rows of a chunk.
type Rendered = BTreeMap<&'static str, (Vec<u8>, Vec<u8>)>;

fn render(
    logs: &TenantLogs,
    tables: &BTreeMap<&'static str, Table>,
    workspace: &str,
    chunk: &[(Mark, Item)],
) -> Rendered {
    let mut out = Rendered::new();
    for (_, item) in chunk {
        let routed = item.route(&logs.plan, Shape::Lean);
        let name = routed.category.name;
        let row = tables[name].row(&routed, workspace);
        let (json, csv) = out.entry(name).or_default();
        serde_json::to_writer(&mut *json, &row).expect("writing to a Vec cannot fail");
        json.push(b'\n');
        csv_row(csv, &row).expect("writing to a Vec cannot fail");
    }
    out
}

/// The table's columns as Log Analytics' query API lists them (B5).
fn schema(t: &Table) -> Value {
    json!({"name": t.name, "columns": t.columns.iter().map(|(n, k)| json!({"name": n, "type": k.as_str()})).collect::<Vec<_>>()})
}

fn csv_row(out: &mut impl Write, row: &Map<String, Value>) -> std::io::Result<()> {
    for (i, value) in row.values().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if text.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", text.replace('"', "\"\""))?;
        } else {
            out.write_all(text.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

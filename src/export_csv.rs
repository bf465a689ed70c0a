//! CSV output of `generate`: one row per record, one column per leaf property
//! (nested properties joined with `.`, arrays as their JSON text), columns in
//! order of first appearance.

use serde_json::Value;
use std::io::Write;

/// Writes JSON objects (one per line) as CSV.
pub fn write(out: &mut impl Write, lines: &[Vec<u8>]) -> std::io::Result<()> {
    let rows: Vec<Vec<(String, String)>> = lines
        .iter()
        .map(|line| {
            let value: Value = serde_json::from_slice(line).unwrap_or(Value::Null);
            let mut cells = Vec::new();
            flatten("", &value, &mut cells);
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for (name, _) in row {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    writeln!(
        out,
        "{}",
        columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(",")
    )?;
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(n, _)| n == c)
                    .map_or(String::new(), |(_, v)| quote(v))
            })
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

fn flatten(prefix: &str, value: &Value, cells: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, cells);
            }
        }
        Value::Null => cells.push((prefix.to_string(), String::new())),
        Value::String(s) => cells.push((prefix.to_string(), s.clone())),
        other => cells.push((prefix.to_string(), other.to_string())),
    }
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_become_dotted_columns_and_commas_are_quoted() {
        let mut out = Vec::new();
        write(&mut out, &[br#"{"a":1,"b":{"c":"x,y"}}"#.to_vec()]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b.c\n1,\"x,y\"\n");
    }
}

//! Hand-rolled reader for the tab-separated seed tables: header check, column count, typed cells.

use std::str::FromStr;

use super::CatalogError;

/// One data row of a table, with what is needed to report a problem in it.
pub(super) struct Row<'a> {
    file: &'static str,
    line: usize,
    columns: &'static [&'static str],
    cells: Vec<&'a str>,
}

/// Parses every data row of `text` with `row`, after checking the header equals `columns`.
pub(super) fn parse<'a, T>(
    file: &'static str,
    text: &'a str,
    columns: &'static [&'static str],
    mut row: impl FnMut(&Row<'a>) -> Result<T, CatalogError>,
) -> Result<Vec<T>, CatalogError> {
    let mut lines = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l));
    check_header(file, lines.next(), columns)?;
    let mut out = Vec::new();
    for (index, line) in lines.enumerate() {
        out.push(row(&split(file, index + 2, line, columns)?)?);
    }
    if out.is_empty() {
        return Err(CatalogError::Table {
            file,
            problem: "has no data rows".into(),
        });
    }
    Ok(out)
}

fn check_header(
    file: &'static str,
    header: Option<&str>,
    columns: &[&str],
) -> Result<(), CatalogError> {
    let expected = columns.join("\t");
    match header {
        Some(found) if found == expected => Ok(()),
        found => Err(CatalogError::Header {
            file,
            found: found.unwrap_or_default().replace('\t', " | "),
            expected: expected.replace('\t', " | "),
        }),
    }
}

fn split<'a>(
    file: &'static str,
    line: usize,
    text: &'a str,
    columns: &'static [&'static str],
) -> Result<Row<'a>, CatalogError> {
    let row = Row {
        file,
        line,
        columns,
        cells: text.split('\t').collect(),
    };
    if row.cells.len() != columns.len() {
        return Err(row.error(format!(
            "has {} columns, expected {}",
            row.cells.len(),
            columns.len()
        )));
    }
    if let Some(i) = row.cells.iter().position(|c| c.trim() != *c) {
        return Err(row.error(format!("{} has leading or trailing whitespace", columns[i])));
    }
    Ok(row)
}

impl<'a> Row<'a> {
    /// An error naming this row's file and line.
    pub(super) fn error(&self, problem: impl Into<String>) -> CatalogError {
        CatalogError::Row {
            file: self.file,
            line: self.line,
            problem: problem.into(),
        }
    }

    /// The raw cell of column `i` (may be empty).
    pub(super) fn raw(&self, i: usize) -> &'a str {
        self.cells[i]
    }

    /// The non-empty text of column `i`.
    pub(super) fn text(&self, i: usize) -> Result<String, CatalogError> {
        match self.cells[i] {
            "" => Err(self.error(format!("{} is empty", self.columns[i]))),
            cell => Ok(cell.to_string()),
        }
    }

    /// Column `i` parsed as a number.
    pub(super) fn number<T: FromStr>(&self, i: usize) -> Result<T, CatalogError> {
        self.cells[i].parse().map_err(|_| {
            self.error(format!(
                "{} {:?} is not a number",
                self.columns[i], self.cells[i]
            ))
        })
    }

    /// Column `i` as `true` or `false`.
    pub(super) fn flag(&self, i: usize) -> Result<bool, CatalogError> {
        match self.cells[i] {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(self.error(format!(
                "{} {other:?} is not true or false",
                self.columns[i]
            ))),
        }
    }

    /// Column `i` split on `|` (an empty cell is an empty list).
    pub(super) fn list(&self, i: usize) -> Result<Vec<String>, CatalogError> {
        if self.cells[i].is_empty() {
            return Ok(Vec::new());
        }
        let items: Vec<String> = self.cells[i].split('|').map(str::to_string).collect();
        match items.iter().any(|s| s.is_empty() || s.trim() != s) {
            true => Err(self.error(format!(
                "{} {:?} has an empty or padded item",
                self.columns[i], self.cells[i]
            ))),
            false => Ok(items),
        }
    }

    /// Column `i` mapped through `parse`, which knows the allowed spellings.
    pub(super) fn choice<T>(
        &self,
        i: usize,
        allowed: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, CatalogError> {
        parse(self.cells[i]).ok_or_else(|| {
            self.error(format!(
                "{} {:?} is not one of {allowed}",
                self.columns[i], self.cells[i]
            ))
        })
    }

    /// Column `i` as a lowercase GUID.
    pub(super) fn guid(&self, i: usize) -> Result<String, CatalogError> {
        match is_lowercase_guid(self.cells[i]) {
            true => Ok(self.cells[i].to_string()),
            false => Err(self.error(format!(
                "{} {:?} is not a lowercase GUID",
                self.columns[i], self.cells[i]
            ))),
        }
    }
}

/// Whether `s` looks like `0123abcd-...` in the 8-4-4-4-12 layout with lowercase hex digits.
pub(super) fn is_lowercase_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

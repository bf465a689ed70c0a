//! Destinations: a storage account (Azure Blob Storage or a local directory with the
//! same layout) and an event hub (message bodies to a directory or stdout). Each
//! remembers how far it got per blob or hub, so a retried batch is never written twice.

use super::blob::{Account, BlobError};
use super::window::Mark;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

/// Azure Storage's largest Append Block (4 MiB, the limit before service version 2022-11-02).
pub const MAX_APPEND: usize = 4 * 1024 * 1024;
/// The largest event Event Hubs accepts (1 MB on Standard and on the emulator, S31).
pub const MAX_MESSAGE: usize = 1024 * 1024;

/// One record on its way: its mark, container (or hub), blob path and JSON line.
#[derive(Debug, Clone)]
pub struct Line {
    pub mark: Mark,
    pub container: String,
    pub blob: String,
    pub json: Vec<u8>,
}

/// Why a delivery failed (the batch is retried).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Where a storage account's blobs go.
#[derive(Debug, Clone)]
pub enum StorageTarget {
    Blob(Account),
    Dir(PathBuf),
}

/// Where event-hub messages go.
#[derive(Debug, Clone)]
pub enum HubTarget {
    Dir(PathBuf),
    Stdout,
}

/// Groups lines by (container, blob), keeping order, dropping what `done` has.
fn pending<'a>(
    lines: &'a [Line],
    done: &BTreeMap<(String, String), Mark>,
) -> BTreeMap<(String, String), Vec<&'a Line>> {
    let mut groups: BTreeMap<(String, String), Vec<&Line>> = BTreeMap::new();
    for line in lines {
        let key = (line.container.clone(), line.blob.clone());
        if done.get(&key).is_some_and(|m| line.mark <= *m) {
            continue;
        }
        groups.entry(key).or_default().push(line);
    }
    groups
}

/// Splits lines into blocks of at most `max` bytes (a longer line is a block alone).
fn blocks<'a>(lines: &[&'a Line], max: usize) -> Vec<Vec<&'a Line>> {
    let mut out: Vec<Vec<&Line>> = Vec::new();
    let mut size = 0;
    for line in lines {
        let len = line.json.len() + 1;
        if out.is_empty() || size + len > max {
            out.push(Vec::new());
            size = 0;
        }
        size += len;
        out.last_mut().expect("pushed").push(line);
    }
    out
}

/// A storage account destination with what it has written so far.
#[derive(Debug)]
pub struct StorageSink {
    target: StorageTarget,
    containers: BTreeSet<String>,
    lengths: BTreeMap<(String, String), u64>,
    done: BTreeMap<(String, String), Mark>,
}

impl StorageSink {
    pub fn new(target: StorageTarget) -> StorageSink {
        StorageSink {
            target,
            containers: BTreeSet::new(),
            lengths: BTreeMap::new(),
            done: BTreeMap::new(),
        }
    }

    /// Appends every line not written yet, one JSON record per line.
    pub async fn deliver(&mut self, lines: &[Line]) -> Result<(), SinkError> {
        for (key, group) in pending(lines, &self.done) {
            for block in blocks(&group, MAX_APPEND) {
                let mut bytes = Vec::new();
                for line in &block {
                    bytes.extend_from_slice(&line.json);
                    bytes.push(b'\n');
                }
                self.append(&key, bytes).await?;
                let last = block.last().expect("non-empty").mark;
                self.done.insert(key.clone(), last);
            }
        }
        Ok(())
    }

    async fn append(&mut self, key: &(String, String), bytes: Vec<u8>) -> Result<(), SinkError> {
        let (container, blob) = key;
        match &self.target {
            StorageTarget::Dir(root) => append_file(&root.join(container).join(blob), &bytes),
            StorageTarget::Blob(account) => {
                let account = account.clone();
                let result = self.append_blob(&account, container, blob, bytes).await;
                if result.is_err() {
                    // Learn the blob afresh next time (it may be gone or longer).
                    self.lengths.remove(key);
                    self.containers.remove(container);
                }
                result
            }
        }
    }

    async fn append_blob(
        &mut self,
        account: &Account,
        container: &str,
        blob: &str,
        bytes: Vec<u8>,
    ) -> Result<(), SinkError> {
        if !self.containers.contains(container) {
            account.create_container(container).await?;
            self.containers.insert(container.to_string());
        }
        let key = (container.to_string(), blob.to_string());
        let at = match self.lengths.get(&key) {
            Some(at) => *at,
            None => account.open_append_blob(container, blob).await?,
        };
        let end = account.append(container, blob, at, bytes).await?;
        self.lengths.insert(key, end);
        Ok(())
    }
}

fn append_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), SinkError> {
    let io = |source| SinkError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(bytes).map_err(io)
}

/// `{"records":[...]}` bodies of at most [`MAX_MESSAGE`] bytes, records in order.
pub fn messages(records: &[&Line]) -> Vec<(Mark, Vec<u8>)> {
    const FRAME: usize = b"{\"records\":[]}".len();
    let mut out = Vec::new();
    for block in blocks(records, MAX_MESSAGE - FRAME) {
        let mut body = b"{\"records\":[".to_vec();
        for (i, line) in block.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(&line.json);
        }
        body.extend_from_slice(b"]}");
        out.push((block.last().expect("non-empty").mark, body));
    }
    out
}

/// An event hub destination: per hub, the messages sent and the last record sent.
#[derive(Debug)]
pub struct HubSink {
    target: HubTarget,
    sent: BTreeMap<String, u64>,
    done: BTreeMap<(String, String), Mark>,
}

impl HubSink {
    pub fn new(target: HubTarget) -> HubSink {
        HubSink {
            target,
            sent: BTreeMap::new(),
            done: BTreeMap::new(),
        }
    }

    /// Sends the lines as batches, one hub per `container` (the line's hub name).
    pub fn deliver(&mut self, lines: &[Line]) -> Result<(), SinkError> {
        let by_hub: Vec<Line> = lines
            .iter()
            .map(|l| Line {
                blob: String::new(),
                ..l.clone()
            })
            .collect();
        for ((hub, _), group) in pending(&by_hub, &self.done) {
            for (mark, body) in messages(&group) {
                self.send(&hub, &body)?;
                self.done.insert((hub.clone(), String::new()), mark);
            }
        }
        Ok(())
    }

    fn send(&mut self, hub: &str, body: &[u8]) -> Result<(), SinkError> {
        let seq = self.sent.entry(hub.to_string()).or_insert(0);
        match &self.target {
            HubTarget::Stdout => {
                let mut out = std::io::stdout().lock();
                let io = |source| SinkError::Io {
                    path: "stdout".into(),
                    source,
                };
                out.write_all(body).map_err(io)?;
                out.write_all(b"\n").map_err(io)?;
            }
            HubTarget::Dir(root) => {
                let dir = root.join(hub);
                let path = dir.join(format!("{:08}.json", *seq));
                let io = |source| SinkError::Io {
                    path: path.display().to_string(),
                    source,
                };
                std::fs::create_dir_all(&dir).map_err(io)?;
                std::fs::write(&path, body).map_err(io)?;
            }
        }
        *seq += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64, size: usize) -> Line {
        Line {
            mark: (n as i64, 0, n),
            container: "c".into(),
            blob: "b".into(),
            json: vec![b'1'; size],
        }
    }

    #[test]
    fn messages_stay_under_the_size_limit_and_hold_every_record_once() {
        let lines: Vec<Line> = (0..50).map(|n| line(n, 100_000)).collect();
        let refs: Vec<&Line> = lines.iter().collect();
        let bodies = messages(&refs);
        assert!(bodies.iter().all(|(_, b)| b.len() <= MAX_MESSAGE));
        let total: usize = bodies
            .iter()
            .map(|(_, b)| b.iter().filter(|c| **c == b',').count() + 1)
            .sum();
        assert_eq!(total, 50);
        assert!(bodies.len() >= 5);
    }

    #[test]
    fn lines_already_written_are_skipped() {
        let lines: Vec<Line> = (0..4).map(|n| line(n, 10)).collect();
        let mut done = BTreeMap::new();
        done.insert(("c".to_string(), "b".to_string()), (1, 0, 1));
        let groups = pending(&lines, &done);
        assert_eq!(groups.values().next().unwrap().len(), 2);
    }
}

//! Soak: concurrent clients walk every page of the sign-ins while the clock
//! moves; reports unexpected errors, latency percentiles per minute and the
//! server's resident memory. Started by `bench/soak.sh`.
//!
//! Usage: soak <base url> <server pid> <clients> <seconds>

use std::time::{Duration, Instant};

fn rss_kb(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The nextLink, read from the page's head without parsing the whole page.
fn next_link(body: &[u8]) -> Option<String> {
    let head = std::str::from_utf8(&body[..body.len().min(4096)]).ok()?;
    const KEY: &str = "\"@odata.nextLink\":\"";
    let start = head.find(KEY)? + KEY.len();
    let end = start + head[start..].find('"')?;
    Some(head[start..end].to_string())
}

async fn walker(
    client: reqwest::Client,
    base: String,
    until: Instant,
    log: tokio::sync::mpsc::UnboundedSender<(Instant, Duration, bool)>,
) {
    let start = format!("{base}/v1.0/auditLogs/signIns?$top=1000");
    let mut next = start.clone();
    while Instant::now() < until {
        let began = Instant::now();
        let result = client.get(&next).send().await;
        let ok = match result {
            Ok(r) if r.status() == 200 => {
                let body = r.bytes().await.unwrap_or_default();
                next = next_link(&body).unwrap_or_else(|| start.clone());
                body.ends_with(b"]}")
            }
            _ => {
                // Count the failure and start over, without hammering a failing server.
                next = start.clone();
                tokio::time::sleep(Duration::from_millis(100)).await;
                false
            }
        };
        let _ = log.send((Instant::now(), began.elapsed(), ok));
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, pid) = (args[1].clone(), args[2].clone());
    let clients: usize = args[3].parse().unwrap();
    let seconds: u64 = args[4].parse().unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let http = reqwest::Client::new();
    for _ in 0..clients {
        tokio::spawn(walker(http.clone(), base.clone(), until, tx.clone()));
    }
    let ticker = http.clone();
    let clock = format!("{base}/_entrasim/clock");
    let ticks = tokio::spawn(async move {
        let (mut moved, mut failed) = (0u64, 0u64);
        while Instant::now() < until {
            let answer = ticker
                .post(&clock)
                .body(r#"{"advance": "PT1M"}"#)
                .send()
                .await;
            match answer {
                Ok(r) if r.status() == 200 => moved += 1,
                _ => failed += 1,
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        (moved, failed)
    });
    drop(tx);
    let t0 = Instant::now();
    let (mut minute, mut latencies, mut errors, mut total) = (0u64, Vec::new(), 0u64, 0u64);
    let mut failures = 0u64;
    println!("minute  requests  errors  p50_ms  p99_ms  rss_kb");
    let report = |minute: u64, latencies: &mut Vec<Duration>, errors: u64| {
        latencies.sort();
        let q = |p: f64| {
            latencies
                .get(((latencies.len() as f64) * p) as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{minute:>6}  {:>8}  {errors:>6}  {:>6.1}  {:>6.1}  {:>6}",
            latencies.len(),
            q(0.5),
            q(0.99),
            rss_kb(&pid)
        );
    };
    while let Some((done, took, ok)) = rx.recv().await {
        let m = done.duration_since(t0).as_secs() / 60;
        if m != minute {
            report(minute, &mut latencies, errors);
            (minute, errors) = (m, 0);
            latencies.clear();
        }
        total += 1;
        if ok {
            latencies.push(took)
        } else {
            errors += 1;
            failures += 1;
        }
    }
    report(minute, &mut latencies, errors);
    let (moved, failed) = ticks.await.unwrap_or_default();
    println!(
        "total requests {total}, errors {failures}; clock moved {moved} minutes, {failed} clock requests failed"
    );
}

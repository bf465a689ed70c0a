//! Same seed and clock, same bytes: golden hashes of the tenant and of `generate`.
//! If generation changes on purpose, update the hashes in the same commit.

use sha2::{Digest, Sha256};
use std::process::Command;

fn entrasim(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args(args)
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_tenant_of_seed_7_has_its_golden_hash() {
    let json = entrasim(&[
        "tenant",
        "--json",
        "--seed",
        "7",
        "--clock",
        "fixed:2026-06-01T12:00:00Z",
    ]);
    assert_eq!(
        hex(&json),
        include_str!("golden/tenant-seed-7.sha256").trim()
    );
}

#[test]
fn seed_8_gives_another_tenant_than_seed_7() {
    let tenant = |seed: &str| {
        entrasim(&[
            "tenant",
            "--json",
            "--seed",
            seed,
            "--clock",
            "fixed:2026-06-01T12:00:00Z",
        ])
    };
    let (seven, eight) = (tenant("7"), tenant("8"));
    assert_ne!(hex(&seven), hex(&eight));
    let ids = |json: &[u8]| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
        doc["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (ids(&seven), ids(&eight));
    assert!(
        a.iter().all(|id| !b.contains(id)),
        "seeds 7 and 8 share user ids"
    );
}

#[test]
fn generated_logs_of_seed_7_have_their_golden_hashes() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path();
    entrasim(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        "7",
        "--preset",
        "small",
        "--clock",
        "fixed:2026-06-01T12:00:00Z",
        "--api-version",
        "beta",
    ]);
    let mut lines = Vec::new();
    for log in ["signIns", "directoryAudits", "provisioning", "activityLog"] {
        let bytes = std::fs::read(dir.join(format!("{log}.ndjson"))).unwrap();
        lines.push(format!("{log} {}", hex(&bytes)));
    }
    assert_eq!(
        lines.join("\n"),
        include_str!("golden/generate-seed-7-small.sha256").trim()
    );
}

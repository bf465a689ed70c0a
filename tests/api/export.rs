use crate::helpers::spawn;
use std::process::Command;

fn generate(dir: &std::path::Path, version: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args([
            "generate",
            "--out",
            dir.to_str().unwrap(),
            "--preset",
            "small",
            "--clock",
            "fixed:2026-06-01T12:00:00Z",
            "--api-version",
            version,
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

fn lines(path: std::path::PathBuf) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[actix_rt::test]
async fn generate_writes_exactly_what_the_api_serves() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path();
    let app = spawn(&[]).await;
    generate(dir, "v1.0");
    for log in ["signIns", "directoryAudits", "provisioning"] {
        let served = app.walk(&format!("/v1.0/auditLogs/{log}?$top=999")).await;
        let written = lines(dir.join(format!("{log}.ndjson")));
        assert!(
            served == written,
            "{log}: {} served, {} written",
            served.len(),
            written.len()
        );
    }
    let users = app.walk("/v1.0/users").await;
    assert!(users == lines(dir.join("users.ndjson")), "users differ");
    generate(dir, "beta");
    let all = "/beta/auditLogs/signIns?$top=999&$filter=signInEventTypes/any(t:t%20eq%20'interactiveUser'%20or%20t%20eq%20'nonInteractiveUser'%20or%20t%20eq%20'servicePrincipal'%20or%20t%20eq%20'managedIdentity')";
    let served = app.walk(all).await;
    let written = lines(dir.join("signIns.ndjson"));
    assert!(
        served == written,
        "beta sign-ins: {} served, {} written",
        served.len(),
        written.len()
    );
}

#[actix_rt::test]
async fn generate_writes_the_identity_protection_collections_the_api_serves() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path();
    let app = spawn(&[]).await;
    generate(dir, "v1.0");
    for name in [
        "riskDetections",
        "riskyUsers",
        "riskyServicePrincipals",
        "servicePrincipalRiskDetections",
    ] {
        let served = app
            .walk(&format!("/v1.0/identityProtection/{name}?$top=500"))
            .await;
        let written = lines(dir.join(format!("{name}.ndjson")));
        assert!(!written.is_empty(), "{name} is empty");
        assert!(
            served == written,
            "{name}: {} served, {} written",
            served.len(),
            written.len()
        );
    }
}

//! entrasim in a Rust test with Testcontainers' `GenericImage`. In your crate's `tests/`, with
//! dev-dependencies `testcontainers = "0.27"`, `tokio = { version = "1", features = ["macros", "rt-multi-thread"] }`
//! and `reqwest = { version = "0.12", features = ["json"] }`, `serde_json = "1"`.
//! Needs Docker and the image (`docker build -t entrasim .` at the repository root).

use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{GenericImage, ImageExt};

#[tokio::test]
async fn sign_ins_are_served() {
    let entrasim = GenericImage::new("entrasim", "latest")
        .with_exposed_port(8400.tcp())
        .with_exposed_port(8443.tcp())
        .with_wait_for(WaitFor::message_on_stdout("entrasim listening on https://")) // the readiness line
        .with_cmd(["--seed", "42", "--preset", "small", "--clock", "fixed:2026-06-01T12:00:00Z"])
        .start()
        .await
        .expect("entrasim starts");
    let port = entrasim.get_host_port_ipv4(8400).await.unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let ca_pem = reqwest::get(format!("{url}/_entrasim/ca.pem")).await.unwrap().text().await.unwrap();
    let page: serde_json::Value = reqwest::get(format!("{url}/v1.0/auditLogs/signIns?$top=5"))
        .await.unwrap().json().await.unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(page["value"].as_array().unwrap().len(), 5);
}

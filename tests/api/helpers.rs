//! Spawns the real server on port 0 and talks to it over loopback.

use clap::Parser;
use entrasim::app::ServeSettings;
use entrasim::cli::Cli;
use serde_json::Value;

/// A running server.
pub struct TestApp {
    pub url: String,
    pub https_url: Option<String>,
    pub client: reqwest::Client,
}

/// Starts a server with these extra flags (port 0, fixed clock and small preset unless overridden).
pub async fn spawn(extra: &[&str]) -> TestApp {
    let mut args = vec!["entrasim", "--port", "0"];
    if !extra.contains(&"--preset") {
        args.extend(["--preset", "small"]);
    }
    if !extra.contains(&"--throttle") {
        args.extend(["--throttle", "off"]);
    }
    if !extra.iter().any(|a| a.starts_with("--clock")) {
        args.extend(["--clock", "fixed:2026-06-01T12:00:00Z"]);
    }
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(args).expect("test flags parse");
    let settings = ServeSettings::from_args(&cli.serve).expect("test settings are valid");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let running = entrasim::http::start(settings).expect("server starts");
            tx.send(running.urls.clone()).expect("test waits");
            running.server.await.expect("server runs");
        })
    });
    let urls = rx.recv().expect("server reports its urls");
    // No idle pool: tests pause for seconds (a subprocess, a clock step), and a pooled
    // connection reused just as the server closes it fails with IncompleteMessage.
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    TestApp {
        url: urls[0].clone(),
        https_url: urls.get(1).cloned(),
        client,
    }
}

impl TestApp {
    /// GET a path; returns status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.get_with(path, &[]).await
    }

    /// GET with headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.url)
        };
        let mut request = self.client.get(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// GET returning the raw response.
    pub async fn raw(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request is answered")
    }

    /// GET with a bearer token; returns the status.
    pub async fn raw_with_token(&self, path: &str, token: &str) -> u16 {
        self.client
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("request is answered")
            .status()
            .as_u16()
    }

    /// POST JSON to a path.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// PUT JSON to a path.
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .put(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Follows nextLinks from `path`, returning every record in order.
    pub async fn walk(&self, path: &str) -> Vec<Value> {
        let mut records = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(link) = next {
            let (status, body) = self.get(&link).await;
            assert_eq!(status, 200, "{link}: {body}");
            records.extend(
                body["value"]
                    .as_array()
                    .expect("value array")
                    .iter()
                    .cloned(),
            );
            next = body["@odata.nextLink"].as_str().map(str::to_string);
        }
        records
    }

    /// Moves the simulated clock forward.
    pub async fn advance(&self, by: &str) {
        let (status, body) = self
            .post("/_entrasim/clock", serde_json::json!({"advance": by}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// Asserts a body is Graph's error envelope with this code.
pub fn assert_graph_error(body: &Value, code: &str) {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].is_string(), "{body}");
    for key in ["date", "request-id", "client-request-id"] {
        assert!(
            error["innerError"][key].is_string(),
            "innerError.{key} missing: {body}"
        );
    }
}

/// `entrasim tenant --json` for the tenant `spawn(extra)` serves (same preset
/// and clock defaults): the directory with its relationships (managers, owners,
/// members), which Graph's objects carry only on `$expand`.
pub fn tenant_document(extra: &[&str]) -> Value {
    let mut args = vec!["tenant", "--json"];
    if !extra.contains(&"--preset") {
        args.extend(["--preset", "small"]);
    }
    if !extra.iter().any(|a| a.starts_with("--clock")) {
        args.extend(["--clock", "fixed:2026-06-01T12:00:00Z"]);
    }
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args(&args)
        .output()
        .expect("entrasim tenant runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("tenant --json is JSON")
}

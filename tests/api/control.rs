//! The control surface: bad bodies, partial settings, reset, presets from files.

use crate::helpers::{TestApp, assert_graph_error, spawn};
use serde_json::{Value, json};

/// Sends a raw body (any bytes) to a control path.
async fn send(app: &TestApp, method: &str, path: &str, body: &str) -> (u16, Value) {
    let url = format!("{}{path}", app.url);
    let request = match method {
        "PUT" => app.client.put(url),
        _ => app.client.post(url),
    };
    let response = request
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// What a settings endpoint shows, to check a refused change left it alone.
async fn state_of(app: &TestApp) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "/_entrasim/clock",
        "/_entrasim/faults",
        "/_entrasim/throttling",
    ] {
        seen.push(app.get(path).await.1);
    }
    let (_, tenant) = app.get("/_entrasim/tenant").await;
    seen.push(json!([tenant["tenantId"], tenant["records"]]));
    seen
}

#[actix_rt::test]
async fn bad_control_bodies_answer_400_and_change_nothing() {
    let app = spawn(&[]).await;
    let table: &[(&str, &str, &[&str])] = &[
        (
            "POST",
            "/_entrasim/clock",
            &[
                "[]",
                "\"x\"",
                "not json",
                r#"{"advance": 1e15}"#,
                r#"{"advance": "P99999999D"}"#,
                r#"{"advance": "P3654D"}"#,
                r#"{"now": "9999-12-31T23:59:59Z"}"#,
                r#"{"advance": -1}"#,
                r#"{"now": "2026-06-01T13:00:00Z", "advance": "bogus"}"#,
                r#"{"now": "2026-06-01T13:00:00Z", "frozen": "yes"}"#,
                r#"{"now": 5}"#,
                r#"{"colour": 1}"#,
                "\n",
                "\u{c}",
            ],
        ),
        (
            "PUT",
            "/_entrasim/faults",
            &[
                "[]",
                "[1, 2]",
                "\"x\"",
                r#"{"delay": {"fixedMs": 999999999999}}"#,
                r#"{"delay": {"fixedMs": 10001}}"#,
                r#"{"delay": {"profile": "slow"}}"#,
                r#"{"delay": {"route": "users", "fixedMs": 5}}"#,
                r#"{"rules": [{"rate": 2, "fault": "503"}]}"#,
                r#"{"rules": [{"rate": 0.1, "fault": "418"}]}"#,
                r#"{"rules": [{"rate": 0.1, "fault": "503", "retryAfter": 1000}]}"#,
                r#"{"failPage": {"page": 0, "fault": "500"}}"#,
                r#"{"delay": [null, null]}"#,
                r#"{"failPage": [2, "504"]}"#,
                r#"{"rules": [[0.5, "503"]]}"#,
                r#"{"colour": 1}"#,
                "",
                " ",
            ],
        ),
        (
            "PUT",
            "/_entrasim/throttling",
            &[
                "[]",
                "\"x\"",
                r#"{"enabled": "yes"}"#,
                r#"{"enabled": null}"#,
                r#"{"perAppPerTenant": {"requests": 0}}"#,
                r#"{"apps": {"x": {"requests": 1, "windowSeconds": 0}}}"#,
                r#"{"throttleNext": [{"appId": "a", "count": 1, "retryAfter": 9999}]}"#,
                r#"{"throttleNext": [{"appId": "a", "count": 1, "retryAfter": 2.5}]}"#,
                r#"{"perAppPerTenant": [1, 2]}"#,
                r#"{"apps": {"x": [1, 2]}}"#,
                r#"{"throttleNext": [["a", 1, 1]]}"#,
                r#"{"colour": 1}"#,
                "",
            ],
        ),
        (
            "POST",
            "/_entrasim/reset",
            &[
                "[]",
                r#"{"seed": -1}"#,
                r#"{"seed": "x"}"#,
                r#"{"seed": 1.5}"#,
                r#"{"colour": 1}"#,
                "\n",
            ],
        ),
    ];
    let before = state_of(&app).await;
    for (method, path, bodies) in table {
        for body in *bodies {
            let (status, answer) = send(&app, method, path, body).await;
            assert_eq!(status, 400, "{method} {path} {body}: {answer}");
            assert_graph_error(&answer, "BadRequest");
            assert_eq!(state_of(&app).await, before, "{method} {path} {body}");
        }
    }
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 200);
    app.advance("PT1M").await;
}

#[actix_rt::test]
async fn whole_number_floats_count_as_integers_and_a_fraction_names_its_field() {
    let app = spawn(&[]).await;
    let (status, body) = send(
        &app,
        "PUT",
        "/_entrasim/throttling",
        r#"{"perAppPerTenant": {"requests": 7.0}, "throttleNext": [{"appId": "a", "count": 2.0, "retryAfter": 3.0}]}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["perAppPerTenant"]["requests"], 7);
    assert_eq!(body["throttleNext"][0]["retryAfter"], 3);
    let (status, body) = send(
        &app,
        "PUT",
        "/_entrasim/throttling",
        r#"{"throttleNext": [{"appId": "a", "count": 2, "retryAfter": 28.5}]}"#,
    )
    .await;
    assert_eq!(status, 400);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("throttleNext[0].retryAfter"), "{message}");
    let (status, body) = send(&app, "POST", "/_entrasim/reset", r#"{"seed": 28.0}"#).await;
    assert_eq!((status, body["seed"].as_u64()), (200, Some(28)), "{body}");
    let (status, _) = send(&app, "POST", "/_entrasim/reset", "").await;
    assert_eq!(status, 200, "an empty POST body means {{}}");
}

#[actix_rt::test]
async fn a_clock_body_refused_for_one_field_does_not_move_the_clock() {
    let app = spawn(&[]).await;
    let (status, _) = app
        .post(
            "/_entrasim/clock",
            json!({"now": "2026-06-01T13:00:00Z", "advance": "bogus"}),
        )
        .await;
    assert_eq!(status, 400);
    let (_, clock) = app.get("/_entrasim/clock").await;
    assert_eq!(clock["now"], "2026-06-01T12:00:00.000000Z");
    let (status, clock) = app
        .post(
            "/_entrasim/clock",
            json!({"now": "2026-06-01T13:00:00Z", "advance": "PT30M", "frozen": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(clock["now"], "2026-06-01T13:30:00.000000Z");
}

#[actix_rt::test]
async fn throttling_settings_accept_a_partial_update() {
    let app = spawn(&["--throttle", "graph"]).await;
    let (status, body) = app
        .put("/_entrasim/throttling", json!({"enabled": false}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["enabled"], false);
    assert_eq!(
        body["perAppPerTenant"],
        json!({"requests": 5, "windowSeconds": 10})
    );
    let (_, body) = app
        .put(
            "/_entrasim/throttling",
            json!({"perAppPerTenant": {"requests": 7}}),
        )
        .await;
    assert_eq!(
        body["perAppPerTenant"],
        json!({"requests": 7, "windowSeconds": 10})
    );
    assert_eq!(body["enabled"], false);
    let (_, body) = app
        .put(
            "/_entrasim/throttling",
            json!({"apps": {"x": {"requests": 2}}, "throttleNext": [{"appId": "x", "count": 1}]}),
        )
        .await;
    assert_eq!(
        body["apps"]["x"],
        json!({"requests": 2, "windowSeconds": 10}),
        "a new app limit starts from perAppPerTenant"
    );
    let (status, body) = app
        .put(
            "/_entrasim/throttling",
            json!({"apps": {"x": null}, "throttleNext": null}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["apps"].clone(), body["throttleNext"].clone()),
        (json!({}), json!([]))
    );
}

/// Statuses of `n` requests to the sign-ins.
async fn statuses(app: &TestApp, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            app.raw("/v1.0/auditLogs/signIns?$top=1")
                .await
                .status()
                .as_u16(),
        );
    }
    out
}

#[actix_rt::test]
async fn after_a_reset_the_same_requests_meet_the_same_faults_and_fresh_windows() {
    let app = spawn(&["--throttle", "graph"]).await;
    let (status, _) = app
        .put(
            "/_entrasim/faults",
            json!({"rules": [{"rate": 0.3, "fault": "500"}]}),
        )
        .await;
    assert_eq!(status, 200);
    app.put("/_entrasim/throttling", json!({"enabled": false}))
        .await;
    let first = statuses(&app, 30).await;
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
    app.post("/_entrasim/reset", json!({})).await;
    assert_eq!(statuses(&app, 30).await, first);

    app.put("/_entrasim/faults", json!({})).await;
    app.put("/_entrasim/throttling", json!({"enabled": true}))
        .await;
    assert_eq!(statuses(&app, 5).await, vec![200; 5]);
    app.post("/_entrasim/reset", json!({})).await;
    assert_eq!(
        statuses(&app, 6).await,
        vec![200, 200, 200, 200, 200, 429],
        "the reset forgot the first five requests"
    );
}

#[actix_rt::test]
async fn requests_are_answered_while_a_reset_rebuilds() {
    // Four default tenants: a rebuild long enough to overlap a request.
    let app = spawn(&["--preset", "default", "--tenants", "4"]).await;
    let (url, client) = (format!("{}/_entrasim/reset", app.url), app.client.clone());
    let reset = tokio::spawn(async move {
        let response = client.post(url).body("{}").send().await.unwrap();
        (response.status().as_u16(), std::time::Instant::now())
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    let answered = std::time::Instant::now();
    let (reset_status, reset_done) = reset.await.unwrap();
    assert_eq!((status, reset_status), (200, 200));
    assert!(
        answered < reset_done,
        "a request waited for the whole rebuild"
    );
}

#[test]
fn a_preset_file_serves_its_tenant_and_bad_files_get_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seed/presets/small.toml"
    ))
    .unwrap();
    let good = dir.path().join("tiny.toml");
    let text = small.replace("name = \"small\"", "name = \"tiny\"");
    std::fs::write(&good, format!("{text}\n[latency]\nsign_ins = [[0.0, 0.0], [1.0, 1.0]]\naudits = [[0.0, 0.0], [1.0, 1.0]]\n")).unwrap();
    let run = |preset: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_entrasim"))
            .args(["tenant", "--preset", preset])
            .output()
            .unwrap()
    };
    let ok = run(good.to_str().unwrap());
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!("{text}\n[latency]\nsign_ins = [[0.0, 9.0], [1.0, 1.0]]\naudits = [[0.0, 0.0], [1.0, 1.0]]\n"),
    )
    .unwrap();
    for (preset, needle) in [
        (bad.to_str().unwrap(), "latency.sign_ins"),
        ("./missing.toml", "cannot read preset file './missing.toml'"),
    ] {
        let out = run(preset);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{preset}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
}

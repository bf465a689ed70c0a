//! Random and mutated filters, query strings, skip tokens and ids against the
//! HTTP layer: every answer is 200 or a Graph-shaped 4xx, never a panic or 5xx.
//! The runner is seeded, so a failure reproduces.

use crate::helpers::{TestApp, spawn};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Tricky cases kept as a table (they have broken parsers before).
const CORPUS: [&str; 24] = [
    "$filter=",
    "$filter=%20",
    "$filter=userId%20eq%20'",
    "$filter=userId%20eq%20''''",
    "$filter=((((((((((((((((((((((((a",
    "$filter=not%20not%20not%20not%20isInteractive",
    "$filter=status/errorCode%20eq%2099999999999999999999999",
    "$filter=createdDateTime%20ge%209999-12-31T23:59:59Z",
    "$filter=createdDateTime%20ge%200001-01-01T00:00:00Z",
    "$filter=signInEventTypes/any(t:%20t/x/y%20eq%201)",
    "$filter=signInEventTypes/all()",
    "$filter=startswith()",
    "$filter=startswith(userDisplayName)",
    "$filter=userId%20in%20()",
    "$filter=userId%20eq%20%E2%80%8B",
    "$top=1e3",
    "$top=%2B5",
    "$top=00001",
    "$orderby=",
    "$orderby=createdDateTime%20asc%20desc",
    "$skiptoken=",
    "$skiptoken=%FF",
    "$select=,,,",
    "$filter=contains(tolower(tolower(tolower(userId))),'a')",
];

const FRAGMENTS: [&str; 30] = [
    "userId",
    "status/errorCode",
    "createdDateTime",
    "signInEventTypes",
    "targetResources",
    " eq ",
    " ne ",
    " ge ",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    "'",
    "''",
    "any(t:",
    "t/id",
    "startswith(",
    ",",
    "0",
    "-1",
    "2026-05-30T00:00:00Z",
    "2026-05-30",
    "true",
    "null",
    "in ('a','b')",
    "tolower(",
    "/",
    " ",
    "x",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&FRAGMENTS[..]), 1..12)
        .prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop::string::string_regex("[ -~]{0,40}").unwrap()
}

async fn assert_graph_answer(app: &TestApp, path: &str) {
    let response = app.raw(path).await;
    let status = response.status().as_u16();
    assert!(
        status == 200 || (400..500).contains(&status),
        "{path}: {status}"
    );
    if status != 200 {
        let body: serde_json::Value = response.json().await.expect("error bodies are JSON");
        assert!(
            body["error"]["code"].is_string()
                && body["error"]["innerError"]["request-id"].is_string(),
            "{path}: {body}"
        );
    }
}

fn cases(strategy: impl Strategy<Value = String>, count: usize) -> Vec<String> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[actix_rt::test]
async fn random_requests_get_a_page_or_a_graph_error_never_a_crash() {
    let app = spawn(&[]).await;
    let (_, page) = app.get("/v1.0/auditLogs/signIns?$top=2").await;
    let token = page["@odata.nextLink"]
        .as_str()
        .unwrap()
        .split("$skiptoken=")
        .nth(1)
        .unwrap()
        .to_string();
    for query in CORPUS {
        assert_graph_answer(&app, &format!("/v1.0/auditLogs/signIns?{query}")).await;
    }
    for filter in cases(fragments(), 300)
        .into_iter()
        .chain(cases(any_text(), 100))
    {
        for collection in [
            "/v1.0/auditLogs/signIns",
            "/beta/auditLogs/directoryAudits",
            "/v1.0/auditLogs/provisioning",
            "/v1.0/users",
        ] {
            assert_graph_answer(
                &app,
                &format!("{collection}?$top=5&$filter={}", encode(&filter)),
            )
            .await;
        }
    }
    for (i, junk) in cases(any_text(), 100).into_iter().enumerate() {
        let mut mutated = token.clone().into_bytes();
        let at = i % mutated.len();
        mutated[at] = b"AZaz09-_"[i % 8];
        assert_graph_answer(
            &app,
            &format!(
                "/v1.0/auditLogs/signIns?$top=2&$skiptoken={}",
                encode(std::str::from_utf8(&mutated).unwrap())
            ),
        )
        .await;
        assert_graph_answer(
            &app,
            &format!(
                "/v1.0/auditLogs/signIns?{}",
                encode(&junk).replace("%3D", "=").replace("%26", "&")
            ),
        )
        .await;
        assert_graph_answer(&app, &format!("/v1.0/auditLogs/signIns/{}", encode(&junk))).await;
        assert_graph_answer(&app, &format!("/v1.0/users/{}", encode(&junk))).await;
    }
}

/// Filters past the size limits: each is refused with an explanation, and the
/// server keeps serving (these overflowed the stack before the limits).
#[actix_rt::test]
async fn deep_and_long_filters_are_refused_and_the_server_lives_on() {
    let app = spawn(&[]).await;
    let clause = "status/errorCode eq 0";
    let deep = [
        vec!["true"; 300].join(" or "),
        vec![clause; 300].join(" and "),
        format!("{}{clause}", "not ".repeat(300)),
        format!("{}{clause}{}", "(".repeat(65), ")".repeat(65)),
        format!(
            "signInEventTypes/any(t: {})",
            vec!["t eq 'x'"; 300].join(" or ")
        ),
    ];
    for filter in &deep {
        for collection in [
            "/v1.0/auditLogs/signIns",
            "/beta/auditLogs/signIns",
            "/v1.0/auditLogs/directoryAudits",
            "/v1.0/users",
        ] {
            let (status, body) = app
                .get(&format!("{collection}?$filter={}", encode(filter)))
                .await;
            assert_eq!(status, 400, "{collection} {}: {body}", &filter[..40]);
            assert_eq!(body["error"]["message"], "Invalid filter clause");
            let detail = body["error"]["details"][0]["message"].as_str().unwrap();
            assert!(detail.contains("at most"), "{detail}");
        }
    }
    // The audit's inputs are also longer than any URL entrasim reads.
    for filter in [
        vec!["true"; 7_000].join(" or "),
        format!("{}true", "not ".repeat(10_000)),
    ] {
        let request = format!(
            "GET /v1.0/auditLogs/signIns?$filter={} HTTP/1.1\r\nhost: x\r\n\r\n",
            encode(&filter)
        );
        let answer = crate::oversize::exchange(&app.url, request.as_bytes());
        let (status, body) = crate::oversize::envelope_of(&answer);
        assert_eq!(status, 414);
        crate::helpers::assert_graph_error(&body, "UnknownError");
    }
    let (status, _) = app.get("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, 200);
}

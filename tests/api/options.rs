//! Query options whose acceptance is configurable or spelled as ASP.NET OData
//! spells it: `$select` on sign-ins (`--select-on-sign-ins`), repeated options.

use crate::helpers::spawn;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const SELECT: &str = "/v1.0/auditLogs/signIns?$top=3&$select=id,createdDateTime,userId";

fn assert_selected(body: &serde_json::Value) {
    assert_eq!(
        body["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns(id,createdDateTime,userId)"
    );
    let records = body["value"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    for record in records {
        let keys: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["id", "createdDateTime", "userId"], "{record}");
    }
}

#[actix_rt::test]
async fn select_on_sign_ins_is_refused_by_default_and_served_when_enabled() {
    let graph_like = spawn(&[]).await;
    let (status, body) = graph_like.get(SELECT).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Query option 'Select' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
    );
    let app = spawn(&["--select-on-sign-ins"]).await;
    let (status, body) = app.get(SELECT).await;
    assert_eq!(status, 200, "{body}");
    assert_selected(&body);
    let next = body["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("$select=id%2CcreatedDateTime%2CuserId"),
        "{next}"
    );
    let (status, second) = app.get(next).await;
    assert_eq!(status, 200, "{second}");
    assert_selected(&second);
    let (status, body) = app
        .get("/v1.0/auditLogs/signIns?$top=1&$select=noSuchProperty")
        .await;
    assert_eq!(status, 400, "{body}");
}

#[actix_rt::test]
async fn the_environment_variable_enables_select_on_sign_ins() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrasim"))
        .args(["--port", "0", "--preset", "small", "--throttle", "off"])
        .args(["--clock", "fixed:2026-06-01T12:00:00Z"])
        .env("ENTRASIM_SELECT_ON_SIGN_INS", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    let response = reqwest::get(format!("{url}{SELECT}")).await.unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200, "{body}");
    assert_selected(&body);
}

#[actix_rt::test]
async fn a_repeated_skip_token_is_named_as_odata_spells_it() {
    let app = spawn(&[]).await;
    let (status, body) = app
        .get("/v1.0/auditLogs/signIns?$skiptoken=a&$skiptoken=b")
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Query option 'SkipToken' was specified more than once, but it must be specified at most once."
    );
}

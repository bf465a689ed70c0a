//! Tests of the token endpoint logic: request parsing, secrets, client assertions, scopes.

use super::super::certs::{ClientCertificate, client_certificate};
use super::*;
use chrono::{Duration, TimeZone};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::sync::OnceLock;

const TENANT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const APP: &str = "11111111-2222-3333-4444-555555555555";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_seed(42))
}

fn siem() -> &'static ClientCertificate {
    static CERT: OnceLock<ClientCertificate> = OnceLock::new();
    CERT.get_or_init(|| client_certificate(42, "siem"))
}

fn intruder() -> &'static ClientCertificate {
    static CERT: OnceLock<ClientCertificate> = OnceLock::new();
    CERT.get_or_init(|| client_certificate(42, "intruder"))
}

fn client() -> ClientRecord {
    ClientRecord {
        app_id: APP.into(),
        service_principal_id: "66666666-7777-8888-9999-000000000000".into(),
        display_name: "SIEM connector".into(),
        secrets: vec![
            SecretCredential {
                key_id: "k1".into(),
                secret: "s3cr3t~value".into(),
                end: now() + Duration::days(30),
            },
            SecretCredential {
                key_id: "k0".into(),
                secret: "old-secret".into(),
                end: now() - Duration::days(1),
            },
        ],
        certificates: vec![siem().credential()],
        roles: vec!["AuditLog.Read.All".into()],
    }
}

fn secret_request(secret: &str) -> TokenRequest {
    let body = format!(
        "client_id={APP}&grant_type=client_credentials&client_info=1&client_secret={secret}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&claims=%7B%22access_token%22%7D"
    );
    TokenRequest::parse(body.as_bytes(), None).unwrap()
}

fn issue_for(req: &TokenRequest) -> Result<TokenResponse, AadError> {
    issue(req, TENANT, Some(&client()), key(), (now(), now()), 3599)
}

fn assertion_request(assertion: String) -> TokenRequest {
    TokenRequest {
        grant_type: Some("client_credentials".into()),
        client_id: Some(APP.into()),
        client_assertion_type: Some(JWT_BEARER.into()),
        client_assertion: Some(assertion),
        scope: Some(GRAPH_SCOPE.into()),
        ..TokenRequest::default()
    }
}

fn sign_assertion(key_pem: &str, header: Header, claims: serde_json::Value) -> String {
    jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn assertion_claims() -> serde_json::Value {
    json!({
        "aud": format!("https://127.0.0.1:8443/{TENANT}/oauth2/v2.0/token"),
        "iss": APP, "sub": APP, "jti": "j-1",
        "nbf": now().timestamp() - 10, "exp": now().timestamp() + 600,
    })
}

fn x5t_header(x5t: String) -> Header {
    let mut header = Header::new(Algorithm::RS256);
    header.x5t = Some(x5t);
    header
}

#[test]
fn a_form_body_is_parsed_and_unknown_fields_are_ignored() {
    let req = secret_request("s3cr3t%7Evalue");
    assert_eq!(req.grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(req.client_secret.as_deref(), Some("s3cr3t~value"));
    assert_eq!(req.scope.as_deref(), Some(GRAPH_SCOPE));
}

#[test]
fn a_token_request_by_post_body_gets_a_bearer_token_with_the_clients_roles() {
    let response = issue_for(&secret_request("s3cr3t~value")).unwrap();
    assert_eq!(
        (
            response.token_type,
            response.expires_in,
            response.ext_expires_in
        ),
        ("Bearer", 3599, 3599)
    );
    let claims = key().verify(&response.access_token, now()).unwrap();
    assert_eq!(claims.roles, vec!["AuditLog.Read.All".to_string()]);
    assert_eq!(claims.appid, APP);
    assert_eq!(claims.appidacr, "1");
    assert_eq!(claims.tid, TENANT);
}

#[test]
fn a_token_request_by_basic_header_works_too() {
    let basic = format!("Basic {}", STANDARD.encode(format!("{APP}:s3cr3t%7Evalue")));
    let body = format!("grant_type=client_credentials&scope={GRAPH_SCOPE}");
    let req = TokenRequest::parse(body.as_bytes(), Some(&basic)).unwrap();
    assert_eq!(req.client_id.as_deref(), Some(APP));
    assert_eq!(req.client_secret.as_deref(), Some("s3cr3t~value"));
    assert!(issue_for(&req).is_ok());
}

#[test]
fn the_same_request_at_the_same_time_gives_the_same_token_bytes() {
    assert_eq!(
        issue_for(&secret_request("s3cr3t~value")),
        issue_for(&secret_request("s3cr3t~value"))
    );
}

#[test]
fn a_wrong_secret_is_aadsts7000215_invalid_client_with_status_401() {
    let err = issue_for(&secret_request("nope")).unwrap_err();
    assert_eq!(
        (err.status, err.error, err.code),
        (401, "invalid_client", 7000215)
    );
    let body = err.body(now(), "t", "c");
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&format!("for a secret added to app '{APP}'."))
    );
}

#[test]
fn an_expired_secret_is_aadsts7000222() {
    assert_eq!(
        issue_for(&secret_request("old-secret")).unwrap_err().code,
        7000222
    );
}

#[test]
fn no_credential_at_all_is_aadsts7000216() {
    let mut req = secret_request("x");
    req.client_secret = None;
    assert_eq!(issue_for(&req).unwrap_err().code, 7000216);
}

#[test]
fn an_unknown_client_is_aadsts700016_unauthorized_client() {
    let err = issue(
        &secret_request("x"),
        TENANT,
        None,
        key(),
        (now(), now()),
        3599,
    )
    .unwrap_err();
    assert_eq!(
        (err.status, err.error, err.code),
        (400, "unauthorized_client", 700016)
    );
    assert!(err.description.starts_with(&format!(
        "Application with identifier '{APP}' was not found in the directory '{TENANT}'."
    )));
}

#[test]
fn another_grant_type_is_aadsts70003() {
    let mut req = secret_request("s3cr3t~value");
    req.grant_type = Some("password".into());
    let err = issue_for(&req).unwrap_err();
    assert_eq!((err.error, err.code), ("unsupported_grant_type", 70003));
    assert_eq!(
        err.description,
        "The app requested an unsupported grant type 'password'."
    );
}

#[test]
fn missing_parameters_are_aadsts900144() {
    let err = issue_for(&TokenRequest::parse(b"client_id=x", None).unwrap()).unwrap_err();
    assert_eq!(
        err.description,
        "The request body must contain the following parameter: 'grant_type'."
    );
    let mut req = secret_request("s3cr3t~value");
    req.scope = None;
    assert_eq!(issue_for(&req).unwrap_err().code, 900144);
}

#[test]
fn a_scope_without_default_is_aadsts1002012_and_two_resources_are_aadsts70011() {
    let mut req = secret_request("s3cr3t~value");
    req.scope = Some("https://graph.microsoft.com/AuditLog.Read.All".into());
    assert_eq!(issue_for(&req).unwrap_err().code, 1002012);
    req.scope =
        Some("https://graph.microsoft.com/.default https://management.azure.com/.default".into());
    assert_eq!(issue_for(&req).unwrap_err().code, 70011);
}

#[test]
fn any_host_scope_is_accepted_and_becomes_the_audience() {
    let mut req = secret_request("s3cr3t~value");
    req.scope = Some("https://127.0.0.1/.default".into());
    let token = issue_for(&req).unwrap().access_token;
    assert!(
        key()
            .verify_with(&token, now(), &["https://127.0.0.1".to_string()])
            .is_ok()
    );
    assert_eq!(
        resource_of("00000003-0000-0000-c000-000000000000/.default").unwrap(),
        GRAPH_RESOURCE
    );
    assert_eq!(
        resource_of("https://graph.microsoft.com//.default").unwrap(),
        GRAPH_RESOURCE
    );
}

#[test]
fn a_client_assertion_signed_with_the_registered_certificate_is_accepted() {
    let cert = siem();
    let assertion = sign_assertion(&cert.key_pem, x5t_header(cert.x5t()), assertion_claims());
    let response = issue_for(&assertion_request(assertion)).unwrap();
    assert_eq!(
        key()
            .verify(&response.access_token, now())
            .unwrap()
            .appidacr,
        "2"
    );
}

#[test]
fn a_ps256_assertion_naming_the_sha256_thumbprint_is_accepted() {
    let cert = siem();
    let mut header = Header::new(Algorithm::PS256);
    header.x5t_s256 = Some(cert.x5t_s256());
    assert!(
        issue_for(&assertion_request(sign_assertion(
            &cert.key_pem,
            header,
            assertion_claims()
        )))
        .is_ok()
    );
}

#[test]
fn an_assertion_signed_by_another_key_is_refused_with_aadsts700027() {
    let registered = siem();
    let other = intruder();
    let assertion = sign_assertion(
        &other.key_pem,
        x5t_header(registered.x5t()),
        assertion_claims(),
    );
    let err = issue_for(&assertion_request(assertion)).unwrap_err();
    assert_eq!((err.status, err.code), (401, 700027));
    assert!(
        err.description
            .contains("did not match the expected signature value")
    );
}

#[test]
fn an_assertion_naming_an_unregistered_certificate_is_key_not_found() {
    let other = intruder();
    let assertion = sign_assertion(&other.key_pem, x5t_header(other.x5t()), assertion_claims());
    let err = issue_for(&assertion_request(assertion)).unwrap_err();
    assert!(err.description.starts_with("Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '"));
    assert!(err.description.contains(&other.thumbprint_sha1_hex));
}

#[test]
fn an_expired_assertion_is_aadsts700024() {
    let cert = siem();
    let mut claims = assertion_claims();
    claims["exp"] = json!(now().timestamp() - 3600);
    let err = issue_for(&assertion_request(sign_assertion(
        &cert.key_pem,
        x5t_header(cert.x5t()),
        claims,
    )))
    .unwrap_err();
    assert_eq!((err.status, err.code), (401, 700024));
}

#[test]
fn an_assertion_for_another_client_or_audience_is_refused() {
    let cert = siem();
    let mut claims = assertion_claims();
    claims["sub"] = json!("someone-else");
    let err = issue_for(&assertion_request(sign_assertion(
        &cert.key_pem,
        x5t_header(cert.x5t()),
        claims,
    )))
    .unwrap_err();
    assert_eq!(err.code, 700021);
    let mut claims = assertion_claims();
    claims["aud"] = json!("https://graph.microsoft.com");
    let err = issue_for(&assertion_request(sign_assertion(
        &cert.key_pem,
        x5t_header(cert.x5t()),
        claims,
    )))
    .unwrap_err();
    assert_eq!(err.code, 700023);
}

#[test]
fn an_assertion_without_a_thumbprint_or_with_garbage_is_refused() {
    let cert = siem();
    let bare = sign_assertion(
        &cert.key_pem,
        Header::new(Algorithm::RS256),
        assertion_claims(),
    );
    assert_eq!(
        issue_for(&assertion_request(bare)).unwrap_err().code,
        5002723
    );
    assert_eq!(
        issue_for(&assertion_request("not-a-jwt".into()))
            .unwrap_err()
            .code,
        50027
    );
}

#[test]
fn a_broken_percent_escape_is_a_bad_request() {
    assert_eq!(
        TokenRequest::parse(b"grant_type=%zz", None)
            .unwrap_err()
            .code,
        900144
    );
}

#[test]
fn a_token_is_stamped_on_the_wall_clock_while_secrets_expire_on_the_log_clock() {
    // The log clock two years behind the wall: the secret is judged on the log clock
    // (valid there), the token's times come from the wall clock.
    let log = now() - Duration::days(730);
    let wall = now();
    let response = issue(
        &secret_request("s3cr3t~value"),
        TENANT,
        Some(&client()),
        key(),
        (log, wall),
        3599,
    )
    .unwrap();
    let claims = key().verify(&response.access_token, wall).unwrap();
    assert_eq!(claims.exp, wall.timestamp() + 3599);
    assert_eq!(claims.iat, wall.timestamp() - 300);
    // The same secret on a log clock past its end is refused, whatever the wall says.
    let late = now() + Duration::days(31);
    let err = issue(
        &secret_request("s3cr3t~value"),
        TENANT,
        Some(&client()),
        key(),
        (late, wall),
        3599,
    )
    .unwrap_err();
    assert_eq!(err.code, 7000222, "{err}");
}

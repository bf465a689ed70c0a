//! AADSTS errors of the token endpoint, worded as Microsoft Entra ID words them.
//!
//! Sources for the texts (public captures of real token-endpoint responses):
//! - 900144, 700016 (unauthorized_client, 400), 7000215, 7000222, 7000216: bodies quoted in
//!   MicrosoftDocs/azure-docs#43780, hoppscotch/hoppscotch#3868, invictus/azure-ad captures in
//!   the code index ("\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: 2019-10-31 12:37:32Z").
//! - 70011, 1002012, 700016, 700024, 700021, 50027, 90014, 5002723, 50049: MSAL.NET's
//!   TestConstants.cs (captured from Entra on 2023-12-08..12); docs corpus: learn.microsoft.com
//!   "troubleshooting-authentication-service-principal" (7000215/7000222/700016/700027).
//! - 70003 "The app requested an unsupported grant type '…'.": MSAL.NET PR #3023 (2021),
//!   lakekeeper/lakekeeper#967 (2025).
//! - 700027 "Client assertion contains an invalid signature. [Reason - The key was not
//!   found., …]": captured body quoted in a lestrrat-go/jwx key handler (2021-12-20).
//! - 5002738 (invalid_request): same capture (2021-12-20).
//! - 700023 and the "signature value did not match" reason: not captured verbatim; phrased
//!   from Microsoft's troubleshooting table.
//! - 900561 "The endpoint only accepts POST, OPTIONS requests. Received a GET request.":
//!   BitySA/oauth2-auth-code-pkce#30 (2021), nbarbettini/oidc-debugger#87 (2025); Entra's
//!   error table words it "The endpoint only accepts {valid_verbs} requests. Received a
//!   {invalid_verb} request.", so entrasim fills in each endpoint's own verbs.
//! - 50059 "No tenant-identifying information found …": client credentials sent to
//!   /common/oauth2/v2.0/token, MicrosoftDocs/azure-docs#24064 (2019).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const CERT_DOCS: &str = "Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .";

/// An AADSTS error: HTTP status, OAuth `error`, AADSTS number and description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AADSTS{code}: {description}")]
pub struct AadError {
    /// HTTP status: 400, or 401 for `invalid_client`.
    pub status: u16,
    /// OAuth 2.0 error code, e.g. `invalid_client`.
    pub error: &'static str,
    /// The AADSTS number, e.g. 7000215.
    pub code: u32,
    /// The description after "AADSTSnnn: ", without the trace suffix.
    pub description: String,
}

impl AadError {
    /// An error with any status, OAuth code, AADSTS number and description.
    pub(crate) fn new(
        status: u16,
        error: &'static str,
        code: u32,
        description: impl Into<String>,
    ) -> AadError {
        AadError {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    /// The JSON body Entra sends: error, error_description (with the Trace ID /
    /// Correlation ID / Timestamp suffix), error_codes, timestamp, ids and error_uri.
    pub fn body(&self, now: DateTime<Utc>, trace_id: &str, correlation_id: &str) -> Value {
        let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
            self.code, self.description
        );
        json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        })
    }

    /// AADSTS900144: a required form parameter is missing.
    pub fn missing_parameter(name: &str) -> AadError {
        let text = format!("The request body must contain the following parameter: '{name}'.");
        AadError::new(400, "invalid_request", 900144, text)
    }

    /// AADSTS70003: a grant type other than client_credentials.
    pub fn unsupported_grant_type(grant_type: &str) -> AadError {
        let text = format!("The app requested an unsupported grant type '{grant_type}'.");
        AadError::new(400, "unsupported_grant_type", 70003, text)
    }

    /// AADSTS1002012: a client-credentials scope without `/.default`.
    pub fn scope_not_default(scope: &str) -> AadError {
        let text = format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
        );
        AadError::new(400, "invalid_scope", 1002012, text)
    }

    /// AADSTS500011: a resource with no service principal in the tenant (bodies captured in
    /// rootinc/laravel-azure-middleware#51 and Azure/azure-cli#16850; `tenant` is the tenant
    /// as the request named it, as in the azure-cli capture).
    pub fn resource_not_found(resource: &str, tenant: &str) -> AadError {
        let text = format!(
            "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        );
        AadError::new(400, "invalid_resource", 500011, text)
    }

    /// AADSTS70011: a scope that names no single resource.
    pub fn invalid_scope(scope: &str) -> AadError {
        let text = format!(
            "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
        );
        AadError::new(400, "invalid_scope", 70011, text)
    }

    /// AADSTS700016: the client id is not an application of the tenant.
    pub fn application_not_found(client_id: &str, directory: &str) -> AadError {
        let text = format!(
            "Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        );
        AadError::new(400, "unauthorized_client", 700016, text)
    }

    /// AADSTS90002: the tenant in the URL is not this one.
    pub fn tenant_not_found(tenant: &str) -> AadError {
        let text = format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        );
        AadError::new(400, "invalid_request", 90002, text)
    }

    /// AADSTS50059: a client-credentials request to /common, /organizations or /consumers,
    /// which name no tenant to issue the token in.
    pub fn no_tenant_information() -> AadError {
        let text = "No tenant-identifying information found in either the request or implied by any provided credentials.";
        AadError::new(400, "invalid_request", 50059, text)
    }

    /// AADSTS900561: a method the endpoint does not take; `accepted` lists the ones it
    /// does ("POST, OPTIONS"). Entra answers 400 on the token endpoint; entrasim's other
    /// identity endpoints answer 405 (`status`).
    pub fn wrong_method(status: u16, accepted: &str, received: &str) -> AadError {
        let text = format!(
            "The endpoint only accepts {accepted} requests. Received a {received} request."
        );
        AadError::new(status, "invalid_request", 900561, text)
    }

    /// AADSTS7000216: neither a secret nor an assertion was sent.
    pub fn missing_credentials() -> AadError {
        let text = "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.";
        AadError::new(401, "invalid_client", 7000216, text)
    }

    /// AADSTS7000215: the secret matches none of the app's secrets.
    pub fn invalid_secret(app_id: &str) -> AadError {
        let text = format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."
        );
        AadError::new(401, "invalid_client", 7000215, text)
    }

    /// AADSTS7000222: the secret matches only expired secrets.
    pub fn expired_secret(app_id: &str) -> AadError {
        let text = format!(
            "The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
        );
        AadError::new(401, "invalid_client", 7000222, text)
    }

    /// AADSTS50027: the client assertion is not a decodable JWT.
    pub fn malformed_assertion() -> AadError {
        AadError::new(
            400,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    }

    /// AADSTS90014: the client assertion lacks a required claim.
    pub fn assertion_missing_claim(claim: &str) -> AadError {
        let text = format!(
            "The required field '{claim}' is missing from the credential. Ensure that you have all the necessary parameters for the login request."
        );
        AadError::new(400, "invalid_request", 90014, text)
    }

    /// AADSTS5002738: the assertion is signed with an algorithm Entra does not take.
    pub fn unsupported_assertion_algorithm(alg: &str) -> AadError {
        let text = format!(
            "Invalid JWT token. '{alg}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256,RS384,RS512'"
        );
        AadError::new(400, "invalid_request", 5002738, text)
    }

    /// AADSTS5002723: the assertion header names no certificate.
    pub fn assertion_without_thumbprint() -> AadError {
        let text = "Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor keyId specified in token header.";
        AadError::new(401, "invalid_client", 5002723, text)
    }

    /// AADSTS700027: no registered certificate has the thumbprint the client used.
    pub fn assertion_key_not_found(thumbprint: &str, app_id: &str) -> AadError {
        let text = format!(
            "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{app_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{app_id}']."
        );
        AadError::new(401, "invalid_client", 700027, text)
    }

    /// AADSTS700027: the certificate was found but the signature does not verify, or it expired.
    pub fn assertion_bad_signature(reason: &str, thumbprint: &str, end: DateTime<Utc>) -> AadError {
        let end = end.format("%m/%d/%Y %H:%M:%S");
        let text = format!(
            "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', Found key 'End={end}']"
        );
        AadError::new(401, "invalid_client", 700027, text)
    }

    /// AADSTS700021: the assertion's iss/sub is not the client id.
    pub fn assertion_subject_mismatch() -> AadError {
        let text = format!(
            "Client assertion application identifier doesn't match 'client_id' parameter. {CERT_DOCS}"
        );
        AadError::new(401, "invalid_client", 700021, text)
    }

    /// AADSTS700023: the assertion's aud is not this token endpoint.
    pub fn assertion_audience_mismatch() -> AadError {
        let text =
            format!("Client assertion audience claim does not match Realm issuer. {CERT_DOCS}");
        AadError::new(401, "invalid_client", 700023, text)
    }

    /// AADSTS700024: now is outside the assertion's nbf..exp.
    pub fn assertion_time_range(now: DateTime<Utc>, nbf: i64, exp: i64) -> AadError {
        let text = format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. {CERT_DOCS}",
            dotnet_time(now),
            dotnet_time(DateTime::from_timestamp(nbf, 0).unwrap_or_default()),
            dotnet_time(DateTime::from_timestamp(exp, 0).unwrap_or_default()),
        );
        AadError::new(401, "invalid_client", 700024, text)
    }
}

// .NET's round-trip format with seven fractional digits, as Entra prints times.
fn dotnet_time(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_body_carries_the_trace_suffix_and_the_code_list() {
        let now = Utc.with_ymd_and_hms(2019, 10, 31, 12, 37, 32).unwrap();
        let body = AadError::invalid_secret("app").body(now, "t-1", "c-1");
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_codes"], json!([7000215]));
        assert_eq!(body["timestamp"], "2019-10-31 12:37:32Z");
        let description = body["error_description"].as_str().unwrap();
        assert!(description.starts_with("AADSTS7000215: Invalid client secret provided."));
        assert!(description.ends_with(
            "'app'.\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2019-10-31 12:37:32Z"
        ));
        assert_eq!(
            body["error_uri"],
            "https://login.microsoftonline.com/error?code=7000215"
        );
    }

    #[test]
    fn invalid_client_errors_are_401_and_request_errors_are_400() {
        assert_eq!(AadError::missing_credentials().status, 401);
        assert_eq!(AadError::missing_parameter("scope").status, 400);
        assert_eq!(
            AadError::application_not_found("a", "t").error,
            "unauthorized_client"
        );
    }

    #[test]
    fn a_wrong_method_names_the_accepted_and_the_received_verbs() {
        let error = AadError::wrong_method(400, "POST, OPTIONS", "GET");
        assert_eq!(
            error.description,
            "The endpoint only accepts POST, OPTIONS requests. Received a GET request."
        );
        assert_eq!((error.status, error.code), (400, 900561));
    }

    #[test]
    fn assertion_times_print_like_dotnet() {
        let now = Utc.with_ymd_and_hms(2023, 12, 11, 23, 52, 19).unwrap();
        let text = AadError::assertion_time_range(now, 0, 0).description;
        assert!(text.contains("Current time: 2023-12-11T23:52:19.0000000Z, assertion valid from 1970-01-01T00:00:00.0000000Z"));
    }
}

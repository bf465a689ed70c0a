//! ARM's error envelope, `{"error":{"code","message"}}`, and the errors the ARM surface answers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// One ARM error: status, code and message, written in ARM's envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ArmError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// `WWW-Authenticate` challenge of a 401.
    pub challenge: Option<String>,
    /// `Retry-After` of a 429, seconds.
    pub retry_after: Option<u64>,
    /// `Allow` of a 405 (`GET, HEAD` when unset).
    pub allow: Option<String>,
}

/// The audiences ARM accepts, in the order its audience error lists them.
pub const ARM_AUDIENCES: [&str; 4] = [
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

impl ArmError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code,
            message: message.into(),
            challenge: None,
            retry_after: None,
            allow: None,
        }
    }

    /// Verbatim as ARM answers (MicrosoftDocs/feedback#2279, cloudquery#6626).
    pub fn missing_api_version() -> ArmError {
        ArmError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    /// ARM's own resources (subscriptions, resource groups, tenants): wording per
    /// Azure/azure-cli#28038 and Azure/azure-sdk-for-net#2276 (versions newest first).
    pub fn invalid_api_version(given: &str, supported: &[&str]) -> ArmError {
        ArmError::new(
            400,
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{given}' is invalid. The supported versions are '{}'.",
                supported.join(",")
            ),
        )
    }

    /// A resource provider's types (ManagedIdentity, Authorization): ARM's
    /// `NoRegisteredProviderFound` wording [INFERRED: location 'global' for RP-wide lists].
    pub fn no_registered_provider(given: &str, kind: &str, supported: &[&str]) -> ArmError {
        ArmError::new(
            400,
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{given}' for type '{kind}'. The supported api-versions are '{}'. The supported locations are ''.",
                supported.join(", ")
            ),
        )
    }

    /// ARM's answer to an unknown subscription id.
    pub fn subscription_not_found(id: &str) -> ArmError {
        ArmError::new(
            404,
            "SubscriptionNotFound",
            format!("The subscription '{id}' could not be found."),
        )
    }

    /// ARM's answer to an unknown resource group.
    pub fn resource_group_not_found(name: &str) -> ArmError {
        ArmError::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )
    }

    /// ARM's answer to an unknown resource in a known group.
    pub fn resource_not_found(kind: &str, name: &str, group: &str) -> ArmError {
        ArmError::new(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{kind}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// Authorization RP's answer to an unknown role assignment / definition.
    pub fn authorization_not_found(code: &'static str, what: &str) -> ArmError {
        ArmError::new(404, code, format!("The {what} does not exist."))
    }

    /// A path ARM has no route for [INFERRED code and wording].
    pub fn no_route(path: &str) -> ArmError {
        ArmError::new(
            404,
            "InvalidResourceType",
            format!("No route registered for '{path}'."),
        )
    }

    /// A `$filter` the Authorization RP cannot parse (wording per Azure/azure-sdk-for-python#34747).
    pub fn invalid_filter(filter: &str) -> ArmError {
        ArmError::new(
            400,
            "InvalidFilterParameter",
            format!("The filter '{filter}' is not supported."),
        )
    }

    /// entrasim serves reads only: writes are answered 405 (INFERRED).
    pub fn method_not_allowed(method: &str) -> ArmError {
        ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported by entrasim's ARM surface."),
        )
    }

    /// A 405 on a route that takes `allowed` (its `Allow` header lists them).
    pub fn method_not_allowed_on(method: &str, allowed: &[&str]) -> ArmError {
        ArmError {
            allow: Some(allowed.join(", ")),
            ..ArmError::method_not_allowed(method)
        }
    }

    /// No `Authorization` header (ARM's wording).
    pub fn missing_token() -> ArmError {
        let mut e = ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        );
        e.challenge = Some(challenge(
            "The authentication failed because of missing 'Authorization' header.",
        ));
        e
    }

    /// A token that does not verify.
    pub fn invalid_token() -> ArmError {
        let mut e = ArmError::new(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        );
        e.challenge = Some(challenge("The access token is invalid."));
        e
    }

    /// A token for another resource (e.g. Graph): ARM's audience error, word for word.
    pub fn wrong_audience(aud: &str) -> ArmError {
        let allowed = ARM_AUDIENCES
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(",");
        let message = format!(
            "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences {allowed}."
        );
        let mut e = ArmError::new(401, "InvalidAuthenticationTokenAudience", message.clone());
        e.challenge = Some(challenge(&message));
        e
    }

    /// The caller spent its read budget: 429 with `Retry-After` (S15; the code and
    /// message are inferred, reference A3.4).
    pub fn too_many_requests(retry_after: u64) -> ArmError {
        let mut e = ArmError::new(
            429,
            "TooManyRequests",
            format!(
                "The request is being throttled as the limit has been reached for operation type - Read. Please retry after {retry_after} seconds."
            ),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// The caller holds no role granting `action` at `scope` (reference A3.3, S18, verbatim template).
    pub fn authorization_failed(client: &str, object: &str, action: &str, scope: &str) -> ArmError {
        ArmError::new(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{client}' with object id '{object}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
            ),
        )
    }
}

fn challenge(description: &str) -> String {
    format!(
        "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{description}\""
    )
}

impl ResponseError for ArmError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Some(challenge) = &self.challenge {
            response.insert_header(("WWW-Authenticate", challenge.clone()));
        }
        if self.status == 405 {
            let allow = self.allow.as_deref().unwrap_or("GET, HEAD");
            response.insert_header(("Allow", allow.to_string()));
        }
        if let Some(wait) = self.retry_after {
            response.insert_header(("Retry-After", wait.to_string()));
        }
        response.insert_header(("x-ms-failure-cause", "gateway"));
        response.json(json!({"error": {"code": self.code, "message": self.message}}))
    }
}

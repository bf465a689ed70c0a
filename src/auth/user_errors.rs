//! AADSTS errors of the user flows (password, authorization code, refresh, device code).
//!
//! Sources (public captures of Entra token-endpoint bodies, code and issues corpora):
//! - 50126, 50057, 50076, 53003, 50034: the texts of the sign-in error catalogue
//!   (`seed/sign_in_errors.tsv`, Microsoft's AADSTS error table); 50034's "The user account
//!   {EmailHidden} does not exist in the … directory" as Entra words it on the token endpoint.
//! - 54005 "OAuth2 Authorization code was already redeemed, please retry with a new valid code
//!   or use an existing refresh token.", 70008 (expired code), 9002313 "Invalid request. Request
//!   is malformed or invalid.": MSAL issue threads quoting token-endpoint bodies.
//! - 501481 "The Code_Verifier does not match the code_challenge supplied in the authorization
//!   request.": MSAL.js / msal-node issue captures.
//! - 500112 (reply address differs at redemption), 50011 (redirect URI not registered):
//!   Microsoft's AADSTS error table.
//! - 70016 (authorization_pending), 70020 (expired_token), 70019 (bad_verification_code):
//!   device-flow captures in azure-cli / MSAL issues. `slow_down` is not documented by
//!   Microsoft (reference C.5, inferred); its number here reuses 70016's family.

use super::error::AadError;

impl AadError {
    /// AADSTS50126: wrong password (or no such user with this password).
    pub fn invalid_credentials() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        )
    }

    /// AADSTS50057: the account is disabled.
    pub fn user_disabled() -> AadError {
        AadError::new(400, "invalid_grant", 50057, "The user account is disabled.")
    }

    /// AADSTS50034: no such user in the tenant.
    pub fn unknown_user(tenant_id: &str) -> AadError {
        let text = format!(
            "The user account {{EmailHidden}} does not exist in the {tenant_id} directory. To sign into this application, the account must be added to the directory."
        );
        AadError::new(400, "invalid_grant", 50034, text)
    }

    /// AADSTS50076: Conditional Access requires MFA, which this flow cannot do.
    pub fn mfa_required(resource_app_id: &str) -> AadError {
        let text = format!(
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource_app_id}'."
        );
        AadError::new(400, "invalid_grant", 50076, text)
    }

    /// AADSTS53003: a Conditional Access policy blocks the sign-in.
    pub fn ca_blocked() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        )
    }

    /// AADSTS9002313: a code, refresh token or device code that is not one of ours.
    pub fn malformed_grant() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    /// AADSTS54005: the authorization code was redeemed before.
    pub fn code_redeemed() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        )
    }

    /// AADSTS70008: the authorization code or refresh token expired.
    pub fn grant_expired() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )
    }

    /// AADSTS501481: the PKCE verifier does not match the challenge.
    pub fn pkce_mismatch() -> AadError {
        AadError::new(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    /// AADSTS500112: the redirect URI of the redemption differs from the authorize one.
    pub fn reply_address_mismatch(sent: &str, original: &str) -> AadError {
        let text = format!(
            "The reply address '{sent}' does not match the reply address '{original}' provided when requesting Authorization code."
        );
        AadError::new(400, "invalid_grant", 500112, text)
    }

    /// AADSTS50011: the redirect URI is not one the application registered.
    pub fn redirect_uri_mismatch(uri: &str, app_id: &str) -> AadError {
        let text = format!(
            "The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{app_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
        );
        AadError::new(400, "invalid_request", 50011, text)
    }

    /// AADSTS70016: the device code is not approved yet.
    pub fn authorization_pending() -> AadError {
        AadError::new(
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    }

    /// `slow_down` (RFC 8628; inferred for Entra): polled faster than the interval.
    pub fn slow_down() -> AadError {
        AadError::new(
            400,
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. Polling too frequently; wait the interval between requests.",
        )
    }

    /// AADSTS70020: the device code expired.
    pub fn device_code_expired() -> AadError {
        AadError::new(
            400,
            "expired_token",
            70020,
            "The provided value for the input parameter 'device_code' is not valid. Device code expired.",
        )
    }

    /// AADSTS70019: a device code entrasim never issued.
    pub fn bad_verification_code() -> AadError {
        AadError::new(
            400,
            "bad_verification_code",
            70019,
            "Verification code expired or was not found.",
        )
    }

    /// AADSTS90010 (unsupported here): ROPC on `common`/`consumers`.
    pub fn ropc_needs_tenant() -> AadError {
        AadError::new(
            400,
            "invalid_request",
            90010,
            "The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        )
    }
}

//! The `signIn` resource (v1.0 and beta) as Graph serialises it.

use super::ca::{PolicyResult, evaluate, status};
use super::ids::{Purpose, id, time0};
use crate::activity::Plan;
use crate::store::records::{NONE, SignIn, SignInKind, flags};
use crate::tenant::{SpOrigin, UserKind};
use serde::Serialize;

/// API version of a request.
pub use crate::query::capability::ApiVersion;

/// `userDisplayName`.
pub fn user_display_name<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a str> {
    r.kind
        .is_user()
        .then(|| plan.tenant.user(r.subject).display_name.as_str())
}

/// `userPrincipalName`: lower-case; a guest's true address, not the `#EXT#` form.
pub fn user_principal_name<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a str> {
    r.kind
        .is_user()
        .then(|| plan.tenant.user(r.subject).sign_in_name.as_str())
}

/// `userId` ("" for workload sign-ins, as Graph shows them).
pub fn user_id<'a>(plan: &'a Plan, r: &SignIn) -> &'a str {
    if r.kind.is_user() {
        &plan.tenant.user(r.subject).id
    } else {
        ""
    }
}

/// `appId` and `appDisplayName`.
pub fn app<'a>(plan: &'a Plan, r: &SignIn) -> (&'a str, &'a str) {
    let sp = plan.tenant.sp(r.app);
    (&sp.app_id, &sp.display_name)
}

/// `resourceId` and `resourceDisplayName`.
pub fn resource<'a>(plan: &'a Plan, r: &SignIn) -> (&'a str, &'a str) {
    let sp = plan.tenant.sp(r.resource);
    (&sp.app_id, &sp.display_name)
}

/// `ipAddress` (None for managed identities: Graph leaves it out).
pub fn ip_address(r: &SignIn) -> Option<String> {
    (r.kind != SignInKind::ManagedIdentity)
        .then(|| format!("{}.{}.{}.{}", r.ip[0], r.ip[1], r.ip[2], r.ip[3]))
}

/// `status/errorCode`.
pub fn error_code(plan: &Plan, r: &SignIn) -> i32 {
    if r.error == 0 {
        0
    } else {
        plan.catalog.sign_in_errors[r.error as usize - 1].code
    }
}

/// `clientAppUsed` (None for workload sign-ins).
pub fn client_app_used<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a str> {
    r.kind.is_user().then(|| {
        plan.catalog.client_apps[r.client_app as usize]
            .name
            .as_str()
    })
}

/// The user agent row of the device used, if any.
pub fn agent<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a crate::catalog::UserAgent> {
    (r.device != NONE).then(|| {
        &plan.catalog.user_agents[plan.tenant.devices[r.device as usize].user_agent as usize]
    })
}

/// The location row, if recorded.
pub fn location<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a crate::catalog::Location> {
    plan.catalog.locations.get(r.location as usize)
}

/// `servicePrincipalId` and `servicePrincipalName` (workload sign-ins only).
pub fn service_principal<'a>(plan: &'a Plan, r: &SignIn) -> Option<(&'a str, &'a str)> {
    (!r.kind.is_user()).then(|| {
        let sp = plan.tenant.sp(r.subject);
        (sp.id.as_str(), sp.display_name.as_str())
    })
}

/// `homeTenantId`: the user's own tenant (a guest's home tenant); none for workloads.
pub fn home_tenant_id<'a>(plan: &'a Plan, r: &SignIn) -> Option<&'a str> {
    r.kind.is_user().then(|| {
        let user = plan.tenant.user(r.subject);
        user.home_tenant_id.as_deref().unwrap_or(&plan.tenant.id)
    })
}

/// `riskLevelDuringSignIn`, hidden below P2 (the risk fields live in `protection::sign_in_risk`).
pub fn risk_level(plan: &Plan, r: &SignIn) -> &'static str {
    crate::protection::sign_in_risk::during(plan, r)
}

/// `authenticationRequirement`: multi-factor when Conditional Access asked
/// for MFA (met, satisfied by a claim, or interrupting the sign-in).
pub fn authentication_requirement(plan: &Plan, r: &SignIn) -> &'static str {
    if super::ca::mfa_required(plan, r) {
        "multiFactorAuthentication"
    } else {
        "singleFactorAuthentication"
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status<'a> {
    error_code: i32,
    failure_reason: std::borrow::Cow<'a, str>,
    additional_details: Option<&'a str>,
}

/// `status/failureReason` and `status/additionalDetails` of a failed sign-in (None on success).
pub fn failure<'a>(
    plan: &'a Plan,
    r: &SignIn,
) -> Option<(std::borrow::Cow<'a, str>, Option<&'a str>)> {
    let error = (r.error > 0).then(|| &plan.catalog.sign_in_errors[r.error as usize - 1])?;
    let details = Some(error.additional_details.as_str()).filter(|d| !d.is_empty());
    Some((fill(&error.failure_reason, plan, r), details))
}

/// A catalog failure text with its `{appId}`, `{appName}`, `{resource}` and `{tenant}` filled in.
fn fill<'a>(text: &'a str, plan: &Plan, r: &SignIn) -> std::borrow::Cow<'a, str> {
    if !text.contains('{') {
        return std::borrow::Cow::Borrowed(text);
    }
    let (app_id, app_name) = app(plan, r);
    let (resource_id, _) = resource(plan, r);
    std::borrow::Cow::Owned(
        text.replace("{appId}", app_id)
            .replace("{appName}", app_name)
            .replace("{resource}", resource_id)
            .replace("{tenant}", &plan.tenant.id),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceDetail<'a> {
    device_id: &'a str,
    display_name: &'a str,
    operating_system: Option<&'a str>,
    browser: Option<&'a str>,
    is_compliant: bool,
    is_managed: bool,
    trust_type: Option<&'a str>,
}

#[derive(Serialize)]
struct Geo {
    altitude: Option<f64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    city: Option<&'a str>,
    state: Option<&'a str>,
    country_or_region: Option<&'a str>,
    geo_coordinates: Geo,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppliedPolicy<'a> {
    id: &'a str,
    display_name: &'a str,
    enforced_grant_controls: &'a [String],
    enforced_session_controls: &'a [String],
    result: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V1<'a> {
    id: String,
    created_date_time: String,
    user_display_name: Option<&'a str>,
    user_principal_name: Option<&'a str>,
    user_id: &'a str,
    app_id: &'a str,
    app_display_name: &'a str,
    ip_address: Option<String>,
    client_app_used: Option<&'a str>,
    user_agent: Option<&'a str>,
    correlation_id: String,
    conditional_access_status: &'static str,
    is_interactive: bool,
    risk_detail: &'static str,
    risk_level_aggregated: &'static str,
    risk_level_during_sign_in: &'static str,
    risk_state: &'static str,
    /// Legacy; the beta Prod mapping dropped it, v1.0 keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    risk_event_types: Option<&'static [&'static str]>,
    #[serde(rename = "riskEventTypes_v2")]
    risk_event_types_v2: &'static [&'static str],
    resource_display_name: &'a str,
    resource_id: &'a str,
    resource_tenant_id: &'a str,
    home_tenant_id: Option<&'a str>,
    service_principal_id: &'a str,
    service_principal_name: Option<&'a str>,
    status: Status<'a>,
    device_detail: DeviceDetail<'a>,
    location: Location<'a>,
    applied_conditional_access_policies: Vec<AppliedPolicy<'a>>,
    authentication_app_device_details: Option<()>,
    #[serde(flatten)]
    beta: Option<Beta<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticationDetail<'a> {
    authentication_step_date_time: String,
    authentication_method: &'a str,
    authentication_method_detail: Option<&'a str>,
    succeeded: bool,
    authentication_step_result_detail: &'a str,
    authentication_step_requirement: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MfaDetail<'a> {
    auth_method: Option<&'a str>,
    auth_detail: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManagedIdentity<'a> {
    msi_type: &'static str,
    associated_resource_id: &'a str,
    federated_token_id: Option<&'a str>,
    federated_token_issuer: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Agent<'a> {
    agent_type: &'static str,
    parent_app_id: Option<&'a str>,
    agent_subject_type: Option<&'static str>,
    agent_subject_parent_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Beta<'a> {
    sign_in_event_types: [&'static str; 1],
    user_type: Option<&'static str>,
    authentication_requirement: &'static str,
    authentication_methods_used: Vec<&'a str>,
    authentication_details: Vec<AuthenticationDetail<'a>>,
    mfa_detail: Option<MfaDetail<'a>>,
    managed_service_identity: ManagedIdentity<'a>,
    agent: Agent<'a>,
    client_credential_type: &'static str,
    service_principal_credential_key_id: Option<&'a str>,
    service_principal_credential_thumbprint: Option<&'a str>,
    resource_service_principal_id: &'a str,
    app_owner_tenant_id: &'a str,
    resource_owner_tenant_id: &'a str,
    token_issuer_type: &'static str,
    token_issuer_name: &'static str,
    incoming_token_type: &'static str,
    authentication_protocol: &'static str,
    cross_tenant_access_type: &'static str,
    unique_token_identifier: String,
    session_id: Option<String>,
    original_request_id: String,
    processing_time_in_milliseconds: u32,
    flagged_for_review: bool,
    is_tenant_restricted: bool,
    is_through_global_secure_access: bool,
    home_tenant_name: Option<&'a str>,
    sign_in_identifier: Option<&'a str>,
    sign_in_identifier_type: Option<&'static str>,
    azure_resource_id: Option<&'a str>,
    federated_credential_id: Option<&'a str>,
    conditional_access_audiences: Vec<&'a str>,
    network_location_details: Vec<()>,
    session_lifetime_policies: Vec<()>,
}

/// `riskEventTypes_v2` of a sign-in with this risk byte (empty below P2).
pub fn risk_event_types(plan: &Plan, risk: u8) -> &'static [&'static str] {
    let kinds = crate::protection::signals::kinds(risk);
    crate::protection::sign_in_risk::event_types_of(plan, kinds)
}

/// Writes one sign-in as Graph JSON.
pub fn write(out: &mut Vec<u8>, plan: &Plan, r: &SignIn, version: ApiVersion) {
    let json = build(plan, r, version);
    sonic_rs::to_writer(out, &json).expect("writing to a Vec cannot fail");
}

fn build<'a>(plan: &'a Plan, r: &SignIn, version: ApiVersion) -> V1<'a> {
    use crate::protection::sign_in_risk as risk;
    let seed = plan.tenant.seed;
    let (app_id, app_name) = app(plan, r);
    let (resource_id, resource_name) = resource(plan, r);
    let results = evaluate(plan, r);
    let error = (r.error > 0).then(|| &plan.catalog.sign_in_errors[r.error as usize - 1]);
    let agent = agent(plan, r);
    V1 {
        id: id(seed, Purpose::SignIn, r.key),
        created_date_time: time0(r.at),
        user_display_name: user_display_name(plan, r),
        user_principal_name: user_principal_name(plan, r),
        user_id: user_id(plan, r),
        app_id,
        app_display_name: app_name,
        ip_address: ip_address(r),
        client_app_used: client_app_used(plan, r),
        user_agent: agent.map(|a| a.user_agent.as_str()),
        correlation_id: id(seed, Purpose::Correlation, r.corr),
        conditional_access_status: status(&results),
        is_interactive: r.kind == SignInKind::Interactive,
        risk_detail: risk::detail(plan, r),
        risk_level_aggregated: risk::aggregated(plan, r),
        risk_level_during_sign_in: risk::during(plan, r),
        risk_state: risk::state(plan, r),
        risk_event_types: (version == ApiVersion::V1).then(|| risk::legacy_event_types(plan, r)),
        risk_event_types_v2: risk::event_types(plan, r),
        resource_display_name: resource_name,
        resource_id,
        resource_tenant_id: &plan.tenant.id,
        home_tenant_id: home_tenant_id(plan, r),
        service_principal_id: service_principal(plan, r).map_or("", |s| s.0),
        service_principal_name: service_principal(plan, r).map(|s| s.1),
        status: Status {
            error_code: error.map_or(0, |e| e.code),
            failure_reason: error.map_or(std::borrow::Cow::Borrowed("Other."), |e| {
                fill(&e.failure_reason, plan, r)
            }),
            additional_details: error
                .map(|e| e.additional_details.as_str())
                .filter(|d| !d.is_empty()),
        },
        device_detail: device_detail(plan, r),
        location: location_json(plan, r),
        applied_conditional_access_policies: applied(plan, &results),
        authentication_app_device_details: None,
        beta: (version == ApiVersion::Beta).then(|| beta(plan, r, error.is_some())),
    }
}

fn device_detail<'a>(plan: &'a Plan, r: &SignIn) -> DeviceDetail<'a> {
    let device = (r.device != NONE).then(|| &plan.tenant.devices[r.device as usize]);
    let joined = device.filter(|d| d.trust_type.is_some());
    let agent = agent(plan, r);
    DeviceDetail {
        device_id: joined.map_or("", |d| d.device_id.as_str()),
        display_name: joined.map_or("", |d| d.display_name.as_str()),
        operating_system: agent.map(|a| a.os.as_str()),
        browser: agent.map(|a| a.browser.as_str()),
        is_compliant: device.is_some_and(|d| d.is_compliant),
        is_managed: device.is_some_and(|d| d.is_managed),
        trust_type: joined.and_then(|d| d.trust_type),
    }
}

fn location_json<'a>(plan: &'a Plan, r: &SignIn) -> Location<'a> {
    let place = location(plan, r);
    Location {
        city: place.map(|p| p.city.as_str()),
        state: place.map(|p| p.state.as_str()),
        country_or_region: place.map(|p| p.country.as_str()),
        geo_coordinates: Geo {
            altitude: None,
            latitude: place.map(|p| p.latitude),
            longitude: place.map(|p| p.longitude),
        },
    }
}

fn applied<'a>(plan: &'a Plan, results: &[(usize, PolicyResult)]) -> Vec<AppliedPolicy<'a>> {
    results
        .iter()
        .map(|&(i, result)| {
            let template = &plan.catalog.ca_policies[plan.tenant.ca_policies[i].template as usize];
            let enforced = matches!(result, PolicyResult::Success | PolicyResult::Failure);
            AppliedPolicy {
                id: &plan.tenant.ca_policies[i].id,
                display_name: &template.display_name,
                enforced_grant_controls: if enforced {
                    &template.grant_controls
                } else {
                    &[]
                },
                enforced_session_controls: if enforced {
                    &template.session_controls
                } else {
                    &[]
                },
                result: result.as_str(),
            }
        })
        .collect()
}

fn beta<'a>(plan: &'a Plan, r: &SignIn, failed: bool) -> Beta<'a> {
    let seed = plan.tenant.seed;
    let user = r.kind.is_user().then(|| plan.tenant.user(r.subject));
    let workload = (!r.kind.is_user()).then(|| plan.tenant.sp(r.subject));
    let mi = workload.and_then(|sp| match sp.origin {
        SpOrigin::ManagedIdentity(m) => Some(&plan.tenant.managed_identities[m as usize]),
        _ => None,
    });
    let (key_id, thumbprint) = credential(plan, r);
    let method = user
        .and_then(|u| u.mfa_method)
        .unwrap_or("Mobile app notification");
    let mfa = r.flags & flags::MFA != 0;
    Beta {
        sign_in_event_types: [r.kind.as_str()],
        user_type: user.map(|u| {
            if u.kind == UserKind::Guest {
                "guest"
            } else {
                "member"
            }
        }),
        authentication_requirement: authentication_requirement(plan, r),
        authentication_methods_used: methods_used(r, user, method),
        authentication_details: authentication_details(r, user, method, failed),
        mfa_detail: mfa.then_some(MfaDetail {
            auth_method: Some(method),
            auth_detail: None,
        }),
        managed_service_identity: ManagedIdentity {
            msi_type: mi.map_or("none", |m| m.kind.as_str()),
            associated_resource_id: mi.map_or("", |m| m.used_by.as_str()),
            federated_token_id: None,
            federated_token_issuer: None,
        },
        agent: Agent {
            agent_type: workload.map_or("notAgentic", |sp| sp.agent.as_str()),
            parent_app_id: workload.and_then(|sp| sp.agent_parent_app_id.as_deref()),
            agent_subject_type: None,
            agent_subject_parent_id: None,
        },
        client_credential_type: match r.kind {
            SignInKind::ServicePrincipal if r.flags & flags::CERTIFICATE != 0 => "certificate",
            SignInKind::ServicePrincipal
                if workload.is_some_and(|sp| sp.federated_credential_id.is_some()) =>
            {
                "federatedIdentityCredential"
            }
            SignInKind::ServicePrincipal => "clientSecret",
            SignInKind::ManagedIdentity => "managedIdentity",
            _ => "none",
        },
        service_principal_credential_key_id: key_id,
        service_principal_credential_thumbprint: thumbprint,
        resource_service_principal_id: &plan.tenant.sp(r.resource).id,
        app_owner_tenant_id: &plan.tenant.sp(r.app).app_owner_organization_id,
        resource_owner_tenant_id: &plan.tenant.sp(r.resource).app_owner_organization_id,
        token_issuer_type: "AzureAD",
        token_issuer_name: "",
        incoming_token_type: if r.kind == SignInKind::NonInteractive {
            "refreshToken"
        } else {
            "none"
        },
        authentication_protocol: if r.kind.is_user() {
            "none"
        } else {
            "clientCredentials"
        },
        cross_tenant_access_type: if user.is_some_and(|u| u.kind == UserKind::Guest) {
            "b2bCollaboration"
        } else {
            "none"
        },
        unique_token_identifier: base64_id(seed, r.key),
        session_id: r.kind.is_user().then(|| {
            super::ids::id2(
                seed,
                Purpose::Session,
                r.subject as u64,
                r.at.div_euclid(86_400 * 10_000_000) as u64,
            )
        }),
        original_request_id: id(seed, Purpose::SignIn, r.key),
        processing_time_in_milliseconds: 40 + (r.key % 400) as u32,
        flagged_for_review: false,
        is_tenant_restricted: false,
        is_through_global_secure_access: false,
        home_tenant_name: None,
        sign_in_identifier: user.map(|u| u.sign_in_name.as_str()),
        sign_in_identifier_type: user.map(|_| "userPrincipalName"),
        azure_resource_id: mi.map(|m| m.resource_id.as_str()),
        federated_credential_id: workload
            .filter(|_| r.kind == SignInKind::ServicePrincipal)
            .and_then(|sp| sp.federated_credential_id.as_deref()),
        conditional_access_audiences: vec![&plan.tenant.sp(r.resource).app_id],
        network_location_details: Vec::new(),
        session_lifetime_policies: Vec::new(),
    }
}

/// `servicePrincipalCredentialKeyId` and `servicePrincipalCredentialThumbprint` of an
/// application's client-credentials sign-in.
pub fn credential<'a>(plan: &'a Plan, r: &SignIn) -> (Option<&'a str>, Option<&'a str>) {
    if r.kind != SignInKind::ServicePrincipal {
        return (None, None);
    }
    let SpOrigin::LineOfBusiness(app) = plan.tenant.sp(r.subject).origin else {
        return (None, None);
    };
    let app = &plan.tenant.applications[app as usize];
    match (
        r.flags & flags::CERTIFICATE != 0,
        app.certificates.first(),
        app.passwords.first(),
    ) {
        (true, Some(cert), _) => (Some(&cert.key_id), Some(&cert.thumbprint)),
        (_, _, Some(secret)) => (Some(&secret.key_id), None),
        _ => (None, None),
    }
}

/// `authenticationMethodsUsed`: what the user presented in this sign-in
/// (nothing new for a token refresh).
fn methods_used<'a>(
    r: &SignIn,
    user: Option<&crate::tenant::User>,
    method: &'a str,
) -> Vec<&'a str> {
    if r.kind != SignInKind::Interactive || user.is_none() {
        return Vec::new();
    }
    let mut used = vec!["Password"];
    if r.flags & flags::MFA != 0 {
        used.push(method);
    }
    used
}

/// How a password was checked: synchronised from AD for HR-provisioned
/// (on-premises) accounts, in the cloud otherwise; a guest's home tenant
/// checks it, so the resource tenant records no detail.
fn password_detail(user: &crate::tenant::User) -> Option<&'static str> {
    match (user.kind, user.source) {
        (UserKind::Guest, _) => None,
        (_, crate::tenant::UserSource::Workday) => Some("Password Hash Sync"),
        _ => Some("Password in the cloud"),
    }
}

fn authentication_details<'a>(
    r: &SignIn,
    user: Option<&crate::tenant::User>,
    method: &'a str,
    failed: bool,
) -> Vec<AuthenticationDetail<'a>> {
    let Some(user) = user else {
        return Vec::new();
    };
    let mut steps = vec![AuthenticationDetail {
        authentication_step_date_time: time0(r.at),
        authentication_method: if r.kind == SignInKind::NonInteractive {
            "Previously satisfied"
        } else {
            "Password"
        },
        authentication_method_detail: (r.kind == SignInKind::Interactive)
            .then(|| password_detail(user))
            .flatten(),
        succeeded: !failed,
        authentication_step_result_detail: if failed {
            "Authentication failed"
        } else {
            "Correct password"
        },
        authentication_step_requirement: "Primary authentication",
    }];
    if r.flags & (flags::MFA | flags::MFA_CLAIM) != 0 && !failed {
        let claim = r.flags & flags::MFA_CLAIM != 0;
        steps.push(AuthenticationDetail {
            authentication_step_date_time: time0(r.at),
            authentication_method: if claim {
                "Previously satisfied"
            } else {
                method
            },
            authentication_method_detail: None,
            succeeded: true,
            authentication_step_result_detail: if claim {
                "MFA requirement satisfied by claim in the token"
            } else {
                "MFA successfully completed"
            },
            authentication_step_requirement: "Multifactor authentication",
        });
    }
    steps
}

/// `uniqueTokenIdentifier`: base64 of a GUID string, as Graph's examples show.
fn base64_id(seed: crate::rng::Seed, key: u64) -> String {
    use base64::Engine;
    let raw = id(seed, Purpose::Token, key);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw.as_bytes()[..16])
}

//! `/organization` and `/domains`: the tenant itself, its verified domains and
//! the Entra ID licence as `assignedPlans` (what prowler reads at setup).

use super::caller::Caller;
use super::directory_keys::reply;
use super::error::GraphError;
use super::logs::version_name;
use crate::app::AppState;
use crate::config::License;
use crate::query::capability::ApiVersion;
use crate::tenant::Tenant;
use actix_web::HttpResponse;
use serde_json::{Value, json};

/// Serves `/organization[/{id}]` and `/domains[/{name}]`; `None` for other paths.
pub fn serve(
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    lower: &[&str],
    rest: &[String],
) -> Option<Result<HttpResponse, GraphError>> {
    let world = state.world();
    let tenant = &world.tenants.get(caller.tenant)?.plan.tenant;
    let context = |fragment: &str| {
        format!(
            "https://graph.microsoft.com/{}/$metadata#{fragment}",
            version_name(version)
        )
    };
    let list = |set: &str, value: Vec<Value>| {
        Ok(reply(
            &json!({"@odata.context": context(set), "value": value}),
        ))
    };
    let one = |set: &str, found: Option<Value>, key: &str| {
        let mut object = found.ok_or_else(|| GraphError::not_found(key))?;
        object["@odata.context"] = json!(context(&format!("{set}/$entity")));
        Ok(reply(&object))
    };
    Some(match lower {
        ["organization"] => list("organization", vec![organization(tenant)]),
        ["organization", id] => one(
            "organization",
            id.eq_ignore_ascii_case(&tenant.id)
                .then(|| organization(tenant)),
            &rest[1],
        ),
        ["domains"] => list("domains", domains(tenant)),
        ["domains", name] => one(
            "domains",
            domains(tenant).into_iter().find(|d| d["id"] == *name),
            &rest[1],
        ),
        _ => return None,
    })
}

/// The tenant's domains: the initial `onmicrosoft.com` one and its custom ones,
/// all verified; the default is the first custom domain.
fn names(tenant: &Tenant) -> Vec<(&str, bool, bool)> {
    let default = tenant.default_domain();
    std::iter::once(tenant.initial_domain.as_str())
        .chain(tenant.custom_domains.iter().map(String::as_str))
        .map(|d| (d, d == default, d == tenant.initial_domain))
        .collect()
}

fn domains(tenant: &Tenant) -> Vec<Value> {
    names(tenant)
        .into_iter()
        .map(|(name, is_default, is_initial)| {
            json!({
                "id": name.to_ascii_lowercase(),
                "authenticationType": "Managed",
                "availabilityStatus": null,
                "isAdminManaged": true,
                "isDefault": is_default,
                "isInitial": is_initial,
                "isRoot": true,
                "isVerified": true,
                "passwordNotificationWindowInDays": null,
                "passwordValidityPeriodInDays": null,
                "supportedServices": ["Email", "OfficeCommunicationsOnline"],
                "state": null,
            })
        })
        .collect()
}

/// The Entra ID service plans a licence carries (service plan ids from Microsoft's
/// "Product names and service plan identifiers for licensing" table).
fn plans(license: License) -> &'static [(&'static str, &'static str)] {
    const P1: (&str, &str) = ("AADPremiumService", "41781fb2-bc02-4b7c-bd55-b576c07bb09d");
    const P2: (&str, &str) = ("AADPremiumService", "eec0eb4f-6444-4f95-aba0-50c24d67f998");
    match license {
        License::Free => &[],
        License::P1 => &[P1],
        License::P2 => &[P1, P2],
    }
}

fn organization(tenant: &Tenant) -> Value {
    let created = tenant.window_start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let assigned: Vec<Value> = plans(tenant.license)
        .iter()
        .map(|(service, id)| {
            json!({"assignedDateTime": created, "capabilityStatus": "Enabled",
                "service": service, "servicePlanId": id})
        })
        .collect();
    let verified: Vec<Value> = names(tenant)
        .into_iter()
        .map(|(name, is_default, is_initial)| {
            json!({"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": is_default,
                "isInitial": is_initial, "name": name, "type": "Managed"})
        })
        .collect();
    json!({
        "id": tenant.id,
        "deletedDateTime": null,
        "displayName": tenant.organization,
        "tenantType": "AAD",
        "createdDateTime": created,
        "countryLetterCode": "US",
        "preferredLanguage": "en",
        "onPremisesSyncEnabled": null,
        "assignedPlans": assigned,
        "provisionedPlans": [],
        "verifiedDomains": verified,
        "technicalNotificationMails": [],
        "securityComplianceNotificationMails": [],
        "businessPhones": [],
    })
}

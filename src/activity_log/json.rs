//! EventData JSON as the Activity Log REST API writes it (reference A2.1, the real event
//! of A2.5): ids from the seed and the record's keys, names and scopes from the tenant.

use super::filter::PROPERTIES;
use super::record::{ArmEvent, Client, Op, Phase, Principal, Scope, Subject};
use crate::arm::inventory::{Assignment, LOCATION, assignment, group_of, standing};
use crate::arm::roles::BUILT_IN;
use crate::model::ids::{Purpose, id, time7};
use crate::store::records::{Actor, TICKS_PER_SECOND, Ticks};
use crate::tenant::Tenant;
use serde_json::{Map, Value, json};

/// .NET ticks at the Unix epoch: the `id`'s `/ticks/` count is .NET ticks (reference A2.2).
const DOTNET_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
use crate::activity::{CLI_APP_ID, PORTAL_APP_ID};

/// What an event's operation acts on, resolved against the tenant.
pub struct Target {
    pub resource_id: String,
    pub subscription: String,
    /// "" at subscription scope.
    pub group: String,
    /// `authorization.scope`.
    pub scope: String,
    /// The role assignment, for role-assignment operations.
    pub assignment: Option<Assignment>,
    /// The user-assigned identity (managed identity index), for identity operations.
    pub identity: Option<u32>,
}

/// Resolves the event's subject; None if the tenant lacks it (never for generated events).
pub fn target(tenant: &Tenant, event: &ArmEvent) -> Option<Target> {
    let (resource_id, scope, assignment, identity) = match event.subject {
        Subject::Identity(mi) => {
            let id = tenant
                .managed_identities
                .get(mi as usize)?
                .resource_id
                .clone();
            (id.clone(), id, None, Some(mi))
        }
        Subject::Standing(i) => {
            let a = standing(tenant, i as usize)?;
            (a.id.clone(), a.scope.clone(), Some(a), None)
        }
        Subject::Transient(grant) => {
            let scope = scope_text(tenant, grant.scope)?;
            let role = BUILT_IN.get(grant.role as usize)?;
            let name = id(tenant.seed, Purpose::ArmAssignment, grant.name);
            let (principal, kind) = principal(tenant, grant.principal)?;
            let mut a = assignment(
                &name,
                &scope,
                role,
                &principal,
                crate::store::records::datetime(grant.created),
            );
            a.principal_type = kind;
            (a.id.clone(), scope, Some(a), None)
        }
    };
    let subscription = subscription_of(&resource_id)?;
    let group = group_of(&resource_id).map(|g| g.name).unwrap_or_default();
    Some(Target {
        resource_id,
        subscription,
        group,
        scope,
        assignment,
        identity,
    })
}

/// The scope an assignment is made at.
pub fn scope_text(tenant: &Tenant, scope: Scope) -> Option<String> {
    let host = |m: u32| {
        tenant
            .managed_identities
            .get(m as usize)
            .map(|m| m.used_by.clone())
    };
    match scope {
        Scope::Subscription(s) => Some(format!(
            "/subscriptions/{}",
            tenant.subscriptions.get(s as usize)?
        )),
        Scope::GroupOf(m) => {
            let g = group_of(&host(m)?)?;
            Some(format!(
                "/subscriptions/{}/resourceGroups/{}",
                g.subscription, g.name
            ))
        }
        Scope::ResourceOf(m) => host(m),
    }
}

/// Object id and `principalType` of a principal.
pub fn principal(tenant: &Tenant, p: Principal) -> Option<(String, &'static str)> {
    Some(match p {
        Principal::Sp(i) => (
            tenant.service_principals.get(i as usize)?.id.clone(),
            "ServicePrincipal",
        ),
        Principal::User(i) => (tenant.users.get(i as usize)?.id.clone(), "User"),
        Principal::Group(i) => (tenant.groups.get(i as usize)?.id.clone(), "Group"),
    })
}

fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/').filter(|s| !s.is_empty());
    match (parts.next(), parts.next()) {
        (Some(s), Some(sub)) if s.eq_ignore_ascii_case("subscriptions") => Some(sub.to_string()),
        _ => None,
    }
}

/// The caller's name (`caller`): a user's UPN, a service principal's object id (INFERRED).
pub fn caller(tenant: &Tenant, actor: Actor) -> String {
    match actor {
        Actor::User(u) => tenant.user(u).user_principal_name.clone(),
        Actor::App(sp) => tenant.sp(sp).id.clone(),
        Actor::System(_) => String::new(),
    }
}

/// `{"value","localizedValue"}`.
fn localizable(value: &str, localized: &str) -> Value {
    json!({ "value": value, "localizedValue": localized })
}

/// The event's EventData, with only `select`ed properties when given.
pub fn event(tenant: &Tenant, e: &ArmEvent, select: Option<&[&str]>) -> Value {
    let Some(t) = target(tenant, e) else {
        return json!({});
    };
    let event_data_id = id(tenant.seed, Purpose::ArmEvent, e.key);
    let correlation = id(tenant.seed, Purpose::ArmOperation, e.corr);
    let (provider, kind) = match e.op {
        Op::IdentityWrite | Op::IdentityDelete => (
            "Microsoft.ManagedIdentity",
            "Microsoft.ManagedIdentity/userAssignedIdentities",
        ),
        _ => (
            "Microsoft.Authorization",
            "Microsoft.Authorization/roleAssignments",
        ),
    };
    let (status, sub_status, level) = outcome(e, created(tenant, e));
    let mut all = Map::new();
    let mut put = |k: &str, v: Value| {
        all.insert(k.to_string(), v);
    };
    put(
        "authorization",
        json!({"action": e.op.value(), "scope": t.scope}),
    );
    put("caller", json!(caller(tenant, e.caller)));
    put("channels", json!("Operation"));
    put("claims", claims(tenant, e));
    put("correlationId", json!(correlation));
    put("description", json!(""));
    put("eventDataId", json!(event_data_id));
    put(
        "eventName",
        match e.phase {
            Phase::Started => localizable("BeginRequest", "Begin request"),
            _ => localizable("EndRequest", "End request"),
        },
    );
    put("category", localizable("Administrative", "Administrative"));
    put("eventTimestamp", json!(time7(e.at)));
    if let Some(request) = http_request(tenant, e) {
        put("httpRequest", request);
    }
    put(
        "id",
        json!(format!(
            "{}/events/{event_data_id}/ticks/{}",
            t.resource_id,
            e.at + DOTNET_EPOCH_TICKS
        )),
    );
    put("level", json!(level));
    put("operationId", json!(correlation));
    put("operationName", localizable(e.op.value(), e.op.localized()));
    put("resourceGroupName", json!(t.group));
    put("resourceProviderName", localizable(provider, provider));
    put("resourceType", localizable(kind, kind));
    put("resourceId", json!(t.resource_id));
    put("status", localizable(status, status));
    put("subStatus", sub_status);
    put("submissionTimestamp", json!(time7(submitted(e))));
    put("subscriptionId", json!(t.subscription));
    put("tenantId", json!(tenant.id));
    put("properties", properties(tenant, e, &t));
    put("relatedEvents", json!([]));
    match select {
        None => Value::Object(all),
        Some(keys) => Value::Object(
            PROPERTIES
                .iter()
                .filter(|p| keys.contains(p))
                .filter_map(|p| all.get(*p).map(|v| (p.to_string(), v.clone())))
                .collect(),
        ),
    }
}

/// `httpRequest` on an end event (the spec example S3 has it on an EndRequest; the real
/// Started event of A2.5 has none): the client's request id, its address (the caller's
/// sign-in's) and method. Injected events name no sign-in and carry none.
fn http_request(tenant: &Tenant, e: &ArmEvent) -> Option<Value> {
    if e.phase == Phase::Started || e.ip == [0; 4] {
        return None;
    }
    let [a, b, c, d] = e.ip;
    Some(json!({
        "clientRequestId": id(tenant.seed, Purpose::ArmClientRequest, e.corr),
        "clientIpAddress": format!("{a}.{b}.{c}.{d}"),
        "method": e.op.method(),
    }))
}

/// When the event became available (`submissionTimestamp`).
pub fn submitted(e: &ArmEvent) -> Ticks {
    e.at + e.delay_ms as i64 * 10_000
}

/// Whether the write created its resource (201) rather than updating it (200).
fn created(tenant: &Tenant, e: &ArmEvent) -> bool {
    match (e.op, e.subject) {
        (Op::IdentityWrite, Subject::Identity(mi)) => {
            tenant.managed_identities.get(mi as usize).is_some_and(|m| {
                e.at < crate::store::records::ticks(tenant.sp(m.service_principal).created)
            })
        }
        (Op::AssignmentWrite, _) => true,
        _ => false,
    }
}

/// `status`, `subStatus` and `level` (reference A2.3, S1's subStatus list).
fn outcome(e: &ArmEvent, created: bool) -> (&'static str, Value, &'static str) {
    let sub = |v: &str, code: u16| localizable(v, &format!("{v} (HTTP Status Code: {code})"));
    match (e.phase, e.op) {
        (Phase::Started, _) => ("Started", localizable("", ""), "Informational"),
        (Phase::Succeeded, _) if created => ("Succeeded", sub("Created", 201), "Informational"),
        (Phase::Succeeded, _) => ("Succeeded", sub("OK", 200), "Informational"),
        (Phase::Failed, _) => ("Failed", sub("Conflict", 409), "Error"),
    }
}

/// The claims of the caller's ARM token (the real event's keys, A2.5, abridged to the
/// ones entrasim can fill truthfully).
fn claims(tenant: &Tenant, e: &ArmEvent) -> Value {
    let issued = (e.at / TICKS_PER_SECOND) - 300;
    let mut c = json!({
        "aud": "https://management.core.windows.net/",
        "iss": format!("https://sts.windows.net/{}/", tenant.id),
        "iat": issued.to_string(),
        "nbf": issued.to_string(),
        "exp": (issued + 4500).to_string(),
    });
    match e.caller {
        Actor::User(u) => {
            let user = tenant.user(u);
            c["http://schemas.microsoft.com/claims/authnmethodsreferences"] = json!("pwd,mfa");
            c["appid"] = json!(match e.client {
                Client::Cli => CLI_APP_ID,
                _ => PORTAL_APP_ID,
            });
            c["appidacr"] = json!("0");
            if e.ip != [0; 4] {
                let [a, b, d, f] = e.ip;
                c["ipaddr"] = json!(format!("{a}.{b}.{d}.{f}"));
            }
            c["name"] = json!(user.display_name);
            c["http://schemas.microsoft.com/identity/claims/objectidentifier"] = json!(user.id);
            c["http://schemas.microsoft.com/identity/claims/scope"] = json!("user_impersonation");
            c["http://schemas.microsoft.com/identity/claims/tenantid"] = json!(tenant.id);
            c["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"] =
                json!(user.user_principal_name);
            c["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] =
                json!(user.user_principal_name);
        }
        Actor::App(sp) => {
            let sp = tenant.sp(sp);
            c["appid"] = json!(sp.app_id);
            c["appidacr"] = json!("1");
            c["http://schemas.microsoft.com/identity/claims/objectidentifier"] = json!(sp.id);
            c["http://schemas.microsoft.com/identity/claims/tenantid"] = json!(tenant.id);
        }
        Actor::System(_) => {}
    }
    c["ver"] = json!("1.0");
    c
}

/// `properties`: string values; the request body on a PUT's Started event, the response
/// (or the error) on the end event (A2.4, A2.7-A2.9).
fn properties(tenant: &Tenant, e: &ArmEvent, t: &Target) -> Value {
    let mut p = Map::new();
    let body = |v: Value| Value::String(v.to_string());
    match e.phase {
        Phase::Started if e.op.method() == "PUT" => {
            p.insert("requestbody".into(), body(request_body(t)));
        }
        Phase::Started => {}
        Phase::Succeeded => {
            let code = if created(tenant, e) { "Created" } else { "OK" };
            let response = response_body(tenant, t);
            p.insert("statusCode".into(), json!(code));
            p.insert(
                "serviceRequestId".into(),
                json!(id(tenant.seed, Purpose::ArmServiceRequest, e.key)),
            );
            p.insert("responseBody".into(), body(response));
        }
        Phase::Failed => {
            p.insert("statusCode".into(), json!("Conflict"));
            p.insert(
                "serviceRequestId".into(),
                json!(id(tenant.seed, Purpose::ArmServiceRequest, e.key)),
            );
            p.insert(
                "statusMessage".into(),
                body(json!({"error": {"code": "RoleAssignmentExists", "message": "The role assignment already exists."}})),
            );
        }
    }
    p.insert("eventCategory".into(), json!("Administrative"));
    p.insert("entity".into(), json!(t.resource_id));
    p.insert("message".into(), json!(e.op.value()));
    p.insert(
        "hierarchy".into(),
        json!(format!("{}/{}", tenant.id, t.subscription)),
    );
    Value::Object(p)
}

fn request_body(t: &Target) -> Value {
    match &t.assignment {
        Some(a) => json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{}", t.subscription, a.role.id),
            "principalId": a.principal_id,
            "principalType": a.principal_type
        }}),
        None => json!({"location": LOCATION, "tags": {}}),
    }
}

/// The resource as the PUT (or DELETE) answered it.
fn response_body(tenant: &Tenant, t: &Target) -> Value {
    match (&t.assignment, t.identity) {
        (Some(a), _) => crate::arm::http::assignment_json(a),
        (None, Some(mi)) => {
            crate::arm::http::uami_json(tenant, &tenant.managed_identities[mi as usize])
        }
        _ => json!({}),
    }
}

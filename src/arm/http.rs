//! The ARM routes: bearer check (ARM audiences only), Azure RBAC at the scope, and the
//! JSON ARM writes for each resource, from the tenant's [`Inventory`].

use super::error::{ARM_AUDIENCES, ArmError};
use super::inventory::{Assignment, Inventory, LOCATION, is_at_or_above, kind_and_name};
use super::query::{self, ArmRequest, AssignmentFilter, Target};
use super::roles::{self, BuiltInRole};
use crate::activity_log::http as log;
use crate::app::AppState;
use crate::auth::{read_token, token_from_header};
use crate::cli::AuthMode;
use crate::http::links::origin;
use crate::store::records::ticks;
use crate::tenant::{MsiType, Tenant};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Registers the ARM paths (none of them collides with Graph's `/v1.0`, `/beta`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/subscriptions", web::route().to(serve))
        .route("/subscriptions/{tail:.*}", web::route().to(serve))
        .route("/tenants", web::route().to(serve))
        .route("/metadata/endpoints", web::route().to(serve))
        // `az cloud register --endpoint-resource-manager https://…/` appends
        // `/metadata/endpoints` to the URL as typed, trailing slash included, and ARM
        // answers it (azure-cli PR #30682's test guide registers `https://management.azure.com/`).
        .route("//metadata/endpoints", web::route().to(serve))
        .route("/providers/{tail:.*}", web::route().to(serve));
}

/// Who calls: the tenant, and the application and object ids of the token (none with `--auth off`).
pub(crate) struct ArmCaller {
    pub(crate) tenant: usize,
    pub(crate) principal: Option<(String, String)>,
}

async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ArmError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ArmError::method_not_allowed(req.method().as_str()));
    }
    let path = req.path().to_string();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(scope) = log::scope_of(&segments) {
        return activity_log(&req, &state, scope);
    }
    let request = query::parse(&segments, req.query_string())?;
    if request.target == Target::Metadata {
        // Anonymous, as ARM serves it.
        return Ok(ok(metadata(&origin(&req), &request.api_version)));
    }
    let caller = identify(&req, &state)?;
    let remaining = budget(&state, &caller, subscription_in(&segments))?;
    // Read before the snapshot, which is generated up to at least this instant.
    let now = state.clock.now();
    let world = state.world();
    let logs = &world.tenants[caller.tenant];
    let tenant = &logs.plan.tenant;
    let transients = crate::activity_log::live::transients(logs, ticks(now));
    let inventory = Inventory::at(tenant, now).with_transients(transients);
    authorize(&caller, &inventory, &request)?;
    let body = answer(tenant, &inventory, &caller, &request, now)?;
    Ok(with_budget(ok(body), remaining))
}

/// The Activity Log: ARM's token, RBAC and api-version checks (wrapped errors), then
/// the log's own validation (flat errors).
fn activity_log(
    req: &HttpRequest,
    state: &AppState,
    scope: log::LogScope,
) -> Result<HttpResponse, ArmError> {
    let request = log::parse(scope.clone(), req.query_string())?;
    let caller = identify(req, state)?;
    let sub = match &scope {
        log::LogScope::Subscription(s) => Some(s.as_str()),
        log::LogScope::Tenant => None,
    };
    let remaining = budget(state, &caller, sub)?;
    // Read before the snapshot, which is generated up to at least this instant.
    let instant = state.clock.now();
    let now = ticks(instant);
    let world = state.world();
    let tenant = &world.tenants[caller.tenant].plan.tenant;
    let inventory = Inventory::at(tenant, instant);
    if let Some((app, oid)) = &caller.principal {
        let (action, at) = log::required(&scope);
        if !inventory.allows(oid, &action, &at) {
            return Err(ArmError::authorization_failed(app, oid, &action, &at));
        }
    }
    if let Some(s) = sub {
        inventory
            .subscription(s)
            .ok_or_else(|| ArmError::subscription_not_found(s))?;
    }
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            return Ok(with_budget(
                actix_web::ResponseError::error_response(&e),
                remaining,
            ));
        }
    };
    let response = match log::page(
        &world,
        caller.tenant,
        &request,
        now,
        &origin(req),
        req.path(),
    ) {
        Ok(body) => ok(body),
        Err(e) => actix_web::ResponseError::error_response(&e),
    };
    Ok(with_budget(response, remaining))
}

/// The subscription a path lies in, if any.
fn subscription_in<'a>(segments: &[&'a str]) -> Option<&'a str> {
    match segments {
        [s, id, ..] if s.eq_ignore_ascii_case("subscriptions") => Some(id),
        _ => None,
    }
}

/// Counts the read against the caller's ARM budget for the subscription (or tenant):
/// the reads left and which header names them, or 429 with Retry-After (reference A3.4).
fn budget(
    state: &AppState,
    caller: &ArmCaller,
    subscription: Option<&str>,
) -> Result<(&'static str, u32), ArmError> {
    let principal = caller
        .principal
        .as_ref()
        .map_or("", |(_, oid)| oid.as_str());
    let now_ms = state.clock.now().timestamp_millis();
    let (header, scope) = match subscription {
        Some(s) => ("x-ms-ratelimit-remaining-subscription-reads", s),
        None => ("x-ms-ratelimit-remaining-tenant-reads", ""),
    };
    match state.throttle.check_arm(scope, principal, now_ms) {
        Ok(left) => Ok((header, left)),
        Err(wait) => Err(ArmError::too_many_requests(wait)),
    }
}

fn with_budget(mut response: HttpResponse, (header, left): (&'static str, u32)) -> HttpResponse {
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&left.to_string()) {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static(header),
            value,
        );
    }
    response
}

fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// Reads the bearer token: ARM accepts only its own audiences.
pub(crate) fn identify(req: &HttpRequest, state: &AppState) -> Result<ArmCaller, ArmError> {
    if state.settings.auth == AuthMode::Off {
        return Ok(ArmCaller {
            tenant: 0,
            principal: None,
        });
    }
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let token = match token_from_header(header).map_err(|_| ArmError::invalid_token())? {
        Some(token) => token,
        None if state.settings.auth == AuthMode::Lenient => return Ok(default_caller(state)),
        None => return Err(ArmError::missing_token()),
    };
    let (_, payload) = read_token(token).map_err(|_| ArmError::invalid_token())?;
    let aud = payload["aud"].as_str().unwrap_or_default();
    if !ARM_AUDIENCES.contains(&aud) {
        return Err(ArmError::wrong_audience(aud));
    }
    let tid = payload["tid"].as_str().unwrap_or_default();
    let world = state.world();
    let tenant = world
        .tenants
        .iter()
        .position(|t| t.plan.tenant.id == tid)
        .ok_or_else(ArmError::invalid_token)?;
    let key = state.signing_key(world.tenants[tenant].plan.tenant.seed.0);
    let audiences: Vec<String> = ARM_AUDIENCES.iter().map(|a| a.to_string()).collect();
    let claims = key
        .verify_with(token, state.clock.wall_now(), &audiences)
        .map_err(|_| ArmError::invalid_token())?;
    Ok(ArmCaller {
        tenant,
        principal: Some((claims.appid, claims.oid)),
    })
}

/// Lenient mode without a token: the first test client.
fn default_caller(state: &AppState) -> ArmCaller {
    let world = state.world();
    let tenant = &world.tenants[0].plan.tenant;
    let app = &tenant.applications[tenant.test_clients[0].application as usize];
    let oid = tenant
        .sp_by_app_id(&app.app_id)
        .map(|sp| tenant.service_principals[sp as usize].id.clone())
        .unwrap_or_default();
    ArmCaller {
        tenant: 0,
        principal: Some((app.app_id.clone(), oid)),
    }
}

/// The action and scope ARM checks for a target (None: no check, e.g. lists filtered by access).
fn required(target: &Target) -> Option<(String, String)> {
    let sub = |s: &str| format!("/subscriptions/{s}");
    let (action, scope) = match target {
        Target::Subscription(s) => ("Microsoft.Resources/subscriptions/read".into(), sub(s)),
        Target::Groups(s) => (
            "Microsoft.Resources/subscriptions/resourceGroups/read".into(),
            sub(s),
        ),
        Target::Group(s, g) => (
            "Microsoft.Resources/subscriptions/resourceGroups/read".into(),
            format!("{}/resourceGroups/{g}", sub(s)),
        ),
        Target::Identities(s, g) => (
            "Microsoft.ManagedIdentity/userAssignedIdentities/read".into(),
            match g {
                Some(g) => format!("{}/resourceGroups/{g}", sub(s)),
                None => sub(s),
            },
        ),
        Target::Resource(id) => (format!("{}/read", kind_and_name(id).0), id.clone()),
        Target::SystemIdentity(scope) => (
            "Microsoft.ManagedIdentity/identities/read".into(),
            scope.clone(),
        ),
        Target::Assignments(scope) | Target::Assignment(scope, _) => (
            "Microsoft.Authorization/roleAssignments/read".into(),
            scope.clone(),
        ),
        Target::Definitions(_) | Target::Definition(..) => return None,
        Target::Metadata | Target::Tenants | Target::Subscriptions => return None,
    };
    Some((action, scope))
}

/// 403 AuthorizationFailed unless the caller holds a role granting the action at the scope.
fn authorize(
    caller: &ArmCaller,
    inventory: &Inventory,
    request: &ArmRequest,
) -> Result<(), ArmError> {
    let (Some((app, oid)), Some((action, scope))) = (&caller.principal, required(&request.target))
    else {
        return Ok(());
    };
    if inventory.allows(oid, &action, &scope) {
        return Ok(());
    }
    Err(ArmError::authorization_failed(app, oid, &action, &scope))
}

fn answer(
    tenant: &Tenant,
    inventory: &Inventory,
    caller: &ArmCaller,
    request: &ArmRequest,
    now: DateTime<Utc>,
) -> Result<Value, ArmError> {
    let known_sub = |s: &str| {
        inventory
            .subscription(s)
            .map(str::to_string)
            .ok_or_else(|| ArmError::subscription_not_found(s))
    };
    Ok(match &request.target {
        Target::Metadata => unreachable_metadata(),
        Target::Tenants => counted(vec![tenant_json(tenant)]),
        Target::Subscriptions => counted(
            inventory
                .subscriptions
                .iter()
                .enumerate()
                .filter(|(_, s)| readable(caller, inventory, s))
                .map(|(i, s)| subscription_json(tenant, s, i))
                .collect(),
        ),
        Target::Subscription(s) => {
            let s = known_sub(s)?;
            let i = inventory
                .subscriptions
                .iter()
                .position(|x| *x == s)
                .unwrap_or(0);
            subscription_json(tenant, &s, i)
        }
        Target::Groups(s) => {
            let s = known_sub(s)?;
            listed(
                inventory
                    .groups
                    .iter()
                    .filter(|g| g.subscription == s)
                    .map(|g| group_json(&g.subscription, &g.name))
                    .collect(),
            )
        }
        Target::Group(s, g) => {
            let s = known_sub(s)?;
            let g = inventory
                .group(&s, g)
                .ok_or_else(|| ArmError::resource_group_not_found(g))?;
            group_json(&g.subscription, &g.name)
        }
        Target::Identities(s, g) => {
            identities(tenant, inventory, (&known_sub(s)?, g.as_deref()), now)?
        }
        Target::Resource(id) => resource(tenant, inventory, id, now)?,
        Target::SystemIdentity(scope) => system_identity(tenant, inventory, scope)?,
        Target::Assignments(scope) => listed(
            inventory
                .assignments
                .iter()
                .filter(|a| matches_filter(a, scope, &request.filter))
                .map(assignment_json)
                .collect(),
        ),
        Target::Assignment(scope, name) => inventory
            .assignments
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name) && a.scope.eq_ignore_ascii_case(scope))
            .map(assignment_json)
            .ok_or_else(|| {
                ArmError::authorization_not_found("RoleAssignmentNotFound", "role assignment")
            })?,
        Target::Definitions(scope) => listed(
            roles::BUILT_IN
                .iter()
                .map(|r| definition_json(r, scope))
                .collect(),
        ),
        Target::Definition(scope, id) => roles::by_id(id)
            .map(|r| definition_json(r, scope))
            .ok_or_else(|| {
                ArmError::authorization_not_found(
                    "RoleDefinitionDoesNotExist",
                    "specified role definition",
                )
            })?,
    })
}

fn unreachable_metadata() -> Value {
    Value::Null
}

fn readable(caller: &ArmCaller, inventory: &Inventory, sub: &str) -> bool {
    match &caller.principal {
        None => true,
        Some((_, oid)) => inventory.allows(
            oid,
            "Microsoft.Resources/subscriptions/read",
            &format!("/subscriptions/{sub}"),
        ),
    }
}

/// `{"value": [...]}`.
fn listed(value: Vec<Value>) -> Value {
    json!({ "value": value })
}

/// `{"value": [...], "count": {...}}`, as Microsoft.Resources lists subscriptions and tenants.
fn counted(value: Vec<Value>) -> Value {
    let n = value.len();
    json!({ "value": value, "count": {"type": "Total", "value": n} })
}

/// Display names of the subscriptions, in order [INFERRED: typical names].
const SUBSCRIPTION_NAMES: [&str; 4] = ["Production", "Development", "Test", "Shared Services"];

fn subscription_json(tenant: &Tenant, sub: &str, index: usize) -> Value {
    let label = SUBSCRIPTION_NAMES[index % SUBSCRIPTION_NAMES.len()];
    let name = match index / SUBSCRIPTION_NAMES.len() {
        0 => format!("{} {label}", tenant.organization),
        n => format!("{} {label} {}", tenant.organization, n + 1),
    };
    json!({
        "id": format!("/subscriptions/{sub}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub,
        "tenantId": tenant.id,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })
}

fn tenant_json(tenant: &Tenant) -> Value {
    let mut domains = tenant.custom_domains.clone();
    domains.push(tenant.initial_domain.clone());
    json!({
        "id": format!("/tenants/{}", tenant.id),
        "tenantId": tenant.id,
        "tenantCategory": "Home",
        "displayName": tenant.organization,
        "domains": domains,
        "defaultDomain": tenant.default_domain(),
        "tenantType": "AAD"
    })
}

fn group_json(sub: &str, name: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{name}"),
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": LOCATION,
        "properties": {"provisioningState": "Succeeded"}
    })
}

fn identities(
    tenant: &Tenant,
    inventory: &Inventory,
    (sub, group): (&str, Option<&str>),
    now: DateTime<Utc>,
) -> Result<Value, ArmError> {
    if let Some(g) = group {
        inventory
            .group(sub, g)
            .ok_or_else(|| ArmError::resource_group_not_found(g))?;
    }
    let prefix = match group {
        Some(g) => format!("/subscriptions/{sub}/resourceGroups/{g}/"),
        None => format!("/subscriptions/{sub}/"),
    };
    Ok(listed(
        tenant
            .managed_identities
            .iter()
            .filter(|m| m.kind == MsiType::UserAssigned)
            .filter(|m| Inventory::identity_exists(tenant, m, now))
            .filter(|m| {
                m.resource_id
                    .to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase())
            })
            .map(|m| uami_json(tenant, m))
            .collect(),
    ))
}

/// A user-assigned identity as Microsoft.ManagedIdentity writes it.
pub(crate) fn uami_json(tenant: &Tenant, mi: &crate::tenant::ManagedIdentity) -> Value {
    let sp = &tenant.service_principals[mi.service_principal as usize];
    json!({
        "id": mi.resource_id,
        "name": mi.name,
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
        "location": LOCATION,
        "tags": {},
        "properties": {
            "tenantId": tenant.id,
            "principalId": sp.id,
            "clientId": sp.app_id
        }
    })
}

/// A resource by id: a user-assigned identity, or a resource carrying identities.
fn resource(
    tenant: &Tenant,
    inventory: &Inventory,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Value, ArmError> {
    // A deleted identity is a 404 ResourceNotFound, as any missing resource.
    if let Some(mi) = Inventory::identity(tenant, id, now) {
        return Ok(uami_json(tenant, mi));
    }
    let Some(r) = inventory.resource(id) else {
        return Err(not_found(inventory, id));
    };
    let mut body = json!({
        "id": r.id,
        "name": r.name,
        "type": r.kind,
        "location": LOCATION,
        "identity": identity_block(tenant, r),
        "properties": {"provisioningState": "Succeeded"}
    });
    if r.system.is_none() && r.user_assigned.is_empty() {
        // A resource without identities has no identity block.
        body.as_object_mut().map(|o| o.shift_remove("identity"));
    }
    Ok(body)
}

/// 404: the group is missing, or the resource in it.
fn not_found(inventory: &Inventory, id: &str) -> ArmError {
    let Some(group) = super::inventory::group_of(id) else {
        return ArmError::no_route(id);
    };
    if inventory.subscription(&group.subscription).is_none() {
        return ArmError::subscription_not_found(&group.subscription);
    }
    if inventory.group(&group.subscription, &group.name).is_none() {
        return ArmError::resource_group_not_found(&group.name);
    }
    let (kind, name) = kind_and_name(id);
    ArmError::resource_not_found(&kind, &name, &group.name)
}

/// The `identity` block ARM writes on a resource (type, principalId, tenantId, userAssignedIdentities).
fn identity_block(tenant: &Tenant, r: &super::inventory::Resource) -> Value {
    let sp_of = |m: u32| {
        let mi = &tenant.managed_identities[m as usize];
        &tenant.service_principals[mi.service_principal as usize]
    };
    let kind = match (r.system.is_some(), !r.user_assigned.is_empty()) {
        (true, true) => "SystemAssigned, UserAssigned",
        (true, false) => "SystemAssigned",
        _ => "UserAssigned",
    };
    let mut block = json!({ "type": kind });
    if let Some(m) = r.system {
        block["principalId"] = json!(sp_of(m).id);
        block["tenantId"] = json!(tenant.id);
    }
    if !r.user_assigned.is_empty() {
        let mut map = serde_json::Map::new();
        for &m in &r.user_assigned {
            let sp = sp_of(m);
            map.insert(
                tenant.managed_identities[m as usize].resource_id.clone(),
                json!({"principalId": sp.id, "clientId": sp.app_id}),
            );
        }
        block["userAssignedIdentities"] = Value::Object(map);
    }
    block
}

/// `{scope}/providers/Microsoft.ManagedIdentity/identities/default`: a resource's
/// system-assigned identity (S13 SystemAssignedIdentity).
fn system_identity(tenant: &Tenant, inventory: &Inventory, scope: &str) -> Result<Value, ArmError> {
    let r = inventory
        .resource(scope)
        .ok_or_else(|| not_found(inventory, scope))?;
    let Some(m) = r.system else {
        return Err(not_found(
            inventory,
            &format!("{scope}/providers/Microsoft.ManagedIdentity/identities/default"),
        ));
    };
    let sp = &tenant.service_principals
        [tenant.managed_identities[m as usize].service_principal as usize];
    Ok(json!({
        "id": format!("{}/providers/Microsoft.ManagedIdentity/identities/default", r.id),
        "name": "default",
        "type": "Microsoft.ManagedIdentity/identities",
        "location": LOCATION,
        "properties": {"tenantId": tenant.id, "principalId": sp.id, "clientId": sp.app_id}
    }))
}

/// S14: no filter and `principalId eq` cover at, above and below the scope; `atScope()`
/// at or above it.
fn matches_filter(a: &Assignment, scope: &str, filter: &AssignmentFilter) -> bool {
    let related = is_at_or_above(&a.scope, scope) || is_at_or_above(scope, &a.scope);
    let above = is_at_or_above(&a.scope, scope);
    let is = |p: &str| a.principal_id.eq_ignore_ascii_case(p);
    match filter {
        AssignmentFilter::None => related,
        AssignmentFilter::AtScope => above,
        AssignmentFilter::Principal(p) => related && is(p),
        AssignmentFilter::AssignedTo(p, true) => above && is(p),
        AssignmentFilter::AssignedTo(p, false) => related && is(p),
    }
}

/// The subscription part of a scope (`/subscriptions/x`), or "" for the root.
fn subscription_prefix(scope: &str) -> String {
    let parts: Vec<&str> = scope.split('/').filter(|s| !s.is_empty()).collect();
    match parts.as_slice() {
        [s, id, ..] if s.eq_ignore_ascii_case("subscriptions") => format!("/subscriptions/{id}"),
        _ => String::new(),
    }
}

fn definition_id(role: &BuiltInRole, scope: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
        subscription_prefix(scope),
        role.id
    )
}

/// A role assignment as the Authorization RP writes it.
pub(crate) fn assignment_json(a: &Assignment) -> Value {
    // ARM writes seven fractional digits (ticks).
    let created = format!(
        "{}.{:07}Z",
        a.created.format("%Y-%m-%dT%H:%M:%S"),
        a.created.timestamp_subsec_nanos() / 100
    );
    json!({
        "properties": {
            "roleDefinitionId": definition_id(a.role, &a.scope),
            "principalId": a.principal_id,
            "principalType": a.principal_type,
            "scope": a.scope,
            "condition": null,
            "conditionVersion": null,
            "createdOn": created,
            "updatedOn": created,
            "createdBy": null,
            "updatedBy": null,
            "delegatedManagedIdentityResourceId": null,
            "description": null
        },
        "id": a.id,
        "type": "Microsoft.Authorization/roleAssignments",
        "name": a.name
    })
}

fn definition_json(role: &BuiltInRole, scope: &str) -> Value {
    json!({
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [{
                "actions": role.actions,
                "notActions": [],
                "dataActions": role.data_actions,
                "notDataActions": []
            }]
        },
        "id": definition_id(role, scope),
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": role.id
    })
}

/// `/metadata/endpoints`: this server stands for ARM, login and Graph. Shapes per version:
/// 2015-01-01/2018-01-01 the old object without suffixes, 2019-10-01 and 2020-06-01 a list
/// of clouds (azure-cli PR #31566, msrestazure PR #165), 2022-09-01 one cloud object (what
/// `az cloud register` reads since azure-cli PR #30682; a list there fails it, azure-cli
/// issue #31547) [INFERRED: 2019-05-01 one object, as before].
fn metadata(origin: &str, version: &str) -> Value {
    let root = format!("{origin}/");
    let cloud = json!({
        "portal": root,
        "authentication": {
            "loginEndpoint": root,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "media": "https://rest.media.azure.net",
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "name": "entrasim",
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net"
        },
        "batch": "https://batch.core.windows.net/",
        "resourceManager": root,
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": root,
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net"
    });
    match version {
        "2019-10-01" | "2020-06-01" => json!([cloud]),
        "2015-01-01" | "2018-01-01" => json!({
            "galleryEndpoint": "https://gallery.azure.com/",
            "graphEndpoint": "https://graph.windows.net/",
            "portalEndpoint": root,
            "authentication": {
                "loginEndpoint": root,
                "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"]
            }
        }),
        _ => cloud,
    }
}

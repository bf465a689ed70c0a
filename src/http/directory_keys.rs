//! Directory lookups by key (`/users/{userPrincipalName}`, `servicePrincipals(appId='…')`,
//! `applications(appId='…')`, `/directoryObjects/{id}`) and the navigation
//! properties between directory objects (`members`, `owners`, `memberOf`, …),
//! with Graph's OData casts and its errors for unknown keys, segments and casts.

use super::caller::Caller;
use super::error::GraphError;
use super::links::next_link;
use super::logs::{cursor_of, decoded, version_name};
use super::middleware::JSON;
use crate::app::AppState;
use crate::model::directory as model;
use crate::query::QueryError;
use crate::query::capability::{self, ApiVersion, Resource};
use crate::query::eval::compile;
use crate::query::options;
use crate::query::skiptoken::{Cursor, query_hash};
use crate::store::TenantLogs;
use crate::tenant::Tenant;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// One directory object, by its index in the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Object {
    User(usize),
    Group(usize),
    ServicePrincipal(usize),
    Application(usize),
}

/// The kinds an OData cast segment (`microsoft.graph.user`) may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    User,
    Group,
    ServicePrincipal,
    Application,
}

impl Kind {
    pub(super) fn from_cast(segment: &str) -> Option<Kind> {
        Some(match segment.to_ascii_lowercase().as_str() {
            "microsoft.graph.user" => Kind::User,
            "microsoft.graph.group" => Kind::Group,
            "microsoft.graph.serviceprincipal" => Kind::ServicePrincipal,
            "microsoft.graph.application" => Kind::Application,
            _ => return None,
        })
    }

    /// The entity set a cast listing's `@odata.context` names.
    fn set(self) -> &'static str {
        match self {
            Kind::User => "users",
            Kind::Group => "groups",
            Kind::ServicePrincipal => "servicePrincipals",
            Kind::Application => "applications",
        }
    }
}

impl Object {
    pub(super) fn kind(self) -> Kind {
        match self {
            Object::User(_) => Kind::User,
            Object::Group(_) => Kind::Group,
            Object::ServicePrincipal(_) => Kind::ServicePrincipal,
            Object::Application(_) => Kind::Application,
        }
    }

    pub(super) fn json(self, tenant: &Tenant) -> Value {
        match self {
            Object::User(i) => model::user(tenant, i),
            Object::Group(i) => model::group(tenant, i),
            Object::ServicePrincipal(i) => model::service_principal(tenant, i),
            Object::Application(i) => model::application(tenant, i),
        }
    }

    /// The object with its `@odata.type` first, as Graph writes members of a
    /// `directoryObject` collection.
    pub(super) fn typed(self, tenant: &Tenant) -> Value {
        with_type(self.kind(), self.json(tenant))
    }
}

/// The object with its `@odata.type` first.
fn with_type(kind: Kind, object: Value) -> Value {
    let mut typed = Map::new();
    typed.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.{}", type_name(kind))),
    );
    if let Value::Object(mut fields) = object {
        typed.append(&mut fields);
    }
    Value::Object(typed)
}

/// A user, application or service principal that imported records added (not
/// a tenant object), by object id: its kind and its JSON as its collection
/// serves it.
pub(super) fn imported_by_id(logs: &TenantLogs, id: &str) -> Option<(Kind, Value)> {
    [Kind::User, Kind::ServicePrincipal, Kind::Application]
        .into_iter()
        .find_map(|kind| {
            super::directory::imported(collection_of(kind), logs)
                .into_iter()
                .find(|o| o["id"].as_str().is_some_and(|v| v.eq_ignore_ascii_case(id)))
                .map(|o| (kind, o))
        })
}

/// [`imported_by_id`] with its `@odata.type`, as `directoryObject` collections list it.
pub(super) fn imported_typed(logs: &TenantLogs, id: &str) -> Option<Value> {
    imported_by_id(logs, id).map(|(kind, o)| with_type(kind, o))
}

/// The entity set an owner object lives in.
fn owner_set(owner: Object) -> &'static str {
    owner.kind().set()
}

impl Ctx<'_> {
    fn owner_id(&self, owner: Object) -> String {
        self.tenant_id_of(owner)
    }

    fn tenant_id_of(&self, owner: Object) -> String {
        object_id(self.tenant, owner)
    }
}

fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "user",
        Kind::Group => "group",
        Kind::ServicePrincipal => "servicePrincipal",
        Kind::Application => "application",
    }
}

/// Serves the paths this module owns; `None` leaves the path to the collection router.
pub fn serve(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    version: ApiVersion,
    rest: &[String],
    lower: &[&str],
) -> Option<Result<HttpResponse, GraphError>> {
    let world = state.world();
    let logs = world.tenants.get(caller.tenant)?;
    let (tenant, principals) = (&logs.plan.tenant, &logs.principals);
    let now = state.clock.now();
    let ctx = Ctx {
        counted: false,
        req,
        state,
        caller,
        version,
        tenant,
        now,
    };
    match lower {
        // A key with an `@` is a userPrincipalName (users page: `GET /users/{id | userPrincipalName}`);
        // other non-GUID keys keep the collection router's 400 "Invalid object identifier".
        ["users", key] if decoded(key).contains('@') => {
            let key = decoded(&rest[1]);
            let found = user_by_key(tenant, &key, now);
            let added = principals.user_by_key(&key).map(|u| u.id.clone());
            Some(match added.filter(|_| found.is_err()) {
                Some(id) => ctx.imported(model::Collection::Users, &id),
                None => ctx.entity(&rest[0], found),
            })
        }
        [one] if alternate_key(one).is_some() => {
            let (set, app_id) = alternate_key(&rest[0]).expect("checked");
            let found = by_app_id(tenant, set, &app_id, now);
            let added = principals.app(&app_id).filter(|_| found.is_err());
            Some(match added {
                Some(app) if set == "servicePrincipals" => ctx.imported(
                    model::Collection::ServicePrincipals,
                    &app.service_principal_id,
                ),
                Some(app) => ctx.imported(model::Collection::Applications, &app.application_id),
                None => ctx.entity(set, found),
            })
        }
        ["directoryobjects"] => Some(Err(GraphError::new(
            // Graph lists directoryObjects only through getByIds or a cast.
            400,
            "Request_UnsupportedQuery",
            "Searches against this resource are not supported. Only specific instances can be queried.",
        ))),
        ["directoryobjects", id] => {
            let found = any_by_id(tenant, &decoded(id), now);
            match imported_typed(logs, &decoded(id)).filter(|_| is_not_found(&found)) {
                Some(object) => Some(ctx.typed_entity(object)),
                None => Some(ctx.entity("directoryObjects", found)),
            }
        }
        [
            set @ ("users" | "groups" | "serviceprincipals"),
            key,
            nav,
            cast @ ..,
        ] if cast.len() <= 2 => {
            let found = owner_of(tenant, set, &decoded(key), now);
            let imported =
                imported_owner(logs, set, &decoded(key)).filter(|_| is_not_found(&found));
            let owner = match (found, imported) {
                (_, Some((kind, id))) => Owner::Imported(kind, id),
                (Ok(owner), None) => Owner::Tenant(owner),
                (Err(e), None) => return Some(Err(e)),
            };
            // A trailing `/$count` counts the listing (an advanced query).
            let counted = cast.last() == Some(&"$count");
            let cast_at = rest.get(3).filter(|_| cast.len() == 2 || !counted);
            if cast.len() == 2 && !counted {
                return Some(Err(GraphError::no_segment(&rest[4])));
            }
            if counted && !super::advanced::eventual(req) {
                return Some(Err(super::advanced::count_refused()));
            }
            let ctx = Ctx { counted, ..ctx };
            Some(ctx.navigate(&owner, nav, &rest[2], cast_at.map(String::as_str)))
        }
        _ => None,
    }
}

/// Where a navigation starts: a tenant object, or a principal imported records
/// added (its kind and object id).
enum Owner {
    Tenant(Object),
    Imported(Kind, String),
}

fn is_not_found<T>(found: &Result<T, GraphError>) -> bool {
    found.as_ref().is_err_and(|e| e.status == 404)
}

/// The imported user (by id or userPrincipalName) or service principal (by id)
/// a navigation path names.
fn imported_owner(logs: &TenantLogs, set: &str, key: &str) -> Option<(Kind, String)> {
    match set {
        "users" => logs
            .principals
            .user_by_key(key)
            .map(|u| (Kind::User, u.id.clone())),
        "serviceprincipals" => imported_by_id(logs, key)
            .filter(|(kind, _)| *kind == Kind::ServicePrincipal)
            .map(|(kind, o)| (kind, o["id"].as_str().unwrap_or(key).to_string())),
        _ => None,
    }
}

/// `servicePrincipals(appId='…')` or `applications(appId='…')`: the set and the key.
fn alternate_key(segment: &str) -> Option<(&'static str, String)> {
    let segment = decoded(segment);
    let open = segment.find('(')?;
    let set = match segment[..open].to_ascii_lowercase().as_str() {
        "serviceprincipals" => "servicePrincipals",
        "applications" => "applications",
        _ => return None,
    };
    let inner = segment[open + 1..].strip_suffix(')')?;
    let (name, value) = inner.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("appId") {
        return None;
    }
    let value = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some((set, value.to_string()))
}

fn not_found(key: &str) -> GraphError {
    GraphError::not_found(key)
}

/// A user by object id or by userPrincipalName (Graph takes either in the key
/// segment; UPNs compare case-insensitively, guests' `#EXT#` arrives URL-encoded).
fn user_by_key(tenant: &Tenant, key: &str, now: DateTime<Utc>) -> Result<Object, GraphError> {
    tenant
        .users
        .iter()
        .position(|u| {
            u.exists_at(now)
                && (u.id.eq_ignore_ascii_case(key)
                    || u.user_principal_name.eq_ignore_ascii_case(key))
        })
        .map(Object::User)
        .ok_or_else(|| not_found(key))
}

fn by_app_id(
    tenant: &Tenant,
    set: &str,
    app_id: &str,
    now: DateTime<Utc>,
) -> Result<Object, GraphError> {
    let found = if set == "servicePrincipals" {
        (0..tenant.service_principals.len())
            .find(|&s| {
                tenant.service_principals[s]
                    .app_id
                    .eq_ignore_ascii_case(app_id)
                    && tenant.sp_alive_at(s as u32, now)
            })
            .map(Object::ServicePrincipal)
    } else {
        tenant
            .applications
            .iter()
            .position(|a| a.app_id.eq_ignore_ascii_case(app_id))
            .map(Object::Application)
    };
    // Graph names the key value it could not find (as for an object id).
    found.ok_or_else(|| not_found(app_id))
}

/// Any directory object by its object id (`/directoryObjects/{id}`).
pub(super) fn any_by_id(
    tenant: &Tenant,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Object, GraphError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{id}'."
        )));
    }
    let eq = |v: &str| v.eq_ignore_ascii_case(id);
    let users = tenant
        .users
        .iter()
        .position(|u| u.exists_at(now) && eq(&u.id));
    users
        .map(Object::User)
        .or_else(|| {
            tenant
                .groups
                .iter()
                .position(|g| eq(&g.id))
                .map(Object::Group)
        })
        .or_else(|| {
            (0..tenant.service_principals.len())
                .find(|&s| {
                    eq(&tenant.service_principals[s].id) && tenant.sp_alive_at(s as u32, now)
                })
                .map(Object::ServicePrincipal)
        })
        .or_else(|| {
            tenant
                .applications
                .iter()
                .position(|a| eq(&a.id))
                .map(Object::Application)
        })
        .ok_or_else(|| not_found(id))
}

/// The object a navigation starts from.
pub(super) fn owner_of(
    tenant: &Tenant,
    set: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Object, GraphError> {
    match set {
        "users" if key.contains('@') => user_by_key(tenant, key, now),
        _ => {
            let object = any_by_id(tenant, key, now)?;
            let wanted = match set {
                "users" => Kind::User,
                "groups" => Kind::Group,
                _ => Kind::ServicePrincipal,
            };
            (object.kind() == wanted)
                .then_some(object)
                .ok_or_else(|| not_found(key))
        }
    }
}

struct Ctx<'a> {
    /// The path ends in `/$count`: answer the listing's size as text.
    counted: bool,
    req: &'a HttpRequest,
    state: &'a AppState,
    caller: &'a Caller,
    version: ApiVersion,
    tenant: &'a Tenant,
    now: DateTime<Utc>,
}

impl Ctx<'_> {
    fn context(&self, fragment: &str) -> String {
        format!(
            "https://graph.microsoft.com/{}/$metadata#{fragment}",
            version_name(self.version)
        )
    }

    /// One object as `GET /{set}/{key}` answers it.
    fn entity(
        &self,
        set: &str,
        found: Result<Object, GraphError>,
    ) -> Result<HttpResponse, GraphError> {
        let object = found?;
        let typed = set.eq_ignore_ascii_case("directoryObjects");
        let set = if typed {
            "directoryObjects"
        } else {
            object.kind().set()
        };
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            json!(self.context(&format!("{set}/$entity"))),
        );
        let fields = if typed {
            object.typed(self.tenant)
        } else {
            self.shaped(object)?
        };
        if let Value::Object(mut fields) = fields {
            body.append(&mut fields);
        }
        Ok(reply(&Value::Object(body)))
    }

    /// An object imported records added, as `GET /{set}/{id}` answers it.
    fn imported(
        &self,
        collection: model::Collection,
        id: &str,
    ) -> Result<HttpResponse, GraphError> {
        super::directory::get(
            collection,
            id,
            self.req,
            self.state,
            self.caller,
            self.version,
        )
    }

    /// The object under the request's `$select` and `$expand`.
    fn shaped(&self, object: Object) -> Result<Value, GraphError> {
        let world = self.state.world();
        let logs = world
            .tenants
            .get(self.caller.tenant)
            .ok_or_else(|| not_found("tenant"))?;
        let collection = match object.kind() {
            Kind::User => model::Collection::Users,
            Kind::Group => model::Collection::Groups,
            Kind::ServicePrincipal => model::Collection::ServicePrincipals,
            Kind::Application => model::Collection::Applications,
        };
        super::directory::entity_shape(
            collection,
            self.req,
            self.state,
            self.caller,
            self.version,
            logs,
            object.json(self.tenant),
        )
    }

    /// `/{set}/{key}/{navigation}[/{cast}]`.
    fn navigate(
        &self,
        owner: &Owner,
        nav_lower: &str,
        nav: &str,
        cast: Option<&str>,
    ) -> Result<HttpResponse, GraphError> {
        let cast = match cast {
            Some(segment) => {
                Some(Kind::from_cast(segment).ok_or_else(|| GraphError::no_segment(segment))?)
            }
            None => None,
        };
        let owner = match owner {
            Owner::Tenant(object) => *object,
            Owner::Imported(kind, id) => {
                return self.imported_navigation(*kind, id, nav_lower, nav, cast);
            }
        };
        if nav_lower == "manager" && !self.counted {
            return self.manager(owner, cast);
        }
        if let Some(grants) = super::app_grants::listing(self.tenant, owner, nav_lower) {
            if cast.is_some() {
                return Err(GraphError::no_segment(nav));
            }
            let context = super::app_grants::context(owner_set(owner), &self.owner_id(owner), nav);
            return self.page(grants, &context, None);
        }
        let related = self
            .related(owner, nav_lower)
            .ok_or_else(|| GraphError::no_segment(nav))?;
        let related: Vec<Object> = related
            .into_iter()
            .filter(|o| cast.is_none_or(|k| o.kind() == k))
            .collect();
        let objects: Vec<Value> = related
            .iter()
            .map(|o| match cast {
                Some(_) => o.json(self.tenant),
                None => o.typed(self.tenant),
            })
            .collect();
        let context = cast.map_or("directoryObjects", Kind::set);
        self.page(objects, context, cast)
    }

    /// A navigation from a principal imported records added: the same
    /// properties as from a tenant object of its kind, all empty (imported
    /// principals hold no memberships, ownerships, reports or grants), and
    /// `manager` is Graph's 404 for a user without one.
    fn imported_navigation(
        &self,
        kind: Kind,
        id: &str,
        nav_lower: &str,
        nav: &str,
        cast: Option<Kind>,
    ) -> Result<HttpResponse, GraphError> {
        // Which properties exist is asked of the tenant's first object of the kind.
        let like = match kind {
            Kind::User => Object::User(0),
            Kind::ServicePrincipal => Object::ServicePrincipal(0),
            Kind::Group => Object::Group(0),
            Kind::Application => Object::Application(0),
        };
        if nav_lower == "manager" && !self.counted && kind == Kind::User {
            return Err(not_found("manager"));
        }
        if super::app_grants::listing(self.tenant, like, nav_lower).is_some() {
            if cast.is_some() {
                return Err(GraphError::no_segment(nav));
            }
            let context = super::app_grants::context(kind.set(), id, nav);
            return self.page(Vec::new(), &context, None);
        }
        self.related(like, nav_lower)
            .ok_or_else(|| GraphError::no_segment(nav))?;
        self.page(Vec::new(), cast.map_or("directoryObjects", Kind::set), cast)
    }

    /// `/directoryObjects/{id}` for a principal imported records added.
    fn typed_entity(&self, object: Value) -> Result<HttpResponse, GraphError> {
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            json!(self.context("directoryObjects/$entity")),
        );
        if let Value::Object(mut fields) = object {
            body.append(&mut fields);
        }
        Ok(reply(&Value::Object(body)))
    }

    /// `manager` is single-valued: 404 when the user has none.
    fn manager(&self, owner: Object, cast: Option<Kind>) -> Result<HttpResponse, GraphError> {
        let Object::User(u) = owner else {
            return Err(GraphError::no_segment("manager"));
        };
        let manager = self.tenant.users[u]
            .manager
            .map(|m| Object::User(m as usize))
            .filter(|m| matches!(m, Object::User(i) if self.tenant.users[*i].exists_at(self.now)))
            .filter(|m| cast.is_none_or(|k| m.kind() == k))
            // Graph's answer for a user without a manager.
            .ok_or_else(|| not_found("manager"))?;
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            json!(self.context("directoryObjects/$entity")),
        );
        if let Value::Object(mut fields) = manager.typed(self.tenant) {
            body.append(&mut fields);
        }
        Ok(reply(&Value::Object(body)))
    }

    /// The objects a navigation property holds (see [`related`]).
    fn related(&self, owner: Object, nav: &str) -> Option<Vec<Object>> {
        related(self.tenant, self.now, owner, nav)
    }

    /// Keeps the objects the filter matches. The filter is checked against the
    /// cast's type, or without a cast against any type the listing may hold.
    fn filter(
        &self,
        expr: &crate::query::filter::Expr,
        cast: Option<Kind>,
        objects: &mut Vec<Value>,
    ) -> Result<(), GraphError> {
        let kinds = match cast {
            Some(kind) => vec![kind],
            None => vec![
                Kind::User,
                Kind::Group,
                Kind::ServicePrincipal,
                Kind::Application,
            ],
        };
        let checks: Vec<_> = kinds
            .iter()
            .map(|k| {
                let resource = super::directory::resource(collection_of(*k));
                capability::check(expr, resource, self.version, self.now)
            })
            .collect();
        if !checks.iter().any(Result::is_ok)
            && let Some(Err(e)) = checks.into_iter().next()
        {
            return Err(QueryError::filter(e).into());
        }
        let world = self.state.world();
        let plan = &world
            .tenants
            .get(self.caller.tenant)
            .ok_or_else(|| not_found("tenant"))?
            .plan;
        let predicate = compile::<Value>(expr, plan).map_err(QueryError::filter)?;
        objects.retain(|o| predicate(plan, o));
        Ok(())
    }

    /// A page of a navigation listing, with `$top`, `$select`, `$count` and a
    /// skip-token nextLink as the collections have.
    fn page(
        &self,
        mut objects: Vec<Value>,
        context: &str,
        cast: Option<Kind>,
    ) -> Result<HttpResponse, GraphError> {
        let resource = match cast {
            Some(Kind::Group) => Resource::Groups,
            Some(Kind::ServicePrincipal) => Resource::ServicePrincipals,
            Some(Kind::Application) => Resource::Applications,
            _ => Resource::Users,
        };
        let mut options = options::parse(
            self.req.query_string(),
            resource,
            self.version,
            options::rules(resource, true),
        )?;
        if options.filter.is_some() {
            reference_filter_admitted(self.req, &options, self.counted)?;
        }
        super::advanced::admit(self.req, &mut options)?;
        check_select(self.tenant, cast, options.select.as_deref())?;
        if let Some((_, expr)) = &options.filter {
            self.filter(expr, cast, &mut objects)?;
        }
        if let Some(text) = &options.search {
            let collection = match cast {
                Some(Kind::Group) => model::Collection::Groups,
                Some(Kind::ServicePrincipal) => model::Collection::ServicePrincipals,
                Some(Kind::Application) => model::Collection::Applications,
                _ => model::Collection::Users,
            };
            let clauses =
                super::advanced::parse_search(text, super::directory::searchable(collection))?;
            objects.retain(|o| super::advanced::matches(&clauses, o));
        }
        if self.counted {
            return Ok(HttpResponse::Ok()
                .content_type("text/plain")
                .body(objects.len().to_string()));
        }
        let world = self.state.world();
        let select = options
            .select
            .as_ref()
            .map(|s| s.join(","))
            .unwrap_or_default();
        let hash = query_hash(&[
            &self.req.path().to_ascii_lowercase(),
            version_name(self.version),
            options
                .filter
                .as_ref()
                .map_or("", |(text, _)| text.as_str()),
            options.search.as_deref().unwrap_or_default(),
            &options.top.to_string(),
            &select,
            if options.count { "count" } else { "" },
            &self.caller.tenant.to_string(),
        ]);
        let key = self.state.token_key();
        let cursor = cursor_of(
            &key,
            options.skiptoken.as_deref(),
            hash,
            world.epoch,
            self.caller.tenant,
        )?;
        let total = objects.len();
        let start = cursor.map_or(0, |c| c.last_key as usize).min(total);
        let end = (start + options.top as usize).min(total);
        let page: Vec<Value> = objects[start..end]
            .iter()
            .map(|o| match &options.select {
                Some(names) => project(o, names),
                None => o.clone(),
            })
            .collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(self.context(context)));
        if options.count {
            body.insert("@odata.count".into(), json!(total));
        }
        if end < total {
            let next = Cursor {
                as_of: crate::store::records::ticks(self.now),
                last_at: 0,
                last_key: end as u64,
                query: hash,
                epoch: world.epoch,
                page: cursor.map_or(1, |c| c.page + 1),
                tenant: self.caller.tenant as u32,
            };
            body.insert(
                "@odata.nextLink".into(),
                json!(next_link(
                    self.req,
                    &options.passthrough,
                    &key.encode(&next)
                )),
            );
        }
        body.insert("value".into(), Value::Array(page));
        Ok(reply(&Value::Object(body)))
    }
}

/// Graph filters a navigation listing (a "reference property") only as an
/// advanced query: `ConsistencyLevel: eventual` and `$count=true` (or the
/// `/$count` segment). Without them it answers 400 `Request_UnsupportedQuery`
/// "The specified filter to the reference property query is currently not
/// supported." Sources: microsoft-graph-docs-contrib issues #8757 (the
/// `/groups/{id}/members?$count=true&$filter=...` docs example failed until the
/// header was added) and #4027, msgraph-sdk-powershell #1458, msgraph-sdk-java
/// #1841; the list-memberOf pages: "This header and `$count` are required when
/// using the `$search`, `$filter`, `$orderby`, or OData cast query parameters."
fn reference_filter_admitted(
    req: &HttpRequest,
    options: &options::Options,
    counted: bool,
) -> Result<(), GraphError> {
    if super::advanced::eventual(req) && (options.count || counted) {
        return Ok(());
    }
    Err(GraphError::new(
        400,
        "Request_UnsupportedQuery",
        "The specified filter to the reference property query is currently not supported.",
    ))
}

/// Refuses a `$select` name that no object the listing may hold has (the cast's
/// type, or any directory object's type without a cast), as the collections do.
fn check_select(
    tenant: &Tenant,
    cast: Option<Kind>,
    select: Option<&[String]>,
) -> Result<(), GraphError> {
    let kinds = [
        Kind::User,
        Kind::Group,
        Kind::ServicePrincipal,
        Kind::Application,
    ];
    let known = |name: &str| {
        kinds
            .iter()
            .filter(|k| cast.is_none_or(|c| c == **k))
            .any(|k| {
                let collection = collection_of(*k);
                collection.has_property(tenant, name) || collection.is_navigation(name)
            })
    };
    match select.into_iter().flatten().find(|name| !known(name)) {
        Some(name) => Err(GraphError::bad_request(format!(
            "Could not find a property named '{name}' on type 'microsoft.graph.directoryObject'."
        ))),
        None => Ok(()),
    }
}

fn collection_of(kind: Kind) -> model::Collection {
    match kind {
        Kind::User => model::Collection::Users,
        Kind::Group => model::Collection::Groups,
        Kind::ServicePrincipal => model::Collection::ServicePrincipals,
        Kind::Application => model::Collection::Applications,
    }
}

/// `id`, the `@odata.type` when present, and the selected properties that exist.
fn project(object: &Value, select: &[String]) -> Value {
    let mut picked = Map::new();
    for name in ["@odata.type", "id"] {
        if let Some(v) = object.get(name) {
            picked.insert(name.into(), v.clone());
        }
    }
    for name in select {
        if let Some(v) = object.get(name.as_str()) {
            picked.insert(name.clone(), v.clone());
        }
    }
    Value::Object(picked)
}

pub(super) fn reply(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(serde_json::to_vec(body).expect("json"))
}

/// The object ids `GET /{set}/{key}/{navigation}` lists at `now`, before
/// paging and options; `None` for an unknown owner or a property its type
/// lacks. For readers that check the directory against the logs.
pub fn navigation_ids(
    tenant: &Tenant,
    now: DateTime<Utc>,
    set: &str,
    key: &str,
    nav: &str,
) -> Option<Vec<String>> {
    let owner = owner_of(tenant, &set.to_ascii_lowercase(), key, now).ok()?;
    let objects = related(tenant, now, owner, &nav.to_ascii_lowercase())?;
    Some(objects.into_iter().map(|o| object_id(tenant, o)).collect())
}

fn object_id(tenant: &Tenant, object: Object) -> String {
    match object {
        Object::User(i) => tenant.users[i].id.clone(),
        Object::Group(i) => tenant.groups[i].id.clone(),
        Object::ServicePrincipal(i) => tenant.service_principals[i].id.clone(),
        Object::Application(i) => tenant.applications[i].id.clone(),
    }
}

/// The objects a navigation property holds at `now`, in directory order; `None`
/// for a property the owner's type does not have.
pub(super) fn related(
    t: &Tenant,
    now: DateTime<Utc>,
    owner: Object,
    nav: &str,
) -> Option<Vec<Object>> {
    let live = |o: &Object| match *o {
        Object::User(i) => t.users[i].exists_at(now),
        _ => true,
    };
    let list: Vec<Object> = match (owner, nav) {
        (Object::Group(g), "members") => direct_members(t, g),
        (Object::Group(g), "transitivemembers") => transitive_members(t, g),
        (Object::Group(g), "owners") => t.groups[g]
            .owners
            .iter()
            .map(|&o| Object::User(o as usize))
            .collect(),
        (Object::User(u), "memberof") => {
            groups_with(t, |g| t.groups[g].members.contains(&(u as u32)))
        }
        (Object::User(u), "transitivememberof") => transitive_groups(t, u),
        (Object::User(u), "directreports") => (0..t.users.len())
            .filter(|&r| t.users[r].manager == Some(u as u32))
            .map(Object::User)
            .collect(),
        (Object::User(u), "ownedobjects") => owned_by(t, u),
        (Object::ServicePrincipal(s) | Object::Application(s), "owners") => app_owners(t, owner, s),
        _ => return None,
    };
    Some(list.into_iter().filter(live).collect())
}

/// The owners of an application, or of the application behind a service principal.
fn app_owners(t: &Tenant, owner: Object, index: usize) -> Vec<Object> {
    let app = match owner {
        Object::Application(a) => t.applications.get(a),
        _ => t
            .applications
            .iter()
            .find(|a| a.service_principal as usize == index),
    };
    app.map(|a| a.owners.iter().map(|&o| Object::User(o as usize)).collect())
        .unwrap_or_default()
}

fn direct_members(t: &Tenant, g: usize) -> Vec<Object> {
    let group = &t.groups[g];
    group
        .members
        .iter()
        .map(|&m| Object::User(m as usize))
        .chain(
            group
                .member_groups
                .iter()
                .map(|&n| Object::Group(n as usize)),
        )
        .collect()
}

/// Every member reached through nested groups, each once, users first then groups
/// in directory order (Graph does not document an order; inferred).
pub(super) fn transitive_members(t: &Tenant, g: usize) -> Vec<Object> {
    let mut seen = BTreeSet::new();
    let mut queue = vec![g];
    let mut groups = BTreeSet::new();
    while let Some(next) = queue.pop() {
        for member in direct_members(t, next) {
            if let Object::Group(n) = member
                && groups.insert(n)
            {
                queue.push(n);
            }
            seen.insert(member);
        }
    }
    seen.remove(&Object::Group(g));
    seen.into_iter().collect()
}

fn groups_with(t: &Tenant, test: impl Fn(usize) -> bool) -> Vec<Object> {
    (0..t.groups.len())
        .filter(|&g| test(g))
        .map(Object::Group)
        .collect()
}

/// Every group whose transitive members include the user.
pub(super) fn transitive_groups(t: &Tenant, u: usize) -> Vec<Object> {
    groups_with(t, |g| transitive_members(t, g).contains(&Object::User(u)))
}

/// Groups and applications the user owns, in that order.
fn owned_by(t: &Tenant, u: usize) -> Vec<Object> {
    let u = u as u32;
    let groups = (0..t.groups.len())
        .filter(|&g| t.groups[g].owners.contains(&u))
        .map(Object::Group);
    let apps = (0..t.applications.len())
        .filter(|&a| t.applications[a].owners.contains(&u))
        .map(Object::Application);
    groups.chain(apps).collect()
}

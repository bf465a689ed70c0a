//! The route table: which methods every path answers to, for `Allow`, for
//! OPTIONS and for the answer to a method a route does not take.
//!
//! actix matches method and path together, so a request whose method no route
//! takes falls through to the Graph dispatcher; this table tells it which
//! surface the path belongs to and what the path would have accepted.

/// The surface a path belongs to: it decides how a wrong method is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/v1.0/...` and `/beta/...`: Graph's 405 envelope.
    Graph,
    /// `/_entrasim/...`: Graph's 405 envelope.
    Control,
    /// `/{tenant}/oauth2/v2.0/token`: Entra's 400 AADSTS900561.
    Token,
    /// Discovery documents and keys: 405 with an AADSTS900561 body.
    Identity,
    /// `/openapi.yaml`: Graph's 405 envelope.
    Document,
}

/// A known route: its surface and the methods it answers, in `Allow` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub surface: Surface,
    pub methods: &'static [&'static str],
}

impl Route {
    /// The `Allow` header value, e.g. `GET, HEAD, OPTIONS`.
    pub fn allow(&self) -> String {
        self.methods.join(", ")
    }

    /// Whether the route answers `method` (case-sensitive, as HTTP methods are).
    pub fn accepts(&self, method: &str) -> bool {
        self.methods.contains(&method)
    }
}

// HEAD is served wherever GET is (the server turns HEAD into GET without a body), and
// OPTIONS everywhere (204 with `Allow`).
const GET: &[&str] = &["GET", "HEAD", "OPTIONS"];
const GET_POST: &[&str] = &["GET", "HEAD", "POST", "OPTIONS"];
const GET_PUT: &[&str] = &["GET", "HEAD", "PUT", "OPTIONS"];
const POST: &[&str] = &["POST", "OPTIONS"];

/// The control routes under `/_entrasim/` and their methods (see `control::configure`).
pub const CONTROL: [(&str, &[&str]); 15] = [
    ("health", GET),
    ("tenant", GET),
    ("ca.pem", GET),
    ("clock", GET_POST),
    ("reset", POST),
    ("signIns", POST),
    ("directoryAudits", POST),
    ("provisioning", POST),
    ("throttling", GET_PUT),
    ("faults", GET_PUT),
    ("clients", GET),
    ("activityLog", POST),
    ("riskDetections", POST),
    ("import", POST),
    ("scenarios", GET_POST),
];

/// The route a path (split on `/`, empty segments dropped) names, if any.
/// `control` says whether the control surface is on.
pub fn lookup(segments: &[&str], control: bool) -> Option<Route> {
    let route = |surface, methods| Some(Route { surface, methods });
    match segments {
        ["_entrasim", name] if control => CONTROL
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, methods)| route(Surface::Control, methods)),
        ["common", "discovery", "instance"]
        | [_, "v2.0", ".well-known", "openid-configuration"]
        | [_, "discovery", "v2.0", "keys"]
        | [_, "discovery", "keys"] => route(Surface::Identity, GET),
        [_, "oauth2", "v2.0", "token"] => route(Surface::Token, POST),
        [_, "oauth2", "v2.0", "authorize"] | ["devicelogin"] => route(Surface::Identity, GET_POST),
        [_, "oauth2", "v2.0", "devicecode"] => route(Surface::Token, POST),
        ["common", "userrealm", _] | ["msi", "token"] => route(Surface::Identity, GET),
        ["_entrasim", "deviceCodes", _, "approve" | "expire"] if control => {
            route(Surface::Control, POST)
        }
        ["_entrasim", "scenarios", _] if control => route(Surface::Control, GET),
        ["openapi.yaml"] => route(Surface::Document, GET),
        [version, batch]
            if is_version(version)
                && super::batch::is_batch_path(&format!("/{version}/{batch}")) =>
        {
            route(Surface::Graph, POST)
        }
        // The directory's actions (getMemberGroups, getByIds, …) take POST.
        [version, .., last] if is_version(version) && super::directory_actions::is_action(last) => {
            route(Surface::Graph, POST)
        }
        // Identity Protection's dismiss / confirmCompromised / confirmSafe take POST.
        [version, root, collection, action]
            if is_version(version)
                && root.eq_ignore_ascii_case("identityProtection")
                && crate::protection::http::is_action(collection, action) =>
        {
            route(Surface::Graph, POST)
        }
        [version, ..] if is_version(version) => route(Surface::Graph, GET),
        _ => None,
    }
}

/// `v1.0` or `beta`, in any case (Graph matches paths case-insensitively).
pub fn is_version(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("v1.0") || segment.eq_ignore_ascii_case("beta")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str) -> Option<Route> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        lookup(&segments, true)
    }

    #[test]
    fn each_control_route_lists_its_own_methods() {
        assert_eq!(at("/_entrasim/reset").unwrap().allow(), "POST, OPTIONS");
        assert_eq!(
            at("/_entrasim/faults").unwrap().allow(),
            "GET, HEAD, PUT, OPTIONS"
        );
        assert_eq!(
            at("/_entrasim/clock").unwrap().allow(),
            "GET, HEAD, POST, OPTIONS"
        );
        assert!(at("/_entrasim/signIns").unwrap().accepts("POST"));
        assert!(!at("/_entrasim/signIns").unwrap().accepts("GET"));
        assert_eq!(at("/_entrasim/nothing"), None);
    }

    #[test]
    fn without_the_control_surface_its_paths_are_unknown() {
        assert_eq!(lookup(&["_entrasim", "health"], false), None);
    }

    #[test]
    fn identity_paths_are_told_apart_from_the_token_endpoint() {
        let token = at("/contoso.com/oauth2/v2.0/token").unwrap();
        assert_eq!(token.surface, Surface::Token);
        assert_eq!(token.allow(), "POST, OPTIONS");
        for path in [
            "/common/discovery/instance",
            "/t/v2.0/.well-known/openid-configuration",
            "/t/discovery/v2.0/keys",
            "/t/discovery/keys",
        ] {
            assert_eq!(at(path).unwrap().surface, Surface::Identity, "{path}");
        }
    }

    #[test]
    fn the_user_flow_paths_list_their_methods() {
        assert_eq!(
            at("/t/oauth2/v2.0/authorize").unwrap().allow(),
            "GET, HEAD, POST, OPTIONS"
        );
        assert_eq!(
            at("/t/oauth2/v2.0/devicecode").unwrap().surface,
            Surface::Token
        );
        assert_eq!(at("/msi/token").unwrap().allow(), "GET, HEAD, OPTIONS");
        let approve = at("/_entrasim/deviceCodes/ABC/approve").unwrap();
        assert_eq!(
            (approve.surface, approve.allow()),
            (Surface::Control, "POST, OPTIONS".into())
        );
        assert_eq!(
            lookup(&["_entrasim", "deviceCodes", "ABC", "approve"], false),
            None
        );
    }

    #[test]
    fn graph_paths_take_get_in_either_version_spelling() {
        assert_eq!(
            at("/V1.0/auditLogs/signIns").unwrap().surface,
            Surface::Graph
        );
        assert_eq!(at("/beta").unwrap().allow(), "GET, HEAD, OPTIONS");
        assert_eq!(at("/v2.0/users"), None);
        assert_eq!(at("/"), None);
    }
}

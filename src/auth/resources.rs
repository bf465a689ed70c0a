//! Which resources the token endpoint issues tokens for: the ones entrasim serves.
//!
//! Entra answers a client-credentials request for a resource with no service principal
//! in the tenant with AADSTS500011 `invalid_resource` (captured bodies:
//! rootinc/laravel-azure-middleware#51, Azure/azure-cli#16850, #29113).

use super::claims::is_graph_audience;

/// Azure Resource Manager's identifiers, as az and the Azure SDKs ask for them
/// (`https://management.azure.com/.default`, `https://management.core.windows.net//.default`).
const ARM: [&str; 2] = [
    "https://management.azure.com",
    "https://management.core.windows.net",
];

/// Whether `resource` (a scope without `/.default`) is one entrasim serves: Graph under
/// any of its names, ARM, or one of `local` (this server's own origins, only with
/// `--accept-local-audience`). A trailing slash names the same resource
/// (`https://127.0.0.1:P//.default` is how `az ad` asks for the origin `https://127.0.0.1:P/`).
pub fn is_served(resource: &str, local: &[String]) -> bool {
    let bare = resource.trim_end_matches('/');
    is_graph_audience(resource)
        || is_graph_audience(bare)
        || ARM.iter().any(|a| a.eq_ignore_ascii_case(bare))
        || local
            .iter()
            .any(|l| l.trim_end_matches('/').eq_ignore_ascii_case(bare))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_and_arm_are_served_under_each_of_their_names() {
        for r in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000",
            "https://management.azure.com/",
            "https://management.core.windows.net/",
        ] {
            assert!(is_served(r, &[]), "{r}");
        }
    }

    #[test]
    fn an_unknown_resource_or_the_local_origin_without_the_flag_is_not_served() {
        assert!(!is_served("https://vault.azure.net", &[]));
        assert!(!is_served("https://127.0.0.1:8443", &[]));
        assert!(!is_served(
            "api://11111111-2222-3333-4444-555555555555",
            &[]
        ));
    }

    #[test]
    fn the_local_origin_with_a_trailing_slash_is_the_same_audience() {
        let local = vec!["https://127.0.0.1:8443".to_string()];
        assert!(is_served("https://127.0.0.1:8443/", &local));
        assert!(is_served("https://127.0.0.1:8443", &local));
        assert!(!is_served("https://127.0.0.1:9999", &local));
    }
}

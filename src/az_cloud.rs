//! `entrasim az-cloud`: the Azure CLI custom-cloud registration (`cloud.json` and the
//! `az cloud register` commands) for a server's HTTPS URL.
//!
//! Login and Microsoft Graph are the URL as given; ARM is the same listener under the
//! other loopback name (`localhost` for `127.0.0.1`, and back), because `az rest` picks
//! the ARM audience for any URL on the ARM endpoint's origin, so a shared origin would
//! send ARM tokens to Graph.

use serde_json::{Value, json};

/// Why a URL cannot be registered; printed as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AzCloudError {
    #[error(
        "az-cloud: {0} is not an https:// origin (az and MSAL require https; give scheme, host and port only)"
    )]
    NotHttpsOrigin(String),
}

/// The endpoints one registration names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudUrls {
    /// Login and Microsoft Graph, `https://host:port` without a trailing slash.
    pub origin: String,
    /// Azure Resource Manager, `https://host:port` without a trailing slash.
    pub arm: String,
}

impl CloudUrls {
    /// The endpoints for `url`; `arm` overrides the ARM origin.
    pub fn new(url: &str, arm: Option<&str>) -> Result<CloudUrls, AzCloudError> {
        let (host, port) = https_origin(url)?;
        let arm = match arm {
            Some(arm) => {
                let (h, p) = https_origin(arm)?;
                origin_of(h, p)
            }
            None => origin_of(other_loopback_name(host), port),
        };
        Ok(CloudUrls {
            origin: origin_of(host, port),
            arm,
        })
    }

    /// The `--cloud-config` file `az cloud register` reads (camelCase keys, as `az cloud show`
    /// prints them). Graph's resource id ends with `/`, as the public cloud's does.
    pub fn cloud_config(&self) -> Value {
        json!({
            "endpoints": {
                "activeDirectory": self.origin,
                "activeDirectoryResourceId": "https://management.core.windows.net/",
                "management": "https://management.core.windows.net/",
                "microsoftGraphResourceId": format!("{}/", self.origin),
                "resourceManager": format!("{}/", self.arm),
            }
        })
    }

    /// Shell lines that register the cloud as `name` and make it active.
    pub fn script(&self, name: &str) -> String {
        let config = serde_json::to_string_pretty(&self.cloud_config()).expect("JSON");
        format!(
            "# Azure CLI custom cloud for entrasim at {origin} (ARM at {arm}/).\n\
             # Start entrasim with --https-port and --accept-local-audience: az asks Graph tokens for\n\
             # {origin}//.default. Trust its CA: entrasim ca --bundle > bundle.pem; export REQUESTS_CA_BUNDLE=$PWD/bundle.pem\n\
             cat > {name}-cloud.json <<'EOF'\n{config}\nEOF\n\
             # MSAL would ask login.microsoftonline.com to vouch for the authority; az's switch turns that off.\n\
             export AZURE_CORE_INSTANCE_DISCOVERY=false\n\
             az cloud register --name {name} --cloud-config @{name}-cloud.json\n\
             az cloud set --name {name}\n\
             # then: az login --service-principal -u <clientId> -p <clientSecret> --tenant <tenantId>\n",
            origin = self.origin,
            arm = self.arm,
        )
    }
}

/// Host and port of an `https://host[:port][/]` URL (port 443 when absent).
fn https_origin(url: &str) -> Result<(&str, u16), AzCloudError> {
    let bad = || AzCloudError::NotHttpsOrigin(url.to_string());
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return Err(bad());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => {
            (host, port.parse::<u16>().map_err(|_| bad())?)
        }
        _ => (authority, 443),
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host, port))
}

fn origin_of(host: &str, port: u16) -> String {
    if port == 443 {
        format!("https://{host}")
    } else {
        format!("https://{host}:{port}")
    }
}

/// The loopback name that reaches the same listener under another origin; other hosts stay.
fn other_loopback_name(host: &str) -> &str {
    match host {
        "127.0.0.1" | "[::1]" => "localhost",
        "localhost" => "127.0.0.1",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_address_puts_arm_on_localhost_and_graph_on_the_address() {
        let urls = CloudUrls::new("https://127.0.0.1:8443/", None).unwrap();
        let config = urls.cloud_config();
        assert_eq!(
            config["endpoints"]["resourceManager"],
            "https://localhost:8443/"
        );
        assert_eq!(
            config["endpoints"]["activeDirectory"],
            "https://127.0.0.1:8443"
        );
        assert_eq!(
            config["endpoints"]["microsoftGraphResourceId"],
            "https://127.0.0.1:8443/"
        );
    }

    #[test]
    fn localhost_puts_arm_on_the_address_and_an_explicit_arm_url_wins() {
        let urls = CloudUrls::new("https://localhost:9443", None).unwrap();
        assert_eq!(urls.arm, "https://127.0.0.1:9443");
        let urls = CloudUrls::new(
            "https://entrasim.test",
            Some("https://arm.entrasim.test:444/"),
        )
        .unwrap();
        assert_eq!(urls.origin, "https://entrasim.test");
        assert_eq!(urls.arm, "https://arm.entrasim.test:444");
    }

    #[test]
    fn anything_but_an_https_origin_is_refused() {
        for url in [
            "http://127.0.0.1:8400",
            "https://",
            "https://127.0.0.1:8443/v1.0",
            "https://127.0.0.1:notaport",
            "https://127.0.0.1:99999",
            "ftp://x",
        ] {
            assert!(CloudUrls::new(url, None).is_err(), "{url}");
        }
    }

    #[test]
    fn the_script_registers_the_config_it_prints() {
        let urls = CloudUrls::new("https://127.0.0.1:8443", None).unwrap();
        let script = urls.script("entrasim");
        assert!(
            script
                .contains("az cloud register --name entrasim --cloud-config @entrasim-cloud.json")
        );
        assert!(script.contains("export AZURE_CORE_INSTANCE_DISCOVERY=false"));
        let json = script
            .split("<<'EOF'\n")
            .nth(1)
            .and_then(|rest| rest.split("\nEOF\n").next())
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(json).unwrap(),
            urls.cloud_config()
        );
    }
}

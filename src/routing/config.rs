//! Routing flags: where storage accounts and event hubs deliver, the delivery delay,
//! the backlog bound, and `--diagnostics` settings created at startup.

use super::blob::Account;
use super::category::Category;
use super::setting::{LogSetting, Setting};
use super::sink::{HubTarget, StorageTarget};
use std::path::PathBuf;

/// Azurite's well-known development account (reference B3.5, S32).
pub const AZURITE_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";
/// Azurite's well-known development key (S32).
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// A routing flag that does not parse: one line at startup.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RoutingError {
    #[error("--diagnostics: {0}")]
    Spec(String),
    #[error("--storage-endpoint: {0}")]
    Storage(String),
    #[error("--eventhub-endpoint must be stdout or dir:PATH, got '{0}'")]
    Hub(String),
}

/// Validated routing settings of a server.
#[derive(Debug, Clone)]
pub struct RoutingConfig {
    pub storage: StorageTarget,
    pub hub: HubTarget,
    /// Simulated seconds between a record becoming visible and its delivery.
    pub delay_secs: i64,
    /// Most records one setting holds in flight (the bounded backlog).
    pub backlog: usize,
    /// Settings created at startup.
    pub startup: Vec<Setting>,
}

impl Default for RoutingConfig {
    fn default() -> RoutingConfig {
        RoutingConfig {
            storage: StorageTarget::Blob(
                Account::new(AZURITE_ENDPOINT, AZURITE_KEY).expect("Azurite's account parses"),
            ),
            hub: HubTarget::Stdout,
            delay_secs: DEFAULT_DELAY_SECS,
            backlog: 100_000,
            startup: Vec::new(),
        }
    }
}

/// Default delivery delay [INFERRED: no published figure for Entra sinks; Activity Log
/// exports take "3 to 20 minutes", S19].
pub const DEFAULT_DELAY_SECS: i64 = 180;

impl RoutingConfig {
    /// Validates the routing flags.
    pub fn parse(
        specs: &[String],
        storage: &str,
        key: &str,
        hub: &str,
        delay_secs: i64,
        backlog: usize,
    ) -> Result<RoutingConfig, RoutingError> {
        let storage = match storage.strip_prefix("dir:") {
            Some(path) => StorageTarget::Dir(PathBuf::from(path)),
            None if storage.starts_with("http://") || storage.starts_with("https://") => {
                StorageTarget::Blob(
                    Account::new(storage, key).map_err(|e| RoutingError::Storage(e.to_string()))?,
                )
            }
            None => {
                return Err(RoutingError::Storage(format!(
                    "an http(s) blob endpoint or dir:PATH, got '{storage}'"
                )));
            }
        };
        let hub = match hub.strip_prefix("dir:") {
            Some(path) => HubTarget::Dir(PathBuf::from(path)),
            None if hub == "stdout" => HubTarget::Stdout,
            None => return Err(RoutingError::Hub(hub.to_string())),
        };
        if delay_secs < 0 || backlog == 0 {
            return Err(RoutingError::Spec(
                "the delay cannot be negative nor the backlog zero".into(),
            ));
        }
        let startup = specs
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| spec(s))
            .collect::<Result<_, _>>()?;
        Ok(RoutingConfig {
            storage,
            hub,
            delay_secs,
            backlog,
            startup,
        })
    }
}

/// `name=ci,categories=all|A+B,to=storage+eventhub+workspace[,hub=NAME]`.
pub fn spec(text: &str) -> Result<Setting, RoutingError> {
    let bad = |m: String| RoutingError::Spec(format!("{m} in '{text}'"));
    let (mut name, mut categories, mut to, mut hub) = ("entrasim".to_string(), None, None, None);
    for pair in text.split(',') {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("'{pair}' is not key=value")))?;
        match k.trim() {
            "name" if !v.is_empty() => name = v.to_string(),
            "categories" => categories = Some(v.to_string()),
            "to" => to = Some(v.to_string()),
            "hub" => hub = Some(v.to_string()),
            other => return Err(bad(format!("unknown key '{other}'"))),
        }
    }
    let logs = logs(categories.as_deref().unwrap_or("all")).map_err(bad)?;
    let mut setting = Setting {
        name,
        storage_account_id: None,
        service_bus_rule_id: None,
        workspace_id: None,
        event_hub_rule_id: None,
        event_hub_name: hub,
        logs,
    };
    for dest in to.as_deref().unwrap_or("storage").split('+') {
        let id = |kind: &str| {
            Some(format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/entrasim/providers/{kind}"
            ))
        };
        match dest {
            "storage" => {
                setting.storage_account_id = id("Microsoft.Storage/storageAccounts/entrasimlogs")
            }
            "eventhub" => {
                setting.event_hub_rule_id = id(
                    "Microsoft.EventHub/namespaces/entrasim/authorizationRules/RootManageSharedAccessKey",
                )
            }
            "workspace" => {
                setting.workspace_id = id("Microsoft.OperationalInsights/workspaces/entrasim")
            }
            other => {
                return Err(bad(format!(
                    "unknown destination '{other}' (storage, eventhub, workspace)"
                )));
            }
        }
    }
    Ok(setting)
}

fn logs(list: &str) -> Result<Vec<LogSetting>, String> {
    let categories: Vec<Category> = if list == "all" {
        Category::routed_all().collect()
    } else {
        list.split('+')
            .map(|n| Category::find(n).ok_or_else(|| format!("Category '{n}' is not supported")))
            .collect::<Result<_, _>>()?
    };
    Ok(categories
        .into_iter()
        .map(|category| LogSetting {
            category,
            enabled: true,
            retention: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_names_categories_and_destinations() {
        let s = spec("name=ci,categories=SignInLogs+AuditLogs,to=storage+eventhub").unwrap();
        assert_eq!(s.name, "ci");
        assert_eq!(s.logs.len(), 2);
        assert!(s.storage_account_id.is_some() && s.event_hub_rule_id.is_some());
    }

    #[test]
    fn a_spec_with_an_unknown_category_is_one_line_error() {
        let e = spec("categories=Nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--diagnostics: Category 'Nope' is not supported in 'categories=Nope'"
        );
    }

    #[test]
    fn a_malformed_spec_is_refused() {
        assert!(spec("name").is_err());
        assert!(spec("to=ftp").is_err());
    }
}

//! A `microsoft.aadiam` diagnostic setting: its ARM body, validated once at the edge,
//! and the settings store of a server (reference B1.2, S21).

use super::category::Category;
use crate::arm::ArmError;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Settings per tenant (S39: "up to 5 settings per resource").
pub const MAX_SETTINGS: usize = 5;

/// One category of a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSetting {
    pub category: Category,
    pub enabled: bool,
    /// `retentionPolicy` as sent (deprecated; kept to echo it back).
    pub retention: Option<(bool, u64)>,
}

/// A validated diagnostic setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub storage_account_id: Option<String>,
    pub service_bus_rule_id: Option<String>,
    pub workspace_id: Option<String>,
    pub event_hub_rule_id: Option<String>,
    pub event_hub_name: Option<String>,
    pub logs: Vec<LogSetting>,
}

impl Setting {
    /// Validates a PUT body. Unknown categories are refused as Azure Monitor refuses them
    /// (400 BadRequest "Category 'X' is not supported.", hashicorp/terraform#20534).
    pub fn from_body(name: &str, body: &[u8]) -> Result<Setting, ArmError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| invalid_content(&e))?;
        let props = value
            .get("properties")
            .filter(|p| p.is_object())
            .ok_or_else(|| bad_request("The 'properties' of a diagnostic setting are required."))?;
        let text = |key: &str| {
            props
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let logs = props
            .get("logs")
            .and_then(Value::as_array)
            .map(|logs| logs.iter().map(log_setting).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        let setting = Setting {
            name: name.to_string(),
            storage_account_id: text("storageAccountId"),
            service_bus_rule_id: text("serviceBusRuleId"),
            workspace_id: text("workspaceId"),
            event_hub_rule_id: text("eventHubAuthorizationRuleId"),
            event_hub_name: text("eventHubName"),
            logs,
        };
        setting.check()
    }

    /// Rules of S39 a body must meet beyond its shape [INFERRED wording].
    fn check(self) -> Result<Setting, ArmError> {
        if self.storage_account_id.is_none()
            && self.workspace_id.is_none()
            && self.event_hub_rule_id.is_none()
            && self.service_bus_rule_id.is_none()
        {
            return Err(bad_request(
                "At least one destination (storageAccountId, eventHubAuthorizationRuleId or workspaceId) is required.",
            ));
        }
        Ok(self)
    }

    /// The categories enabled in this setting.
    pub fn enabled(&self) -> impl Iterator<Item = Category> + '_ {
        self.logs.iter().filter(|l| l.enabled).map(|l| l.category)
    }

    /// The setting as ARM returns it (S21 createOrUpdateDiagnosticSetting.json).
    pub fn to_json(&self) -> Value {
        let logs: Vec<Value> = self
            .logs
            .iter()
            .map(|l| {
                let (enabled, days) = l.retention.unwrap_or((false, 0));
                json!({"category": l.category.name, "enabled": l.enabled,
                       "retentionPolicy": {"enabled": enabled, "days": days}})
            })
            .collect();
        let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut props = json!({
            "storageAccountId": self.storage_account_id,
            "workspaceId": or_empty(&self.workspace_id),
            "eventHubAuthorizationRuleId": self.event_hub_rule_id,
            "eventHubName": self.event_hub_name,
            "logs": logs,
        });
        if let Some(rule) = &self.service_bus_rule_id {
            props["serviceBusRuleId"] = json!(rule);
        }
        json!({
            "id": format!("providers/microsoft.aadiam/diagnosticSettings/{}", self.name),
            "type": "",
            "name": self.name,
            "properties": props,
        })
    }
}

fn log_setting(value: &Value) -> Result<LogSetting, ArmError> {
    let name = value
        .get("category")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("Each log setting needs a 'category'."))?;
    let category = Category::find(name)
        .ok_or_else(|| bad_request(format!("Category '{name}' is not supported.")))?;
    // `enabled` is required by the spec (S21).
    let enabled = value
        .get("enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            bad_request(format!(
                "The 'enabled' flag of category '{name}' is required."
            ))
        })?;
    let retention = value
        .get("retentionPolicy")
        .filter(|r| r.is_object())
        .map(|r| {
            (
                r["enabled"].as_bool().unwrap_or(false),
                r["days"].as_u64().unwrap_or(0),
            )
        });
    Ok(LogSetting {
        category,
        enabled,
        retention,
    })
}

/// 400 BadRequest, Azure Monitor's code for settings it refuses.
pub fn bad_request(message: impl Into<String>) -> ArmError {
    ArmError::new(400, "BadRequest", message)
}

/// ARM's answer to a body that is not JSON (code as ARM's front door writes it).
fn invalid_content(e: &serde_json::Error) -> ArmError {
    ArmError::new(
        400,
        "InvalidRequestContent",
        format!("The request content was invalid and could not be deserialized: '{e}'."),
    )
}

/// The settings of every tenant, by (tenant, lower-cased name).
#[derive(Debug, Default)]
pub struct Settings {
    held: Mutex<BTreeMap<(usize, String), Setting>>,
}

impl Settings {
    /// Creates or replaces a setting; true when it was created.
    pub fn put(&self, tenant: usize, setting: Setting) -> Result<bool, ArmError> {
        let mut held = crate::throttle::lock(&self.held);
        let key = (tenant, setting.name.to_ascii_lowercase());
        let count = held.keys().filter(|(t, _)| *t == tenant).count();
        if !held.contains_key(&key) && count >= MAX_SETTINGS {
            return Err(bad_request(format!(
                "A resource can have at most {MAX_SETTINGS} diagnostic settings."
            )));
        }
        Ok(held.insert(key, setting).is_none())
    }

    /// The setting named `name`, if any.
    pub fn get(&self, tenant: usize, name: &str) -> Option<Setting> {
        let held = crate::throttle::lock(&self.held);
        held.get(&(tenant, name.to_ascii_lowercase())).cloned()
    }

    /// Removes a setting; true when it existed.
    pub fn delete(&self, tenant: usize, name: &str) -> bool {
        let mut held = crate::throttle::lock(&self.held);
        held.remove(&(tenant, name.to_ascii_lowercase())).is_some()
    }

    /// Every setting, by tenant then name.
    pub fn all(&self) -> Vec<(usize, Setting)> {
        let held = crate::throttle::lock(&self.held);
        held.iter().map(|((t, _), s)| (*t, s.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_category_is_not_supported() {
        let body = br#"{"properties":{"storageAccountId":"/s","logs":[{"category":"Nope","enabled":true}]}}"#;
        let e = Setting::from_body("x", body).unwrap_err();
        assert_eq!((e.status, e.code), (400, "BadRequest"));
        assert_eq!(e.message, "Category 'Nope' is not supported.");
    }

    #[test]
    fn a_body_that_is_not_json_is_invalid_content() {
        let e = Setting::from_body("x", b"{nope").unwrap_err();
        assert_eq!(e.code, "InvalidRequestContent");
    }

    #[test]
    fn a_setting_echoes_its_categories_in_canonical_case() {
        let body = br#"{"properties":{"storageAccountId":"/s","logs":[{"category":"signinlogs","enabled":true}]}}"#;
        let s = Setting::from_body("ci", body).unwrap();
        assert_eq!(
            s.to_json()["properties"]["logs"][0]["category"],
            "SignInLogs"
        );
        assert_eq!(
            s.to_json()["id"],
            "providers/microsoft.aadiam/diagnosticSettings/ci"
        );
    }

    #[test]
    fn a_sixth_setting_is_refused() {
        let settings = Settings::default();
        let body = br#"{"properties":{"workspaceId":"/w","logs":[]}}"#;
        for i in 0..MAX_SETTINGS {
            let s = Setting::from_body(&format!("s{i}"), body).unwrap();
            assert!(settings.put(0, s).unwrap());
        }
        let sixth = Setting::from_body("s9", body).unwrap();
        assert_eq!(settings.put(0, sixth).unwrap_err().status, 400);
    }
}

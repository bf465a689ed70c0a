//! Unit tests for the embedded seed tables and the parser's error reporting.

use std::collections::HashSet;

use super::{Catalog, CatalogError, Sources, TargetType};

/// PIM activities named in graph-api.md §7.2 that the audit-activity reference page lists.
const PIM_ACTIVITIES: &[&str] = &[
    "Add member to role requested (PIM activation)",
    "Add member to role approval requested (PIM activation)",
    "Add member to role request approved (PIM activation)",
    "Add member to role request denied (PIM activation)",
    "Add member to role completed (PIM activation)",
    "Add member to role canceled (PIM activation)",
    "Remove member from role requested (PIM deactivate)",
    "Remove member from role completed (PIM deactivate)",
    "Remove member from role (PIM activation expired)",
    "Add member to role outside of PIM (permanent)",
    "Update role setting in PIM",
    "Update eligible member in PIM requested (extend)",
    "Update eligible member in PIM canceled (extend)",
    "Update member in PIM approved by admin (extend/renew)",
    "Update member in PIM denied by admin (extend/renew)",
    "PIM activation request expired",
    "Triggered PIM alert",
    "Resolve PIM alert",
    "Disable PIM alert",
    "Enable PIM alert",
    "Deactivate PIM alert",
    "Refresh PIM alert",
    "Update PIM alert setting",
    "Onboarded resource from PIM",
    "Offboarded resource from PIM",
    "Process request",
    "Process role update request",
    "Process role removal request",
    "Cancel request for role removal",
    "Cancel request for role update",
    "Remove request",
    "Restore member from role",
    "Restore member from role in PIM completed",
    "Restore eligible member from role in PIM completed",
    "Remove permanent direct role assignment",
    "Remove permanent eligible role assignment",
    "Restore permanent direct role assignment",
    "Restore permanent eligible role assignment",
    "Tenant offboarded from PIM",
    "PIM policy removed",
    "Add eligible member to role in PIM requested (permanent)",
    "Add eligible member to role in PIM requested (timebound)",
    "Add eligible member to role in PIM requested (renew)",
    "Add eligible member to role in PIM completed (permanent)",
    "Add eligible member to role in PIM completed (timebound)",
    "Add eligible member to role in PIM canceled (permanent)",
    "Add eligible member to role in PIM canceled (timebound)",
    "Add eligible member to role in PIM canceled (renew)",
    "Add member to role in PIM requested (permanent)",
    "Add member to role in PIM requested (timebound)",
    "Add member to role in PIM requested (renew)",
    "Add member to role in PIM completed (permanent)",
    "Add member to role in PIM completed (timebound)",
    "Add member to role in PIM canceled (permanent)",
    "Add member to role in PIM canceled (timebound)",
    "Add member to role in PIM canceled (renew)",
    "Remove eligible member from role in PIM requested (permanent)",
    "Remove eligible member from role in PIM requested (timebound)",
    "Remove eligible member from role in PIM completed (permanent)",
    "Remove eligible member from role in PIM completed (timebound)",
    "Remove member from role in PIM requested (permanent)",
    "Remove member from role in PIM requested (timebound)",
    "Remove member from role in PIM completed (permanent)",
    "Remove member from role in PIM completed (timebound)",
];

#[test]
fn embedded_catalog_parses_and_covers_every_service() {
    let catalog = Catalog::parse(&Sources::embedded()).expect("embedded catalog parses");
    let services: HashSet<&str> = catalog
        .audit_activities
        .iter()
        .map(|a| a.service.as_str())
        .collect();
    assert!(
        catalog.audit_activities.len() >= 1050,
        "{} audit rows",
        catalog.audit_activities.len()
    );
    assert!(services.len() >= 25, "{} services", services.len());
    for service in [
        "Core Directory",
        "PIM",
        "Self-service Password Management",
        "Invited Users",
        "B2C",
    ] {
        assert!(services.contains(service), "missing {service}");
    }
}

#[test]
fn embedded_returns_the_same_catalog_every_time() {
    assert!(std::ptr::eq(Catalog::embedded(), Catalog::embedded()));
}

#[test]
fn audit_activities_are_unique_per_service_and_category() {
    let catalog = Catalog::embedded();
    let mut seen = HashSet::new();
    for a in &catalog.audit_activities {
        assert!(
            seen.insert((&a.service, &a.category, &a.activity)),
            "duplicate {a:?}"
        );
    }
}

#[test]
fn every_pim_activity_of_the_reference_is_logged_by_pim() {
    let catalog = Catalog::embedded();
    for name in PIM_ACTIVITIES {
        assert!(
            catalog
                .audit_activities
                .iter()
                .any(|a| a.service == "PIM" && a.activity == *name),
            "PIM activity {name:?} missing"
        );
    }
}

#[test]
fn pim_lookups_by_name_find_the_directory_role_row_first() {
    let catalog = Catalog::embedded();
    let first = catalog.audit_activities.iter().find(|a| {
        a.service == "PIM" && a.activity == "Add member to role completed (PIM activation)"
    });
    let first = first.expect("activation row exists");
    assert_eq!(
        (first.category.as_str(), first.target_type),
        ("RoleManagement", TargetType::Role)
    );
}

#[test]
fn common_activities_carry_high_weights() {
    let catalog = Catalog::embedded();
    let weight = |service: &str, name: &str| {
        catalog
            .audit_activities
            .iter()
            .find(|a| a.service == service && a.activity == name)
            .map(|a| a.weight)
    };
    assert!(weight("Core Directory", "Update user").unwrap() >= 100);
    assert!(weight("Core Directory", "Add member to group").unwrap() >= 100);
    assert_eq!(weight("Core Directory", "Hard Delete application"), Some(1));
}

#[test]
fn role_template_ids_are_unique_lowercase_guids() {
    let catalog = Catalog::embedded();
    let ids: HashSet<&str> = catalog
        .directory_roles
        .iter()
        .map(|r| r.template_id.as_str())
        .collect();
    assert_eq!(ids.len(), catalog.directory_roles.len());
    assert!(catalog.directory_roles.len() >= 30);
    assert!(ids.iter().all(|id| super::tsv::is_lowercase_guid(id)));
    let global = catalog
        .directory_roles
        .iter()
        .find(|r| r.display_name == "Global Administrator")
        .unwrap();
    assert_eq!(global.template_id, "62e90394-69f5-4237-9190-012177145e10");
    assert!(global.privileged);
}

#[test]
fn first_party_app_ids_are_unique_guids() {
    let catalog = Catalog::embedded();
    let ids: HashSet<&str> = catalog
        .first_party_apps
        .iter()
        .map(|a| a.app_id.as_str())
        .collect();
    assert_eq!(ids.len(), catalog.first_party_apps.len());
    assert!(ids.iter().all(|id| super::tsv::is_lowercase_guid(id)));
    assert!(ids.contains("00000003-0000-0000-c000-000000000000"));
}

#[test]
fn every_preset_exists_and_parses_as_toml() {
    for name in Catalog::PRESETS {
        let text = Catalog::preset_source(name).unwrap_or_else(|| panic!("preset {name} missing"));
        let value: toml::Table =
            toml::from_str(text).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        assert_eq!(value["name"].as_str(), Some(*name));
        assert!(value.contains_key("tenant") && value.contains_key("activity"));
    }
    assert!(Catalog::preset_source("huge").is_none());
}

#[test]
fn small_tables_hold_the_values_generators_rely_on() {
    let catalog = Catalog::embedded();
    assert_eq!(catalog.client_apps[0].name, "Browser");
    assert!(
        catalog
            .client_apps
            .iter()
            .any(|c| c.name == "Mobile Apps and Desktop clients" && c.modern)
    );
    assert!(catalog.sign_in_errors.iter().any(|e| e.code == 50126));
    assert!(
        catalog
            .azure_resource_types
            .iter()
            .any(|t| t.label == "Function App")
    );
    assert!(
        catalog
            .azure_resource_types
            .iter()
            .any(|t| t.provider.ends_with("userAssignedIdentities"))
    );
    assert_eq!(catalog.ca_policies.len(), 10);
}

fn with_locations(text: &str) -> Result<Catalog, CatalogError> {
    Catalog::parse(&Sources {
        locations: text,
        ..Sources::embedded()
    })
}

#[test]
fn a_malformed_row_gives_an_error_naming_file_and_line() {
    let text = "country\tstate\tcity\tlatitude\tlongitude\tutc_offset_minutes\tip_prefix\tweight\n\
                US\tWashington\tSeattle\t47.6\t-122.3\t-480\t20.83\t5\n\
                US\tWashington\tSeattle\tabc\t-122.3\t-480\t20.83\t5\n";
    let error = with_locations(text).unwrap_err().to_string();
    assert_eq!(
        error,
        "seed/locations.tsv line 3: latitude \"abc\" is not a number"
    );
}

#[test]
fn a_row_with_a_missing_column_is_rejected() {
    let text = "country\tstate\tcity\tlatitude\tlongitude\tutc_offset_minutes\tip_prefix\tweight\nUS\tWashington\n";
    let error = with_locations(text).unwrap_err().to_string();
    assert_eq!(
        error,
        "seed/locations.tsv line 2: has 2 columns, expected 8"
    );
}

#[test]
fn a_wrong_header_is_rejected() {
    let error = with_locations("country\tcity\nUS\tSeattle\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("seed/locations.tsv line 1: header"),
        "{error}"
    );
}

#[test]
fn a_private_ip_prefix_is_rejected() {
    let text = "country\tstate\tcity\tlatitude\tlongitude\tutc_offset_minutes\tip_prefix\tweight\n\
                US\tWashington\tSeattle\t47.6\t-122.3\t-480\t192.168\t5\n";
    let error = with_locations(text).unwrap_err().to_string();
    assert!(
        error.contains("line 2: ip_prefix \"192.168\" is not a public range"),
        "{error}"
    );
}

#[test]
fn a_repeated_audit_activity_is_rejected() {
    let header = "service\tcategory\tactivity\toperation_type\ttarget_type\tweight\n";
    let row = "Core Directory\tUserManagement\tUpdate user\tUpdate\tUser\t1\n";
    let text = format!("{header}{row}{row}");
    let error = Catalog::parse(&Sources {
        audit_activities: &text,
        ..Sources::embedded()
    })
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "seed/audit_activities.tsv line 3: repeats an earlier (service, category, activity)"
    );
}

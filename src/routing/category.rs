//! The `microsoft.aadiam` diagnostic categories: names, containers and hubs, Log
//! Analytics tables, and which of entrasim's logs feeds each (reference B1.1).

use crate::store::records::SignInKind;

/// Where a category's records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    SignIns(SignInKind),
    Audits,
    Provisioning,
    /// Identity Protection data (risky users, risk detections): accepted, not routed yet.
    Protection,
    /// A category of the real service that entrasim has no data for.
    None,
}

/// One diagnostic category of `microsoft.aadiam`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Category {
    /// The name settings and records carry, e.g. `SignInLogs`.
    pub name: &'static str,
    /// The Log Analytics table, if the category has one.
    pub table: Option<&'static str>,
    pub source: Source,
}

const fn cat(name: &'static str, table: Option<&'static str>, source: Source) -> Category {
    Category {
        name,
        table,
        source,
    }
}

/// Every category the service lists (reference B1.1, S20), in its order.
pub const ALL: [Category; 16] = [
    cat("AuditLogs", Some("AuditLogs"), Source::Audits),
    cat(
        "SignInLogs",
        Some("SigninLogs"),
        Source::SignIns(SignInKind::Interactive),
    ),
    cat(
        "NonInteractiveUserSignInLogs",
        Some("AADNonInteractiveUserSignInLogs"),
        Source::SignIns(SignInKind::NonInteractive),
    ),
    cat(
        "ServicePrincipalSignInLogs",
        Some("AADServicePrincipalSignInLogs"),
        Source::SignIns(SignInKind::ServicePrincipal),
    ),
    cat(
        "ManagedIdentitySignInLogs",
        Some("AADManagedIdentitySignInLogs"),
        Source::SignIns(SignInKind::ManagedIdentity),
    ),
    cat(
        "ProvisioningLogs",
        Some("AADProvisioningLogs"),
        Source::Provisioning,
    ),
    cat("ADFSSignInLogs", Some("ADFSSignInLogs"), Source::None),
    cat("RiskyUsers", Some("AADRiskyUsers"), Source::Protection),
    cat(
        "UserRiskEvents",
        Some("AADUserRiskEvents"),
        Source::Protection,
    ),
    cat("NetworkAccessTrafficLogs", None, Source::None),
    cat(
        "RiskyServicePrincipals",
        Some("AADRiskyServicePrincipals"),
        Source::Protection,
    ),
    cat(
        "ServicePrincipalRiskEvents",
        Some("AADServicePrincipalRiskEvents"),
        Source::Protection,
    ),
    cat("EnrichedOffice365AuditLogs", None, Source::None),
    cat(
        "MicrosoftGraphActivityLogs",
        Some("MicrosoftGraphActivityLogs"),
        Source::None,
    ),
    cat("RemoteNetworkHealthLogs", None, Source::None),
    cat(
        "CustomSecurityAttributeAuditLogs",
        Some("AADCustomSecurityAttributeAuditLogs"),
        Source::None,
    ),
];

impl Category {
    /// The category named `name` (ARM compares names without regard to case).
    pub fn find(name: &str) -> Option<Category> {
        ALL.iter()
            .copied()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The blob container and default event hub: `insights-logs-` + lower-cased name (S22).
    pub fn container(&self) -> String {
        format!("insights-logs-{}", self.name.to_ascii_lowercase())
    }

    /// True when entrasim delivers records of this category.
    pub fn routed(&self) -> bool {
        matches!(
            self.source,
            Source::SignIns(_) | Source::Audits | Source::Provisioning
        )
    }

    /// The categories entrasim delivers, in [`ALL`]'s order.
    pub fn routed_all() -> impl Iterator<Item = Category> {
        ALL.iter().copied().filter(Category::routed)
    }

    /// The category a sign-in of this kind belongs to.
    pub fn of_sign_in(kind: SignInKind) -> Category {
        ALL.iter()
            .copied()
            .find(|c| c.source == Source::SignIns(kind))
            .expect("every sign-in kind has a category")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_the_lower_cased_category_names() {
        let c = Category::find("noninteractiveusersigninlogs").unwrap();
        assert_eq!(c.container(), "insights-logs-noninteractiveusersigninlogs");
        assert_eq!(c.name, "NonInteractiveUserSignInLogs");
    }

    #[test]
    fn six_categories_are_routed_each_to_its_table() {
        let tables: Vec<_> = Category::routed_all().filter_map(|c| c.table).collect();
        assert_eq!(
            tables,
            [
                "AuditLogs",
                "SigninLogs",
                "AADNonInteractiveUserSignInLogs",
                "AADServicePrincipalSignInLogs",
                "AADManagedIdentitySignInLogs",
                "AADProvisioningLogs"
            ]
        );
    }
}

//! Who may read which report: the permission each takes, the reports Graph serves
//! to delegated callers only, the beta-only ones, and the premium licence.

use crate::config::License;
use crate::http::caller::Caller;
use crate::http::error::GraphError;
use crate::query::capability::ApiVersion;

/// One report's rules (reference §B.1–§B.6, permissions from S22–S30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The least privileged permission, named in the 403.
    pub permission: &'static str,
    /// Other permissions that also open it.
    pub also: &'static [&'static str],
    /// "Application: Not supported".
    pub delegated_only: bool,
    pub beta_only: bool,
}

const REPORTS: Rule = Rule {
    permission: "Reports.Read.All",
    also: &[],
    delegated_only: false,
    beta_only: true,
};
const AUDIT: Rule = Rule {
    permission: "AuditLog.Read.All",
    also: &["Directory.Read.All"],
    delegated_only: false,
    beta_only: true,
};

/// The rule of a report, by its lower-cased first segment under `reports`
/// (`authenticationmethods/...` by the second); None for a segment Graph does not have.
pub fn rule(path: &[&str]) -> Option<Rule> {
    let head = path.first()?;
    let name = head.split('(').next().unwrap_or(head);
    Some(match name {
        "getazureadapplicationsigninsummary" => REPORTS,
        // "Application: Not supported" (S23, S30).
        "applicationsignindetailedsummary" => Rule {
            delegated_only: true,
            ..REPORTS
        },
        "serviceprincipalsigninactivities" | "appcredentialsigninactivities" => AUDIT,
        "authenticationmethods" => methods_rule(path.get(1)?)?,
        _ => return None,
    })
}

fn methods_rule(segment: &str) -> Option<Rule> {
    let name = segment.split('(').next().unwrap_or(segment);
    let audit = Rule { also: &[], ..AUDIT };
    Some(match name {
        "userregistrationdetails" => Rule {
            beta_only: false,
            ..audit
        },
        // Delegated AuditLog.Read.All, "Application: Not supported" (S30).
        "usersregisteredbymethod" | "usersregisteredbyfeature" => Rule {
            beta_only: false,
            delegated_only: true,
            ..audit
        },
        // Permissions not retrieved (GAP): AuditLog.Read.All, application allowed (INFERRED).
        "usersigninsbyauthmethodsummary" | "usermfasigninsummary" => audit,
        _ => return None,
    })
}

/// The token a request carries, as the permission rules see it.
pub enum Grant<'a> {
    /// Client credentials: application permissions (`roles`).
    App(&'a [String]),
    /// A user's token: delegated permissions (`scp`).
    Delegated(&'a [String]),
}

/// The caller's grant: a user's token (it names the user's roles) is delegated, its
/// `scp` held in `roles`; any other token is app-only.
pub fn grant(caller: &Caller) -> Grant<'_> {
    match caller.user_roles {
        Some(_) => Grant::Delegated(&caller.roles),
        None => Grant::App(&caller.roles),
    }
}

/// Refuses a caller the rule does not admit, as Graph's reporting back end does:
/// `Authentication_MSGraphPermissionMissing` naming the permission (S35). An app-only
/// token on a delegated-only report gets the same 403 (INFERRED: the app cannot hold
/// the delegated permission the report checks).
pub fn check(rule: Rule, grant: &Grant<'_>) -> Result<(), GraphError> {
    let held = match grant {
        Grant::App(_) if rule.delegated_only => false,
        Grant::App(p) | Grant::Delegated(p) => p.iter().any(|p| {
            p.eq_ignore_ascii_case(rule.permission)
                || rule.also.iter().any(|a| p.eq_ignore_ascii_case(a))
        }),
    };
    if held {
        return Ok(());
    }
    Err(GraphError::new(
        403,
        "Authentication_MSGraphPermissionMissing",
        format!(
            "Calling principal does not have required MSGraph permissions {}",
            rule.permission
        ),
    ))
}

/// Usage & insights and the methods reports need Entra ID P1 or P2 (S21, S31; S35 for the body).
pub fn licensed(license: License) -> Result<(), GraphError> {
    if license >= License::P1 {
        return Ok(());
    }
    Err(GraphError::new(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    ))
}

/// A beta-only report on v1.0 is a segment v1.0 does not have.
pub fn versioned(rule: Rule, version: ApiVersion, segment: &str) -> Result<(), GraphError> {
    if rule.beta_only && version == ApiVersion::V1 {
        return Err(GraphError::no_segment(segment));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_app_only_token_is_refused_a_delegated_only_report_that_a_user_token_reads() {
        let rule = rule(&["applicationsignindetailedsummary"]).unwrap();
        let held = granted(&["Reports.Read.All"]);
        assert!(check(rule, &Grant::App(&held)).is_err());
        assert!(check(rule, &Grant::Delegated(&held)).is_ok());
        let methods =
            rule_of("authenticationmethods/usersregisteredbymethod(includedusertypes='all')");
        let audit = granted(&["AuditLog.Read.All"]);
        assert!(check(methods, &Grant::App(&audit)).is_err());
        assert!(check(methods, &Grant::Delegated(&audit)).is_ok());
    }

    #[test]
    fn the_application_summary_takes_reports_read_all_and_activities_take_audit_log() {
        let summary = rule_of("getazureadapplicationsigninsummary(period='d7')");
        assert!(check(summary, &Grant::App(&granted(&["Reports.Read.All"]))).is_ok());
        assert!(check(summary, &Grant::App(&granted(&["AuditLog.Read.All"]))).is_err());
        let activities = rule_of("serviceprincipalsigninactivities");
        assert!(check(activities, &Grant::App(&granted(&["Directory.Read.All"]))).is_ok());
        assert!(!rule_of("authenticationmethods/userregistrationdetails").beta_only);
        assert!(rule(&["nosuchreport"]).is_none());
    }

    fn rule_of(path: &str) -> Rule {
        rule(&path.split('/').collect::<Vec<_>>()).unwrap()
    }
}

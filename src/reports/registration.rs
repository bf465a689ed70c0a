//! Authentication-methods registration: `userRegistrationDetails` from the
//! tenant's users and the "User registered security info" audits, and the
//! `usersRegisteredByMethod` / `usersRegisteredByFeature` counts over them.

use crate::activity::Plan;
use crate::model::ids::time7;
use crate::store::records::{Audit, Target, Ticks, datetime, ticks};
use crate::tenant::{User, UserKind};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// `methodsRegistered` of each MFA method the sign-in log names (the Authenticator
/// app registers push and its one-time codes together, as the doc sample shows).
fn methods_of(sign_in_method: &str) -> &'static [&'static str] {
    match sign_in_method {
        "Mobile app notification" => &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
        "Text message" => &["mobilePhone"],
        "OATH verification code" => &["softwareOneTimePasscode"],
        "FIDO2 security key" => &["fido2SecurityKey"],
        "Windows Hello for Business" => &["windowsHelloForBusiness"],
        _ => &[],
    }
}

/// The methods in `usersRegisteredByMethod`, in this order, zero rows included (INFERRED).
pub const METHODS: [&str; 12] = [
    "password",
    "email",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
    "microsoftAuthenticatorPush",
    "softwareOneTimePasscode",
    "hardwareOneTimePasscode",
    "microsoftAuthenticatorPasswordless",
    "windowsHelloForBusiness",
    "fido2SecurityKey",
    "temporaryAccessPass",
];

/// The nine roles of `includedUserRoles='privilegedAdmin'` (reference §B.4.2), by template id.
const PRIVILEGED: [&str; 9] = [
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", // Billing Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
];

/// What a user holds in the directory's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleClass {
    User,
    Admin,
    PrivilegedAdmin,
}

/// One user's registration state.
#[derive(Debug, Clone)]
pub struct Registration {
    pub user: u32,
    pub methods: &'static [&'static str],
    /// When the registration last changed (the audit, or the account's creation).
    pub updated: Ticks,
    pub roles: RoleClass,
}

impl Registration {
    pub fn mfa_registered(&self) -> bool {
        !self.methods.is_empty()
    }
    /// SSPR accepts the phone and the Authenticator app, not FIDO2 or Hello (INFERRED).
    pub fn sspr_registered(&self) -> bool {
        self.methods.iter().any(|m| {
            matches!(
                *m,
                "mobilePhone" | "microsoftAuthenticatorPush" | "softwareOneTimePasscode"
            )
        })
    }
    pub fn passwordless_capable(&self) -> bool {
        self.methods
            .iter()
            .any(|m| matches!(*m, "fido2SecurityKey" | "windowsHelloForBusiness"))
    }
}

/// Every user present at `now`, by UPN: members whose account predates the log window
/// registered before it (updated = creation, INFERRED); a newer member is registered
/// once its "User registered security info" audit is visible; guests register at home.
pub fn registrations(plan: &Plan, audits: &[Audit], now: Ticks) -> Vec<Registration> {
    let mut audited: BTreeMap<u32, Ticks> = BTreeMap::new();
    for a in audits {
        if let Target::User(u) = a.targets[0] {
            audited.insert(u, a.at);
        }
    }
    let tenant = &plan.tenant;
    let mut found: Vec<Registration> = tenant
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.exists_at(datetime(now)))
        .map(|(i, u)| {
            let i = i as u32;
            let before_log = u.created < tenant.window_start;
            let at = audited.get(&i).copied();
            let registered = u.kind != UserKind::Guest && (before_log || at.is_some());
            Registration {
                user: i,
                methods: match (registered, u.mfa_method) {
                    (true, Some(m)) => methods_of(m),
                    _ => &[],
                },
                updated: at.unwrap_or_else(|| ticks(u.created)),
                roles: role_class(plan, i),
            }
        })
        .collect();
    found.sort_by(|a, b| {
        upn(plan, a)
            .to_lowercase()
            .cmp(&upn(plan, b).to_lowercase())
    });
    found
}

fn upn<'a>(plan: &'a Plan, r: &Registration) -> &'a str {
    &plan.tenant.user(r.user).user_principal_name
}

/// The user's highest role class from its active directory role assignments.
pub fn role_class(plan: &Plan, user: u32) -> RoleClass {
    let tenant = &plan.tenant;
    tenant
        .role_assignments
        .iter()
        .filter(|a| !a.principal_is_sp && a.principal == user)
        .map(|a| {
            let template = &tenant.role_definitions[a.role as usize].template_id;
            if PRIVILEGED.contains(&template.as_str()) {
                RoleClass::PrivilegedAdmin
            } else {
                RoleClass::Admin
            }
        })
        .max()
        .unwrap_or(RoleClass::User)
}

/// `userPreferredMethodForSecondaryAuthentication` / `systemPreferredAuthenticationMethods`
/// value of a registration (the enum has no FIDO2 or Hello member: `none`).
fn preferred(r: &Registration) -> &'static str {
    match r.methods.first() {
        Some(&"microsoftAuthenticatorPush") => "push",
        Some(&"softwareOneTimePasscode") => "oath",
        Some(&"mobilePhone") => "sms",
        _ => "none",
    }
}

/// SSPR is enabled for every member (INFERRED tenant policy), not for guests.
fn sspr_enabled(user: &User) -> bool {
    user.kind != UserKind::Guest
}

/// The `userRegistrationDetails` JSON (beta adds `defaultMfaMethod`).
pub fn to_json(plan: &Plan, r: &Registration, beta: bool) -> Value {
    let user = plan.tenant.user(r.user);
    let enabled = sspr_enabled(user);
    let system = preferred(r);
    let mut row = json!({
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "userDisplayName": user.display_name,
        "userType": if user.kind == UserKind::Guest { "guest" } else { "member" },
        "isAdmin": r.roles != RoleClass::User,
        "isSsprRegistered": r.sspr_registered(),
        "isSsprEnabled": enabled,
        "isSsprCapable": enabled && r.sspr_registered(),
        "isMfaRegistered": r.mfa_registered(),
        "isMfaCapable": r.mfa_registered(),
        "isPasswordlessCapable": r.passwordless_capable(),
        "methodsRegistered": r.methods,
        "isSystemPreferredAuthenticationMethodEnabled": true,
        "systemPreferredAuthenticationMethods": if system == "none" { vec![] } else { vec![system] },
        "userPreferredMethodForSecondaryAuthentication": system,
        "lastUpdatedDateTime": time7(r.updated),
    });
    if beta {
        row["defaultMfaMethod"] = json!(match system {
            "push" => "microsoftAuthenticatorPush",
            "oath" => "softwareOneTimePasscode",
            "sms" => "mobilePhone",
            _ => "none",
        });
    }
    row
}

/// `includedUserTypes`: all, member or guest.
pub fn type_matches(kind: &str, user: &User) -> bool {
    match kind {
        "member" => user.kind != UserKind::Guest,
        "guest" => user.kind == UserKind::Guest,
        _ => true,
    }
}

/// `includedUserRoles`: all, privilegedAdmin, admin (any role) or user (none).
pub fn role_matches(roles: &str, class: RoleClass) -> bool {
    match roles {
        "privilegedAdmin" => class == RoleClass::PrivilegedAdmin,
        "admin" => class != RoleClass::User,
        "user" => class == RoleClass::User,
        _ => true,
    }
}

/// `userRegistrationMethodSummary`: users per method among those selected; every member
/// has a `password` (guests sign in at home).
pub fn by_method(plan: &Plan, selected: &[&Registration], types: &str, roles: &str) -> Value {
    let counts: Vec<Value> = METHODS
        .iter()
        .map(|m| {
            let n = selected
                .iter()
                .filter(|r| match *m {
                    "password" => plan.tenant.user(r.user).kind != UserKind::Guest,
                    m => r.methods.contains(&m),
                })
                .count();
            json!({"authenticationMethod": m, "userCount": n})
        })
        .collect();
    json!({
        "@odata.type": "#microsoft.graph.userRegistrationMethodSummary",
        "totalUserCount": selected.len(),
        "userTypes": types,
        "userRoles": roles,
        "userRegistrationMethodCounts": counts,
    })
}

/// `userRegistrationFeatureSummary`: users per feature among those selected.
pub fn by_feature(plan: &Plan, selected: &[&Registration], types: &str, roles: &str) -> Value {
    let count = |f: &dyn Fn(&Registration, &User) -> bool| {
        selected
            .iter()
            .filter(|r| f(r, plan.tenant.user(r.user)))
            .count()
    };
    let features = [
        ("ssprRegistered", count(&|r, _| r.sspr_registered())),
        ("ssprEnabled", count(&|_, u| sspr_enabled(u))),
        (
            "ssprCapable",
            count(&|r, u| sspr_enabled(u) && r.sspr_registered()),
        ),
        (
            "passwordlessCapable",
            count(&|r, _| r.passwordless_capable()),
        ),
        ("mfaCapable", count(&|r, _| r.mfa_registered())),
    ];
    json!({
        "@odata.type": "#microsoft.graph.userRegistrationFeatureSummary",
        "totalUserCount": selected.len(),
        "userTypes": types,
        "userRoles": roles,
        "userRegistrationFeatureCounts": features
            .iter()
            .map(|(f, n)| json!({"feature": f, "userCount": n}))
            .collect::<Vec<_>>(),
    })
}

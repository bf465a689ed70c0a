//! Authentication-methods usage: `userSignInsByAuthMethodSummary(period=…)` and
//! `userMfaSignInSummary`, counted over the interactive user sign-ins and the
//! steps their `authenticationDetails` show.

use crate::activity::Plan;
use crate::model::ids::time0;
use crate::model::sign_in::authentication_requirement;
use crate::store::records::{SignIn, SignInKind, TICKS_PER_HOUR, Ticks, flags};
use serde_json::{Value, json};

/// The documented methods, in the doc's order; zero rows are included (§B.4.3).
pub const METHODS: [&str; 16] = [
    "password",
    "sms",
    "smsSignIn",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
    "microsoftAuthenticatorPush",
    "oneTimePasscode",
    "microsoftAuthenticatorPasswordless",
    "windowsHelloForBusiness",
    "fido2SecurityKey",
    "temporaryAccessPass",
    "macOsSecureEnclaveKey",
    "passKeyDeviceBound",
    "passKeySynced",
    "externalAuthMethod",
];

/// The report's name of an `authenticationDetails[].authenticationMethod` of the sign-in log.
pub fn method_name(sign_in_method: &str) -> Option<&'static str> {
    Some(match sign_in_method {
        "Password" => "password",
        "Text message" => "sms",
        "Mobile app notification" => "microsoftAuthenticatorPush",
        "OATH verification code" => "oneTimePasscode",
        "FIDO2 security key" => "fido2SecurityKey",
        "Windows Hello for Business" => "windowsHelloForBusiness",
        _ => return None,
    })
}

/// `aggregationPeriod`: `d1`, `d7` or `d30`, lower case as the enum has them.
pub fn period_days(text: &str) -> Option<i64> {
    match text {
        "d1" => Some(1),
        "d7" => Some(7),
        "d30" => Some(30),
        _ => None,
    }
}

/// The methods a successful interactive sign-in shows as succeeded steps: the
/// password, and the MFA method unless a token claim satisfied MFA.
fn methods_used(plan: &Plan, r: &SignIn) -> Vec<&'static str> {
    if r.kind != SignInKind::Interactive || r.error != 0 {
        return Vec::new();
    }
    let mut used = vec!["password"];
    if r.flags & flags::MFA != 0 && r.flags & flags::MFA_CLAIM == 0 {
        let method = plan
            .tenant
            .user(r.subject)
            .mfa_method
            .unwrap_or("Mobile app notification");
        used.extend(method_name(method));
    }
    used
}

/// One `userSignInUsageByAuthMethodActivity` per method: successful sign-ins in the
/// last `days` days that used it.
pub fn by_method(plan: &Plan, sign_ins: &[SignIn], now: Ticks, days: i64) -> Vec<Value> {
    let from = now - days * 24 * TICKS_PER_HOUR;
    let mut counts = [0u64; METHODS.len()];
    for r in sign_ins.iter().filter(|r| r.at >= from) {
        for m in methods_used(plan, r) {
            if let Some(i) = METHODS.iter().position(|x| *x == m) {
                counts[i] += 1;
            }
        }
    }
    METHODS
        .iter()
        .zip(counts)
        .map(|(m, n)| {
            json!({
                "@odata.type": "#microsoft.graph.userSignInUsageByAuthMethodActivity",
                "authenticationMethod": m,
                "successActivityCount": n,
            })
        })
        .collect()
}

/// One `userMfaSignInSummary` per UTC day with interactive user sign-ins, newest
/// first, split by `authenticationRequirement` (INFERRED rule, §B.4.4).
pub fn mfa_days(plan: &Plan, sign_ins: &[SignIn]) -> Vec<Value> {
    let mut days: std::collections::BTreeMap<i64, (u64, u64)> = Default::default();
    for r in sign_ins
        .iter()
        .filter(|r| r.kind == SignInKind::Interactive)
    {
        let day = days
            .entry(r.at.div_euclid(24 * TICKS_PER_HOUR))
            .or_default();
        if authentication_requirement(plan, r) == "multiFactorAuthentication" {
            day.1 += 1;
        } else {
            day.0 += 1;
        }
    }
    days.into_iter()
        .rev()
        .map(|(day, (single, multi))| {
            let at = day * 24 * TICKS_PER_HOUR;
            json!({
                "@odata.type": "#microsoft.graph.userMfaSignInSummary",
                "id": super::row_id(&format!("userMfaSignInSummary|{}|{day}", plan.tenant.id)),
                "createdDateTime": time0(at),
                "totalSignIns": single + multi,
                "singleFactorSignIns": single,
                "multiFactorSignIns": multi,
            })
        })
        .collect()
}

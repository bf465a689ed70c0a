//! CSV output of `generate`: one row per record with a fixed column list per
//! resource and API version (see [`columns`]): nested properties joined with
//! `.`, arrays as their JSON text, missing or null values empty. Rows are
//! written as records come, nothing is held back.

pub mod columns;

use serde_json::Value;
use std::io::Write;

/// The fixed columns of a collection (`signIns`, `users`, …) for a version.
pub fn columns_for(name: &str, beta: bool) -> &'static [&'static str] {
    use columns::*;
    match (name, beta) {
        ("signIns", true) => SIGN_INS_BETA,
        ("signIns", false) => SIGN_INS_V1,
        ("directoryAudits", true) => AUDITS_BETA,
        ("directoryAudits", false) => AUDITS_V1,
        ("provisioning", true) => PROVISIONING_BETA,
        ("provisioning", false) => PROVISIONING_V1,
        ("users", _) => USERS,
        ("groups", _) => GROUPS,
        ("applications", _) => APPLICATIONS,
        ("servicePrincipals", _) => SERVICE_PRINCIPALS,
        ("roleDefinitions", _) => ROLE_DEFINITIONS,
        ("roleAssignments", _) => ROLE_ASSIGNMENTS,
        ("roleEligibilitySchedules", _) => ROLE_ELIGIBILITY_SCHEDULES,
        ("activityLog", _) => ACTIVITY_LOG,
        ("riskDetections", _) => RISK_DETECTIONS,
        ("riskyUsers", _) => RISKY_USERS,
        ("riskyServicePrincipals", _) => RISKY_SERVICE_PRINCIPALS,
        ("servicePrincipalRiskDetections", _) => SERVICE_PRINCIPAL_RISK_DETECTIONS,
        _ => ROLE_ASSIGNMENT_SCHEDULES,
    }
}

/// Writes the header line: the columns with `.` between path segments.
pub fn header(out: &mut impl Write, columns: &[&str]) -> std::io::Result<()> {
    let names: Vec<String> = columns
        .iter()
        .map(|c| quote(&c[1..].replace('/', ".")))
        .collect();
    writeln!(out, "{}", names.join(","))
}

/// Writes one JSON object (serialised) as a row of `columns`.
pub fn row(out: &mut impl Write, columns: &[&str], line: &[u8]) -> std::io::Result<()> {
    let value: Value = serde_json::from_slice(line).unwrap_or(Value::Null);
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        match value.pointer(column) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => out.write_all(quote(s).as_bytes())?,
            Some(other) => out.write_all(quote(&other.to_string()).as_bytes())?,
        }
    }
    out.write_all(b"\n")
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_become_dotted_columns_and_commas_are_quoted() {
        let mut out = Vec::new();
        let columns = ["/a", "/b/c", "/b/@odata.type", "/d"];
        header(&mut out, &columns).unwrap();
        row(
            &mut out,
            &columns,
            br#"{"a":1,"b":{"c":"x,y","@odata.type":"t"},"d":[1,2]}"#,
        )
        .unwrap();
        row(&mut out, &columns, br#"{"a":null}"#).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,b.c,b.@odata.type,d\n1,\"x,y\",t,\"[1,2]\"\n,,,\n"
        );
    }

    #[test]
    fn every_collection_has_columns_starting_with_its_id() {
        for name in [
            "signIns",
            "directoryAudits",
            "provisioning",
            "users",
            "roleAssignmentSchedules",
        ] {
            for beta in [false, true] {
                assert_eq!(columns_for(name, beta)[0], "/id");
            }
        }
    }
}

#!/usr/bin/env python3
"""Build seed/audit_activities.tsv from the scraped audit-activity reference.

Input : ../shared/seeds/002_db79292fead3a7c2.txt (a scraped copy of Microsoft's
        "Microsoft Entra audit log categories and activities" page)
Output: seed/audit_activities.tsv
        columns: service, category, activity, operation_type, target_type, weight
Usage : python3 seed/tools/parse_audit_catalog.py [SEED_TEXT] [OUT_TSV]
        (defaults resolve relative to this file; the run prints rows per service)

loggedByService spelling per page section (Graph's `loggedByService` value):
  "Microsoft Entra (AAD) Management UX"                -> "AAD Management UX"      (seen in a Sentinel rule)
  "Access reviews"                                     -> "Access Reviews"         (seen in KQL samples)
  "Account provisioning"                               -> "Account Provisioning"   (old audit API doc)
  "Application proxy"                                  -> "Application Proxy"      (section title, title case)
  "Authentication Methods"                             -> "Authentication Methods" (seen in KQL samples)
  "Microsoft Entra (Azure AD) Recommendations"         -> "Azure AD Recommendations" (the parenthesised
                                                          legacy name, as for "AAD Management UX"; unverified)
  "Microsoft Entra (Azure MFA) multifactor authentication" -> "Azure MFA"         (same rule; unverified)
  "Azure RBAC (Elevated Access)"                       -> "Azure RBAC (Elevated Access)" (title as is; unverified)
  "B2B Auth"                                           -> "B2B Auth"               (title as is; unverified)
  "B2C"                                                -> "B2C"                    (Graph docs example value)
  "Conditional Access"                                 -> "Conditional Access"     (seen in KQL samples)
  "Core Directory"                                     -> "Core Directory"         (Graph docs example value)
  "Device Registration Service"                        -> "Device Registration Service"
  "Entitlement Management"                             -> "Entitlement Management" (seen in KQL samples)
  "Global Secure Access"                               -> "Global Secure Access"
  "Hybrid Authentication"                              -> "Hybrid Authentication"
  "Microsoft Entra ID Protection (Identity Protection)" -> "Identity Protection"
  "Invited users"                                      -> "Invited Users"          (Graph docs example value)
  "Lifecycle Workflows"                                -> "Lifecycle Workflows"
  "Microsoft Identity Manager (MIM) Service"           -> "Microsoft Identity Manager" (Graph docs example value)
  "Mobility Management"                                -> "Mobility Management"    (title as is; unverified)
  "MyAccess"                                           -> "MyAccess"               (title as is; unverified)
  "MyApps"                                             -> "MyApps"
  "Privileged Identity Management (PIM)"               -> "PIM"                    (Sentinel/Azure Monitor queries)
  "Self-service group management"                      -> "Self-service Group Management" (old audit API doc)
  "Self-service password management"                   -> "Self-service Password Management" (Graph docs example)
  "Terms of use"                                       -> "Terms Of Use"
  "Verified ID"                                        -> "Verified ID"

Scraping damage repaired:
  * navigation, cookie banner, headings, prose and list items (lines without a tab) are skipped;
    a known section title switches the current service, a table header starts its table;
  * a row whose activity column is empty continues the previous row's activity
    ("Enable/start provisioning" + "configuration");
  * the fragment "started (bulk)" expands into "<X> - started (bulk)" for every sibling
    "<X> - finished (bulk)" of the same service and category;
  * FIXES below repair rows that lost their leading verb;
  * the optional Description column is dropped; exact duplicates within a service are removed.
SUPPLEMENT adds a few real Core Directory activities that this copy of the page lacks.
Rows keep page order, except PIM rows, ordered RoleManagement, ResourceManagement,
GroupManagement, ApplicationManagement so that a lookup by (service, activity) finds the
directory-role (RoleManagement) row first.

operation_type (Graph's free string) is derived from the activity verb:
  1. a role or app-role assignment activity ("... member to role", "app role assignment",
     "role assignment", "EligibleRoleAssignment") that starts with Add/Assign -> Assign,
     with Remove -> Unassign;
  2. otherwise the first verb, after skipping a leading subject (User, Admin, Administrator,
     Bulk) and taking the part before "/" ("Enable/start" -> "Enable"):
       Add, Create, Register, Invite, Pre-create, Upload, Generate, Import, POST... -> Add
       Delete, Remove, Hard/Soft (delete), Unregister, Revoke, DELETE...           -> Delete
       Assign, Consent, Grant                                                     -> Assign
       Unassign, Unlink                                                           -> Unassign
       Update, Set, Change, Edit, Enable, Disable, Reset, Restore, Renew, Redeem,
       Publish, PATCH, Rotate, Approve, Deny, Cancel...                           -> Update
     API-style names "Object_Verb" map their verb part (Create -> Add, Get -> Other...);
  3. else a trailing verb (created, updated, removed, approved, denied...) decides;
  4. anything else (Get, Download, Export, Validate, notifications...) -> Other.
target_type (targetResources[0].type) comes from the first matching keyword rule in
TARGET_RULES, else from the category, else Other.
weight: WEIGHTS gives realistic relative frequencies for the common activities; others 1.
"""

import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = HERE.parents[2] / "shared" / "seeds" / "002_db79292fead3a7c2.txt"
DEFAULT_OUT = HERE.parent / "audit_activities.tsv"

SECTIONS = OrderedDict([
    ("Microsoft Entra (AAD) Management UX", "AAD Management UX"),
    ("Access reviews", "Access Reviews"),
    ("Account provisioning", "Account Provisioning"),
    ("Application proxy", "Application Proxy"),
    ("Authentication Methods", "Authentication Methods"),
    ("Microsoft Entra (Azure AD) Recommendations", "Azure AD Recommendations"),
    ("Microsoft Entra (Azure MFA) multifactor authentication", "Azure MFA"),
    ("Azure RBAC (Elevated Access)", "Azure RBAC (Elevated Access)"),
    ("B2B Auth", "B2B Auth"),
    ("B2C", "B2C"),
    ("Conditional Access", "Conditional Access"),
    ("Core Directory", "Core Directory"),
    ("Device Registration Service", "Device Registration Service"),
    ("Entitlement Management", "Entitlement Management"),
    ("Global Secure Access", "Global Secure Access"),
    ("Hybrid Authentication", "Hybrid Authentication"),
    ("Microsoft Entra ID Protection (Identity Protection)", "Identity Protection"),
    ("Invited users", "Invited Users"),
    ("Lifecycle Workflows", "Lifecycle Workflows"),
    ("Microsoft Identity Manager (MIM) Service", "Microsoft Identity Manager"),
    ("Mobility Management", "Mobility Management"),
    ("MyAccess", "MyAccess"),
    ("MyApps", "MyApps"),
    ("Privileged Identity Management (PIM)", "PIM"),
    ("Self-service group management", "Self-service Group Management"),
    ("Self-service password management", "Self-service Password Management"),
    ("Terms of use", "Terms Of Use"),
    ("Verified ID", "Verified ID"),
])

TABLE_HEADERS = {"Audit Category", "----------------"}

# (service, category, damaged activity) -> repaired activity
FIXES = {
    ("B2C", "ResourceManagement", "Identity Provider"): "Update Identity Provider",
}

# Real Core Directory activities missing from this copy of the page.
SUPPLEMENT = [
    ("Core Directory", "UserManagement", "Add app role assignment grant to user"),
    ("Core Directory", "UserManagement", "Reset user password"),
]

PIM_CATEGORY_ORDER = ["RoleManagement", "ResourceManagement", "GroupManagement", "ApplicationManagement"]

ADD = {"add", "create", "register", "invite", "pre-create", "upload", "generate", "adding",
       "post", "import", "onboarded", "onboarding", "initiate", "initialize",
       "requests", "registered", "assigns", "creates"}
DELETE = {"delete", "remove", "hard", "soft", "unregister", "revoke", "deleting", "offboarded",
          "offboarding", "suspending", "dismiss", "deleted", "removes"}
UPDATE = {"update", "updated", "updating", "set", "change", "changed", "edit", "enable", "disable",
          "reset", "restore", "renew", "publish", "patch", "rotate", "convert", "promote", "demote",
          "verify", "unset", "mark", "postpone", "migrated", "apply", "approve", "deny", "unlock",
          "extend", "recover", "takeover", "move", "cancel", "clear", "confirm", "confirmaccountcompromised",
          "confirmaccountsafe", "confirmcompromised", "confirmsafe", "confirmserviceprincipalcompromised",
          "dismissrisk", "dismissuser", "dismissserviceprincipal", "trigger", "process", "accept",
          "decline", "bulk", "updated", "reviewed", "redeem"}
ASSIGN = {"assign", "consent", "grant"}
UNASSIGN = {"unassign", "unlink"}
API_VERBS = {"create": "Add", "post": "Add", "addmember": "Add", "addowner": "Add", "addgroup": "Add",
             "delete": "Delete", "removemember": "Delete", "removeowner": "Delete", "removegroup": "Delete",
             "update": "Update", "updatefeaturesasync": "Update", "restore": "Update", "act": "Update",
             "renewgroup": "Update", "createlink": "Add"}
ROLE_ASSIGNMENT = re.compile(r"member (to|from) role|app role assignment|role assignment|"
                             r"EligibleRoleAssignment|scoped member", re.I)

TARGET_RULES = [
    (r"PIM alert|alert setting", "Other"),
    (r"app role assignment (to|from) group", "Group"),
    (r"app role assignment", "ServicePrincipal"),
    (r"(?i)\brole\b|roledefinition|roles\b|roleassignment", "Role"),
    (r"(?i)service ?principal", "ServicePrincipal"),
    (r"^(Confirm|Dismiss)", "User"),
    (r"for directory|writeback|^Directory", "Directory"),
    (r"[Pp]rovisioning", "ServicePrincipal"),
    (r"password for user", "User"),
    (r"user flow|user attribute", "Policy"),
    (r"Conditional Access|named location|AuthenticationContext|security defaults|continuous access|"
     r"[Pp]olicy|Terms Of Use|feature rollout|rollout policy|Consent$", "Policy"),
    (r"delegated permission grant|Consent to application|contextual consent|Restore consent",
     "ServicePrincipal"),
    (r"access package|decision|approval|business flow|(?<![A-Za-z])[Rr]equest", "Request"),
    (r"[Aa]pplication|\bapp\b|v[12] application|connector|SSL", "Application"),
    (r"[Gg]roup", "Group"),
    (r"[Dd]evice|BitLocker|local administrator password", "Device"),
    (r"[Uu]ser|[Pp]assword|security info|account|guest|invite|sponsor|Strong Authentication|"
     r"multifactor|credential|Passkey|Fraud|[Ss]uspicious|sign-in event|MFA|Hardware Oath", "User"),
    (r"[Dd]omain|[Cc]ompany|[Tt]enant|[Dd]irectory|partner|[Ss]ubscription|administrative unit|"
     r"OrganizationalUnit|kerberos|Branding|MultiTenantOrg|multi tenant org|cross-tenant|label|"
     r"contact|[Aa]greement|CertificateAuthority|PublicKeyInfrastructure|DirSync|feature", "Directory"),
]
CATEGORY_TARGETS = {
    "UserManagement": "User", "GroupManagement": "Group", "ApplicationManagement": "Application",
    "Application Management": "Application", "Policy": "Policy", "PolicyManagement": "Policy",
    "DirectoryManagement": "Directory", "Directory Management": "Directory", "Device": "Device",
    "DeviceManagement": "Device", "RoleManagement": "Role", "EntitlementManagement": "Request",
    "AdministrativeUnit": "Directory", "IdentityProtection": "User", "KeyManagement": "Other",
    "ProvisioningManagement": "ServicePrincipal",
}

# (service, activity) -> weight; every category of the service with that activity gets it,
# except PIM, where only the RoleManagement row (directory roles) carries it.
WEIGHTS = {
    ("Core Directory", "Update user"): 400,
    ("Core Directory", "Update device"): 260,
    ("Core Directory", "Add member to group"): 220,
    ("Core Directory", "Update service principal"): 180,
    ("Core Directory", "Remove member from group"): 120,
    ("Core Directory", "Update application"): 90,
    ("Core Directory", "Update group"): 80,
    ("Core Directory", "Add app role assignment grant to user"): 70,
    ("Core Directory", "Add app role assignment to service principal"): 60,
    ("Core Directory", "Add user"): 60,
    ("Core Directory", "Add device"): 60,
    ("Core Directory", "Add registered owner to device"): 60,
    ("Core Directory", "Add registered users to device"): 60,
    ("Core Directory", "Consent to application"): 50,
    ("Core Directory", "Add delegated permission grant"): 40,
    ("Core Directory", "Change user password"): 40,
    ("Core Directory", "Change user license"): 40,
    ("Core Directory", "Update StsRefreshTokenValidFrom Timestamp"): 40,
    ("Core Directory", "Finish applying group based license to user"): 40,
    ("Core Directory", "Reset user password"): 35,
    ("Core Directory", "Add service principal"): 30,
    ("Core Directory", "Set user manager"): 30,
    ("Core Directory", "Delete user"): 25,
    ("Core Directory", "Add owner to group"): 20,
    ("Core Directory", "Add service principal credentials"): 20,
    ("Core Directory", "Update policy"): 20,
    ("Core Directory", "Add group"): 20,
    ("Core Directory", "Delete device"): 20,
    ("Core Directory", "Start applying group based license to users"): 20,
    ("Core Directory", "Reset password"): 15,
    ("Core Directory", "Add member to role"): 15,
    ("Core Directory", "Disable account"): 15,
    ("Core Directory", "Device no longer compliant"): 15,
    ("Core Directory", "Add application"): 15,
    ("Core Directory", "Remove member from role"): 12,
    ("Core Directory", "Remove app role assignment from user"): 12,
    ("Core Directory", "Remove owner from group"): 10,
    ("Core Directory", "Remove service principal credentials"): 10,
    ("Core Directory", "Remove delegated permission grant"): 10,
    ("Core Directory", "Hard Delete user"): 10,
    ("Core Directory", "Enable account"): 8,
    ("Core Directory", "Delete group"): 8,
    ("Self-service Password Management", "Self-service password reset flow activity progress"): 120,
    ("Self-service Password Management", "Reset password (self-service)"): 60,
    ("Self-service Password Management", "Change password (self-service)"): 30,
    ("Self-service Password Management", "Security info saved for self-service password reset"): 25,
    ("Self-service Password Management", "Reset password (by admin)"): 20,
    ("Self-service Password Management", "Unlock user account (self-service)"): 5,
    ("Self-service Password Management", "Blocked from self-service password reset"): 5,
    ("Authentication Methods", "User registered security info"): 50,
    ("Authentication Methods", "User started security info registration"): 40,
    ("Authentication Methods", "User registered all required security info"): 25,
    ("Authentication Methods", "User changed default security info"): 10,
    ("Authentication Methods", "User updated security info"): 10,
    ("Authentication Methods", "User reviewed security info"): 10,
    ("Authentication Methods", "User deleted security info"): 8,
    ("Authentication Methods", "Admin registered security info"): 5,
    ("Invited Users", "Invite external user"): 25,
    ("Invited Users", "Redeem external user invite"): 20,
    ("Invited Users", "Invitation Email"): 20,
    ("PIM", "Add member to role requested (PIM activation)"): 40,
    ("PIM", "Add member to role completed (PIM activation)"): 40,
    ("PIM", "Remove member from role (PIM activation expired)"): 35,
    ("PIM", "Add member to role approval requested (PIM activation)"): 10,
    ("PIM", "Add member to role request approved (PIM activation)"): 10,
    ("PIM", "Remove member from role requested (PIM deactivate)"): 8,
    ("PIM", "Remove member from role completed (PIM deactivate)"): 8,
    ("Conditional Access", "Update Conditional Access policy"): 10,
    ("Device Registration Service", "Register device"): 30,
    ("Device Registration Service", "Update local administrator password"): 20,
    ("Device Registration Service", "Add BitLocker key"): 15,
    ("Device Registration Service", "Add Windows Hello for Business credential"): 10,
    ("Account Provisioning", "Export"): 10,
    ("Account Provisioning", "Import"): 10,
    ("Account Provisioning", "Synchronization rule action"): 10,
    ("Self-service Group Management", "Features_GetFeaturesAsync"): 20,
    ("Self-service Group Management", "Group_GetAll"): 10,
    ("Entitlement Management", "User requests access package assignment"): 10,
    ("Entitlement Management", "Fulfill access package assignment request"): 10,
    ("Lifecycle Workflows", "Schedule workflow execution started"): 10,
    ("Lifecycle Workflows", "Schedule workflow execution completed"): 10,
    ("Terms Of Use", "Accept Terms Of Use"): 15,
    ("Access Reviews", "Approve decision"): 8,
}


def read_rows(text):
    """Yield (service, category, activity) from the scraped page, repairing split rows."""
    service, in_table, pending = None, False, None
    for raw in text.splitlines():
        line = raw.strip(" \r\n")  # tabs stay: an empty last column is still a column
        if "\t" not in line:
            if line in SECTIONS:
                if pending:
                    yield pending
                service, in_table, pending = SECTIONS[line], False, None
            continue
        cells = [c.strip() for c in line.split("\t")]
        if cells[0] in TABLE_HEADERS:
            in_table = True
            continue
        if not in_table or service is None:
            raise SystemExit(f"table row outside a table: {raw!r}")
        category, activity = cells[0], cells[1] if len(cells) > 1 else ""
        if not activity:
            if pending is None:
                raise SystemExit(f"continuation with nothing to continue: {raw!r}")
            pending = (pending[0], pending[1], f"{pending[2]} {category}")
            continue
        if pending:
            yield pending
        pending = (service, category, FIXES.get((service, category, activity), activity))
    if pending:
        yield pending


def expand_bulk_fragments(rows):
    """Replace each "started (bulk)" fragment by one row per "finished (bulk)" sibling."""
    out = []
    for service, category, activity in rows:
        if activity != "started (bulk)":
            out.append((service, category, activity))
            continue
        siblings = [a for s, c, a in rows if (s, c) == (service, category) and a.endswith(" - finished (bulk)")]
        if not siblings:
            raise SystemExit(f"no finished sibling for {service}/{category} started (bulk)")
        out.extend((service, category, a[: -len("finished (bulk)")] + "started (bulk)") for a in siblings)
    return out


def dedupe(rows):
    seen, out = set(), []
    for row in rows:
        if row not in seen:
            seen.add(row)
            out.append(row)
    return out


def order(rows):
    """Page order, with PIM rows grouped by PIM_CATEGORY_ORDER (stable within a category)."""
    def key(item):
        index, (service, category, _) = item
        if service != "PIM":
            return (index, 0)
        first_pim = next(i for i, r in enumerate(rows) if r[0] == "PIM")
        rank = PIM_CATEGORY_ORDER.index(category) if category in PIM_CATEGORY_ORDER else len(PIM_CATEGORY_ORDER)
        return (first_pim, rank * 10_000 + index)
    return [row for _, row in sorted(enumerate(rows), key=key)]


SUBJECTS = {"user", "admin", "administrator", "bulk", "directly", "entitlement", "management"}
LAST_WORD = {"create": "Add", "created": "Add", "update": "Update", "updated": "Update",
             "reset": "Update", "delete": "Delete", "deleted": "Delete", "removed": "Delete",
             "approved": "Update", "canceled": "Update", "rejected": "Update", "denied": "Update"}


def first_verb(activity):
    words = activity.split()
    if "_" in words[0] and len(words) == 1:
        return ("api", words[0].split("_", 1)[1].lower())
    rest = [w.lower() for w in words]
    while len(rest) > 1 and rest[0] in SUBJECTS:
        rest = rest[1:]
    return ("word", rest[0].split("/")[0])


def operation_type(activity):
    starts = activity.split()[0].lower()
    if ROLE_ASSIGNMENT.search(activity):
        if starts in ("add", "assign", "adding"):
            return "Assign"
        if starts == "remove":
            return "Unassign"
    kind, verb = first_verb(activity)
    if kind == "api":
        return API_VERBS.get(verb, "Other")
    for verbs, name in ((ADD, "Add"), (DELETE, "Delete"), (ASSIGN, "Assign"), (UNASSIGN, "Unassign"), (UPDATE, "Update")):
        if verb in verbs:
            return name
    return LAST_WORD.get(activity.split()[-1].lower(), "Other")


def target_type(category, activity):
    for pattern, target in TARGET_RULES:
        if re.search(pattern, activity):
            return target
    return CATEGORY_TARGETS.get(category, "Other")


def weight(service, category, activity):
    w = WEIGHTS.get((service, activity), 1)
    if service == "PIM" and category != "RoleManagement":
        return 1
    return w


def build(text):
    rows = list(read_rows(text))
    rows = expand_bulk_fragments(rows)
    rows += SUPPLEMENT
    rows = order(dedupe(rows))
    return [(s, c, a, operation_type(a), target_type(c, a), weight(s, c, a)) for s, c, a in rows]


def check(table):
    triples = Counter((s, c, a) for s, c, a, *_ in table)
    dupes = [t for t, n in triples.items() if n > 1]
    if dupes:
        raise SystemExit(f"duplicate triples: {dupes}")
    for row in table:
        if any(("\t" in str(v) or str(v) != str(v).strip() or str(v) == "") for v in row):
            raise SystemExit(f"bad cell in {row}")
    missing = {k for k in WEIGHTS} - {(s, a) for s, _, a, *_ in table}
    if missing:
        raise SystemExit(f"weights for unknown activities: {sorted(missing)}")


def main():
    seed = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    table = build(seed.read_text(encoding="utf-8"))
    check(table)
    lines = ["service\tcategory\tactivity\toperation_type\ttarget_type\tweight"]
    lines += ["\t".join(str(v) for v in row) for row in table]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = Counter(row[0] for row in table)
    for service, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:5}  {service}")
    print(f"{len(table):5}  rows in {len(counts)} services -> {out}")


if __name__ == "__main__":
    main()

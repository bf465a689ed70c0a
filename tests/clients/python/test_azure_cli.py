"""Issue 12 item 3 and issue 14: the real Azure CLI (requirements-az.txt, in its own venv,
tests/clients/tools/cached_env.sh, from requirements-az.txt) against entrasim as a custom cloud registered from
`entrasim az-cloud --json`, over HTTPS with the CA bundle of `entrasim ca --bundle`. Every
answer is compared with what the tenant holds (`entrasim tenant --json`, `/_entrasim/tenant`)
and with `entrasim generate`, not only exit codes. az keeps its state in a temporary
AZURE_CONFIG_DIR: nothing touches ~/.azure."""

import json
import os
import pathlib
import subprocess

import pytest

from conftest import BINARY, ROOT, TENANT_FLAGS, Server, client_named

AZ = ROOT / "tests" / "clients" / ".venv-az" / "bin" / "az"


@pytest.fixture(scope="module")
def server():
    """`--accept-local-audience`: az asks Graph tokens for the cloud's Graph resource id, this server."""
    srv = Server("--auth", "strict", "--accept-local-audience", "--throttle", "off")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def directory():
    """The whole tenant as `entrasim tenant --json` prints it."""
    out = subprocess.run([str(BINARY), "tenant", "--json", *TENANT_FLAGS], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def summary(server):
    return server.get("/_entrasim/tenant").json()


@pytest.fixture(scope="module")
def az(server, summary, tmp_path_factory):
    """`az …` as the audit reader, logged in to the registered cloud; returns parsed JSON."""
    if not AZ.exists():
        pytest.fail(f"{AZ} is missing: run tests/clients/tools/cached_env.sh venv tests/clients/requirements-az.txt tests/clients/.venv-az (tests/clients/run.sh does)")
    home = tmp_path_factory.mktemp("az")
    bundle = home / "bundle.pem"
    bundle.write_text(subprocess.run([str(BINARY), "ca", "--bundle", "--data-dir", server.data_dir],
                                     capture_output=True, text=True, check=True).stdout)
    cloud = home / "cloud.json"
    cloud.write_text(subprocess.run([str(BINARY), "az-cloud", "--url", server.https, "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "SSL_CERT", "REQUESTS_CA"))}
    env.update(AZURE_CONFIG_DIR=str(home / "config"), REQUESTS_CA_BUNDLE=str(bundle),
               AZURE_CORE_INSTANCE_DISCOVERY="false", AZURE_CORE_COLLECT_TELEMETRY="false",
               AZURE_CORE_SURVEY_MESSAGE="false", AZURE_CORE_NO_COLOR="true")

    def run(*args, parse=True):
        done = subprocess.run([str(AZ), *args, *(["-o", "json"] if parse else [])], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"az {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout) if parse else done.stdout

    run("cloud", "register", "--name", "entrasim", "--cloud-config", f"@{cloud}", parse=False)
    run("cloud", "set", "--name", "entrasim", parse=False)
    reader = client_named(summary, "entrasim-audit-reader")
    run.login = run("login", "--service-principal", "-u", reader["clientId"], "-p", reader["clientSecret"],
                    "--tenant", summary["tenantId"])
    return run


def ids(items):
    return sorted(i["id"] for i in items)


def test_az_logs_in_as_the_service_principal_and_sees_the_subscriptions_it_reads(az, server, summary, directory):
    subscriptions = {s["id"] for s in az.login}
    assert subscriptions, az.login
    assert {s["tenantId"] for s in az.login} == {summary["tenantId"]}
    assert {s["user"]["type"] for s in az.login} == {"servicePrincipal"}
    # The subscriptions are those the tenant's Azure resources live in (ARM's inventory).
    assert subscriptions >= {r["scope"].split("/")[2] for r in directory["azureRoleAssignments"]}
    assert az("cloud", "show")["endpoints"]["resourceManager"].startswith("https://localhost:")


def test_az_ad_lists_equal_the_tenants_users_service_principals_groups_and_applications(az, directory):
    users = az("ad", "user", "list")
    assert ids(users) == ids(directory["users"])
    upns = {u["id"]: u["userPrincipalName"] for u in directory["users"]}
    assert all(upns[u["id"]] == u["userPrincipalName"] for u in users)
    sps = az("ad", "sp", "list", "--all")
    assert ids(sps) == ids(directory["servicePrincipals"])
    app_ids = {s["id"]: s["appId"] for s in directory["servicePrincipals"]}
    assert all(app_ids[s["id"]] == s["appId"] for s in sps)
    assert ids(az("ad", "group", "list")) == ids(directory["groups"])
    apps = az("ad", "app", "list")
    assert sorted((a["appId"], a["displayName"]) for a in apps) == \
        sorted((a["appId"], a["displayName"]) for a in directory["applications"])


def test_az_ad_shows_a_user_by_upn_a_guest_by_ext_upn_and_a_service_principal_by_app_id(az, directory, summary):
    member = next(u for u in directory["users"] if u["userType"] == "Member")
    guest = next(u for u in directory["users"] if "#EXT#" in u["userPrincipalName"])
    for user in (member, guest):
        shown = az("ad", "user", "show", "--id", user["userPrincipalName"])
        assert (shown["id"], shown["displayName"]) == (user["id"], user["displayName"])
    reader = client_named(summary, "entrasim-audit-reader")
    sp = next(s for s in directory["servicePrincipals"] if s["appId"] == reader["clientId"])
    shown = az("ad", "sp", "show", "--id", reader["clientId"])
    assert (shown["id"], shown["displayName"]) == (sp["id"], sp["displayName"])


def test_az_ad_group_member_list_equals_each_groups_members(az, directory):
    groups = sorted(directory["groups"], key=lambda g: -len(g["members"]))[:3]
    assert groups[0]["members"], "a group with members"
    for group in groups:
        assert ids(az("ad", "group", "member", "list", "--group", group["id"])) == ids(group["members"])


def test_az_rest_reads_the_sign_in_log_as_generated(az, server, generated):
    page = az("rest", "--url", f"{server.https}/v1.0/auditLogs/signIns?$top=50")
    assert [r["id"] for r in page["value"]] == [r["id"] for r in generated["v1.0"]["signIns"][:50]]
    assert page["@odata.nextLink"].startswith(f"{server.https}/v1.0/auditLogs/signIns?")


def test_az_identity_list_and_role_assignment_list_equal_the_arm_inventory(az, directory, summary):
    listed = az("identity", "list")
    user_assigned = [m for m in directory["managedIdentities"] if m["msiType"] == "userAssigned"]
    assert sorted(i["id"].lower() for i in listed) == sorted(m["resourceId"].lower() for m in user_assigned)
    assert {i["principalId"] for i in listed} == {m["servicePrincipalId"] for m in user_assigned}
    principal = user_assigned[0]["servicePrincipalId"]
    held = az("role", "assignment", "list", "--assignee", principal, "--all")
    expected = [r for r in directory["azureRoleAssignments"] if r["principalId"] == principal]
    assert sorted((a["name"], a["scope"], a["roleDefinitionName"]) for a in held) == \
        sorted((r["id"], r["scope"], r["roleDefinitionName"]) for r in expected)
    # The reader itself: Reader on each subscription it logged in to.
    reader = client_named(summary, "entrasim-audit-reader")
    sp = next(s for s in directory["servicePrincipals"] if s["appId"] == reader["clientId"])
    own = az("role", "assignment", "list", "--assignee", sp["id"], "--all")
    assert sorted((a["scope"], a["roleDefinitionName"]) for a in own) == \
        sorted((f"/subscriptions/{s['id']}", "Reader") for s in az.login)


def test_az_monitor_activity_log_list_equals_the_generated_activity_log(az, generated):
    """`az monitor activity-log list`, as the issue names it (`--offset 30d`, `--resource-id`), ending at the
    server's simulated now (az computes times on the wall clock; the server's clock is fixed)."""
    subscription = next(s["id"] for s in az.login if s.get("isDefault"))
    window = ["--end-time", "2026-06-01T12:00:00Z", "--offset", "30d", "--max-events", "100000"]
    listed = az("monitor", "activity-log", "list", *window)
    mine = [e for e in generated["v1.0"]["activityLog"] if e["subscriptionId"] == subscription
            and e["eventTimestamp"] >= "2026-05-02T12:00:00"]
    assert len(listed) > 20
    assert sorted(e["eventDataId"] for e in listed) == sorted(e["eventDataId"] for e in mine)
    # One resource's events: the server's resourceId clause, as az sends it.
    by_resource = {}
    for e in listed:
        by_resource.setdefault(e["resourceId"], []).append(e["eventDataId"])
    resource, expected = max(by_resource.items(), key=lambda kv: len(kv[1]))
    narrowed = az("monitor", "activity-log", "list", *window, "--resource-id", resource)
    assert sorted(e["eventDataId"] for e in narrowed) == sorted(expected)
    # az's own --caller and --status clauses.
    caller = listed[0]["caller"]
    by_caller = az("monitor", "activity-log", "list", *window, "--caller", caller)
    assert {e["caller"] for e in by_caller} == {caller}
    assert len(by_caller) == sum(1 for e in listed if e["caller"] == caller)
    failed = az("monitor", "activity-log", "list", *window, "--status", "Failed")
    assert all(e["status"]["value"] == "Failed" for e in failed)
    assert len(failed) == sum(1 for e in listed if e["status"]["value"] == "Failed")

"""Diagnostic settings (issue 19): a real Azurite, read back with Microsoft's storage SDK
(azure-storage-blob); Event Hubs message bodies; Log Analytics tables against Graph."""

import json
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BINARY, ROOT, TENANT_FLAGS, Server, load_ndjson

AZURITE = ROOT / "tests" / "clients" / "node_modules" / ".bin" / "azurite-blob"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
DELAY = 60  # --diagnostics-delay, simulated seconds
CATEGORIES = {
    "SignInLogs": "interactiveUser",
    "NonInteractiveUserSignInLogs": "nonInteractiveUser",
    "ServicePrincipalSignInLogs": "servicePrincipal",
    "ManagedIdentitySignInLogs": "managedIdentity",
    "AuditLogs": None,
    "ProvisioningLogs": None,
}
SIGN_IN_ENVELOPE = {"time", "resourceId", "operationName", "operationVersion", "category", "tenantId", "resultType",
                    "resultSignature", "resultDescription", "durationMs", "correlationId", "identity", "Level",
                    "location", "properties"}
AUDIT_ENVELOPE = {"time", "resourceId", "operationName", "operationVersion", "category", "tenantId",
                  "resultSignature", "durationMs", "callerIpAddress", "correlationId", "identity", "level",
                  "properties"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Azurite:
    """Azurite's blob service on a free loopback port, persisting to a directory so a
    restart keeps what was written (as a real account does)."""

    def __init__(self):
        if not AZURITE.exists():
            pytest.fail(f"{AZURITE} is missing: run tools/cached_env.sh npm tests/clients (run.sh does)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="entrasim-azurite-")
        self.proc = None
        self.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/devstoreaccount1"

    def start(self):
        args = [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(self.port), "--location", self.dir,
                "--silent", "--skipApiVersionCheck"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                requests.get(self.endpoint, timeout=5)
                return
            except requests.RequestException:  # refused, or slow to answer while it starts
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("Azurite did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def client(self):
        from azure.storage.blob import BlobServiceClient
        conn = f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={KEY};BlobEndpoint={self.endpoint};"
        return BlobServiceClient.from_connection_string(conn)


def graph_ids(server, since):
    """Ids Graph (beta) serves now, per diagnostic category, of records created since `since`."""
    out = {}
    for category, kind in CATEGORIES.items():
        if kind:
            path, flt = "/beta/auditLogs/signIns", f"signInEventTypes/any(t: t eq '{kind}') and createdDateTime ge {since}"
        elif category == "AuditLogs":
            path, flt = "/beta/auditLogs/directoryAudits", f"activityDateTime ge {since}"
        else:
            path, flt = "/beta/auditLogs/provisioning", f"activityDateTime ge {since}"
        url, ids = server.http + path, set()
        params = {"$filter": flt, "$top": "999"}
        while url:
            page = requests.get(url, params=params, timeout=60).json()
            ids |= {r["id"] for r in page["value"]}
            url, params = page.get("@odata.nextLink"), None
        out[category] = ids
    return out


def advance(server, duration):
    r = requests.post(server.http + "/_entrasim/clock", json={"advance": duration}, timeout=60)
    assert r.status_code == 200, r.text


def diagnostics(server):
    return server.get("/_entrasim/health").json()["diagnostics"]


def wait_until(check, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def routed():
    """A setting with every category to Azurite and an event-hub directory; two hours of
    clock with Azurite stopped through the second; the Graph ids of each hour."""
    azurite = Azurite()
    hubs = tempfile.mkdtemp(prefix="entrasim-hubs-")
    server = None
    try:
        server = Server("--throttle", "off", "--diagnostics", "name=ci,categories=all,to=storage+eventhub",
                        "--storage-endpoint", azurite.endpoint, "--eventhub-endpoint", f"dir:{hubs}",
                        "--diagnostics-delay", str(DELAY), https=False)
        since = "2026-06-01T09:00:00Z"  # records visible after 12:00 were created after 10:00
        seen = [graph_ids(server, since)]
        advance(server, "PT1H")
        seen.append(graph_ids(server, since))
        wait_until(lambda: diagnostics(server)["settings"][0]["deliveredThrough"] >= "2026-06-01T12:59")
        azurite.stop()
        advance(server, "PT1H")
        seen.append(graph_ids(server, since))
        down = wait_until(lambda: (d := diagnostics(server)) and d["settings"][0]["failures"] >= 2 and d)
        azurite.start()
        advance(server, "PT10M")
        wait_until(lambda: diagnostics(server)["settings"][0]["deliveredThrough"] >= "2026-06-01T14:08")
        hours = {h: {c: seen[i + 1][c] - seen[i][c] for c in CATEGORIES} for i, h in enumerate(("12", "13"))}
        yield {"azurite": azurite, "server": server, "hours": hours, "down": down, "hubs": pathlib.Path(hubs)}
    finally:
        if server:
            server.stop()
        azurite.stop()
        shutil.rmtree(azurite.dir, ignore_errors=True)
        shutil.rmtree(hubs, ignore_errors=True)


def tenant_id(routed):
    return routed["server"].get("/_entrasim/tenant").json()["tenantId"]


def blob_lines(azurite):
    """{(container, blob name): [parsed lines]} of every blob in the account."""
    service = azurite.client()
    out = {}
    for container in service.list_containers():
        client = service.get_container_client(container.name)
        for blob in client.list_blobs():
            assert blob.blob_type == "AppendBlob", blob.name
            text = client.download_blob(blob.name).readall().decode()
            assert text.endswith("\n")
            out[(container.name, blob.name)] = [json.loads(line) for line in text.splitlines()]
    return out


def test_every_category_lands_in_its_documented_container_and_hourly_path(routed):
    tenant = tenant_id(routed)
    blobs = blob_lines(routed["azurite"])
    containers = {c for c, _ in blobs}
    # A container appears with the first record of its category (S22).
    seen = {c for hour in routed["hours"].values() for c, ids in hour.items() if ids}
    assert {f"insights-logs-{c.lower()}" for c in seen} <= containers <= {f"insights-logs-{c.lower()}" for c in CATEGORIES}
    assert len(seen) >= 4, seen
    for _, name in blobs:
        assert name.startswith(f"tenantId={tenant}/y=2026/m=06/d=01/h="), name
        assert name.endswith("/m=00/PT1H.json"), name


def test_every_line_has_the_documented_envelope(routed):
    tid = tenant_id(routed)
    for (container, _), lines in blob_lines(routed["azurite"]).items():
        for record in lines:
            category = record["category"]
            assert container == f"insights-logs-{category.lower()}"
            assert record["resourceId"] == f"/tenants/{tid}/providers/Microsoft.aadiam"
            assert record["time"].endswith("Z") and len(record["time"]) == 28, record["time"]
            if category == "AuditLogs" or category == "ProvisioningLogs":
                assert AUDIT_ENVELOPE <= set(record), set(record) ^ AUDIT_ENVELOPE
                assert record["level"] == "Informational" and "Level" not in record
            else:
                assert SIGN_IN_ENVELOPE <= set(record), SIGN_IN_ENVELOPE - set(record)
                assert record["Level"] == 4 and "level" not in record
                assert record["operationName"] == "Sign-in activity"
                assert record["resultType"] == str(record["properties"]["status"]["errorCode"])
                assert record["properties"]["createdDateTime"].endswith("+00:00")


def test_record_ids_per_hour_and_category_equal_what_graph_served_that_hour(routed):
    tid = tenant_id(routed)
    blobs = blob_lines(routed["azurite"])
    checked = 0
    for hour, categories in routed["hours"].items():
        for category, expected in categories.items():
            key = (f"insights-logs-{category.lower()}", f"tenantId={tid}/y=2026/m=06/d=01/h={hour}/m=00/PT1H.json")
            ids = [r["properties"]["id"] for r in blobs.get(key, [])]
            assert len(ids) == len(set(ids)), f"duplicates in {key}"
            assert set(ids) == expected, (key, len(ids), len(expected))
            checked += len(ids)
    assert checked > 0


def test_a_stopped_destination_is_retried_and_its_backlog_reported(routed):
    down = routed["down"]
    setting = down["settings"][0]
    assert setting["failures"] >= 2 and setting["lastError"]
    assert 0 < down["backlog"] <= down["backlogLimit"]
    after = diagnostics(routed["server"])
    assert after["backlog"] == 0 and after["settings"][0]["failures"] == 0


def test_event_hub_messages_respect_the_size_limit_and_hold_each_record_once(routed):
    blobs = blob_lines(routed["azurite"])
    for category in CATEGORIES:
        hub = routed["hubs"] / f"insights-logs-{category.lower()}"
        ids = []
        for message in sorted(hub.glob("*.json")):
            body = message.read_bytes()
            assert len(body) <= 1024 * 1024
            ids += [r["properties"]["id"] for r in json.loads(body)["records"]]
        stored = [r["properties"]["id"] for (c, _), lines in blobs.items() if c == hub.name for r in lines]
        assert len(ids) == len(set(ids))
        assert sorted(ids) == sorted(stored), category


# ---------------------------------------------------------------- the ARM API: bad input


def arm(server, method, name="", body=None, version="2017-04-01"):
    path = "/providers/microsoft.aadiam/diagnosticSettings" + (f"/{name}" if name else "")
    query = f"?api-version={version}" if version else ""
    return requests.request(method, server.http + path + query, data=body, timeout=30,
                            headers={"Content-Type": "application/json"})


def test_an_unknown_category_is_refused_with_arms_error(routed):
    body = json.dumps({"properties": {"workspaceId": "/w", "logs": [{"category": "Bogus", "enabled": True}]}})
    r = arm(routed["server"], "PUT", "bad", body)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "BadRequest", "message": "Category 'Bogus' is not supported."}}


def test_a_malformed_setting_is_refused_and_settings_round_trip(routed):
    server = routed["server"]
    assert arm(server, "PUT", "bad", "{nope").json()["error"]["code"] == "InvalidRequestContent"
    assert arm(server, "GET", version=None).json()["error"]["code"] == "MissingApiVersionParameter"
    body = {"properties": {"workspaceId": "/w", "logs": [{"category": "auditlogs", "enabled": True}]}}
    put = arm(server, "PUT", "second", json.dumps(body))
    assert put.status_code == 200 and put.json()["properties"]["logs"][0]["category"] == "AuditLogs"
    assert [s["name"] for s in arm(server, "GET").json()["value"]] == ["ci", "second"]
    assert arm(server, "DELETE", "second").status_code == 200
    assert arm(server, "DELETE", "second").status_code == 204
    assert arm(server, "GET", "second").status_code == 404


def test_a_malformed_diagnostics_flag_stops_startup_with_one_line():
    r = subprocess.run([str(BINARY), "--port", "0", *TENANT_FLAGS, "--diagnostics", "categories=Bogus"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1].endswith("Category 'Bogus' is not supported in 'categories=Bogus'")


# ---------------------------------------------------------------- Log Analytics tables

STRING_EXCEPT = {
    "SigninLogs": {"AppliedEventListeners": "dynamic", "ConditionalAccessPolicies": "dynamic", "CreatedDateTime": "datetime",
                   "DeviceDetail": "dynamic", "DurationMs": "long", "FlaggedForReview": "bool", "IsInteractive": "bool",
                   "IsRisky": "bool", "LocationDetails": "dynamic", "MfaDetail": "dynamic", "Status": "dynamic",
                   "TimeGenerated": "datetime", "_BilledSize": "real"},
    "AADNonInteractiveUserSignInLogs": {"AppliedEventListeners": "dynamic", "CreatedDateTime": "datetime", "DurationMs": "long",
                                        "IsInteractive": "bool", "IsRisky": "bool", "IsTenantRestricted": "bool",
                                        "IsThroughGlobalSecureAccess": "bool", "TimeGenerated": "datetime", "_BilledSize": "real"},
    "AADServicePrincipalSignInLogs": {"DurationMs": "long", "TimeGenerated": "datetime", "_BilledSize": "real"},
    "AADManagedIdentitySignInLogs": {"CreatedDateTime": "datetime", "DurationMs": "long", "TimeGenerated": "datetime", "_BilledSize": "real"},
    "AuditLogs": {"ActivityDateTime": "datetime", "AdditionalDetails": "dynamic", "DurationMs": "long", "InitiatedBy": "dynamic",
                  "TargetResources": "dynamic", "TimeGenerated": "datetime", "_BilledSize": "real"},
    "AADProvisioningLogs": {"DurationMs": "long", "TimeGenerated": "datetime", "_BilledSize": "real"},
}
# Column lists of the reference (shared/reference/arm-and-routing.md B4.1-B4.6), as listed there.
COLUMNS = {
    "SigninLogs": "AADTenantId AlternateSignInName AppDisplayName AppId AppliedConditionalAccessPolicies AppliedEventListeners AuthenticationContextClassReferences AuthenticationDetails AuthenticationMethodsUsed AuthenticationProcessingDetails AuthenticationProtocol AuthenticationRequirement AuthenticationRequirementPolicies AutonomousSystemNumber _BilledSize Category ClientAppUsed ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime CrossTenantAccessType DeviceDetail DurationMs FlaggedForReview HomeTenantId Id Identity IPAddress IPAddressFromResourceProvider _IsBillable IsInteractive IsRisky Level Location LocationDetails MfaDetail NetworkLocationDetails OperationName OperationVersion OriginalRequestId ProcessingTimeInMilliseconds Resource ResourceDisplayName ResourceGroup ResourceId ResourceIdentity ResourceProvider ResourceServicePrincipalId ResourceTenantId ResultDescription ResultSignature ResultType RiskDetail RiskEventTypes RiskEventTypes_V2 RiskLevel RiskLevelAggregated RiskLevelDuringSignIn RiskState ServicePrincipalId ServicePrincipalName SessionLifetimePolicies SignInIdentifier SignInIdentifierType SourceSystem Status TimeGenerated TokenIssuerName TokenIssuerType Type UniqueTokenIdentifier UserAgent UserDisplayName UserId UserPrincipalName UserType",
    "AADNonInteractiveUserSignInLogs": "AADTenantId Agent AlternateSignInName AppDisplayName AppId AppliedEventListeners AppOwnerTenantId AuthenticationContextClassReferences AuthenticationDetails AuthenticationMethodsUsed AuthenticationProcessingDetails AuthenticationProtocol AuthenticationRequirement AuthenticationRequirementPolicies AuthenticatorAppLocation AutonomousSystemNumber _BilledSize Category ClientAppUsed ClientCredentialType ClientSessionId ConditionalAccessAudiences ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime CrossTenantAccessType DeviceDetail DurationMs FederatedCredentialId GlobalSecureAccessIpAddress HomeTenantId HomeTenantName Id Identity IncomingTokenType IPAddress _IsBillable IsInteractive IsRisky IsTenantRestricted IsThroughGlobalSecureAccess Level Location LocationDetails MfaDetail NetworkLocationDetails OperationName OperationVersion OriginalRequestId OriginalTransferMethod ProcessingTimeInMs ResourceDisplayName ResourceGroup ResourceIdentity ResourceOwnerTenantId ResourceServicePrincipalId ResourceTenantId ResultDescription ResultSignature ResultType RiskDetail RiskEventTypes RiskEventTypes_V2 RiskLevelAggregated RiskLevelDuringSignIn RiskState ServicePrincipalId SessionId SessionLifetimePolicies SignInEventTypes SignInIdentifierType SourceSystem Status TenantId TimeGenerated TokenIssuerName TokenIssuerType TokenProtectionStatusDetails Type UniqueTokenIdentifier UserAgent UserDisplayName UserId UserPrincipalName UserType",
    "AADServicePrincipalSignInLogs": "AppId AuthenticationContextClassReferences AuthenticationProcessingDetails _BilledSize Category ConditionalAccessPolicies ConditionalAccessStatus CorrelationId DurationMs FederatedCredentialId Id Identity IPAddress _IsBillable Level Location LocationDetails OperationName OperationVersion ResourceDisplayName ResourceGroup ResourceIdentity ResourceServicePrincipalId ResultDescription ResultSignature ResultType ServicePrincipalCredentialKeyId ServicePrincipalCredentialThumbprint ServicePrincipalId ServicePrincipalName SourceSystem TenantId TimeGenerated Type UniqueTokenIdentifier",
    "AADManagedIdentitySignInLogs": "AADTenantId Agent AppId AppOwnerTenantId AuthenticationContextClassReferences AuthenticationProcessingDetails _BilledSize Category ClientCredentialType ConditionalAccessAudiences ConditionalAccessPolicies ConditionalAccessStatus CorrelationId CreatedDateTime DurationMs FederatedCredentialId Id Identity IPAddress _IsBillable Level Location LocationDetails ManagedServiceIdentity NetworkLocationDetails OperationName OperationVersion ResourceDisplayName ResourceGroup ResourceIdentity ResourceOwnerTenantId ResourceServicePrincipalId ResultDescription ResultSignature ResultType ServicePrincipalCredentialKeyId ServicePrincipalCredentialThumbprint ServicePrincipalId ServicePrincipalName SessionId SourceAppClientId SourceSystem TenantId TimeGenerated Type UniqueTokenIdentifier UserAgent",
    "AuditLogs": "AADOperationType AADTenantId ActivityDateTime ActivityDisplayName AdditionalDetails _BilledSize Category CorrelationId DurationMs Id Identity InitiatedBy _IsBillable Level Location LoggedByService OperationName OperationVersion Resource ResourceGroup ResourceId ResourceProvider Result ResultDescription ResultReason ResultSignature ResultType SourceSystem TargetResources TimeGenerated Type",
    "AADProvisioningLogs": "AADTenantId _BilledSize Category ChangeId CorrelationId CycleId DurationMs Id InitiatedBy _IsBillable JobId ModifiedProperties OperationName OperationVersion ProvisioningAction ProvisioningStatusInfo ProvisioningSteps ResultDescription ResultSignature ResultType ServicePrincipal SourceIdentity SourceSystem TargetIdentity TargetSystem TenantId TimeGenerated Type",
}
# Tables whose reference list omits TenantId, which every Log Analytics table has (B4.1, inferred).
ADDED = {"SigninLogs": {"TenantId"}, "AuditLogs": {"TenantId"}}
TABLE_KIND = {"SigninLogs": "interactiveUser", "AADNonInteractiveUserSignInLogs": "nonInteractiveUser",
              "AADServicePrincipalSignInLogs": "servicePrincipal", "AADManagedIdentitySignInLogs": "managedIdentity"}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("log-analytics")
    subprocess.run([str(BINARY), "generate", "--format", "log-analytics", "--out", str(out), *TENANT_FLAGS],
                   check=True, capture_output=True)
    return out


def seven(graph_time):
    body = graph_time.rstrip("Z")
    secs, _, fraction = body.partition(".")
    return f"{secs}.{fraction:0<7}Z"


def check_row(table, row, record):
    assert row["Id"] == record["id"] and row["Type"] == table
    if table in TABLE_KIND:
        assert row["TimeGenerated"] == seven(record["createdDateTime"])
        assert row["AppId"] == record["appId"] and row["IPAddress"] == record["ipAddress"]
        assert row["ResultType"] == str(record["status"]["errorCode"])
        assert row["CorrelationId"] == record["correlationId"]
        if table == "SigninLogs":
            assert row["Status"] == record["status"] and row["LocationDetails"] == record["location"]
        elif table == "AADNonInteractiveUserSignInLogs":
            assert json.loads(row["Status"]) == record["status"]
        policies = row["ConditionalAccessPolicies"]
        policies = policies if table == "SigninLogs" else json.loads(policies)
        assert policies == record["appliedConditionalAccessPolicies"]
        if table in ("SigninLogs", "AADNonInteractiveUserSignInLogs"):
            assert row["UserPrincipalName"] == record["userPrincipalName"]
            assert row["IsInteractive"] == record["isInteractive"]
    elif table == "AuditLogs":
        assert row["TimeGenerated"] == seven(record["activityDateTime"])
        assert (row["ActivityDisplayName"], row["Category"], row["Result"]) == (record["activityDisplayName"], record["category"], record["result"])
        assert row["InitiatedBy"] == record["initiatedBy"] and row["TargetResources"] == record["targetResources"]
        assert row["AADOperationType"] == record["operationType"]
    else:
        assert row["TimeGenerated"] == seven(record["activityDateTime"])
        assert (row["ChangeId"], row["CycleId"], row["JobId"]) == (record["changeId"], record["cycleId"], record["jobId"])
        assert json.loads(row["ProvisioningSteps"]) == record["provisioningSteps"]
        assert row["ResultType"] == record["provisioningStatusInfo"]["status"].capitalize()


@pytest.mark.parametrize("table", list(COLUMNS))
def test_log_analytics_table_has_the_reference_columns_and_graphs_values(tables, generated, table):
    schema = json.loads((tables / f"{table}.schema.json").read_text())
    got = {c["name"]: c["type"] for c in schema["columns"]}
    expected = set(COLUMNS[table].split()) | ADDED.get(table, set())
    assert set(got) == expected, set(got) ^ expected
    assert {n: t for n, t in got.items() if t != "string"} == STRING_EXCEPT[table]
    rows = load_ndjson(tables / f"{table}.json")
    assert rows, table
    assert all(list(r) == [c["name"] for c in schema["columns"]] for r in rows[:50])
    header = (tables / f"{table}.csv").open().readline().strip().split(",")
    assert header == [c["name"] for c in schema["columns"]]
    beta = generated["beta"]
    source = {"AuditLogs": "directoryAudits", "AADProvisioningLogs": "provisioning"}.get(table, "signIns")
    by_id = {r["id"]: r for r in beta[source] if table not in TABLE_KIND or r["signInEventTypes"] == [TABLE_KIND[table]]}
    assert {r["Id"] for r in rows} == set(by_id)
    for row in rows:
        check_row(table, row, by_id[row["Id"]])

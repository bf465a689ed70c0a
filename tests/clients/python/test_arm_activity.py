"""The seed page "View update and sign-in activities for Managed identities", its three
procedures with Microsoft's SDKs over HTTPS (azure-identity against entrasim's authority,
azure-mgmt-msi, azure-mgmt-authorization, azure-mgmt-monitor): list the user-assigned
identities and a resource's system-assigned identity; for an identity's principal ID find
its "Write UserAssignedIdentities" events and its "Create/Delete role assignment" events in
the Activity Log; find its sign-ins in the beta managed-identity sign-in log; and check that
they all agree (ids, times, the assignment's scope and role)."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import requests
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient

from conftest import client_named

ARM_SCOPE = "https://management.azure.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def arm(server, tenant, ca_bundle):
    """The Reader client's credential, its subscription, and the three management clients."""
    c = client_named(tenant, "entrasim-audit-reader")
    cred = ClientSecretCredential(tenant["tenantId"], c["clientId"], c["clientSecret"], authority=server.https,
                                  disable_instance_discovery=True)
    token = cred.get_token(ARM_SCOPE).token
    subs = requests.get(f"{server.https}/subscriptions?api-version=2022-12-01",
                        headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    sub = subs["value"][0]["subscriptionId"]
    common = dict(base_url=server.https, credential_scopes=[ARM_SCOPE])
    return {
        "cred": cred,
        "sub": sub,
        "msi": ManagedServiceIdentityClient(cred, sub, **common),
        "auth": AuthorizationManagementClient(cred, sub, **common),
        "monitor": MonitorManagementClient(cred, sub, **common),
    }


def graph_get(server, arm, path):
    token = arm["cred"].get_token(GRAPH_SCOPE).token
    out, url = [], f"{server.https}{path}"
    while url:
        body = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
        out.extend(body["value"])
        url = body.get("@odata.nextLink")
    return out


def activity_log(arm, days=29):
    start = (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    flt = f"eventTimestamp ge '{start}' and eventTimestamp le '{end}'"
    return list(arm["monitor"].activity_logs.list(filter=flt))


def bodies(event):
    """The request and response bodies of an event's properties, parsed."""
    props = event.properties or {}
    return [json.loads(props[k]) for k in ("requestbody", "responseBody") if props.get(k)]


def mentions(event, principal_id):
    return any(principal_id in json.dumps(b) for b in bodies(event))


def test_the_seeds_three_procedures_agree(server, tenant, arm):
    msi, auth = arm["msi"], arm["auth"]
    # Procedure 1: user-assigned identities and their updates.
    identities = {i.id.lower(): i for i in msi.user_assigned_identities.list_by_subscription()}
    assert identities
    events = activity_log(arm)
    assert events, "the Activity Log is empty"
    writes = [e for e in events if e.operation_name.localized_value in
              ("Write UserAssignedIdentities", "Delete User Assigned Identity")]
    assert writes, "no identity was written in the window"
    sps_by_id = {sp["id"]: sp for sp in graph_get(server, arm, "/beta/servicePrincipals?$filter=servicePrincipalType eq 'ManagedIdentity'")}
    for e in writes:
        identity = identities[e.resource_id.lower()]
        if e.sub_status.value == "Created":
            # The identity's service principal appears as the write succeeds.
            sp_created = datetime.fromisoformat(sps_by_id[identity.principal_id]["createdDateTime"].replace("Z", "+00:00"))
            assert timedelta(0) <= sp_created - e.event_timestamp <= timedelta(seconds=5)
        assert e.operation_name.value == "Microsoft.ManagedIdentity/userAssignedIdentities/write"
        for body in bodies(e):
            if "properties" in body:
                assert body["properties"]["principalId"] == identity.principal_id
                assert body["properties"]["clientId"] == identity.client_id
    # A resource's system-assigned identity (the resource id is the SP's alternative name).
    sps = graph_get(server, arm, "/v1.0/servicePrincipals?$filter=servicePrincipalType eq 'ManagedIdentity'")
    system = next(sp for sp in sps if "isExplicit=False" in sp["alternativeNames"])
    resource = next(n for n in system["alternativeNames"] if n.startswith("/subscriptions/"))
    if resource.split("/")[2] == arm["sub"]:
        assert msi.system_assigned_identities.get_by_scope(resource).principal_id == system["id"]

    # Procedure 2: role assignments added and removed, searched by the principal (object) ID.
    roles = [e for e in events if e.operation_name.localized_value in ("Create role assignment", "Delete role assignment")]
    principals = {sp["id"]: sp for sp in sps}
    counted = {}
    for e in roles:
        for pid in principals:
            if mentions(e, pid):
                counted[pid] = counted.get(pid, 0) + 1
    assert counted, "no role-assignment event names a managed identity"
    pid = max(counted, key=counted.get)
    mine = [e for e in roles if mentions(e, pid) or any(
        e.correlation_id == o.correlation_id for o in roles if mentions(o, pid))]
    listed = {a.id.lower(): a for a in auth.role_assignments.list_for_subscription(filter=f"principalId eq '{pid}'")}
    by_operation = {}
    for e in mine:
        by_operation.setdefault(e.correlation_id, []).append(e)
    for ops in by_operation.values():
        assert {e.status.value for e in ops} & {"Succeeded", "Failed"} and "Started" in {e.status.value for e in ops}
        assert len({e.operation_id for e in ops}) == 1 and len({e.event_data_id for e in ops}) == len(ops)
    deleted = {e.resource_id.lower() for e in mine if e.operation_name.localized_value == "Delete role assignment"
               and e.status.value == "Succeeded"}
    for e in mine:
        if e.status.value != "Succeeded" or e.operation_name.localized_value != "Create role assignment":
            continue
        made = json.loads(e.properties["responseBody"])
        assert made["properties"]["principalId"] == pid
        assert made["properties"]["scope"] == e.authorization.scope
        key = e.resource_id.lower()
        assert (key in listed) != (key in deleted), key
        if key in listed:
            assert listed[key].role_definition_id == made["properties"]["roleDefinitionId"]
            assert listed[key].scope == made["properties"]["scope"]
            created_on = datetime.fromisoformat(made["properties"]["createdOn"].replace("Z", "+00:00"))
            assert listed[key].created_on == created_on

    # Procedure 3: the identity's sign-ins in the beta managed-identity sign-in log.
    flt = f"signInEventTypes/any(t: t eq 'managedIdentity') and servicePrincipalId eq '{pid}'"
    sign_ins = graph_get(server, arm, f"/beta/auditLogs/signIns?$filter={flt}")
    assert sign_ins, f"{pid} has no managed-identity sign-in"
    created = principals[pid].get("createdDateTime")
    for s in sign_ins:
        assert s["servicePrincipalId"] == pid
        if created:
            assert s["createdDateTime"] >= created

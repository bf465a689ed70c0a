#!/usr/bin/env python3
"""Writes openapi.yaml specialised to one running entrasim, for schemathesis (tests/clients/run.sh):

    spec_for_server.py URL OUT [--token graph|arm]   # prints a Graph (or ARM) access token for that server

The tenant path parameter, the token request's client and the injection bodies' references are limited to
what exists on that server (plus common/organizations/consumers for discovery), and examples that exist there
are added (its tenant id, a token request that succeeds, the first record or object of each collection for
GET /{id}), so that generated data and examples reach the positive paths, not only the 400s and 404s that
random tenants and ids get. The repository's openapi.yaml stays generic.
"""

import json
import sys
import urllib.parse
import urllib.request

from gen_openapi import MULTI_TENANT, enum, render, spec


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def server_facts(base):
    """Tenant ids and domains, a reading client and its token, and the objects injections may name."""
    tenant = fetch(f"{base}/_entrasim/tenant")
    reader = next(c for c in tenant["clients"] if "AuditLog.Read.All" in c["permissions"]
                  and "Directory.Read.All" in c["permissions"])
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": reader["clientId"],
                                   "client_secret": reader["clientSecret"],
                                   "scope": "https://graph.microsoft.com/.default"}).encode()
    token = fetch(f"{base}/{tenant['tenantId']}/oauth2/v2.0/token", form)["access_token"]
    names = [name for t in tenant["tenants"] for name in [t["tenantId"], t["initialDomain"], t["domain"]]]
    auth = {"Authorization": f"Bearer {token}"}

    def values(path, *fields):
        found = fetch(f"{base}/v1.0/{path}?$top=999&$select={','.join(fields)}", headers=auth)["value"]
        return [sorted({str(o[f]) for o in found if o.get(f)}) for f in fields]

    users, upns = values("users", "id", "userPrincipalName")
    sp_ids, app_ids = values("servicePrincipals", "id", "appId")
    (groups,) = values("groups", "id")
    (jobs,) = values("auditLogs/provisioning", "jobId")
    refs = {"users": users, "upns": upns, "sps": sp_ids + app_ids, "groups": groups, "jobs": jobs}
    return {"tenant": tenant, "reader": reader, "token": token, "names": list(dict.fromkeys(names)), "refs": refs}


def specialise_injections(schemas, refs, tenant_ids):
    """Injection fields that must name objects of the tenant, limited to the objects that exist."""
    fields = {"userPrincipalName": refs["upns"], "targetUserPrincipalName": refs["upns"], "userId": refs["users"],
              "appId": refs["sps"], "servicePrincipalId": refs["sps"], "resourceId": refs["sps"],
              "initiatedByAppId": refs["sps"], "targetGroupId": refs["groups"], "jobId": refs["jobs"],
              "tenantId": tenant_ids}
    for name in ("injectSignIn", "injectDirectoryAudit", "injectProvisioning"):
        properties = schemas[name]["properties"]
        for field, members in fields.items():
            if field in properties and members:
                properties[field] = enum(*members)


def listing(item_path):
    """The collection whose first member gives `item_path`'s example id (deleted items list only through a cast)."""
    collection = item_path.split("/{id}")[0]  # also for navigation under an id (`/{id}/appRoleAssignedTo`)
    if collection.endswith("/directoryObjects"):  # listed only through getByIds: any user's id will do
        return collection[: -len("directoryObjects")] + "users"
    return collection + "/microsoft.graph.user" if collection.endswith("/directory/deletedItems") else collection


def rich_ids(base, auth):
    """Keys whose navigation is not empty: a user with a manager and groups, a group with members and owners, a
    service principal with owners (the first object of a set often has none), and a user's UPN and an appId."""
    def first(path, navs):
        for o in fetch(f"{base}/v1.0/{path}?$top=999&$select=id", headers=auth)["value"]:
            if all(fetch(f"{base}/v1.0/{path}/{o['id']}/{nav}?$top=1", headers=auth)["value"] for nav in navs):
                return o["id"]
        return None

    user = first("users", ["memberOf", "directReports"]) or first("users", ["memberOf"])
    upn = fetch(f"{base}/v1.0/users/{user}?$select=userPrincipalName", headers=auth)["userPrincipalName"] if user else None
    managed = next((o["id"] for o in fetch(f"{base}/v1.0/users?$top=999&$expand=manager($select=id)", headers=auth)["value"]
                    if o.get("manager")), None)
    sp = fetch(f"{base}/v1.0/servicePrincipals?$top=1&$select=appId", headers=auth)["value"]
    app = fetch(f"{base}/v1.0/applications?$top=1&$select=appId", headers=auth)["value"]
    return {"users": [user, upn, managed], "groups": [first("groups", ["members", "owners"])],
            "servicePrincipals": [first("servicePrincipals", ["owners"])],
            "servicePrincipals(appId": [sp[0]["appId"] if sp else None],
            "applications(appId": [app[0]["appId"] if app else None]}


def key_examples(path, parameter, rich):
    """Examples for the lookups, navigation and actions of issue 14 (None for other paths)."""
    set_ = (path.split("/") + ["", ""])[2]
    for prefix in ("servicePrincipals(appId", "applications(appId"):
        if set_.startswith(prefix) and parameter.get("name") == "appId":
            return [v for v in rich[prefix] if v]
    if ("/{id}/" in path or path.endswith("/users/{id}")) and parameter.get("name") == "id" and set_ in rich:
        return [v for v in rich[set_] if v]
    return None


def action_bodies(doc, facts, rich):
    """Request-body examples for getByIds and the member actions that name existing objects."""
    ids = [i for i in [rich["users"][0], rich["groups"][0], rich["servicePrincipals"][0]] if i]
    for path, item in doc["paths"].items():
        op = item.get("post")
        if not op or "requestBody" not in op or not path.startswith(("/v1.0/", "/beta/")):
            continue
        content = op["requestBody"]["content"]["application/json"]
        if path.endswith("/getByIds"):
            content["examples"] = {"found": {"value": {"ids": ids, "types": ["user", "group"]}}}
        elif path.endswith("/checkMemberGroups"):
            content["examples"] = {"groups": {"value": {"groupIds": facts["refs"]["groups"][:5]}}}
        elif path.endswith(("/getMemberGroups", "/getMemberObjects")):
            content["examples"] = {"all": {"value": {"securityEnabledOnly": False}}}


def specialise(doc, base, facts):
    """The spec for the server at `base`: {tenant}, the token request's client and the injections' references
    limited to what exists there (plus the multi-tenant names for discovery), and examples that exist there
    (tenant id, a token request that succeeds, the first record or object of each collection for GET /{id}),
    so that generated data and examples reach the positive paths."""
    auth = {"Authorization": f"Bearer {facts['token']}"}
    rich = rich_ids(base, auth)
    for path, item in doc["paths"].items():
        for op in item.values():
            for parameter in op.get("parameters", []):
                if parameter.get("name") == "tenant":
                    names = facts["names"] + (MULTI_TENANT if path != "/{tenant}/oauth2/v2.0/token" else [])
                    parameter["schema"] = enum(*names)
                    parameter["examples"] = {"tenantId": {"value": facts["tenant"]["tenantId"]}}
                elif parameter.get("name") == "subscriptionId":
                    # ARM paths: the tenant's subscriptions (another id is ARM's 403 or 404, never data).
                    parameter["schema"] = enum(*facts["tenant"]["subscriptions"])
                    parameter["examples"] = {"first": {"value": facts["tenant"]["subscriptions"][0]}}
                elif (keys := key_examples(path, parameter, rich)) is not None:
                    parameter["examples"] = {f"key{n}": {"value": k} for n, k in enumerate(keys)}
                elif parameter.get("name") == "id" and parameter.get("in") == "path":
                    first = fetch(f"{base}{listing(path)}?$top=1", headers=auth)["value"]
                    if first:
                        parameter["examples"] = {"first": {"value": first[0]["id"]}}
    action_bodies(doc, facts, rich)
    specialise_injections(doc["components"]["schemas"], facts["refs"],
                          [t["tenantId"] for t in facts["tenant"]["tenants"]])
    reader = facts["reader"]
    # The tenant's test clients and their secrets, so that generated token requests can succeed too.
    request = doc["components"]["schemas"]["tokenRequest"]["properties"]
    clients = facts["tenant"]["clients"]
    request["client_id"] = enum(*[c["clientId"] for c in clients])
    request["client_secret"] = enum(*[c["clientSecret"] for c in clients])
    body = doc["paths"]["/{tenant}/oauth2/v2.0/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    body["examples"] = {"secret": {"value": {"grant_type": "client_credentials", "client_id": reader["clientId"],
                                             "client_secret": reader["clientSecret"],
                                             "scope": "https://graph.microsoft.com/.default"}}}
    return doc


def arm_names(base, tenant):
    """Names the ARM paths need, read from the server with the ARM token: the first subscription's resource groups,
    the parts of its identity-bearing resources and user-assigned identities (from the tenant's managed identities),
    the names of its role assignments at the subscription scope, and the role definitions' ids."""
    auth = {"Authorization": f"Bearer {arm_token(base, tenant)}"}
    first = tenant["subscriptions"][0]
    at = f"{base}/subscriptions/{first}"
    groups = [g["name"] for g in fetch(f"{at}/resourcegroups?api-version=2022-09-01", headers=auth)["value"]]
    parts = {"resourceProviderNamespace": [], "resourceType": [], "resourceName": []}
    # Resources with a system-assigned identity first, and their group first, so that the examples (each parameter's
    # first member) name one existing resource for the system-identity and resource reads.
    identities = sorted(tenant.get("managedIdentity", {}).get("identities", []), key=lambda m: m["type"] != "systemAssigned")
    for mi in identities:
        segments = mi["resourceId"].split("/")
        if mi.get("deletedDateTime") or len(segments) != 9 or segments[2] != first:
            continue  # another subscription, or a deleted identity (ARM's 404)
        if not parts["resourceName"]:
            groups.insert(0, segments[4])
        for key, value in zip(parts, segments[6:9]):
            parts[key].append(value)
    assignments = fetch(f"{at}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()",
                        headers=auth)["value"]
    definitions = fetch(f"{at}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01", headers=auth)["value"]
    names = {"resourceGroupName": groups, **parts,
             "roleAssignmentName": [a["name"] for a in assignments if a["properties"]["scope"].lower() == f"/subscriptions/{first}".lower()],
             "roleDefinitionId": [d["name"] for d in definitions]}
    return {key: list(dict.fromkeys(values)) for key, values in names.items() if values}


# Parameters the server does not look up, so any name answers data (the built-in role definitions under any
# subscription; role assignments listed by scope text under any group name): left free, with an example.
ANY_NAME = {("roleDefinitions_List", "subscriptionId"), ("roleDefinitions_Get", "subscriptionId"),
            ("roleAssignments_ListForResourceGroup", "resourceGroupName")}


def specialise_arm(doc, names, subscription):
    """ARM path names limited to what exists in the first subscription (another name is ARM's 404, never data), with
    the first as example, and that subscription first among the subscriptionId examples."""
    for path, item in doc["paths"].items():
        for op in item.values():
            if "ARM" not in op.get("tags", []):
                continue
            for parameter in op.get("parameters", []):
                members = names.get(parameter.get("name"))
                if (op["operationId"], parameter.get("name")) in ANY_NAME:
                    parameter["schema"] = {"type": "string"}
                    parameter["examples"] = {"first": {"value": members[0] if members else subscription}}
                elif parameter.get("in") == "path" and members:
                    parameter["schema"] = enum(*members)
                    parameter["examples"] = {"first": {"value": members[0]}}
                elif parameter.get("name") == "subscriptionId":
                    parameter["examples"] = {"first": {"value": subscription}}


def arm_token(base, tenant):
    """An ARM-audience token of the test client holding an Azure role (Reader on the subscriptions), so that
    the ARM operations answer past their 401/403 (ARM accepts only its own audiences)."""
    client = next(c for c in tenant["clients"] if c.get("azureRoles"))
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client["clientId"],
                                   "client_secret": client["clientSecret"],
                                   "scope": "https://management.azure.com/.default"}).encode()
    return fetch(f"{base}/{tenant['tenantId']}/oauth2/v2.0/token", form)["access_token"]


def main(argv):
    audience = "graph"
    if len(argv) == 4 and argv[2] == "--token":
        audience, argv = argv[3], argv[:2]
    if len(argv) != 2 or audience not in ("graph", "arm"):
        print("usage: spec_for_server.py URL OUT [--token graph|arm]", file=sys.stderr)
        return 2
    base = argv[0].rstrip("/")
    facts = server_facts(base)
    with open(argv[1], "w") as out:
        doc = specialise(spec(), base, facts)
        specialise_arm(doc, arm_names(base, facts["tenant"]), facts["tenant"]["subscriptions"][0])
        out.write(render(doc))
    # For the caller's Authorization header: Graph's audience, or ARM's for the ARM operations.
    print(facts["token"] if audience == "graph" else arm_token(base, facts["tenant"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

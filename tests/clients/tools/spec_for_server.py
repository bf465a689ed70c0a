#!/usr/bin/env python3
"""Writes openapi.yaml specialised to one running entrasim, for schemathesis (tests/clients/run.sh):

    spec_for_server.py URL OUT      # prints a Graph access token for that server

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
    return collection + "/microsoft.graph.user" if collection.endswith("/directory/deletedItems") else collection


def specialise(doc, base, facts):
    """The spec for the server at `base`: {tenant}, the token request's client and the injections' references
    limited to what exists there (plus the multi-tenant names for discovery), and examples that exist there
    (tenant id, a token request that succeeds, the first record or object of each collection for GET /{id}),
    so that generated data and examples reach the positive paths."""
    auth = {"Authorization": f"Bearer {facts['token']}"}
    for path, item in doc["paths"].items():
        for op in item.values():
            for parameter in op.get("parameters", []):
                if parameter.get("name") == "tenant":
                    names = facts["names"] + (MULTI_TENANT if path != "/{tenant}/oauth2/v2.0/token" else [])
                    parameter["schema"] = enum(*names)
                    parameter["examples"] = {"tenantId": {"value": facts["tenant"]["tenantId"]}}
                elif parameter.get("name") == "id" and parameter.get("in") == "path":
                    first = fetch(f"{base}{listing(path)}?$top=1", headers=auth)["value"]
                    if first:
                        parameter["examples"] = {"first": {"value": first[0]["id"]}}
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


def main(argv):
    if len(argv) != 2:
        print("usage: spec_for_server.py URL OUT", file=sys.stderr)
        return 2
    base = argv[0].rstrip("/")
    facts = server_facts(base)
    with open(argv[1], "w") as out:
        out.write(render(specialise(spec(), base, facts)))
    print(facts["token"])  # for the caller's Authorization header
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

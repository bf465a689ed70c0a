"""Every record the server serves validates against openapi.yaml's record schemas, which
use `additionalProperties: false` and list every property as required: a served property
the spec lacks, a missing one, a wrong type, enum member or null fails here."""

import copy
import json

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import SPEC, client_named

LOGS = {
    "v1.0": {"auditLogs/signIns": "signIn", "auditLogs/directoryAudits": "directoryAudit",
             "auditLogs/provisioning": "provisioningObjectSummary"},
    "beta": {"auditLogs/signIns": "signInBeta", "auditLogs/directoryAudits": "directoryAuditBeta",
             "auditLogs/provisioning": "provisioningObjectSummaryBeta"},
}
DIRECTORY = {
    "users": "user", "groups": "group", "applications": "application", "servicePrincipals": "servicePrincipal",
    "roleManagement/directory/roleDefinitions": "unifiedRoleDefinition",
    "roleManagement/directory/roleAssignments": "unifiedRoleAssignment",
    "roleManagement/directory/roleEligibilitySchedules": "unifiedRoleEligibilitySchedule",
    "roleManagement/directory/roleAssignmentSchedules": "unifiedRoleAssignmentSchedule",
}
EVENT_TYPES = ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"]
PAGES = 3


@pytest.fixture(scope="module")
def spec():
    with open(SPEC) as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def validator_for(spec):
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(spec, default_specification=DRAFT202012))

    def make(schema):
        if isinstance(schema, str):
            schema = {"$ref": f"urn:openapi#{schema}"}
        else:  # an inline schema: its "#/components/..." refs point into the whole document
            schema = json.loads(json.dumps(schema).replace('"$ref": "#/', '"$ref": "urn:openapi#/'))
        return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)

    return make


def walk(server, path, pages=PAGES, **params):
    """Up to `pages` pages of a collection (following @odata.nextLink)."""
    query = "&".join(f"${k}={v}" for k, v in params.items())
    url = f"{server.http}{path}" + (f"?{query}" if query else "")
    out = []
    for _ in range(pages):
        r = server.get(url[len(server.http):])
        assert r.status_code == 200, r.text
        body = r.json()
        out.append(body)
        url = body.get("@odata.nextLink")
        if not url:
            break
    return out


def check(validator, records, label):
    assert records, f"{label}: no records served"
    problems = []
    for record in records:
        for error in validator.iter_errors(record):
            problems.append(f"{label} {record.get('id')}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    assert not problems, "\n".join(problems[:20]) + (f"\n... {len(problems)} problems" if len(problems) > 20 else "")


@pytest.mark.parametrize("version", ["v1.0", "beta"])
@pytest.mark.parametrize("path", list(LOGS["v1.0"]))
def test_served_log_records_validate_against_the_spec(server, validator_for, version, path):
    validator = validator_for(f"/components/schemas/{LOGS[version][path]}")
    pages = walk(server, f"/{version}/{path}", top=200)
    check(validator, [r for p in pages for r in p["value"]], f"{version}/{path}")


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_served_beta_sign_ins_of_every_event_type_validate(server, validator_for, kind):
    validator = validator_for("/components/schemas/signInBeta")
    pages = walk(server, "/beta/auditLogs/signIns", top=300, filter=f"signInEventTypes/any(t:%20t%20eq%20'{kind}')")
    records = [r for p in pages for r in p["value"]]
    assert all(r["signInEventTypes"] == [kind] for r in records)
    check(validator, records, f"beta signIns {kind}")


@pytest.mark.parametrize("version", ["v1.0", "beta"])
@pytest.mark.parametrize("path", list(DIRECTORY))
def test_served_directory_objects_validate_against_the_spec(server, validator_for, version, path):
    validator = validator_for(f"/components/schemas/{DIRECTORY[path]}")
    pages = walk(server, f"/{version}/{path}", top=20)
    check(validator, [r for p in pages for r in p["value"]], f"{version}/{path}")


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_whole_pages_and_single_entities_validate_against_their_responses(server, spec, validator_for, version):
    paths = [f"/{version}/{p}" for p in list(LOGS[version]) + list(DIRECTORY)]
    for path in paths:
        ops = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        page = walk(server, path, pages=1, top=5)[0]
        errors = [e.message for e in validator_for(ops).iter_errors(page)]
        assert not errors, f"{path}: {errors[:5]}"
        first = page["value"][0]
        one = server.get(f"{path}/{first['id']}")
        assert one.status_code == 200, one.text
        entity = spec["paths"][path + "/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        errors = [e.message for e in validator_for(entity).iter_errors(one.json())]
        assert not errors, f"{path}/{{id}}: {errors[:5]}"


def check_error_response(spec, validator_for, response, code):
    """The response matches components/responses/Error{code}: status, envelope and every declared header."""
    assert response.status_code == int(code), response.text
    declared = spec["components"]["responses"][f"Error{code}"]
    body_errors = [e.message for e in validator_for(f"/components/schemas/odataError").iter_errors(response.json())]
    assert not body_errors, f"{code}: {body_errors}"
    for name, header in declared["headers"].items():
        header = spec["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
        value = response.headers.get(name)
        assert value is not None or not header["required"], f"{code}: no {name} header"
        if value is not None:
            schema = header["schema"]
            typed = int(value) if schema.get("type") == "integer" else value
            errors = [e.message for e in validator_for(schema).iter_errors(typed)]
            assert not errors, f"{code} {name}: {value!r}: {errors}"


def test_401_403_and_405_answers_match_their_declared_responses(server, tenant, spec, validator_for):
    r = server.get("/v1.0/auditLogs/signIns", headers={"Authorization": "Bearer not-a-token"})
    check_error_response(spec, validator_for, r, "401")
    assert r.headers["WWW-Authenticate"].startswith(f'Bearer realm="", authorization_uri="{server.http}/common/oauth2/authorize"')
    nobody = client_named(tenant, "entrasim-no-permissions")
    token = requests.post(f"{server.http}/{tenant['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": nobody["clientId"], "client_secret": nobody["clientSecret"],
        "scope": "https://graph.microsoft.com/.default"}).json()["access_token"]
    r = server.get("/v1.0/auditLogs/signIns", headers={"Authorization": f"Bearer {token}"})
    check_error_response(spec, validator_for, r, "403")
    r = requests.post(f"{server.http}/v1.0/auditLogs/signIns", timeout=30)
    check_error_response(spec, validator_for, r, "405")
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_a_429_matches_its_declared_response(throttled_server, spec, validator_for):
    for _ in range(10):
        r = throttled_server.get("/v1.0/auditLogs/signIns?$top=1")
        if r.status_code == 429:
            break
        assert r.status_code == 200, r.text
    check_error_response(spec, validator_for, r, "429")
    inner = r.json()["error"]["innerError"]
    assert (r.json()["error"]["code"], inner["code"], inner["status"]) == ("TooManyRequests", "429", "429")


def test_error_envelopes_validate(server, validator_for):
    validator = validator_for("/components/schemas/odataError")
    for path in ["/v1.0/auditLogs/signIns?$filter=isRisky%20eq%20true", "/v1.0/auditLogs/signIns?$top=1001",
                 "/beta/auditLogs/signIns/00000000-0000-0000-0000-000000000000", "/v1.0/users/not-a-guid",
                 "/v1.0/auditLogs/signIns?$skiptoken=nonsense"]:
        r = server.get(path)
        assert r.status_code >= 400
        assert r.headers.get("request-id") and r.headers.get("client-request-id")
        assert not list(validator.iter_errors(r.json())), path


def test_a_property_the_spec_lacks_or_a_missing_required_one_fails_validation(server, validator_for):
    """The check itself: additionalProperties false and required are in force."""
    validator = validator_for("/components/schemas/signIn")
    record = server.get("/v1.0/auditLogs/signIns?$top=1").json()["value"][0]
    assert not list(validator.iter_errors(record))
    extra = dict(copy.deepcopy(record), surprise=1)
    assert list(validator.iter_errors(extra))
    missing = copy.deepcopy(record)
    del missing["userId"]
    assert list(validator.iter_errors(missing))
    nested = copy.deepcopy(record)
    nested["status"]["surprise"] = 1
    assert list(validator.iter_errors(nested))

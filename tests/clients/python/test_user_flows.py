"""Users sign in through azure-identity, unmodified, against entrasim's identity surface:
UsernamePasswordCredential (ROPC), DeviceCodeCredential (approved by the test through the
control surface), ManagedIdentityCredential (App Service's IDENTITY_ENDPOINT protocol); the
msgraph-sdk reads sign-ins with the tokens, and the sign-ins the flows made are found in
the log. The default preset is used: it has a holder of each log-reading role."""

import asyncio
import os
import pathlib

import certifi
import msal.authority
import pytest
import requests
from azure.identity import DeviceCodeCredential, ManagedIdentityCredential, UsernamePasswordCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

import conftest

CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture(scope="module")
def users_server(tmp_path_factory):
    saved_flags = conftest.TENANT_FLAGS
    conftest.TENANT_FLAGS = ["--clock", conftest.CLOCK, "--preset", "default", "--seed", "42"]
    try:
        srv = conftest.Server("--throttle", "off")
    finally:
        conftest.TENANT_FLAGS = saved_flags
    bundle = tmp_path_factory.mktemp("users-ca") / "bundle.pem"
    bundle.write_text(pathlib.Path(certifi.where()).read_text() + "\n" + pathlib.Path(srv.ca).read_text())
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
    yield srv
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    srv.stop()


@pytest.fixture(scope="module")
def listing(users_server):
    return users_server.get("/_entrasim/tenant").json()


def named_user(listing, label):
    return next(u for u in listing["testUsers"] if u["label"] == label)


def graph(server, credential):
    client = GraphServiceClient(credentials=credential, scopes=[GRAPH_SCOPE])
    client.request_adapter.base_url = server.https + "/v1.0"
    return client


def first_sign_ins(client, top=2):
    config = RequestConfiguration(query_parameters=SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(top=top))
    return asyncio.run(client.audit_logs.sign_ins.get(request_configuration=config))


def password_credential(server, listing, label):
    # MSAL's ROPC asks `https://{host}/common/userrealm/...` with the port dropped (msal
    # authority.py), which reaches nothing on 443 here. MSAL remembers hosts without user
    # realm discovery after a 404; the test seeds that memory for 127.0.0.1.
    msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")
    user = named_user(listing, label)
    return UsernamePasswordCredential(CLI, user["userPrincipalName"], user["password"], tenant_id=listing["tenantId"],
                                      authority=server.https, disable_instance_discovery=True)


def test_a_reports_reader_reads_sign_ins_with_a_username_password_credential(users_server, listing):
    page = first_sign_ins(graph(users_server, password_credential(users_server, listing, "Reports Reader")))
    assert len(page.value) == 2
    assert all(r.user_principal_name or r.app_id for r in page.value)


def test_a_user_without_a_role_gets_graphs_403_reading_sign_ins(users_server, listing):
    client = graph(users_server, password_credential(users_server, listing, "No role"))
    with pytest.raises(ODataError) as refused:
        first_sign_ins(client)
    assert refused.value.response_status_code == 403
    assert refused.value.error.code == "Authentication_RequestFromUnsupportedUserRole"


def test_a_device_code_credential_completed_through_the_control_surface_reads_sign_ins(users_server, listing):
    reader = named_user(listing, "Security Reader")
    approved = []

    def approve(verification_uri, user_code, expires_on):
        assert verification_uri.endswith("/devicelogin")
        answer = requests.post(f"{users_server.http}/_entrasim/deviceCodes/{user_code}/approve",
                               json={"user": reader["userPrincipalName"]}, timeout=30)
        assert answer.status_code == 200, answer.text
        approved.append(user_code)

    credential = DeviceCodeCredential(CLI, tenant_id=listing["tenantId"], authority=users_server.https,
                                      disable_instance_discovery=True, prompt_callback=approve)
    page = first_sign_ins(graph(users_server, credential), top=1)
    assert approved and len(page.value) == 1


def test_a_managed_identity_credential_reads_sign_ins_and_finds_its_own_sign_in(users_server, listing, monkeypatch):
    endpoint = listing["managedIdentity"]
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint["IDENTITY_ENDPOINT"])
    monkeypatch.setenv("IDENTITY_HEADER", endpoint["IDENTITY_HEADER"])
    credential = ManagedIdentityCredential()
    page = first_sign_ins(graph(users_server, credential), top=1)
    assert len(page.value) == 1
    advanced = requests.post(users_server.http + "/_entrasim/clock", json={"advance": "PT6H"}, timeout=30)
    assert advanced.status_code == 200
    client_id = endpoint["systemAssignedClientId"]
    query = {"$filter": f"appId eq '{client_id}' and signInEventTypes/any(t: t eq 'managedIdentity')"}
    records = requests.get(users_server.http + "/beta/auditLogs/signIns", params=query, timeout=60).json()["value"]
    own = [r for r in records if r["createdDateTime"] == "2026-06-01T12:00:00Z"]
    assert own, records
    assert own[0]["resourceDisplayName"] == "Microsoft Graph"
    assert own[0]["managedServiceIdentity"]["msiType"] == "systemAssigned"

"""azure-identity + msgraph-sdk over HTTPS against entrasim's own authority: tokens from
its token endpoint (client credentials), verified independently with PyJWT against its
JWKS; a tampered token gets 401; a client without permissions gets 403.

Skipped (with the reason) only while the server prints no `listening on https://` line."""

import asyncio

import jwt
import pytest
import requests
from azure.identity import ClientSecretCredential
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator, BaseBearerTokenAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core.tasks.page_iterator import PageIterator

from conftest import client_named

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def credential(server, tenant, name):
    c = client_named(tenant, name)
    return ClientSecretCredential(tenant["tenantId"], c["clientId"], c["clientSecret"], authority=server.https,
                                  disable_instance_discovery=True)


def graph(server, cred):
    client = GraphServiceClient(credentials=cred, scopes=[GRAPH_SCOPE])
    client.request_adapter.base_url = server.https + "/v1.0"
    return client


class StaticToken(AccessTokenProvider):
    def __init__(self, token):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def test_sign_ins_read_with_a_client_secret_credential_equal_generate(server, tenant, ca_bundle, generated):
    client = graph(server, credential(server, tenant, "entrasim-audit-reader"))
    since = "2026-05-28T00:00:00Z"
    qp = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(filter=f"createdDateTime ge {since}", top=100)

    async def walk():
        page = await client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=qp))
        assert page.odata_next_link.startswith(server.https)
        items = []
        await PageIterator(page, client.request_adapter).iterate(lambda s: items.append(s) or True)
        return items

    items = asyncio.run(walk())
    expected = [r for r in generated["v1.0"]["signIns"] if r["createdDateTime"] >= since]
    assert [i.id for i in items] == [r["id"] for r in expected]


def test_a_minted_token_verifies_against_the_jwks_with_pyjwt(server, tenant, ca_bundle):
    token = credential(server, tenant, "entrasim-audit-reader").get_token(GRAPH_SCOPE).token
    config = requests.get(f"{server.https}/{tenant['tenantId']}/v2.0/.well-known/openid-configuration", timeout=30).json()
    jwks = jwt.PyJWKClient(config["jwks_uri"])
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://graph.microsoft.com",
                        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False})
    reader = client_named(tenant, "entrasim-audit-reader")
    assert claims["tid"] == tenant["tenantId"]
    assert claims["appid"] == reader["clientId"]
    assert "AuditLog.Read.All" in claims["roles"]
    assert jwt.get_unverified_header(token)["kid"] == key.key_id


def test_a_tampered_token_gets_401(server, tenant, ca_bundle):
    token = credential(server, tenant, "entrasim-audit-reader").get_token(GRAPH_SCOPE).token
    header, payload, signature = token.split(".")
    tampered = ".".join([header, payload, signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")])
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(tampered)))
    adapter.base_url = server.https + "/v1.0"
    client = GraphServiceClient(request_adapter=adapter)
    with pytest.raises(ODataError) as caught:
        asyncio.run(client.audit_logs.sign_ins.get())
    assert caught.value.response_status_code == 401
    assert caught.value.error.code == "InvalidAuthenticationToken"


def test_the_no_permissions_client_gets_403_permission_missing(server, tenant, ca_bundle):
    client = graph(server, credential(server, tenant, "entrasim-no-permissions"))
    with pytest.raises(ODataError) as caught:
        asyncio.run(client.audit_logs.sign_ins.get())
    assert caught.value.response_status_code == 403
    assert caught.value.error.code == "Authentication_MSGraphPermissionMissing"

"""azure-identity + msgraph-sdk and msgraph-beta-sdk over HTTPS against entrasim's own
authority: tokens from its token endpoint (client credentials), verified independently with
PyJWT against its JWKS; v1.0 and beta (all four sign-in event types) walks whose records
equal `entrasim generate`'s whole; a tampered token and a token for another audience get
401; a client without permissions gets 403; deleted users read through the SDK's OData cast.

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

from conftest import client_named
from walks import beta_sign_ins, event_type_filter, iterate, query_url, raw_walk

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EVENT_TYPES = ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"]


def credential(server, tenant, name):
    c = client_named(tenant, name)
    return ClientSecretCredential(tenant["tenantId"], c["clientId"], c["clientSecret"], authority=server.https,
                                  disable_instance_discovery=True)


def graph(server, cred):
    client = GraphServiceClient(credentials=cred, scopes=[GRAPH_SCOPE])
    client.request_adapter.base_url = server.https + "/v1.0"
    return client


def beta_graph(server, cred):
    from msgraph_beta import GraphServiceClient as BetaClient

    client = BetaClient(credentials=cred, scopes=[GRAPH_SCOPE])
    client.request_adapter.base_url = server.https + "/beta"
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
        items = await iterate(page, client.request_adapter)
        url = query_url(server.https, "/v1.0/auditLogs/signIns", filter=f"createdDateTime ge {since}", top=100)
        raw, _ = await raw_walk(client.request_adapter, url)
        return items, raw

    items, records = asyncio.run(walk())
    expected = [r for r in generated["v1.0"]["signIns"] if r["createdDateTime"] >= since]
    assert [i.id for i in items] == [r["id"] for r in expected]
    assert records == expected


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_beta_sign_ins_of_each_event_type_read_with_a_client_secret_credential_equal_generate(server, tenant, ca_bundle,
                                                                                               generated, kind):
    from msgraph_beta.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder as BetaSignIns

    client = beta_graph(server, credential(server, tenant, "entrasim-audit-reader"))
    since = "2026-05-31T00:00:00Z"  # a day: every kind spans two pages or more at $top=50
    flt = event_type_filter(kind, since)
    qp = BetaSignIns.SignInsRequestBuilderGetQueryParameters(filter=flt, top=50)

    async def walk():
        page = await client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=qp))
        items = await iterate(page, client.request_adapter)
        raw, pages = await raw_walk(client.request_adapter, query_url(server.https, "/beta/auditLogs/signIns", filter=flt,
                                                                      top=50))
        assert pages > 1
        return items, raw

    items, records = asyncio.run(walk())
    expected = beta_sign_ins(generated, kind, since)
    assert expected, kind
    assert [i.id for i in items] == [r["id"] for r in expected]
    assert all(i.sign_in_event_types == [kind] for i in items)
    assert records == expected


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


def test_a_token_for_the_servers_own_address_is_refused_with_aadsts500011(server, tenant, ca_bundle):
    """What the SDK does when the caller forgets scopes=: it asks for https://<host>/.default,
    a resource the tenant does not serve, so the token endpoint answers AADSTS500011 as Entra does."""
    from azure.core.exceptions import ClientAuthenticationError

    with pytest.raises(ClientAuthenticationError) as caught:
        credential(server, tenant, "entrasim-audit-reader").get_token("https://127.0.0.1/.default")
    assert "AADSTS500011" in str(caught.value)


def test_the_no_permissions_client_gets_403_permission_missing(server, tenant, ca_bundle):
    client = graph(server, credential(server, tenant, "entrasim-no-permissions"))
    with pytest.raises(ODataError) as caught:
        asyncio.run(client.audit_logs.sign_ins.get())
    assert caught.value.response_status_code == 403
    assert caught.value.error.code == "Authentication_MSGraphPermissionMissing"


def test_deleted_users_read_through_the_sdk_cast_are_the_users_generate_does_not_list(server, tenant, ca_bundle, generated):
    from msgraph.generated.models.user import User

    client = graph(server, credential(server, tenant, "entrasim-directory-reader"))

    async def read():
        page = await client.directory.deleted_items.graph_user.get()
        deleted = await iterate(page, client.request_adapter)
        one = await client.directory.deleted_items.by_directory_object_id(deleted[0].id).get()
        return deleted, one

    deleted, one = asyncio.run(read())
    live = {u["id"] for u in generated["v1.0"]["users"]}
    assert deleted and all(u.id not in live and u.deleted_date_time is not None for u in deleted)
    assert len(live) + len(deleted) == tenant["counts"]["users"]
    assert isinstance(one, User)
    assert (one.id, one.user_principal_name, one.deleted_date_time) == \
        (deleted[0].id, deleted[0].user_principal_name, deleted[0].deleted_date_time)

"""msgraph-sdk over HTTPS against Identity Protection: list risky users, dismiss one, and see
its state and history change and the directory audit Identity Protection writes appear.
A server of its own: the dismissal changes what the session server must keep serving."""

import asyncio

import pytest
from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.audit_logs.directory_audits.directory_audits_request_builder import DirectoryAuditsRequestBuilder
from msgraph.generated.identity_protection.risky_users.dismiss.dismiss_post_request_body import DismissPostRequestBody
from msgraph.generated.models.risk_state import RiskState

from conftest import Server, client_named, trusting


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    srv = Server("--throttle", "off")
    if not srv.https:
        srv.stop()
        pytest.skip("no `listening on https://` line")
    with trusting(srv, tmp_path_factory.mktemp("protection-ca")):
        yield srv
    srv.stop()


def graph(server):
    tenant = server.get("/_entrasim/tenant").json()
    c = client_named(tenant, "entrasim-audit-reader")
    cred = ClientSecretCredential(tenant["tenantId"], c["clientId"], c["clientSecret"], authority=server.https,
                                  disable_instance_discovery=True)
    client = GraphServiceClient(credentials=cred, scopes=["https://graph.microsoft.com/.default"])
    client.request_adapter.base_url = server.https + "/v1.0"
    return client


def test_dismissing_a_risky_user_changes_its_state_and_history_and_writes_the_audit(own_server):
    client = graph(own_server)

    async def run():
        risky = await client.identity_protection.risky_users.get()
        # Some risky users were remediated already (MFA, a password reset): take one still at risk.
        user = next(u for u in risky.value if u.risk_state == RiskState.AtRisk)
        before = await client.identity_protection.risky_users.by_risky_user_id(user.id).history.get()
        await client.identity_protection.risky_users.dismiss.post(DismissPostRequestBody(user_ids=[user.id]))
        after_user = await client.identity_protection.risky_users.by_risky_user_id(user.id).get()
        after = await client.identity_protection.risky_users.by_risky_user_id(user.id).history.get()
        qp = DirectoryAuditsRequestBuilder.DirectoryAuditsRequestBuilderGetQueryParameters(
            filter="activityDisplayName eq 'DismissUser'")
        audits = await client.audit_logs.directory_audits.get(
            request_configuration=RequestConfiguration(query_parameters=qp))
        return user, before.value, after_user, after.value, audits.value

    user, before, after_user, after, audits = asyncio.run(run())
    assert after_user.risk_state == RiskState.Dismissed
    assert after_user.risk_level.value == "none"
    assert after_user.risk_detail.value == "adminDismissedAllRiskForUser"
    assert len(after) == len(before) + 1
    assert after[-1].risk_state == RiskState.Dismissed
    assert [a.target_resources[0].id for a in audits] == [user.id]
    assert audits[0].logged_by_service == "Identity Protection"

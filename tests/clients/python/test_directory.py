"""msgraph-sdk and requests against entrasim's directory: lookups by key and navigation
(issue 14), compared with the server's own listings."""

import asyncio

from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient


def client_for(base):
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider())
    adapter.base_url = base + "/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def walk(server, path):
    out, r = [], server.get(path).json()
    out += r["value"]
    while "@odata.nextLink" in r:
        r = server.get(r["@odata.nextLink"].split(server.http, 1)[1]).json()
        out += r["value"]
    return out


def test_the_sdk_reads_a_guest_by_user_principal_name(server):
    users = walk(server, "/v1.0/users")
    guest = next(u for u in users if "#EXT#" in u["userPrincipalName"])
    user = asyncio.run(client_for(server.http).users.by_user_id(guest["userPrincipalName"]).get())
    assert user.id == guest["id"]


def test_the_sdk_reads_group_members_as_expanded_on_the_group(server):
    groups = walk(server, "/v1.0/groups?$expand=members($select=id)")
    group = next(g for g in groups if g["members"])
    page = asyncio.run(client_for(server.http).groups.by_group_id(group["id"]).members.get())
    listed, expanded = [m.id for m in page.value], [m["id"] for m in group["members"]]
    shown = min(len(listed), len(expanded))  # $expand holds at most 20
    assert shown > 0 and listed[:shown] == expanded[:shown]


def test_the_sdk_reads_the_organization(server, tenant):
    page = asyncio.run(client_for(server.http).organization.get())
    assert [o.id for o in page.value] == [tenant["tenantId"]]


def test_az_sp_show_by_app_id_finds_one_service_principal(server):
    sp = walk(server, "/v1.0/servicePrincipals")[0]
    r = server.get(f"/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '{sp['appId']}')")
    assert r.status_code == 200 and [s["id"] for s in r.json()["value"]] == [sp["id"]]


def test_the_sdk_reads_sign_in_activity_with_select(server):
    from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    user = walk(server, "/v1.0/users?$select=id,userPrincipalName,signInActivity")[0]
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["displayName", "signInActivity"]
    )
    config = RequestConfiguration(query_parameters=query)
    got = asyncio.run(client_for(server.http).users.by_user_id(user["userPrincipalName"]).get(config))
    activity = user["signInActivity"]
    assert got.sign_in_activity.last_sign_in_request_id == activity["lastSignInRequestId"]
    assert got.sign_in_activity.last_successful_sign_in_request_id == activity["lastSuccessfulSignInRequestId"]
    if activity["lastSignInDateTime"]:
        assert got.sign_in_activity.last_sign_in_date_time.isoformat().startswith(activity["lastSignInDateTime"][:19])


def test_the_sdk_reads_the_schedule_instances(server):
    async def both():
        directory = client_for(server.http).role_management.directory
        eligible = await directory.role_eligibility_schedule_instances.get()
        return eligible, await directory.role_assignment_schedule_instances.get()

    eligible, active = asyncio.run(both())
    assert [i.id for i in eligible.value] == [i["id"] for i in walk(server, "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances")][: len(eligible.value)]
    assert {i.assignment_type for i in active.value} <= {"Assigned", "Activated"}
    assert all(i.principal_id and i.role_definition_id for i in active.value)


def test_the_sdk_counts_users_with_the_consistency_header(server):
    from msgraph.generated.users.count.count_request_builder import CountRequestBuilder
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    config = RequestConfiguration()
    config.headers.add("ConsistencyLevel", "eventual")
    count = asyncio.run(client_for(server.http).users.count.get(config))
    assert count == len(walk(server, "/v1.0/users?$top=999"))

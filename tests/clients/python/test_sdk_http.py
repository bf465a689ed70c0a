"""The real Microsoft Graph Python SDKs (msgraph-sdk, msgraph-beta-sdk, msgraph-core's
PageIterator) against entrasim over plain HTTP, anonymously (`--auth lenient`), with and
without Graph's throttling.

Every walk is compared with `entrasim generate` output for the same seed and clock,
filtered the same way: the raw JSON of every record, fetched through the SDK's own request
adapter and middleware, equals its generated line; typed models through PageIterator are
checked by id and key fields.
"""

import asyncio
import time

import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.audit_logs.directory_audits.directory_audits_request_builder import DirectoryAuditsRequestBuilder
from msgraph.generated.audit_logs.provisioning.provisioning_request_builder import ProvisioningRequestBuilder
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from walks import beta_sign_ins, event_type_filter, iterate, query_url, raw_entity, raw_walk

SINCE = "2026-05-25T00:00:00Z"
SIGN_IN_FILTER = f"createdDateTime ge {SINCE} and startswith(appDisplayName,'Microsoft')"
EVENT_TYPES = ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"]
# Typed (kiota-parsed) items per long walk: past one nextLink at $top=1000; the raw walk compares every record.
TYPED_LIMIT = 1200


def run(coro):
    return asyncio.run(coro)


def v1_client(base):
    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider())
    adapter.base_url = base + "/v1.0"
    return GraphServiceClient(request_adapter=adapter), adapter


def beta_client(base):
    from msgraph_beta import GraphRequestAdapter as BetaAdapter
    from msgraph_beta import GraphServiceClient as BetaClient

    adapter = BetaAdapter(AnonymousAuthenticationProvider())
    adapter.base_url = base + "/beta"
    return BetaClient(request_adapter=adapter), adapter


def sign_in_expected(generated, version, kind=None):
    records = generated[version]["signIns"]
    if kind:
        records = [r for r in records if kind in r["signInEventTypes"]]
    return records


def recent_microsoft(records):
    return [r for r in records if r["createdDateTime"] >= SINCE and r["appDisplayName"].startswith("Microsoft")]


# ---------------------------------------------------------------- v1.0 sign-ins


def test_v1_sign_ins_filtered_walk_through_page_iterator_equals_generate(server, generated):
    client, adapter = v1_client(server.http)
    qp = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(filter=SIGN_IN_FILTER, top=100)

    async def walk():
        page = await client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=qp))
        assert page.odata_next_link and page.odata_next_link.startswith(server.http)
        return await iterate(page, adapter)

    items = run(walk())
    expected = recent_microsoft(sign_in_expected(generated, "v1.0"))
    assert len(expected) > 200, "the filter should span several pages"
    assert [i.id for i in items] == [r["id"] for r in expected]
    for item, record in zip(items, expected):
        assert item.created_date_time.strftime("%Y-%m-%dT%H:%M:%SZ") == record["createdDateTime"]
        assert (item.user_id, item.app_id, item.status.error_code) == (record["userId"], record["appId"], record["status"]["errorCode"])
        assert item.is_interactive is True


def test_v1_sign_ins_raw_pages_equal_generate_byte_for_byte(server, generated):
    _, adapter = v1_client(server.http)
    records, pages = run(raw_walk(adapter, query_url(server.http, "/v1.0/auditLogs/signIns", filter=SIGN_IN_FILTER, top=250)))
    expected = recent_microsoft(sign_in_expected(generated, "v1.0"))
    assert pages > 1
    assert records == expected


def test_v1_sign_in_get_by_id_matches_the_listed_record(server, generated):
    client, adapter = v1_client(server.http)
    record = generated["v1.0"]["signIns"][5]

    async def both():  # one event loop: the adapter's connection pool belongs to it
        typed = await client.audit_logs.sign_ins.by_sign_in_id(record["id"]).get()
        return typed, await raw_entity(adapter, f"{server.http}/v1.0/auditLogs/signIns/{record['id']}")

    item, raw = run(both())
    assert (item.id, item.user_principal_name, item.correlation_id) == (record["id"], record["userPrincipalName"], record["correlationId"])
    assert raw.pop("@odata.context").endswith("#auditLogs/signIns/$entity")
    assert raw == record


# ---------------------------------------------------------------- beta sign-ins: all four kinds


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_beta_sign_ins_of_each_event_type_walk_to_exactly_the_generated_records(server, generated, kind):
    from msgraph_beta.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder as BetaSignIns

    client, adapter = beta_client(server.http)
    flt = f"signInEventTypes/any(t: t eq '{kind}') and createdDateTime ge {SINCE}"
    qp = BetaSignIns.SignInsRequestBuilderGetQueryParameters(filter=flt, top=1000)

    async def walk():
        page = await client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=qp))
        typed = await iterate(page, adapter, limit=TYPED_LIMIT)
        # Raw JSON of the same query, through the beta SDK's adapter.
        raw, _ = await raw_walk(adapter, query_url(server.http, "/beta/auditLogs/signIns", filter=flt, top=1000))
        return typed, raw

    items, records = run(walk())
    expected = [r for r in sign_in_expected(generated, "beta", kind) if r["createdDateTime"] >= SINCE]
    assert expected, kind
    assert [i.id for i in items] == [r["id"] for r in expected[:TYPED_LIMIT]]
    assert all(i.sign_in_event_types == [kind] for i in items)
    if kind == "managedIdentity":
        assert all(i.managed_service_identity.associated_resource_id.startswith("/subscriptions/") for i in items)
    assert records == expected


def test_beta_sign_ins_without_an_event_type_filter_are_interactive_only(server, generated):
    client, adapter = beta_client(server.http)
    from msgraph_beta.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder as BetaSignIns

    qp = BetaSignIns.SignInsRequestBuilderGetQueryParameters(filter=f"createdDateTime ge {SINCE}", top=500)
    url = query_url(server.http, "/beta/auditLogs/signIns", filter=f"createdDateTime ge {SINCE}", top=500)
    items, records = run(_first_page_then_iterate(client.audit_logs.sign_ins, qp, adapter, url))
    expected = [r for r in sign_in_expected(generated, "beta", "interactiveUser") if r["createdDateTime"] >= SINCE]
    assert [i.id for i in items] == [r["id"] for r in expected]
    assert records == expected


async def _first_page_then_iterate(builder, qp, adapter, raw_url=None, limit=None):
    page = await builder.get(request_configuration=RequestConfiguration(query_parameters=qp))
    typed = await iterate(page, adapter, limit)
    if raw_url is None:
        return typed
    raw, _ = await raw_walk(adapter, raw_url)
    return typed, raw


# ---------------------------------------------------------------- directory audits and provisioning


def test_directory_audits_about_one_target_equal_generate(server, generated):
    client, adapter = v1_client(server.http)
    audits = generated["v1.0"]["directoryAudits"]
    counts = {}
    for r in audits:
        for t in r["targetResources"]:
            if t.get("type") == "User":
                counts[t["id"]] = counts.get(t["id"], 0) + 1
    target = max(counts, key=counts.get)
    flt = f"targetResources/any(t: t/id eq '{target}')"
    qp = DirectoryAuditsRequestBuilder.DirectoryAuditsRequestBuilderGetQueryParameters(filter=flt, top=10)
    url = query_url(server.http, "/v1.0/auditLogs/directoryAudits", filter=flt, top=10)
    items, records = run(_first_page_then_iterate(client.audit_logs.directory_audits, qp, adapter, url))
    expected = [r for r in audits if any(t["id"] == target for t in r["targetResources"])]
    assert len(expected) > 10
    assert [i.id for i in items] == [r["id"] for r in expected]
    assert all(any(t.id == target for t in i.target_resources) for i in items)
    assert records == expected


def test_beta_directory_audits_full_walk_equals_generate(server, generated):
    _, adapter = beta_client(server.http)
    records, pages = run(raw_walk(adapter, query_url(server.http, "/beta/auditLogs/directoryAudits", top=300)))
    assert pages > 1
    assert records == generated["beta"]["directoryAudits"]


def test_provisioning_walk_equals_generate(server, generated):
    client, adapter = v1_client(server.http)
    # 'other' (scoping evaluations) spans several pages on the small tenant; creates are rare.
    flt = "provisioningAction eq 'other'"
    qp = ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters(filter=flt, top=200)
    url = query_url(server.http, "/v1.0/auditLogs/provisioning", filter=flt, top=200)
    items, records = run(_first_page_then_iterate(client.audit_logs.provisioning, qp, adapter, url))
    expected = [r for r in generated["v1.0"]["provisioning"] if r["provisioningAction"] == "other"]
    assert len(expected) > 200
    assert [i.id for i in items] == [r["id"] for r in expected]
    assert [i.job_id for i in items] == [r["jobId"] for r in expected]
    assert records == expected


def test_beta_provisioning_full_walk_equals_generate(server, generated):
    from msgraph_beta.generated.audit_logs.provisioning.provisioning_request_builder import ProvisioningRequestBuilder as BetaProv

    client, adapter = beta_client(server.http)
    qp = BetaProv.ProvisioningRequestBuilderGetQueryParameters(top=1000)
    url = query_url(server.http, "/beta/auditLogs/provisioning", top=1000)
    items, records = run(_first_page_then_iterate(client.audit_logs.provisioning, qp, adapter, url, TYPED_LIMIT))
    assert [i.id for i in items] == [r["id"] for r in generated["beta"]["provisioning"][:TYPED_LIMIT]]
    assert records == generated["beta"]["provisioning"]


# ---------------------------------------------------------------- errors


def test_an_unsupported_filter_property_raises_odata_error_bad_request(server):
    client, _ = v1_client(server.http)
    qp = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(filter="isRisky eq true")
    with pytest.raises(ODataError) as caught:
        run(client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=qp)))
    e = caught.value
    assert e.response_status_code == 400
    assert (e.error.code, e.error.message) == ("BadRequest", "Invalid filter clause")
    assert e.error.inner_error is not None


def test_an_unknown_sign_in_id_raises_odata_error_not_found(server):
    client, _ = v1_client(server.http)
    with pytest.raises(ODataError) as caught:
        run(client.audit_logs.sign_ins.by_sign_in_id("00000000-0000-0000-0000-000000000000").get())
    assert caught.value.response_status_code == 404


# ---------------------------------------------------------------- throttling


def assert_throttled_and_patient(srv, started):
    report = {c["appId"]: c for c in srv.get("/_entrasim/clients").json()["value"]}
    (app,) = report.values()
    assert app["throttled"] >= 1, f"no 429 was served in {time.time() - started:.1f}s: {app}"
    assert app["earlyRetries"] == 0, "kiota's RetryHandler honours Retry-After"


def test_a_throttled_v1_walk_gets_through_the_retry_handler_with_every_record_whole(throttled_server, generated):
    srv = throttled_server
    assert srv.get("/_entrasim/throttling").json()["enabled"] is True
    _, adapter = v1_client(srv.http)
    expected = [r for r in generated["v1.0"]["signIns"] if r["createdDateTime"] >= SINCE]
    assert len(expected) > 6 * 60, "the walk must need more than 5 requests to be throttled"
    started = time.time()
    records, _ = run(raw_walk(adapter, query_url(srv.http, "/v1.0/auditLogs/signIns", filter=f"createdDateTime ge {SINCE}",
                                                 top=60)))
    assert records == expected
    assert_throttled_and_patient(srv, started)


def test_a_throttled_beta_walk_through_the_beta_sdk_has_every_record_whole(throttled_server, generated):
    srv = throttled_server
    _, adapter = beta_client(srv.http)
    expected = beta_sign_ins(generated, "nonInteractiveUser", SINCE)
    top = max(1, len(expected) // 7)  # seven pages or more: more than the 5 requests per 10 s
    started = time.time()
    records, pages = run(raw_walk(adapter, query_url(srv.http, "/beta/auditLogs/signIns",
                                                     filter=event_type_filter("nonInteractiveUser", SINCE), top=top)))
    assert pages > 5
    assert records == expected
    assert_throttled_and_patient(srv, started)

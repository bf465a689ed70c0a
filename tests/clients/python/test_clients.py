"""Issue 12: tokens live on the client's real clock. One azure-identity credential and one
msgraph-sdk client walk every page of each log while the simulated clock jumps between pages
(PT10M, P2D) and while it runs 600 times faster than wall time; the walks equal `entrasim
generate` over a window well before the clock, so record latency cannot change them. PyJWT
validates a fresh token against the real time (exp/nbf/iat checked).

Each test has its own server, so one test's clock moves cannot push another's window out of
retention. The windows are sized so a P2D walk ends inside the logs' 30-day retention (P1/P2,
ED-retention): a walk whose pending records leave retention mid-walk answers 400 "Invalid
skip token." by design (README, Skip tokens), which is what stopped the first version of
these tests (its provisioning walk read the whole 30 days, then jumped P2D)."""

import asyncio
import time
from datetime import datetime, timedelta

import jwt
import pytest
import requests
from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.audit_logs.directory_audits.directory_audits_request_builder import DirectoryAuditsRequestBuilder
from msgraph.generated.audit_logs.provisioning.provisioning_request_builder import ProvisioningRequestBuilder
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder

from conftest import Server, client_named
from walks import iterate

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# A busy weekday (Friday 29 May 2026): enough records for several pages of each log. The first
# pages are read at 1 June 12:00; the oldest record here leaves 30-day retention on 28 June.
SIGN_IN_SPAN = ("2026-05-29T06:00:00Z", "2026-05-29T18:00:00Z")
AUDIT_SPAN = ("2026-05-28T00:00:00Z", "2026-05-29T18:00:00Z")
PROVISIONING_SPAN = ("2026-05-29T06:00:00Z", "2026-05-29T12:00:00Z")


def window(field, span):
    return f"{field} ge {span[0]} and {field} le {span[1]}"


@pytest.fixture
def strict():
    """--auth strict: every call needs a valid token; --clock-speed 600 takes effect once the
    clock is released (it starts frozen at the fixed instant)."""
    srv = Server("--auth", "strict", "--throttle", "off", "--clock-speed", "600")
    yield srv
    srv.stop()


@pytest.fixture
def strict_tenant(strict):
    return strict.get("/_entrasim/tenant").json()


@pytest.fixture
def bundle(strict, tmp_path_factory):
    import os
    import pathlib

    import certifi

    path = tmp_path_factory.mktemp("clients-ca") / "bundle.pem"
    path.write_text(pathlib.Path(certifi.where()).read_text() + "\n" + pathlib.Path(strict.ca).read_text())
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = str(path)
    yield str(path)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def clock(server, **change):
    """The clock after `change` (`advance`, `frozen`, `now`); its reading when there is none."""
    url = server.http + "/_entrasim/clock"
    r = requests.post(url, json=change, timeout=30) if change else requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reader(server, tenant):
    c = client_named(tenant, "entrasim-audit-reader")
    cred = ClientSecretCredential(tenant["tenantId"], c["clientId"], c["clientSecret"], authority=server.https,
                                  disable_instance_discovery=True)
    client = GraphServiceClient(credentials=cred, scopes=[GRAPH_SCOPE])
    client.request_adapter.base_url = server.https + "/v1.0"
    return client


async def walk_moving(client, builder, params, top, between):
    """PageIterator over every page; `between()` runs after each full page (before the next request)."""
    page = await builder.get(request_configuration=RequestConfiguration(query_parameters=params))
    items = []

    def keep(item):
        items.append(item)
        if len(items) % top == 0:
            between()
        return True

    from msgraph_core.tasks.page_iterator import PageIterator

    await PageIterator(page, client.request_adapter).iterate(keep)
    return items, -(-len(items) // top)


def expected(generated, collection, field, lo, hi):
    return [r["id"] for r in generated["v1.0"][collection] if lo <= r[field] <= hi]


@pytest.mark.parametrize("step", ["PT10M", "P2D"])
def test_one_client_walks_every_log_while_the_clock_jumps_between_pages(strict, strict_tenant, bundle, generated,
                                                                       step):
    client = reader(strict, strict_tenant)
    moves = []

    def advance():
        moves.append(clock(strict, advance=step)["now"])

    def params(builder, field, span, top):
        return builder(filter=window(field, span), top=top)

    sign_qp = params(SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters, "createdDateTime", SIGN_IN_SPAN, 20)
    audit_qp = params(DirectoryAuditsRequestBuilder.DirectoryAuditsRequestBuilderGetQueryParameters,
                      "activityDateTime", AUDIT_SPAN, 20)
    prov_qp = params(ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters, "activityDateTime",
                     PROVISIONING_SPAN, 20)

    async def walks():
        signs = await walk_moving(client, client.audit_logs.sign_ins, sign_qp, 20, advance)
        audits = await walk_moving(client, client.audit_logs.directory_audits, audit_qp, 20, advance)
        provisioning = await walk_moving(client, client.audit_logs.provisioning, prov_qp, 20, advance)
        return signs, audits, provisioning

    (signs, sign_pages), (audits, audit_pages), (provisioning, prov_pages) = asyncio.run(walks())
    assert [s.id for s in signs] == expected(generated, "signIns", "createdDateTime", *SIGN_IN_SPAN)
    assert [a.id for a in audits] == expected(generated, "directoryAudits", "activityDateTime", *AUDIT_SPAN)
    assert [p.id for p in provisioning] == expected(generated, "provisioning", "activityDateTime", *PROVISIONING_SPAN)
    assert min(sign_pages, audit_pages, prov_pages) >= 3, (sign_pages, audit_pages, prov_pages)
    # The one credential's token, fetched on the first page, served every page after each move.
    assert len(moves) >= sign_pages + audit_pages + prov_pages - 3, moves
    if step == "P2D":
        assert instant(moves[-1]) - instant(moves[0]) >= timedelta(days=14), moves  # long past the token's first use


def test_a_token_fetched_before_a_two_day_jump_still_reads(strict, strict_tenant, bundle):
    c = client_named(strict_tenant, "entrasim-audit-reader")
    cred = ClientSecretCredential(strict_tenant["tenantId"], c["clientId"], c["clientSecret"], authority=strict.https,
                                  disable_instance_discovery=True)
    token = cred.get_token(GRAPH_SCOPE).token
    before = clock(strict)
    after = clock(strict, advance="P2D")
    url = f"{strict.https}/v1.0/auditLogs/directoryAudits?$top=1"
    r = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    assert instant(after["now"]) - instant(before["now"]) == timedelta(days=2)
    assert instant(r.json()["value"][0]["activityDateTime"]) > instant(before["now"])  # the log moved on, the token did not expire


def test_one_client_keeps_reading_while_the_clock_runs_600_times_faster(strict, strict_tenant, bundle, generated):
    client = reader(strict, strict_tenant)
    qp = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(filter=window("createdDateTime", SIGN_IN_SPAN),
                                                                       top=15)
    started = clock(strict, frozen=False)["now"]
    try:
        # 2.5 s of wall time per page is 25 simulated minutes: past a simulated hour by page 4.
        items, pages = asyncio.run(walk_moving(client, client.audit_logs.sign_ins, qp, 15, lambda: time.sleep(2.5)))
    finally:
        ended = clock(strict, frozen=True)["now"]
    assert pages >= 4, pages
    assert instant(ended) - instant(started) >= timedelta(hours=1), (started, ended)
    assert [s.id for s in items] == expected(generated, "signIns", "createdDateTime", *SIGN_IN_SPAN)


def test_pyjwt_validates_a_fresh_token_against_the_real_time(strict, strict_tenant, bundle):
    c = client_named(strict_tenant, "entrasim-audit-reader")
    cred = ClientSecretCredential(strict_tenant["tenantId"], c["clientId"], c["clientSecret"], authority=strict.https,
                                  disable_instance_discovery=True)
    clock(strict, advance="P30D")  # the log clock far from the wall: the token must not follow it
    token = cred.get_token(GRAPH_SCOPE).token
    config = requests.get(f"{strict.https}/{strict_tenant['tenantId']}/v2.0/.well-known/openid-configuration",
                          timeout=30).json()
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://graph.microsoft.com",
                        options={"require": ["exp", "iat", "nbf"]})  # exp/nbf/iat checked against time.time()
    now = time.time()
    assert claims["nbf"] <= now <= claims["exp"]
    assert abs(claims["exp"] - (now + 3599)) < 60

"""Users sign in through azure-identity, unmodified, against entrasim's identity surface:
UsernamePasswordCredential (ROPC), DeviceCodeCredential (approved by the test through the
control surface), ManagedIdentityCredential (App Service's IDENTITY_ENDPOINT protocol); the
msgraph-sdk reads sign-ins with the tokens, and the sign-ins the flows made are found in
the log; InteractiveBrowserCredential completed in a real headless Chromium (Debian's chromium
and chromium-driver, driven by selenium). The default preset is used: it has a holder of each
log-reading role."""

import asyncio
import os
import shutil
import threading
import webbrowser

import msal.authority
import pytest
import requests
from azure.identity import (DeviceCodeCredential, InteractiveBrowserCredential, ManagedIdentityCredential,
                            UsernamePasswordCredential)
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
    with conftest.trusting(srv, tmp_path_factory.mktemp("users-ca")):
        yield srv
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


def sign_in_with_chromium(url, password, done):
    """Completes entrasim's sign-in page at `url` in headless Chromium, as a person would:
    the login is prefilled from login_hint, the password is typed, Sign in is clicked, and the
    page's form_post carries the code to the credential's localhost listener."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    # The flags this machine's Chromium needs (no network, no sandbox as root), and
    # --ignore-certificate-errors: Chromium takes no CA file without an NSS database; the
    # SDK's own token redemption still verifies entrasim's certificate against its CA.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--ignore-certificate-errors"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(url)
        done["prefilled"] = driver.find_element(By.ID, "login").get_attribute("value")
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 60).until(lambda d: d.current_url.startswith("http://localhost"))
    except Exception as error:  # reported by the test thread, which owns the assertion
        done["error"] = repr(error)
    finally:
        driver.quit()


def test_an_interactive_browser_credential_completed_in_headless_chromium_reads_risky_users(users_server, listing,
                                                                                           monkeypatch):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        missing = "Debian's chromium and chromium-driver are missing (tests/clients/run.sh installs them)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    reader = named_user(listing, "Security Reader")
    done, drivers = {}, []

    def open_in_chromium(url, *args, **kwargs):
        drivers.append(threading.Thread(target=sign_in_with_chromium, args=(url, reader["password"], done)))
        drivers[-1].start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_in_chromium)
    credential = InteractiveBrowserCredential(client_id=CLI, tenant_id=listing["tenantId"], authority=users_server.https,
                                              disable_instance_discovery=True,
                                              login_hint=reader["userPrincipalName"], timeout=120)
    client = graph(users_server, credential)
    risky = asyncio.run(client.identity_protection.risky_users.get())
    for thread in drivers:
        thread.join(timeout=60)
    assert "error" not in done, done
    assert done["prefilled"] == reader["userPrincipalName"]
    assert risky.value, "the Security Reader reads the tenant's risky users"
    everyone = requests.get(users_server.http + "/v1.0/identityProtection/riskyUsers", timeout=60).json()["value"]
    assert {u.id for u in risky.value} <= {u["id"] for u in everyone}


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

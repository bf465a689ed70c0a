"""`--proxy-port`: clients whose hosts are hard-coded reach entrasim through `HTTPS_PROXY`.

Python `requests`, `curl` and CLI for Microsoft 365 (`m365`, pinned in package.json) talk to
https://graph.microsoft.com and https://login.microsoftonline.com through the CONNECT proxy,
trusting the local CA only; what they read is compared with the tenant (`entrasim tenant
--json`) and with the same reads on the plain listener."""

import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import requests

from conftest import BINARY, TENANT_FLAGS

GRAPH = "https://graph.microsoft.com"
LOGIN = "https://login.microsoftonline.com"
M365 = pathlib.Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "m365"


class Proxied:
    """entrasim with `--proxy-port 0`: its plain listener, its proxy and its CA."""

    def __init__(self):
        self.data_dir = tempfile.mkdtemp(prefix="entrasim-proxy-")
        args = [str(BINARY), "--host", "127.0.0.1", "--port", "0", "--proxy-port", "0",
                "--throttle", "off", "--data-dir", self.data_dir, *TENANT_FLAGS]
        self.log = open(pathlib.Path(self.data_dir) / "stderr.log", "w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.http, self.proxy = self._listeners()
        self.ca = str(pathlib.Path(self.data_dir) / "ca.pem")

    def _listeners(self):
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in self.proc.stdout], daemon=True).start()
        http = proxy = None
        deadline = time.time() + 60
        while proxy is None and time.time() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("entrasim listening on http://"):
                http = line.split(" on ", 1)[1].strip()
            elif line.startswith("entrasim proxy listening on http://"):
                proxy = line.split(" on ", 1)[1].strip()
        if not (http and proxy):
            self.proc.kill()
            self.log.seek(0)
            raise RuntimeError(f"entrasim did not start with a proxy: {self.log.read()}")
        return http, proxy

    def session(self):
        """A requests session reaching every https URL through the proxy, trusting the CA only."""
        s = requests.Session()
        s.trust_env = False
        s.proxies = {"https": self.proxy}
        s.verify = self.ca
        return s

    def direct(self, path):
        return requests.get(self.http + path, timeout=60).json()

    def walk(self, path):
        """Every record of a collection, read on the plain listener."""
        records, body = [], self.direct(path)
        while True:
            records += body["value"]
            if "@odata.nextLink" not in body:
                return records
            body = requests.get(body["@odata.nextLink"], timeout=60).json()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def proxied():
    srv = Proxied()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def directory():
    """The tenant as `entrasim tenant --json` prints it."""
    out = subprocess.run([str(BINARY), "tenant", "--json", *TENANT_FLAGS], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def reader(proxied):
    """The tenant id and the first test client's credentials."""
    tenant = proxied.direct("/_entrasim/tenant")
    client = tenant["clients"][0]
    return tenant["tenantId"], client["clientId"], client["clientSecret"]


def test_requests_reads_sign_ins_through_the_proxy_and_next_links_keep_graphs_host(proxied, reader):
    tenant, client_id, secret = reader
    s = proxied.session()
    token = s.post(f"{LOGIN}/{tenant}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "scope": f"{GRAPH}/.default"}, timeout=60)
    assert token.status_code == 200, token.text
    s.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    first = s.get(f"{GRAPH}/v1.0/auditLogs/signIns?$top=5", timeout=60).json()
    assert first["value"] == proxied.direct("/v1.0/auditLogs/signIns?$top=5")["value"]
    link = first["@odata.nextLink"]
    assert link.startswith(f"{GRAPH}/v1.0/auditLogs/signIns?"), link
    second = s.get(link, timeout=60)
    assert second.status_code == 200, second.text
    assert {r["id"] for r in second.json()["value"]}.isdisjoint(r["id"] for r in first["value"])


def test_the_python_sdks_read_sign_ins_unmodified_with_https_proxy_set(proxied, reader, monkeypatch, tmp_path):
    """msgraph-sdk and azure-identity as in production (no authority or base URL), the proxy
    and the CA bundle given by the environment only."""
    import asyncio

    import certifi
    from azure.identity import ClientSecretCredential
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph import GraphServiceClient
    from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder

    bundle = tmp_path / "bundle.pem"
    bundle.write_text(pathlib.Path(certifi.where()).read_text() + "\n" + pathlib.Path(proxied.ca).read_text())
    for name, value in {"HTTPS_PROXY": proxied.proxy, "SSL_CERT_FILE": str(bundle),
                        "REQUESTS_CA_BUNDLE": str(bundle), "NO_PROXY": ""}.items():
        monkeypatch.setenv(name, value)
    tenant, client_id, secret = reader
    cred = ClientSecretCredential(tenant, client_id, secret)
    client = GraphServiceClient(credentials=cred, scopes=[f"{GRAPH}/.default"])

    # $top=20: kiota's Python parser needs ~40 s for a full page of 1,000 sign-ins.
    query = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(top=20)
    page = asyncio.run(client.audit_logs.sign_ins.get(RequestConfiguration(query_parameters=query)))
    served = proxied.direct("/v1.0/auditLogs/signIns?$top=20")
    assert [r.id for r in page.value] == [r["id"] for r in served["value"]]
    assert page.odata_next_link.startswith(f"{GRAPH}/v1.0/auditLogs/signIns?")


def test_requests_without_the_local_ca_refuses_the_tunnel(proxied):
    s = proxied.session()
    s.verify = True  # the system roots: entrasim's certificate is not among them
    with pytest.raises(requests.exceptions.SSLError):
        s.get(f"{GRAPH}/v1.0/users", timeout=60)


def curl(proxied, *args):
    return subprocess.run(["curl", "-sS", "--max-time", "60", "--proxy", proxied.proxy, "--cacert", proxied.ca, *args],
                          capture_output=True, text=True, env={"PATH": os.environ["PATH"]})


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reads_users_through_the_proxy_as_the_plain_listener_serves_them(proxied):
    out = curl(proxied, f"{GRAPH}/v1.0/users?$top=3")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["value"] == proxied.direct("/v1.0/users?$top=3")["value"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_meets_a_403_naming_a_host_the_proxy_does_not_serve(proxied):
    out = curl(proxied, "-v", "https://example.com/")
    assert out.returncode != 0
    assert "HTTP/1.1 403 Forbidden" in out.stderr, out.stderr


# ---------------------------------------------------------------- CLI for Microsoft 365


@pytest.fixture(scope="module")
def m365(proxied, reader):
    """`m365 ...` through HTTPS_PROXY with NODE_EXTRA_CA_CERTS, logged in with a secret; its
    configuration and cache live in a temporary HOME that is removed afterwards."""
    if not M365.exists():
        pytest.skip(f"{M365} is missing: run `npm ci` in tests/clients")
    home = tempfile.mkdtemp(prefix="entrasim-m365-")
    # TMPDIR too: m365 keeps a token cache in the temporary directory (cli-m365-cache).
    env = {"PATH": os.environ["PATH"], "HOME": home, "TMPDIR": home, "HTTPS_PROXY": proxied.proxy,
           "NODE_EXTRA_CA_CERTS": proxied.ca, "CLIMICROSOFT365_NOUPDATE": "1"}

    def run(*args):
        out = subprocess.run([str(M365), *args, "--output", "json"], capture_output=True, text=True,
                             env=env, timeout=600)
        assert out.returncode == 0, f"m365 {' '.join(args)}: {out.stderr}{out.stdout}"
        return json.loads(out.stdout)

    tenant, client_id, secret = reader
    login = run("login", "--authType", "secret", "--appId", client_id, "--secret", secret, "--tenant", tenant)
    assert login["appTenant"] == tenant and login["appId"] == client_id
    yield run
    shutil.rmtree(home, ignore_errors=True)


def test_m365_entra_user_list_lists_every_user_of_the_tenant(m365, directory):
    users = m365("entra", "user", "list")
    assert sorted(u["id"] for u in users) == sorted(u["id"] for u in directory["users"])
    upn = {u["id"]: u["userPrincipalName"] for u in directory["users"]}
    assert all(upn[u["id"]] == u["userPrincipalName"] for u in users)


def test_m365_entra_user_signin_list_walks_the_whole_sign_in_log(m365, proxied):
    signins = m365("entra", "user", "signin", "list")
    assert [s["id"] for s in signins] == [s["id"] for s in proxied.walk("/v1.0/auditLogs/signIns")]


def test_m365_request_reads_directory_audits_from_graphs_host(m365, proxied):
    page = m365("request", "--url", "@graph/auditLogs/directoryAudits?$top=5")
    assert page["value"] == proxied.direct("/v1.0/auditLogs/directoryAudits?$top=5")["value"]
    assert page["@odata.nextLink"].startswith(f"{GRAPH}/v1.0/auditLogs/directoryAudits?")


def test_m365_entra_group_member_list_names_each_owner_and_member_of_the_group(m365, directory):
    group = max(directory["groups"], key=lambda g: (len(g["owners"]) > 0, len(g["members"])))
    listed = {u["id"]: sorted(u["roles"]) for u in m365("entra", "group", "member", "list", "--groupId", group["id"])}
    expected = {}
    for role, key in (("Owner", "owners"), ("Member", "members")):
        for o in group[key]:
            # owners are listed by id, members as {"@odata.type", "id"}
            expected.setdefault(o if isinstance(o, str) else o["id"], []).append(role)
    assert listed == {k: sorted(v) for k, v in expected.items()}


# ---------------------------------------------------------------- the hosts-file way

HOSTS_FILE_CLIENT = r'''
import json, pathlib, subprocess, sys, time
import requests
binary, hosts, data, flags = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), json.loads(sys.argv[4])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
names = "graph.microsoft.com,login.microsoftonline.com,management.azure.com"
out = open(data / "out", "w+")
server = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--https-port", "443", "--tls-san", names,
                           "--throttle", "off", "--data-dir", str(data), *flags], stdout=out, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 60
    while "https://" not in (data / "out").read_text() and time.time() < deadline:
        time.sleep(0.1)
    s = requests.Session()
    s.trust_env = False
    s.verify = str(data / "ca.pem")
    tenant = s.get("https://graph.microsoft.com/_entrasim/tenant", timeout=30).json()
    client = tenant["clients"][0]
    token = s.post(f"https://login.microsoftonline.com/{tenant['tenantId']}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": client["clientId"], "client_secret": client["clientSecret"],
        "scope": "https://graph.microsoft.com/.default"}, timeout=30).json()["access_token"]
    page = s.get("https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=3", timeout=30,
                 headers={"Authorization": f"Bearer {token}"}).json()
    print(json.dumps(page))
finally:
    server.terminate()
    server.wait(10)
'''


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("unshare") is None
                    or shutil.which("ip") is None,
                    reason="needs root, unshare and ip for a private mount and network namespace")
def test_the_hosts_file_way_serves_graphs_real_names_on_443_inside_a_private_namespace(tmp_path, generated):
    """`--https-port 443 --tls-san graph.microsoft.com,...` with those names in a hosts file
    bind-mounted over /etc/hosts in a mount and network namespace of this test's own: the
    machine's /etc/hosts and port 443 are untouched."""
    hosts = tmp_path / "hosts"
    hosts.write_text(pathlib.Path("/etc/hosts").read_text()
                     + "\n127.0.0.1 graph.microsoft.com login.microsoftonline.com management.azure.com\n")
    data = tmp_path / "data"
    data.mkdir()
    out = subprocess.run(["unshare", "--mount", "--net", sys.executable, "-c", HOSTS_FILE_CLIENT,
                          str(BINARY), str(hosts), str(data), json.dumps(TENANT_FLAGS)],
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    page = json.loads(out.stdout)
    assert [r["id"] for r in page["value"]] == [r["id"] for r in generated["v1.0"]["signIns"][:3]]
    assert page["@odata.nextLink"].startswith(f"{GRAPH}/v1.0/auditLogs/signIns?")

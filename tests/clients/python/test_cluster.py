"""Three entrasim replicas sharing their state in a real redis-server (`--state redis://...`), behind
nginx round-robin, all on loopback (issue 22): an SDK walk through the balancer equals a single process's;
an injection, a clock move, throttling windows and a reset made through one replica hold on all of them;
Redis stopped mid-run answers 503 with Retry-After and the replicas recover when it returns.

redis-server and nginx are Debian packages (tests/clients/run.sh installs them). Free ports are picked
here; everything started is stopped and its files removed at the end of the module."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from msgraph import GraphRequestAdapter

from conftest import Server
from walks import query_url, raw_walk

SINCE = "2026-05-25T00:00:00Z"
FILTER = f"createdDateTime ge {SINCE}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds=20, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def need(program):
    path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")
    if not path:
        pytest.fail(f"{program} is missing: tests/clients/run.sh installs it (apt-get install redis-server nginx)")
    return path


class Redis:
    """A redis-server on a free port, persisting to an append-only file so a restart keeps its data."""

    def __init__(self, folder):
        self.binary, self.folder, self.port = need("redis-server"), folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self):
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.folder, "--save", "",
                "--appendonly", "yes", "--appendfsync", "always", "--logfile", os.path.join(self.folder, "redis.log")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, what="redis-server")

    def answers(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


class Nginx:
    """nginx round-robin over the replicas, on a free port, with its files in `folder`."""

    def __init__(self, folder, upstreams):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server {u.removeprefix('http://')};" for u in upstreams)
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = os.path.join(folder, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
  access_log {folder}/nginx-access.log;
  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  upstream replicas {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_next_upstream off;
    }}
  }}
}}
""")
        self.proc = subprocess.Popen([need("nginx"), "-p", folder, "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(folder, "nginx.stderr"), "w"))
        wait_until(lambda: requests.get(self.url + "/_entrasim/health", timeout=2).status_code == 200, what="nginx")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def cluster():
    folder = tempfile.mkdtemp(prefix="entrasim-cluster-")
    os.chmod(folder, 0o755)
    started = []
    try:
        redis = Redis(folder)
        started.append(redis)
        replicas = [Server("--state", redis.url, https=False) for _ in range(3)]
        started.extend(replicas)
        balancer = Nginx(folder, [r.http for r in replicas])
        started.append(balancer)
        yield {"redis": redis, "replicas": replicas, "balancer": balancer}
        for replica in replicas:
            replica.log.seek(0)
            assert "panicked" not in replica.log.read(), "a replica panicked"
    finally:
        for thing in reversed(started):
            thing.stop()
        shutil.rmtree(folder, ignore_errors=True)


def urls(cluster):
    return [r.http for r in cluster["replicas"]]


def put_throttling(base, settings):
    response = requests.put(base + "/_entrasim/throttling", json=settings, timeout=30)
    assert response.status_code == 200, response.text


def test_an_sdk_walk_through_the_balancer_equals_a_single_process_walk(cluster):
    put_throttling(urls(cluster)[0], {"enabled": False})
    single = Server("--throttle", "off", https=False)
    try:
        async def walk(base):
            adapter = GraphRequestAdapter(AnonymousAuthenticationProvider())
            adapter.base_url = base + "/v1.0"
            return await raw_walk(adapter, query_url(base, "/v1.0/auditLogs/signIns", filter=FILTER, top=200))

        spread, spread_pages = asyncio.run(walk(cluster["balancer"].url))
        alone, pages = asyncio.run(walk(single.http))
    finally:
        single.stop()
    assert pages > 3, "the walk must cross several replicas"
    assert (spread_pages, len(spread)) == (pages, len(alone))
    assert spread == alone


def test_an_injection_through_replica_one_is_visible_through_two_and_three_after_its_latency(cluster):
    first, *others = urls(cluster)
    body = {"errorCode": 50126, "ipAddress": "203.0.113.9", "visibleAfter": "PT2M"}
    injected = requests.post(first + "/_entrasim/signIns", json=body, timeout=30)
    assert injected.status_code in (200, 201), injected.text
    record = injected.json()
    path = f"/v1.0/auditLogs/signIns/{record['id']}"
    for base in others:
        assert requests.get(base + path, timeout=30).status_code == 404, "visible before its latency"
    moved = requests.post(others[0] + "/_entrasim/clock", json={"advance": "PT2M"}, timeout=30)
    assert moved.status_code == 200, moved.text
    for base in others:
        seen = requests.get(base + path, timeout=30)
        assert seen.status_code == 200, seen.text
        assert seen.json() == requests.get(first + path, timeout=30).json()


def test_a_clock_advance_through_replica_two_is_seen_by_all_before_it_answers(cluster):
    moved = requests.post(urls(cluster)[1] + "/_entrasim/clock", json={"advance": "PT1H"}, timeout=30)
    assert moved.status_code == 200, moved.text
    for base in urls(cluster):
        assert requests.get(base + "/_entrasim/clock", timeout=30).json() == moved.json()


def test_six_quick_requests_of_one_app_over_three_replicas_get_a_429_on_the_sixth(cluster):
    def seen():
        clients = requests.get(urls(cluster)[0] + "/_entrasim/clients", timeout=30).json()["value"]
        return [(c["requests"], c["throttled"]) for c in clients]

    put_throttling(urls(cluster)[2], {"enabled": True})
    [(requests_before, throttled_before)] = seen()
    statuses = []
    for n in range(6):
        base = urls(cluster)[n % 3]
        response = requests.get(base + "/v1.0/auditLogs/signIns?$top=1", timeout=30)
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429], statuses
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "TooManyRequests"
    assert seen() == [(requests_before + 6, throttled_before + 1)], "every replica's requests are counted"
    put_throttling(urls(cluster)[2], {"enabled": False})


def test_a_reset_through_replica_three_makes_an_old_skip_token_answer_400_on_replica_one(cluster):
    first, _, third = urls(cluster)
    page = requests.get(first + "/v1.0/auditLogs/signIns?$top=5", timeout=30).json()
    next_link = page["@odata.nextLink"]
    assert requests.get(next_link, timeout=30).status_code == 200
    assert requests.post(third + "/_entrasim/reset", json={}, timeout=60).status_code == 200
    stale = requests.get(next_link, timeout=30)
    assert stale.status_code == 400, stale.text
    assert stale.json()["error"]["code"] == "BadRequest"


def test_redis_stopped_mid_run_answers_503_with_retry_after_and_the_replicas_recover(cluster):
    redis, (first, second, third) = cluster["redis"], urls(cluster)
    before = requests.get(first + "/_entrasim/clock", timeout=30).json()
    redis.stop()
    refused = requests.get(first + "/v1.0/auditLogs/signIns?$top=1", timeout=30)
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "serviceNotAvailable"
    change = requests.post(second + "/_entrasim/clock", json={"advance": "PT1M"}, timeout=30)
    assert change.status_code == 503, change.text
    health = requests.get(third + "/_entrasim/health", timeout=30)
    assert health.status_code == 503 and "unreachable" in health.json()["reason"]
    assert requests.get(third + "/_entrasim/health?probe=liveness", timeout=30).status_code == 200
    redis.start()
    for base in (first, second, third):
        wait_until(lambda: requests.get(base + "/_entrasim/health", timeout=5).status_code == 200,
                   what="readiness after Redis returned")
        assert requests.get(base + "/v1.0/auditLogs/signIns?$top=1", timeout=30).status_code == 200
        assert requests.get(base + "/_entrasim/clock", timeout=30).json() == before, "a refused change moved the clock"
    through = requests.get(cluster["balancer"].url + "/v1.0/auditLogs/signIns?$top=1", timeout=30)
    assert through.status_code == 200

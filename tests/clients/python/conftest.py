"""Fixtures: the release binary on port 0 (and an HTTPS port), its tenant, and the
`entrasim generate` output the served records must equal."""

import atexit
import contextlib
import json
import os
import pathlib
import queue
import shutil
import subprocess
import tempfile
import threading
import time

import certifi
import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[3]
BUILT = ROOT / "target" / "release" / "entrasim"


def _snapshot():
    """A private copy of the binary, so a rebuild during the run cannot mix two versions
    (the server and `entrasim generate` must be the same build). run.sh passes its own."""
    if os.environ.get("ENTRASIM_BIN"):
        return pathlib.Path(os.environ["ENTRASIM_BIN"])
    if not BUILT.exists():
        return BUILT
    folder = tempfile.mkdtemp(prefix="entrasim-bin-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = pathlib.Path(folder) / "entrasim"
    shutil.copy2(BUILT, copy)
    return copy


BINARY = _snapshot()
CLOCK = "fixed:2026-06-01T12:00:00Z"
TENANT_FLAGS = ["--clock", CLOCK, "--preset", "small", "--seed", "42"]
SPEC = ROOT / "openapi.yaml"


class Server:
    """A running entrasim process and its listeners."""

    def __init__(self, *extra, https=True):
        if not BINARY.exists():
            pytest.fail(f"{BINARY} is missing: run `cargo build --release` (tests/clients/run.sh does)")
        self.data_dir = tempfile.mkdtemp(prefix="entrasim-clients-")
        args = [str(BINARY), "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir, *TENANT_FLAGS, *extra]
        if https:
            args[5:5] = ["--https-port", "0"]
        self.log = open(pathlib.Path(self.data_dir) / "stderr.log", "w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.http, self.https = self._listeners(https)
        self.ca = self._ca() if self.https else None

    def _listeners(self, https):
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in self.proc.stdout], daemon=True).start()
        http = secure = None
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                line = lines.get(timeout=0.5 if http else deadline - time.time())
            except queue.Empty:
                if http:  # the https line, when there is one, follows at once
                    break
                continue
            if line.startswith("entrasim listening on http://"):
                http = line.split(" on ", 1)[1].strip()
                if not https:
                    break
            elif line.startswith("entrasim listening on https://"):
                secure = line.split(" on ", 1)[1].strip()
                break
        if not http:
            self.proc.kill()
            self.log.seek(0)
            raise RuntimeError(f"entrasim did not start: {self.log.read()}")
        return http, secure

    def _ca(self):
        out = subprocess.run([str(BINARY), "ca", "--data-dir", self.data_dir], capture_output=True, text=True, check=True).stdout
        return out.splitlines()[0].strip()

    def get(self, path, **kw):
        return requests.get(self.http + path, timeout=60, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    """Throttling off: the SDK walks below page quickly. (Throttled walks use `throttled_server`.)"""
    srv = Server("--throttle", "off")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def throttled_server():
    """Graph's limits (`--throttle graph`, the default): 5 requests per 10 s per app."""
    srv = Server(https=False)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tenant(server):
    return server.get("/_entrasim/tenant").json()


def client_named(tenant, name):
    return next(c for c in tenant["clients"] if c["name"] == name)


def load_ndjson(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """`entrasim generate` for v1.0 and beta: {version: {collection: [records]}}."""
    out = {}
    for version in ("v1.0", "beta"):
        target = tmp_path_factory.mktemp(f"generate-{version}")
        subprocess.run([str(BINARY), "generate", "--out", str(target), "--api-version", version, *TENANT_FLAGS],
                       check=True, capture_output=True)
        out[version] = {p.stem: load_ndjson(p) for p in target.glob("*.ndjson")}
    return out


@contextlib.contextmanager
def trusting(server, directory):
    """certifi's roots plus the server's CA in DIRECTORY/bundle.pem, exported as SSL_CERT_FILE and
    REQUESTS_CA_BUNDLE while the block runs, the previous values restored after."""
    bundle = pathlib.Path(directory) / "bundle.pem"
    bundle.write_text(pathlib.Path(certifi.where()).read_text() + "\n" + pathlib.Path(server.ca).read_text())
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
    try:
        yield str(bundle)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def ca_bundle(server, tmp_path_factory):
    """certifi's roots plus the entrasim CA, exported as SSL_CERT_FILE / REQUESTS_CA_BUNDLE."""
    if not server.https:
        pytest.skip("identity surface absent: entrasim printed no `listening on https://` line")
    with trusting(server, tmp_path_factory.mktemp("ca")) as bundle:
        yield bundle

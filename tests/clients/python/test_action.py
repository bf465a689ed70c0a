"""The GitHub Action's start script (action/start.sh) run as a plain script, as the Action runs it: with
GITHUB_ENV pointing at a temporary file, the exported variables alone let a fresh Python process (the next
workflow step) read sign-ins through azure-identity and msgraph-sdk over HTTPS, and Node trust the CA;
action/stop.sh stops the server and leaves its log."""

import os
import pathlib
import subprocess
import sys

import pytest

from conftest import BINARY, CLOCK

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
EXPORTED = ["ENTRASIM_URL", "ENTRASIM_HTTPS_URL", "ENTRASIM_TENANT_ID", "ENTRASIM_CLIENT_ID", "ENTRASIM_CLIENT_SECRET",
            "ENTRASIM_CA_FILE", "ENTRASIM_LOG", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"]


def read_github_env(path):
    """KEY=VALUE lines, as the runner reads $GITHUB_ENV (start.sh writes no multi-line values)."""
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


@pytest.fixture(scope="module")
def action(tmp_path_factory):
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    github_env = runner_temp / "github_env"
    github_output = runner_temp / "github_output"
    github_env.touch()
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "GITHUB_ENV": str(github_env),
           "GITHUB_OUTPUT": str(github_output), "RUNNER_TEMP": str(runner_temp), "ENTRASIM_BIN": str(BINARY),
           "INPUT_SEED": "42", "INPUT_CLOCK": CLOCK, "INPUT_PRESET": "small", "INPUT_PORT": "0", "INPUT_HTTPS_PORT": "0",
           "INPUT_ARGS": "--throttle off --latency graph"}
    started = subprocess.run(["bash", str(ROOT / "action" / "start.sh")], env=env, capture_output=True, text=True,
                             timeout=180)
    stop = lambda: subprocess.run(["bash", str(ROOT / "action" / "stop.sh")], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        stop()
        pytest.fail(f"start.sh failed:\n{started.stdout}\n{started.stderr}")
    yield {"env": env, "exported": read_github_env(github_env), "outputs": read_github_env(github_output),
           "stdout": started.stdout, "stop": stop}
    stop()


def step_env(action):
    """A later step's environment: the runner's own plus what start.sh appended to GITHUB_ENV."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **action["exported"]}


def test_start_exports_every_variable_and_the_outputs_repeat_them(action):
    exported = action["exported"]
    assert sorted(exported) == sorted(EXPORTED)
    assert exported["ENTRASIM_URL"].startswith("http://127.0.0.1:")
    assert exported["ENTRASIM_HTTPS_URL"].startswith("https://127.0.0.1:")
    assert exported["SSL_CERT_FILE"] == exported["REQUESTS_CA_BUNDLE"]
    assert exported["NODE_EXTRA_CA_CERTS"] == exported["ENTRASIM_CA_FILE"]
    ca = pathlib.Path(exported["ENTRASIM_CA_FILE"]).read_text()
    assert ca.startswith("-----BEGIN CERTIFICATE-----")
    assert pathlib.Path(exported["SSL_CERT_FILE"]).read_text().endswith(ca)
    assert action["outputs"] == {"url": exported["ENTRASIM_URL"], "https-url": exported["ENTRASIM_HTTPS_URL"],
                                 "tenant-id": exported["ENTRASIM_TENANT_ID"],
                                 "client-id": exported["ENTRASIM_CLIENT_ID"],
                                 "client-secret": exported["ENTRASIM_CLIENT_SECRET"]}
    assert f"::add-mask::{exported['ENTRASIM_CLIENT_SECRET']}" in action["stdout"]


def test_a_later_step_reads_sign_ins_with_the_sdk_from_the_exported_variables_alone(action, generated):
    step = subprocess.run([sys.executable, str(HERE / "action_step.py")], env=step_env(action), capture_output=True,
                          text=True, timeout=120)
    assert step.returncode == 0, step.stderr
    assert step.stdout.split() == [r["id"] for r in generated["v1.0"]["signIns"][:5]]


def test_node_trusts_the_exported_ca(action):
    script = ("const r = await fetch(`${process.env.ENTRASIM_HTTPS_URL}/${process.env.ENTRASIM_TENANT_ID}"
              "/v2.0/.well-known/openid-configuration`); console.log(r.status, (await r.json()).issuer);")
    node = subprocess.run(["node", "--input-type=module", "-e", script], env=step_env(action), capture_output=True,
                          text=True, timeout=60)
    assert node.returncode == 0, node.stderr
    status, issuer = node.stdout.split()
    assert status == "200"
    assert action["exported"]["ENTRASIM_TENANT_ID"] in issuer


def test_stop_ends_the_server_and_leaves_its_log_with_the_readiness_lines(action):
    pid = int(pathlib.Path(action["env"]["RUNNER_TEMP"], "entrasim", "stop.env").read_text().split("=")[1])
    action["stop"]()
    assert not pathlib.Path(f"/proc/{pid}").exists() or "zombie" in pathlib.Path(f"/proc/{pid}/status").read_text()
    log = pathlib.Path(action["exported"]["ENTRASIM_LOG"]).read_text()
    assert f"entrasim listening on {action['exported']['ENTRASIM_URL']}" in log
    assert f"entrasim listening on {action['exported']['ENTRASIM_HTTPS_URL']}" in log


def test_action_yml_parses_declares_the_issue_inputs_and_runs_the_tested_scripts():
    import re

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = set(action["inputs"])
    assert {"version", "image", "seed", "clock", "preset", "https-port", "args"} <= inputs
    steps = action["runs"]["steps"]
    start = next(s for s in steps if s.get("id") == "start")
    assert start["run"] == 'bash "$GITHUB_ACTION_PATH/action/start.sh"'
    used = {m for v in start["env"].values() for m in re.findall(r"inputs\.([\w-]+)", v)}
    assert used <= inputs
    assert any(s.get("if") == "failure()" and "stop.sh" in s.get("run", "") for s in steps)
    assert any(s.get("if") == "failure()" and s.get("uses", "").startswith("actions/upload-artifact@") for s in steps)
    stop = yaml.safe_load((ROOT / "action" / "stop" / "action.yml").read_text())
    assert stop["runs"]["steps"][0]["run"] == 'bash "$GITHUB_ACTION_PATH/../stop.sh"'

"""entrasim in a Python test with Testcontainers (`pip install testcontainers requests`).
Needs Docker and the image (`docker build -t entrasim .` at the repository root, or ENTRASIM_IMAGE)."""

import os

import requests
from testcontainers.core.container import DockerContainer
from testcontainers.core.waiting_utils import wait_for_logs


def test_sign_ins_are_served():
    image = os.environ.get("ENTRASIM_IMAGE", "entrasim")
    with DockerContainer(image).with_exposed_ports(8400, 8443).with_command(
        "--seed 42 --preset small --clock fixed:2026-06-01T12:00:00Z"
    ) as entrasim:
        wait_for_logs(entrasim, "entrasim listening on https://", timeout=120)  # the readiness line
        url = f"http://{entrasim.get_container_host_ip()}:{entrasim.get_exposed_port(8400)}"
        tenant = requests.get(f"{url}/_entrasim/tenant", timeout=10).json()
        ca_pem = requests.get(f"{url}/_entrasim/ca.pem", timeout=10).text  # trust it for the HTTPS port
        page = requests.get(f"{url}/v1.0/auditLogs/signIns?$top=5", timeout=10).json()
        assert tenant["tenantId"] and ca_pem.startswith("-----BEGIN CERTIFICATE-----")
        assert len(page["value"]) == 5

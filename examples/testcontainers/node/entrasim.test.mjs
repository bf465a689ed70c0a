// entrasim in a Node test with Testcontainers (`npm install testcontainers`; run with `node --test`).
// Needs Docker and the image (`docker build -t entrasim .` at the repository root, or ENTRASIM_IMAGE).
import { test } from "node:test";
import assert from "node:assert/strict";
import { GenericContainer, Wait } from "testcontainers";

test("sign-ins are served", async () => {
  const entrasim = await new GenericContainer(process.env.ENTRASIM_IMAGE ?? "entrasim")
    .withExposedPorts(8400, 8443)
    .withCommand(["--seed", "42", "--preset", "small", "--clock", "fixed:2026-06-01T12:00:00Z"])
    .withWaitStrategy(Wait.forLogMessage("entrasim listening on https://")) // the readiness line
    .start();
  try {
    const url = `http://${entrasim.getHost()}:${entrasim.getMappedPort(8400)}`;
    const caPem = await (await fetch(`${url}/_entrasim/ca.pem`)).text(); // trust it for the HTTPS port
    const page = await (await fetch(`${url}/v1.0/auditLogs/signIns?$top=5`)).json();
    assert.match(caPem, /^-----BEGIN CERTIFICATE-----/);
    assert.equal(page.value.length, 5);
  } finally {
    await entrasim.stop();
  }
});

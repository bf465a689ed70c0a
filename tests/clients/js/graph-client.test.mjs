// @microsoft/microsoft-graph-client 3.0.7 + @azure/identity 4.13.1 against entrasim over
// HTTPS: tokens from entrasim's token endpoint, walks with PageIterator compared with
// `entrasim generate` output filtered the same way.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { generated, graphClient, startServer, tenant, walk } from "./helpers.mjs";

const SINCE = "2026-05-25T00:00:00Z";
const KINDS = ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"];

describe("microsoft-graph-client over https with ClientSecretCredential", () => {
  let server, info, v1, beta, expectedV1, expectedBeta;

  before(async () => {
    server = await startServer("--throttle", "off");
    info = await tenant(server);
    v1 = graphClient(server, info, "entrasim-audit-reader", "v1.0");
    beta = graphClient(server, info, "entrasim-audit-reader", "beta");
    expectedV1 = generated("v1.0");
    expectedBeta = generated("beta");
  });
  after(() => server?.stop());

  test("v1.0 sign-ins since a date walk to exactly the generated records", async () => {
    const first = await v1.api("/auditLogs/signIns").filter(`createdDateTime ge ${SINCE}`).top(100).get();
    assert.ok(first["@odata.nextLink"].startsWith(server.https), "nextLink on the https listener");
    const items = await walk(v1, first);
    const expected = expectedV1.signIns.filter((r) => r.createdDateTime >= SINCE);
    assert.ok(expected.length > 200);
    assert.deepEqual(items, expected);
  });

  for (const kind of KINDS) {
    test(`beta ${kind} sign-ins walk to exactly the generated records`, async () => {
      const first = await beta
        .api("/auditLogs/signIns")
        .filter(`signInEventTypes/any(t: t eq '${kind}') and createdDateTime ge ${SINCE}`)
        .top(1000)
        .get();
      const items = await walk(beta, first);
      const expected = expectedBeta.signIns.filter((r) => r.signInEventTypes.includes(kind) && r.createdDateTime >= SINCE);
      assert.ok(expected.length > 0);
      assert.deepEqual(items, expected);
    });
  }

  test("directory audits about one user walk to exactly the generated records", async () => {
    const counts = new Map();
    for (const r of expectedV1.directoryAudits) for (const t of r.targetResources) if (t.type === "User") counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
    const target = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const first = await v1.api("/auditLogs/directoryAudits").filter(`targetResources/any(t: t/id eq '${target}')`).top(10).get();
    const items = await walk(v1, first);
    const expected = expectedV1.directoryAudits.filter((r) => r.targetResources.some((t) => t.id === target));
    assert.ok(expected.length > 10);
    assert.deepEqual(items, expected);
  });

  test("beta provisioning walks to exactly the generated records", async () => {
    const first = await beta.api("/auditLogs/provisioning").top(1000).get();
    assert.deepEqual(await walk(beta, first), expectedBeta.provisioning);
  });

  test("an unsupported filter property gives GraphError 400 BadRequest", async () => {
    await assert.rejects(v1.api("/auditLogs/signIns").filter("isRisky eq true").get(), (e) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, "BadRequest");
      assert.equal(e.message, "Invalid filter clause");
      return true;
    });
  });

  test("the no-permissions client gets 403 Authentication_MSGraphPermissionMissing", async () => {
    const client = graphClient(server, info, "entrasim-no-permissions");
    await assert.rejects(client.api("/auditLogs/signIns").top(1).get(), (e) => {
      assert.equal(e.statusCode, 403);
      assert.equal(e.code, "Authentication_MSGraphPermissionMissing");
      return true;
    });
  });
});

describe("microsoft-graph-client under Graph's throttling (5 requests per 10 s per app)", () => {
  let server, info, v1, beta, expectedV1, expectedBeta;

  before(async () => {
    server = await startServer(); // --throttle graph, the default
    info = await tenant(server);
    v1 = graphClient(server, info, "entrasim-audit-reader", "v1.0");
    beta = graphClient(server, info, "entrasim-audit-reader", "beta");
    expectedV1 = generated("v1.0");
    expectedBeta = generated("beta");
  });
  after(() => server?.stop());

  /** The reader app's throttling report: it was throttled, and never retried before Retry-After. */
  async function assertThrottledAndPatient() {
    const report = await (await fetch(`${server.http}/_entrasim/clients`)).json();
    const reader = info.clients.find((c) => c.name === "entrasim-audit-reader");
    const app = report.value.find((a) => a.appId === reader.clientId);
    assert.ok(app.throttled >= 1, `no 429 was served: ${JSON.stringify(app)}`);
    assert.equal(app.earlyRetries, 0, "the RetryHandler honours Retry-After");
  }

  test("a v1.0 walk gets through the RetryHandler with exactly the generated records", async () => {
    const expected = expectedV1.signIns.filter((r) => r.createdDateTime >= SINCE);
    const top = Math.max(1, Math.floor(expected.length / 7)); // seven pages or more
    const first = await v1.api("/auditLogs/signIns").filter(`createdDateTime ge ${SINCE}`).top(top).get();
    assert.deepEqual(await walk(v1, first), expected);
    await assertThrottledAndPatient();
  });

  test("a beta non-interactive walk gets through the RetryHandler with exactly the generated records", async () => {
    const kind = "nonInteractiveUser";
    const expected = expectedBeta.signIns.filter((r) => r.signInEventTypes.includes(kind) && r.createdDateTime >= SINCE);
    const top = Math.max(1, Math.floor(expected.length / 7));
    const first = await beta
      .api("/auditLogs/signIns")
      .filter(`signInEventTypes/any(t: t eq '${kind}') and createdDateTime ge ${SINCE}`)
      .top(top)
      .get();
    assert.deepEqual(await walk(beta, first), expected);
    await assertThrottledAndPatient();
  });
});

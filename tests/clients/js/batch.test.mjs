// @microsoft/microsoft-graph-client 3.0.7's BatchRequestContent / BatchResponseContent against
// entrasim's $batch: one page of each log in one call. The client reads the item header
// `Content-Type` case-sensitively (reference D.5), so a JSON body only parses if entrasim
// spells it as Graph does.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { BatchRequestContent, BatchResponseContent } from "@microsoft/microsoft-graph-client";
import { graphClient, startServer, tenant } from "./helpers.mjs";

describe("microsoft-graph-client BatchRequestContent", () => {
  let server, client;

  before(async () => {
    server = await startServer("--throttle", "off");
    client = graphClient(server, await tenant(server), "entrasim-audit-reader", "v1.0");
  });
  after(() => server?.stop());

  test("one batch gets a page of each log", async () => {
    const logs = ["signIns", "directoryAudits", "provisioning"];
    const steps = logs.map((log, i) => ({
      id: String(i + 1),
      request: new Request(`https://graph.microsoft.com/v1.0/auditLogs/${log}?$top=2`, { method: "GET" }),
    }));
    const content = await new BatchRequestContent(steps).getContent();
    const answer = new BatchResponseContent(await client.api("/$batch").post(content));
    for (const [i, log] of logs.entries()) {
      const response = answer.getResponseById(String(i + 1));
      assert.equal(response.status, 200, log);
      const body = await response.json();
      assert.equal(body.value.length, 2, log);
    }
  });
});

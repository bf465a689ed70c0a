// Issue 12 with the JS Graph client: one ClientSecretCredential and one Client walk every page
// of each log while the simulated clock jumps between pages (PT10M, P2D) and while it runs
// 600 times faster than wall time. Tokens live on the wall clock, so the token fetched for
// the first page serves every later one; the walks equal `entrasim generate` over a window
// well before the clock. Each walk has its own server (`--auth strict`), and the windows are
// sized so a P2D walk ends inside the logs' 30-day retention (a walk whose pending records
// leave retention answers 400 "Invalid skip token.", README: Skip tokens).
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PageIterator } from "@microsoft/microsoft-graph-client";
import { generated, graphClient, startServer, tenant } from "./helpers.mjs";

const LOGS = [
  { path: "/auditLogs/signIns", collection: "signIns", field: "createdDateTime", span: ["2026-05-29T06:00:00Z", "2026-05-29T18:00:00Z"] },
  { path: "/auditLogs/directoryAudits", collection: "directoryAudits", field: "activityDateTime", span: ["2026-05-28T00:00:00Z", "2026-05-29T18:00:00Z"] },
  { path: "/auditLogs/provisioning", collection: "provisioning", field: "activityDateTime", span: ["2026-05-29T06:00:00Z", "2026-05-29T12:00:00Z"] },
];
const TOP = 20;

async function clock(server, change) {
  const response = change
    ? await fetch(`${server.http}/_entrasim/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(change) })
    : await fetch(`${server.http}/_entrasim/clock`);
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

const filter = ({ field, span }) => `${field} ge ${span[0]} and ${field} le ${span[1]}`;
const expected = ({ collection, field, span }) => generated("v1.0")[collection].filter((r) => r[field] >= span[0] && r[field] <= span[1]).map((r) => r.id);

/**
 * Ids of every item of one log through PageIterator, and the page count. The callback pauses
 * the iterator after each full page (PageIterator calls it synchronously), `between()` runs,
 * and `resume()` fetches the next page with the same client and token.
 */
async function walkMoving(client, log, top, between) {
  const first = await client.api(log.path).filter(filter(log)).top(top).get();
  const ids = [];
  const pages = new PageIterator(client, first, (item) => {
    ids.push(item.id);
    return ids.length % top !== 0;
  });
  await pages.iterate();
  while (!pages.isComplete()) {
    await between();
    await pages.resume();
  }
  return { ids, pages: Math.ceil(ids.length / top) };
}

describe("microsoft-graph-client walks while the simulated clock moves (--auth strict)", () => {
  let server, info;

  beforeEach(async () => {
    server = await startServer("--auth", "strict", "--throttle", "off", "--clock-speed", "600");
    info = await tenant(server);
  });
  afterEach(() => server?.stop());

  for (const step of ["PT10M", "P2D"]) {
    test(`one client walks every log while the clock jumps ${step} between pages`, async () => {
      const client = graphClient(server, info, "entrasim-audit-reader");
      const start = Date.parse((await clock(server)).now);
      let moves = 0;
      const advance = async () => {
        await clock(server, { advance: step });
        moves += 1;
      };
      for (const log of LOGS) {
        const { ids, pages } = await walkMoving(client, log, TOP, advance);
        assert.deepEqual(ids, expected(log), log.path);
        assert.ok(pages >= 3, `${log.path}: ${pages} pages`);
      }
      const moved = Date.parse((await clock(server)).now) - start;
      if (step === "P2D") assert.ok(moved >= 14 * 86_400_000, `the clock moved only ${moved} ms`);
      const full = LOGS.reduce((n, log) => n + Math.floor(expected(log).length / TOP), 0);
      assert.ok(moves >= full - LOGS.length && moves <= full, `${moves} moves for ${full} full pages`);
    });
  }

  test("one client keeps reading while the clock runs 600 times faster", async () => {
    const client = graphClient(server, info, "entrasim-audit-reader");
    const started = Date.parse((await clock(server, { frozen: false })).now);
    let result, ended;
    try {
      // 2.5 s of wall time per page is 25 simulated minutes: past a simulated hour by page 4.
      result = await walkMoving(client, LOGS[0], 15, () => new Promise((r) => setTimeout(r, 2500)));
    } finally {
      ended = Date.parse((await clock(server, { frozen: true })).now);
    }
    assert.ok(result.pages >= 4, `${result.pages} pages`);
    assert.ok(ended - started >= 3_600_000, `the clock ran only ${ended - started} ms`);
    assert.deepEqual(result.ids, expected(LOGS[0]));
  });
});

// Starts the release binary on port 0 with an HTTPS listener, and loads
// `entrasim generate` output for comparison. NODE_EXTRA_CA_CERTS must name the CA
// in ENTRASIM_DATA_DIR before node starts (tests/clients/run.sh arranges both).
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client, PageIterator } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { ClientSecretCredential } from "@azure/identity";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// A private copy unless run.sh passes one: a rebuild mid-run must not mix two builds.
export const BINARY = process.env.ENTRASIM_BIN ?? snapshot(path.join(ROOT, "target/release/entrasim"));

function snapshot(built) {
  const folder = mkdtempSync(path.join(tmpdir(), "entrasim-bin-"));
  process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
  const copy = path.join(folder, "entrasim");
  copyFileSync(built, copy);
  return copy;
}
export const TENANT_FLAGS = ["--clock", "fixed:2026-06-01T12:00:00Z", "--preset", "small", "--seed", "42"];

export function dataDir() {
  const dir = process.env.ENTRASIM_DATA_DIR;
  const ca = dir && path.join(dir, "ca.pem");
  if (!dir || process.env.NODE_EXTRA_CA_CERTS !== ca || !existsSync(ca)) {
    throw new Error("set ENTRASIM_DATA_DIR and NODE_EXTRA_CA_CERTS=$ENTRASIM_DATA_DIR/ca.pem (run `entrasim ca --data-dir DIR` first); tests/clients/run.sh does this");
  }
  return dir;
}

/** Starts entrasim; resolves to { http, https, stop() }. */
export async function startServer(...extra) {
  const args = ["--host", "127.0.0.1", "--port", "0", "--https-port", "0", "--data-dir", dataDir(), ...TENANT_FLAGS, ...extra];
  const child = spawn(BINARY, args, { stdio: ["ignore", "pipe", "inherit"] });
  const urls = await new Promise((resolve, reject) => {
    const found = [];
    const timer = setTimeout(() => reject(new Error("entrasim did not print its listeners")), 60_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = line.match(/^entrasim listening on (https?:\/\/\S+)$/);
      if (m) found.push(m[1]);
      if (found.length === 2) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.on("exit", (code) => reject(new Error(`entrasim exited with ${code}`)));
  });
  const http = urls.find((u) => u.startsWith("http://"));
  const https = urls.find((u) => u.startsWith("https://"));
  return { http, https, stop: () => child.kill("SIGTERM") };
}

const generatedCache = new Map();

/** `entrasim generate` for one API version (once per process): { collection: [records] }. */
export function generated(version) {
  if (!generatedCache.has(version)) generatedCache.set(version, generate(version));
  return generatedCache.get(version);
}

function generate(version) {
  const out = mkdtempSync(path.join(tmpdir(), `entrasim-gen-${version}-`));
  execFileSync(BINARY, ["generate", "--out", out, "--api-version", version, ...TENANT_FLAGS]);
  try {
    const read = (name) => readFileSync(path.join(out, `${name}.ndjson`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    return Object.fromEntries(readdirSync(out).filter((f) => f.endsWith(".ndjson")).map((f) => [f.replace(".ndjson", ""), read(f.replace(".ndjson", ""))]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function tenant(server) {
  return (await fetch(`${server.http}/_entrasim/tenant`)).json();
}

/** A Graph client signing in with client credentials against entrasim's own authority. */
export function graphClient(server, info, clientName, version = "v1.0") {
  const client = info.clients.find((c) => c.name === clientName);
  const credential = new ClientSecretCredential(info.tenantId, client.clientId, client.clientSecret, {
    authorityHost: server.https,
    disableInstanceDiscovery: true,
  });
  return Client.initWithMiddleware({
    baseUrl: `${server.https}/`,
    defaultVersion: version,
    customHosts: new Set([new URL(server.https).hostname]), // hostname only, no port
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ["https://graph.microsoft.com/.default"] }),
  });
}

/** Every item of a collection through the SDK's PageIterator. */
export async function walk(client, firstPage) {
  const items = [];
  await new PageIterator(client, firstPage, (item) => {
    items.push(item);
    return true;
  }).iterate();
  return items;
}

/**
 * A Cairn server process for bench/audit-ingest.ts: `audit-ingest-server.ts <backend-store-uri> <artifacts-dir> <mode>`, mode
 * "digest" (the default trail: run data in digests), "off" (--no-tracking-audit) or "per-write" (a digest every
 * write: one event per metric request, as before issue 14). Prints "LISTENING <url>".
 */
import { startServer } from "../src/server/start.js";

const [backendStoreUri, artifactsDir, mode] = process.argv.slice(2);
if (!backendStoreUri || !artifactsDir || !mode) {
  process.stderr.write("usage: audit-ingest-server.ts <backend-store-uri> <artifacts-dir> <digest|off|per-write>\n");
  process.exit(2);
}
if (mode === "off-als") {
  // Diagnosis: the "off" server with AsyncLocalStorage's promise hooks switched on, as the audited server has them.
  const { AsyncLocalStorage } = await import("node:async_hooks");
  new AsyncLocalStorage<object>().enterWith({});
}
const audit = mode === "off" || mode === "off-als" ? { trackingAuditOff: true } : mode === "per-write" ? { digestEveryWrites: 1 } : {};
const server = await startServer({
  host: "127.0.0.1",
  port: 0,
  backendStoreUri,
  artifactsDestination: artifactsDir,
  logLevel: "silent",
  audit,
});
process.stdout.write(`LISTENING ${server.url}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

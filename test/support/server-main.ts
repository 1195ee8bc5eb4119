/**
 * Runs one Cairn server in its own process for tests and benchmarks that need a real process boundary (kill -9,
 * load from another process). Prints "LISTENING <url>" once ready.
 * Usage: server-main.ts <db-file or backend store URI> <artifacts-dir or s3://BUCKET/PREFIX> [<inference timeout in ms>]
 */
import { startServer } from "../../src/server/start.js";
import { LOOPBACK_WEBHOOK_TARGETS } from "../../src/server/test-support/temp-server.js";
import { s3SettingsFromEnv } from "../../src/core/s3-settings.js";

const [dbFile, artifactsDir, inferenceTimeout] = process.argv.slice(2);
if (!dbFile || !artifactsDir) {
  process.stderr.write("usage: server-main.ts <db-file> <artifacts-dir>\n");
  process.exit(2);
}
const server = await startServer({
  host: "127.0.0.1",
  port: 0,
  // A URI (postgresql://...) is used as it is; a path is a SQLite file.
  backendStoreUri: dbFile.includes("://") ? dbFile : `sqlite:///${dbFile}`,
  artifactsDestination: artifactsDir,
  logLevel: "silent",
  // Test webhook receivers listen on loopback, which the production default refuses.
  webhookAllowedTargets: [...LOOPBACK_WEBHOOK_TARGETS],
  ...(inferenceTimeout !== undefined ? { inferenceTimeoutMs: Number(inferenceTimeout) } : {}),
  // An s3:// artifacts destination reads MLflow's S3 variables, as `cairn server` does.
  ...(artifactsDir.startsWith("s3://") ? { s3: s3SettingsFromEnv(process.env) } : {}),
});
// Start-up loads deployments in the background; tests of a restart expect them loaded once it says it listens.
await server.deploymentsLoaded();
process.stdout.write(`LISTENING ${server.url}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

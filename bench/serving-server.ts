/**
 * One `cairn serve` server in its own process for the serving benchmark, so the load generator and the server do not
 * share an event loop. Prints "LISTENING <url>" once ready.
 * Usage: serving-server.ts <model-path> [max-batch-size] [max-latency-ms] [worker]
 */
import { startStandaloneServer } from "../src/serving/standalone.js";

const [model, maxBatchSize, maxLatencyMs, worker] = process.argv.slice(2);
if (!model) {
  process.stderr.write("usage: serving-server.ts <model-path> [max-batch-size] [max-latency-ms]\n");
  process.exit(2);
}
const server = await startStandaloneServer({
  model,
  host: "127.0.0.1",
  port: 0,
  trackingUri: "http://127.0.0.1:5000",
  ...(maxBatchSize === undefined ? {} : { maxBatchSize: Number(maxBatchSize) }),
  ...(maxLatencyMs === undefined ? {} : { maxLatencyMs: Number(maxLatencyMs) }),
  runtime: { inferenceWorker: worker === "worker" },
});
process.stdout.write(`LISTENING ${server.url}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

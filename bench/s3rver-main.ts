/**
 * s3rver in its own process for the benchmarks (so the S3 server's CPU is not the measured process's): prints
 * "LISTENING <endpoint>" once ready and removes its folder on SIGTERM.
 */
import { startS3rver } from "../src/stores/artifact-stores/s3/test-support/s3rver-server.js";

const s3 = await startS3rver({ bucket: process.argv[2] ?? "cairn-bench" });
process.stdout.write(`LISTENING ${s3.endpoint}\n`);
const stop = (): void => {
  void s3.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

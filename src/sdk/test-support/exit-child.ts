/**
 * A program that logs to a run and never calls end(): with "return" it simply finishes (beforeExit must flush),
 * with "signal" it waits to be sent SIGTERM (the signal handler must flush); with "exit" it calls process.exit(0), which
cannot wait for I/O (only a warning is possible). Prints "RUN <id>" once it has logged.
 * Usage: exit-child.ts <tracking-uri> <experiment-id> return|signal|exit <metric-count>
 */
import { CairnClient } from "../client.js";

const [trackingUri, experimentId, mode, count] = process.argv.slice(2);
if (!trackingUri || !experimentId || !["return", "signal", "exit"].includes(mode ?? "")) {
  process.stderr.write("usage: exit-child.ts <tracking-uri> <experiment-id> return|signal|exit <metric-count>\n");
  process.exit(2);
}
const client = new CairnClient({ trackingUri });
const run = await client.startRun({ experimentId, runName: `exit-${mode}`, flushIntervalMs: 60_000 });
for (let step = 0; step < Number(count ?? 10); step += 1) run.logMetric("loss", 1 / (step + 1), { step, timestamp: 1_000 + step });
run.logParam("mode", String(mode));
process.stdout.write(`RUN ${run.runId}\n`);
if (mode === "signal") setInterval(() => undefined, 1000);
if (mode === "exit") process.exit(0);

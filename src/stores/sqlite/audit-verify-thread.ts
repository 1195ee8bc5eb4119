import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { CairnError, ErrorCode } from "../../core/errors.js";
import type { ChainStart, ChainWalk, VerifyReport } from "../../audit/verify.js";
import type { AuditVerifyReply, AuditVerifyRequest } from "./audit-verify-messages.js";

/** A verify that takes longer is abandoned (its worker terminated) and answered with an error: about 60 M events. */
export const AUDIT_VERIFY_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The worker's heap: the walk streams rows and keeps at most MAX_PROBLEMS problems, so a few MB suffice; the cap
 * turns a runaway into a failed verify instead of a server out of memory.
 */
const VERIFY_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

export interface AuditVerifyThreadOptions {
  timeoutMs?: number;
  /** For tests of a worker that dies: tighter heap limits. */
  resourceLimits?: ResourceLimits;
}

const failed = (why: string, cause?: unknown): CairnError =>
  new CairnError(ErrorCode.INTERNAL_ERROR, `audit verify failed: ${why}; the chain was not verified`, cause === undefined ? undefined : { cause });

/**
 * Verifies the audit chain of the SQLite file `file` on a worker thread of its own, which opens its own read-only
 * connection (a consistent WAL snapshot while the server keeps writing) and exits when done. One worker per verify:
 * verifies are rare and AuditService shares a running one among its callers. A worker that crashes, exits without a
 * report or outlives `timeoutMs` rejects with INTERNAL_ERROR: the answer is then an error, never "ok".
 */
export const verifyOnWorkerThread = async (file: string, options: AuditVerifyThreadOptions = {}): Promise<VerifyReport> =>
  (await walkOnWorkerThread(file, undefined, options)).report;

/** verifyOnWorkerThread from a checkpoint (`from`), with the last event checked (the next checkpoint). */
export const walkOnWorkerThread = (file: string, from: ChainStart | undefined, options: AuditVerifyThreadOptions = {}): Promise<ChainWalk> => {
  const timeoutMs = options.timeoutMs ?? AUDIT_VERIFY_TIMEOUT_MS;
  const worker = startWorker(from === undefined ? { file } : { file, from }, options.resourceLimits ?? VERIFY_WORKER_LIMITS);
  return new Promise<ChainWalk>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      // Nothing is left to wait for; a worker still running (timed out) is stopped.
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(failed(`it took longer than ${timeoutMs} ms`))), timeoutMs);
    worker.on("message", (reply: AuditVerifyReply) =>
      settle(() => ("walk" in reply ? resolve(reply.walk) : reject(failed(`the worker could not read the trail (${reply.error})`)))),
    );
    worker.on("error", (error) => settle(() => reject(failed(`the worker crashed (${error.message})`, error))));
    worker.on("exit", (code) => settle(() => reject(failed(`the worker exited with code ${code} before reporting`))));
    // A verify in progress does not keep a stopping process alive.
    worker.unref();
  });
};

/** As the suite parser's worker: the built package runs the .js; from source the worker loads tsx's loader first. */
const startWorker = (request: AuditVerifyRequest, resourceLimits: ResourceLimits): Worker => {
  const built = new URL("./audit-verify-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: request, resourceLimits });
  const source = new URL("./audit-verify-worker.ts", import.meta.url);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request, resourceLimits });
};

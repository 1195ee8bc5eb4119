import type { ResourceLimits, Worker } from "node:worker_threads";
import { CairnError, ErrorCode } from "../core/errors.js";
import type { ChainWalk } from "./verify.js";

/** A verify that takes longer is abandoned (its worker terminated) and answered with an error: about 60 M events. */
export const AUDIT_VERIFY_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The worker's heap: the walk streams rows and keeps at most MAX_PROBLEMS problems, so a few MB suffice; the cap
 * turns a runaway into a failed verify instead of a server out of memory.
 */
export const VERIFY_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

export interface VerifyWorkerOptions {
  timeoutMs?: number;
  /** For tests of a worker that dies: tighter heap limits. */
  resourceLimits?: ResourceLimits;
}

/** What a verify worker posts back: the walk, or why it could not read the trail. */
export type AuditVerifyReply = { walk: ChainWalk } | { error: string };

const failed = (why: string, cause?: unknown): CairnError =>
  new CairnError(ErrorCode.INTERNAL_ERROR, `audit verify failed: ${why}; the chain was not verified`, cause === undefined ? undefined : { cause });

/**
 * The walk a verify worker (of either backend: it opens its own connection and snapshot) reports. A worker that
 * crashes, exits without a report or outlives `timeoutMs` rejects with INTERNAL_ERROR: the answer is then an error,
 * never "ok". Whatever happens, the worker is terminated once there is an answer.
 */
export const walkOfVerifyWorker = (start: (resourceLimits: ResourceLimits) => Worker, options: VerifyWorkerOptions = {}): Promise<ChainWalk> => {
  const timeoutMs = options.timeoutMs ?? AUDIT_VERIFY_TIMEOUT_MS;
  const worker = start(options.resourceLimits ?? VERIFY_WORKER_LIMITS);
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

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { CairnError, ErrorCode } from "../../core/errors.js";
import type { ChainStart, ChainWalk } from "../../audit/verify.js";
import { AUDIT_VERIFY_TIMEOUT_MS } from "../sqlite/audit-verify-thread.js";
import type { PgConnectionConfig } from "./connection-uri.js";

/** What the server sends the PostgreSQL verify worker: how to connect (its own connection), and where to start. */
export interface PgAuditVerifyRequest {
  connection: PgConnectionConfig;
  from?: ChainStart;
}

export type PgAuditVerifyReply = { walk: ChainWalk } | { error: string };

export interface PgVerifyThreadOptions {
  timeoutMs?: number;
  resourceLimits?: ResourceLimits;
}

const VERIFY_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

const failed = (why: string, cause?: unknown): CairnError =>
  new CairnError(ErrorCode.INTERNAL_ERROR, `audit verify failed: ${why}; the chain was not verified`, cause === undefined ? undefined : { cause });

/**
 * Verifies the PostgreSQL audit chain on a worker thread with its own connection, reading one REPEATABLE READ snapshot
 * (see pg-audit-verify-worker.ts), as the SQLite verify does on its own read-only connection. A worker that crashes,
 * exits without a report or outlives the timeout rejects: the answer is then an error, never "ok". Errors never carry
 * connection parameters (pg's messages do not include the password).
 */
export const walkOnPgWorkerThread = (connection: PgConnectionConfig, from: ChainStart | undefined, options: PgVerifyThreadOptions = {}): Promise<ChainWalk> => {
  const timeoutMs = options.timeoutMs ?? AUDIT_VERIFY_TIMEOUT_MS;
  const request: PgAuditVerifyRequest = from === undefined ? { connection } : { connection, from };
  const worker = startWorker(request, options.resourceLimits ?? VERIFY_WORKER_LIMITS);
  return new Promise<ChainWalk>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(failed(`it took longer than ${timeoutMs} ms`))), timeoutMs);
    worker.on("message", (reply: PgAuditVerifyReply) =>
      settle(() => ("walk" in reply ? resolve(reply.walk) : reject(failed(`the worker could not read the trail (${reply.error})`)))),
    );
    worker.on("error", (error) => settle(() => reject(failed(`the worker crashed (${error.message})`, error))));
    worker.on("exit", (code) => settle(() => reject(failed(`the worker exited with code ${code} before reporting`))));
    worker.unref();
  });
};

const startWorker = (request: PgAuditVerifyRequest, resourceLimits: ResourceLimits): Worker => {
  const built = new URL("./pg-audit-verify-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: request, resourceLimits });
  const source = new URL("./pg-audit-verify-worker.ts", import.meta.url);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request, resourceLimits });
};

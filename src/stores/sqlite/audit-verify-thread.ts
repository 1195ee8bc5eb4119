import type { ChainStart, ChainWalk, VerifyReport } from "../../audit/verify.js";
import { walkOfVerifyWorker, type VerifyWorkerOptions } from "../../audit/verify-on-worker.js";
import { startModuleWorker } from "../../core/module-worker.js";
import type { AuditVerifyRequest } from "./audit-verify-messages.js";

/**
 * Verifies the audit chain of the SQLite file `file` on a worker thread of its own, which opens its own read-only
 * connection (a consistent WAL snapshot while the server keeps writing) and exits when done. One worker per verify:
 * verifies are rare and AuditService shares a running one among its callers. Failures are errors, never "ok"
 * (walkOfVerifyWorker).
 */
export const verifyOnWorkerThread = async (file: string, options: VerifyWorkerOptions = {}): Promise<VerifyReport> =>
  (await walkOnWorkerThread(file, undefined, options)).report;

/** verifyOnWorkerThread from a checkpoint (`from`), with the last event checked (the next checkpoint). */
export const walkOnWorkerThread = (file: string, from: ChainStart | undefined, options: VerifyWorkerOptions = {}): Promise<ChainWalk> => {
  const workerData: AuditVerifyRequest = from === undefined ? { file } : { file, from };
  return walkOfVerifyWorker((resourceLimits) => startModuleWorker(import.meta.url, "audit-verify-worker", { workerData, resourceLimits }), options);
};

import type { ChainStart, ChainWalk } from "../../audit/verify.js";
import { walkOfVerifyWorker, type VerifyWorkerOptions } from "../../audit/verify-on-worker.js";
import { startModuleWorker } from "../../core/module-worker.js";
import type { PgConnectionConfig } from "./connection-uri.js";

/** What the server sends the PostgreSQL verify worker: how to connect (its own connection), and where to start. */
export interface PgAuditVerifyRequest {
  connection: PgConnectionConfig;
  from?: ChainStart;
}

/**
 * Verifies the PostgreSQL audit chain on a worker thread with its own connection, reading one REPEATABLE READ snapshot
 * (see pg-audit-verify-worker.ts), as the SQLite verify does on its own read-only connection. Failures are errors,
 * never "ok" (walkOfVerifyWorker). Errors never carry connection parameters (pg's messages do not include the password).
 */
export const walkOnPgWorkerThread = (connection: PgConnectionConfig, from: ChainStart | undefined, options: VerifyWorkerOptions = {}): Promise<ChainWalk> => {
  const workerData: PgAuditVerifyRequest = from === undefined ? { connection } : { connection, from };
  return walkOfVerifyWorker((resourceLimits) => startModuleWorker(import.meta.url, "pg-audit-verify-worker", { workerData, resourceLimits }), options);
};

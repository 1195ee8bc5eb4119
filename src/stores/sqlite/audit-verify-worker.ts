/**
 * The worker thread of audit-verify-thread.ts: verifies the audit chain on a read-only connection of its own, so that
 * hashing every event (about 10 µs each: a second per 100,000 events) is never paid on the server's event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { AuditVerifyReply } from "../../audit/verify-on-worker.js";
import type { AuditVerifyRequest } from "./audit-verify-messages.js";
import { verifyChainSnapshot } from "./audit-verify-snapshot.js";

const { file, from } = workerData as AuditVerifyRequest;
let reply: AuditVerifyReply;
try {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // A reader in WAL mode waits only while a crashed writer's WAL is recovered; as the server's connection.
    db.pragma("busy_timeout = 10000");
    reply = { walk: verifyChainSnapshot(db, from) };
  } finally {
    db.close();
  }
} catch (error) {
  reply = { error: error instanceof Error ? error.message : String(error) };
}
parentPort?.postMessage(reply);

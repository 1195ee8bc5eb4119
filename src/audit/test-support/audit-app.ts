import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app.js";
import { injectJson } from "../../server/test-support/inject-json.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../../stores/sqlite/sqlite-audit-store.js";
import { SqliteTrackingStore } from "../../stores/sqlite/sqlite-tracking-store.js";
import { trackingEndpoints } from "../../tracking/routes.js";
import { TrackingService } from "../../tracking/service.js";
import { auditRoutes } from "../routes.js";
import { AuditService } from "../service.js";

/** Tracking + audit in one app over one real SQLite file (one connection, as the server wires it). */
export interface AuditTestApp {
  app: FastifyInstance;
  db: Database;
  file: string;
  audit: AuditService;
  tracking: TrackingService;
  /** A request under /api/2.0/<api>/: GET sends `payload` as the query, other methods as a JSON body. */
  call: (
    method: "GET" | "POST" | "DELETE",
    path: string,
    payload?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any }>;
  /** Closes the app and the database, keeping the file (for tampering with it). */
  stop: () => Promise<void>;
  /** stop() and remove the temp folder. */
  close: () => Promise<void>;
}

export const AUDIT_NOW = 1_700_000_000_000;

export const startAuditApp = async (folder = mkdtempSync(join(tmpdir(), "cairn-audit-"))): Promise<AuditTestApp> => {
  const file = join(folder, "cairn.db");
  const db = openDatabase(file);
  const trackingStore = new SqliteTrackingStore(db);
  trackingStore.ensureDefaultExperiment("mlflow-artifacts:/0", AUDIT_NOW);
  let auditTick = 0;
  const audit = new AuditService(new SqliteAuditStore(db), { clock: () => AUDIT_NOW + auditTick++ });
  const tracking = new TrackingService(trackingStore, { defaultArtifactRoot: "mlflow-artifacts:", clock: () => AUDIT_NOW, audit });
  const app = await buildApp({
    version: "test",
    domains: [{ endpoints: trackingEndpoints(tracking), cairnEndpoints: auditRoutes(audit) }],
  });
  // The audit routes' tests send `{}` when they have no body, as the SDK does.
  const call: AuditTestApp["call"] = (method, path, payload, headers = {}) =>
    injectJson(app, method, `/api/2.0/${path}`, method === "GET" ? payload : (payload ?? {}), headers);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    db.close();
  };
  return {
    app,
    db,
    file,
    audit,
    tracking,
    call,
    stop,
    close: async () => {
      await stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
};

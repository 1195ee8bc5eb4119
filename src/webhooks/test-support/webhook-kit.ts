import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterEach } from "vitest";
import type { WriteContext } from "../../core/actor.js";
import type { AuditEntry, AuditRecorder } from "../../audit/recorder.js";
import { buildApp } from "../../server/app.js";
import { injectJson } from "../../server/test-support/inject-json.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { LOOPBACK_WEBHOOK_TARGETS } from "../../server/test-support/temp-server.js";
import { SqliteWebhookStore } from "../../stores/sqlite/sqlite-webhook-store.js";
import { mlflowWebhookRoutes } from "../mlflow-routes.js";
import { TestReceiver, type ReceiverBehaviour } from "./receiver.js";
import { webhookRoutes } from "../routes.js";
import { WebhookService, type WebhookServiceOptions } from "../service.js";

/** Remembers what the service audited, for assertions (the audit domain has its own tests). */
export class RecordingAudit implements AuditRecorder {
  readonly entries: Array<AuditEntry & { context: WriteContext }> = [];
  async record(context: WriteContext, entry: AuditEntry): Promise<void> {
    // Only what the audit trail keeps of a context: a route may pass its whole request context.
    this.entries.push({ ...entry, context: { actor: context.actor, requestId: context.requestId } });
  }
}

/** One "process": its own connection to the file, store, service and app. */
export interface WebhookNode {
  db: Database;
  store: SqliteWebhookStore;
  service: WebhookService;
  audit: RecordingAudit;
  app: FastifyInstance;
  /** GET (query) or POST/DELETE (JSON body) under /api/2.0/cairn. */
  call: (method: "GET" | "POST" | "DELETE", path: string, payload?: Record<string, unknown>, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;
  /** The same under /api/2.0/mlflow (MLflow's webhook API), PATCH included. */
  callMlflow: (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, payload?: Record<string, unknown>) => Promise<{ status: number; body: any }>;
  /** Stops the dispatcher, closes the app and the connection; a second call does nothing. */
  close: () => Promise<void>;
}

export const FAST_OPTIONS: Omit<WebhookServiceOptions, "audit"> = {
  fetchTimeoutMs: 2_000,
  backoffBaseMs: 20,
  backoffCapMs: 200,
  pollIntervalMs: 25,
  // Pinned jitter: delays are exactly base * 2^n.
  random: () => 0.5,
  // Test receivers listen on loopback, which the production default refuses (SSRF); allowlisted here as an operator
  // would allowlist an internal receiver.
  targets: { allow: LOOPBACK_WEBHOOK_TARGETS },
};

export const openWebhookNode = async (dbFile: string, options: Omit<WebhookServiceOptions, "audit"> = FAST_OPTIONS): Promise<WebhookNode> => {
  const db = openDatabase(dbFile);
  const store = new SqliteWebhookStore(db);
  const audit = new RecordingAudit();
  const service = new WebhookService(store, { ...options, audit });
  const app = await buildApp({ version: "test", domains: [{ cairnEndpoints: webhookRoutes(service), endpoints: mlflowWebhookRoutes(service) }] });
  const inject = (url: string, method: "GET" | "POST" | "PATCH" | "DELETE", payload: Record<string, unknown> | undefined, headers: Record<string, string>) =>
    injectJson(app, method, url, method === "GET" ? payload : (payload ?? {}), headers);
  const call: WebhookNode["call"] = (method, path, payload, headers = {}) => inject(`/api/2.0/cairn/${path}`, method, payload, headers);
  const callMlflow: WebhookNode["callMlflow"] = (method, path, payload) => inject(`/api/2.0/mlflow/${path}`, method, payload, {});
  return {
    db,
    store,
    service,
    audit,
    app,
    call,
    callMlflow,
    close: async () => {
      if (!db.open) return;
      await service.stop();
      await app.close();
      db.close();
    },
  };
};

export const tempDbFile = (): { file: string; remove: () => void } => {
  const folder = mkdtempSync(join(tmpdir(), "cairn-webhooks-"));
  return { file: join(folder, "cairn.db"), remove: () => rmSync(folder, { recursive: true, force: true }) };
};

/**
 * What a webhook test opens, closed after each test in reverse order (nodes before the folder of their file): a
 * node over a fresh SQLite file, a receiver listening on loopback, and any other cleanup the test registers.
 * Call inside a describe block; it registers the afterEach.
 */
export const useWebhookFixtures = (): {
  node: () => Promise<WebhookNode>;
  receiver: (behaviour?: ReceiverBehaviour) => Promise<TestReceiver>;
  onCleanup: (cleanup: () => Promise<void> | void) => void;
} => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });
  return {
    node: async () => {
      const temp = tempDbFile();
      cleanups.push(temp.remove);
      const node = await openWebhookNode(temp.file);
      cleanups.push(() => node.close());
      return node;
    },
    receiver: async (behaviour = {}) => {
      const receiver = new TestReceiver(behaviour);
      cleanups.push(() => receiver.close());
      await receiver.listen();
      return receiver;
    },
    onCleanup: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
};

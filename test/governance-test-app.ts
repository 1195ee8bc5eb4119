import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import type { WriteContext } from "../src/core/actor.js";
import type { AuditEntry, AuditRecorder } from "../src/audit/recorder.js";
import { governanceRoutes } from "../src/registry/governance-routes.js";
import { LineageService } from "../src/registry/lineage/lineage-service.js";
import { ModelCardService } from "../src/registry/model-cards/model-card-service.js";
import { PromotionService } from "../src/registry/promotion/promotion-service.js";
import { buildApp } from "../src/server/app.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteGovernanceStore } from "../src/stores/sqlite/sqlite-governance-store.js";
import { SqliteRegistryStore } from "../src/stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../src/stores/sqlite/sqlite-tracking-store.js";
import { trackingEndpoints } from "../src/tracking/routes.js";
import { TrackingService } from "../src/tracking/service.js";

/**
 * Tracking + governance over one real SQLite file (one connection, as the server wires it), with the real registry
 * store underneath. Audit entries are collected in memory: the audit domain's own tests cover what it does with them.
 */
export const GOVERNANCE_NOW = 1_700_000_000_000;

export interface GovernanceTestApp {
  app: FastifyInstance;
  db: Database;
  tracking: SqliteTrackingStore;
  registry: SqliteRegistryStore;
  governance: SqliteGovernanceStore;
  promotion: PromotionService;
  audited: Array<{ context: WriteContext; entry: AuditEntry }>;
  /** A request: `api` "mlflow" or "cairn"; GET sends `payload` as the query, other methods as a JSON body. */
  call: (
    method: "GET" | "POST" | "DELETE",
    path: string,
    payload?: Record<string, unknown>,
    headers?: Record<string, string>,
    api?: "mlflow" | "cairn",
  ) => Promise<{ status: number; body: any; contentType: string; text: string }>;
  /** Creates a run in experiment 0 over HTTP and returns its id. */
  createRun: (tags?: Array<{ key: string; value: string }>) => Promise<string>;
  close: () => Promise<void>;
}

export const startGovernanceApp = async (): Promise<GovernanceTestApp> => {
  const folder = mkdtempSync(join(tmpdir(), "cairn-governance-"));
  const db = openDatabase(join(folder, "cairn.db"));
  const tracking = new SqliteTrackingStore(db);
  tracking.ensureDefaultExperiment("mlflow-artifacts:/0", GOVERNANCE_NOW);
  const registry = new SqliteRegistryStore(db);
  const governance = new SqliteGovernanceStore(db);
  const audited: GovernanceTestApp["audited"] = [];
  const audit: AuditRecorder = {
    record: async (context, entry) => {
      audited.push({ context, entry });
    },
  };
  let tick = 0;
  const clock = (): number => GOVERNANCE_NOW + 1000 * tick++;
  const trackingService = new TrackingService(tracking, { defaultArtifactRoot: "mlflow-artifacts:", clock: () => GOVERNANCE_NOW });
  const promotion = new PromotionService(governance, registry, tracking, { audit, clock });
  const lineage = new LineageService(registry, tracking);
  const cards = new ModelCardService(governance, registry, tracking, { audit, clock });
  const app = await buildApp({
    version: "test",
    domains: [{ endpoints: trackingEndpoints(trackingService), cairnEndpoints: governanceRoutes(promotion, lineage, cards) }],
  });
  const call: GovernanceTestApp["call"] = async (method, path, payload, headers = {}, api = "cairn") => {
    const url = `/api/2.0/${api}/${path}`;
    const response =
      method === "GET"
        ? await app.inject({ method, url, query: payload as Record<string, string> | undefined, headers })
        : await app.inject({
            method,
            url,
            payload: JSON.stringify(payload ?? {}),
            headers: { "content-type": "application/json", ...headers },
          });
    const contentType = String(response.headers["content-type"] ?? "");
    const text = response.body;
    return {
      status: response.statusCode,
      contentType,
      text,
      body: contentType.startsWith("application/json") && text !== "" ? JSON.parse(text) : undefined,
    };
  };
  const createRun: GovernanceTestApp["createRun"] = async (tags = []) => {
    const { body } = await call("POST", "runs/create", { experiment_id: "0", run_name: "train", tags }, {}, "mlflow");
    return body.run.info.run_id as string;
  };
  return {
    app,
    db,
    tracking,
    registry,
    governance,
    promotion,
    audited,
    call,
    createRun,
    close: async () => {
      await app.close();
      db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
};

/** Registers model `name` (if needed) and a version from `runId`, straight through the registry store. */
export const registerVersion = async (
  kit: GovernanceTestApp,
  name: string,
  runId?: string,
  tags: Array<{ key: string; value: string }> = [],
): Promise<string> => {
  if ((await kit.registry.getRegisteredModel(name)) === undefined) {
    await kit.registry.createRegisteredModel({ name, tags: [], now: GOVERNANCE_NOW });
  }
  const version = await kit.registry.createModelVersion({
    name,
    source: runId === undefined ? "mlflow-artifacts:/models/m" : `runs:/${runId}/model`,
    ...(runId === undefined ? {} : { runId }),
    tags,
    now: GOVERNANCE_NOW,
  });
  return version.version;
};

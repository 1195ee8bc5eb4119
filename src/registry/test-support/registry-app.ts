import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { WriteContext } from "../../core/actor.js";
import type { DomainEvent, EventSink } from "../../core/events.js";
import type { AuditEntry, AuditRecorder } from "../../audit/recorder.js";
import { buildApp } from "../../server/app.js";
import { injectJson } from "../../server/test-support/inject-json.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqliteLoggedModelStore } from "../../stores/sqlite/sqlite-logged-model-store.js";
import { SqliteRegistryStore } from "../../stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../../stores/sqlite/sqlite-tracking-store.js";
import { LoggedModelService } from "../../tracking/logged-models/logged-model-service.js";
import { trackingEndpoints } from "../../tracking/routes.js";
import { TrackingService } from "../../tracking/service.js";
import type { PromotionGate, PromotionTarget, PromotionVerdict } from "../promotion-gate.js";
import { formatPromotionTarget } from "../promotion-gate.js";
import { registryRoutes } from "../routes.js";
import type { RegistryFollower } from "../registry-writes.js";
import { RegistryService } from "../service.js";

/** What the registry told the audit trail, in order (the audit domain's own store is tested there). */
export interface RecordedAudit extends AuditEntry {
  context: WriteContext;
}

/**
 * Promotion rules for tests: per "<name> <target>" (e.g. "churn alias:champion"), the unmet rules to report.
 * An empty or missing entry allows the promotion.
 */
export class ScriptedPromotionGate implements PromotionGate {
  readonly unmetByTarget = new Map<string, string[]>();
  readonly checks: string[] = [];

  async check(name: string, version: string, target: PromotionTarget): Promise<PromotionVerdict> {
    const key = `${name} ${formatPromotionTarget(target)}`;
    this.checks.push(`${key} v${version}`);
    const unmet = this.unmetByTarget.get(key) ?? [];
    return { allowed: unmet.length === 0, unmet };
  }
}

export interface RegistryTestApp {
  app: FastifyInstance;
  service: RegistryService;
  tracking: TrackingService;
  /** MLflow 3 logged models over the same database (registration by model id reads them). */
  loggedModels: LoggedModelService;
  audits: RecordedAudit[];
  events: DomainEvent[];
  gate: ScriptedPromotionGate;
  /** What the registry told its followers (renames and deletes other domains must follow), in order. */
  followed: string[];
  /** Calls /api/2.0/mlflow/<path>: GET sends `payload` as query (repeated keys for arrays), others as JSON body. */
  call: (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    payload?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

export const FIXED_NOW = 1_700_000_000_000;

/** An in-process app with the tracking and registry endpoints over one real SQLite file in a fresh temp folder. */
export const startRegistryApp = async (): Promise<RegistryTestApp> => {
  const folder = mkdtempSync(join(tmpdir(), "cairn-registry-"));
  const db = openDatabase(join(folder, "cairn.db"));
  const trackingStore = new SqliteTrackingStore(db);
  trackingStore.ensureDefaultExperiment("mlflow-artifacts:/0", FIXED_NOW);
  let tick = 0;
  const clock = (): number => FIXED_NOW + tick++;
  const tracking = new TrackingService(trackingStore, { defaultArtifactRoot: "mlflow-artifacts:", clock });
  const audits: RecordedAudit[] = [];
  const events: DomainEvent[] = [];
  const audit: AuditRecorder = {
    record: async (context, entry) => {
      audits.push({ context, ...entry });
    },
  };
  const sink: EventSink = {
    publish: async (event) => {
      events.push(event);
    },
  };
  const gate = new ScriptedPromotionGate();
  const followed: string[] = [];
  const follower: RegistryFollower = {
    renameModel: async (name, newName) => void followed.push(`rename ${name} -> ${newName}`),
    deleteModel: async (name) => void followed.push(`delete ${name}`),
    deleteVersion: async (name, version) => void followed.push(`delete ${name}/${version}`),
  };
  const loggedModels = new LoggedModelService(new SqliteLoggedModelStore(db), { tracking: trackingStore, clock });
  const service = new RegistryService(new SqliteRegistryStore(db), {
    tracking: trackingStore,
    loggedModels: { getLoggedModel: (modelId) => loggedModels.get(modelId) },
    audit,
    events: sink,
    promotion: gate,
    clock,
    followers: [follower],
  });
  const app = await buildApp({
    version: "test",
    domains: [{ endpoints: trackingEndpoints(tracking) }, { endpoints: registryRoutes(service) }],
  });
  const call: RegistryTestApp["call"] = (method, path, payload, headers = {}) => injectJson(app, method, `/api/2.0/mlflow/${path}`, payload, headers);
  return {
    app,
    service,
    tracking,
    loggedModels,
    audits,
    events,
    gate,
    followed,
    call,
    close: async () => {
      await app.close();
      await trackingStore.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
};

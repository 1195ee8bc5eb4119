import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app.js";
import { injectJson } from "../../server/test-support/inject-json.js";
import { openSqliteTrackingStore } from "../../stores/sqlite/index.js";
import { trackingEndpoints } from "../routes.js";
import { TrackingService } from "../service.js";
import type { TrackingStore } from "../store.js";

/** An in-process app over a real SQLite file in a fresh temp folder, for the HTTP tests of the tracking routes. */
export interface TrackingTestApp {
  app: FastifyInstance;
  store: TrackingStore;
  /** POST (JSON body) or GET (query string) under /api/2.0/mlflow; returns status and parsed JSON body. */
  call: (method: "GET" | "POST", path: string, payload?: unknown) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

export const FIXED_NOW = 1_700_000_000_000;

export const startTrackingApp = async (): Promise<TrackingTestApp> => {
  const folder = mkdtempSync(join(tmpdir(), "cairn-tracking-"));
  const store = await openSqliteTrackingStore(join(folder, "mlflow.db"), { now: () => FIXED_NOW });
  let tick = 0;
  const service = new TrackingService(store, { defaultArtifactRoot: "mlflow-artifacts:", clock: () => FIXED_NOW + tick++ });
  const app = await buildApp({ version: "test", domains: [{ endpoints: trackingEndpoints(service) }] });
  const call: TrackingTestApp["call"] = (method, path, payload) => injectJson(app, method, `/api/2.0/mlflow/${path}`, payload);
  return {
    app,
    store,
    call,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
};

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { artifactRoutes } from "../../artifacts/routes.js";
import { ArtifactService } from "../../artifacts/service.js";
import { AuditService } from "../../audit/service.js";
import { buildApp } from "../../server/app.js";
import { injectJson } from "../../server/test-support/inject-json.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import type { MetadataStores } from "../../stores/metadata-stores.js";
import { openSqliteMetadataStores } from "../../stores/sqlite/open-stores.js";
import { trackingEndpoints } from "../../tracking/routes.js";
import { TrackingService } from "../../tracking/service.js";
import { tracingEndpoints } from "../routes.js";
import { TraceService } from "../service.js";
import { traceJsonUploadLimit } from "../trace-json-limit.js";
import { withTraceDataInDatabase } from "../../stores/artifact-stores/trace-data-overlay.js";

/**
 * An in-process app with the tracking, tracing and artifact routes over a real SQLite file and artifact folder,
 * a fixed clock and a small traces.json limit, for the HTTP tests of the trace routes.
 */
export interface TracingTestApp {
  app: FastifyInstance;
  stores: MetadataStores;
  artifactsDir: string;
  /** JSON call under /api/<version>.0/mlflow; GET sends `payload` as the query. */
  call: (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, payload?: unknown, version?: 2 | 3) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

export const FIXED_NOW = 1_750_000_000_000;
export const TEST_TRACE_JSON_LIMIT = 2048;

export const startTracingApp = async (): Promise<TracingTestApp> => {
  const folder = mkdtempSync(join(tmpdir(), "cairn-tracing-"));
  const stores = await openSqliteMetadataStores(join(folder, "cairn.db"), { now: () => FIXED_NOW });
  const artifactsDir = join(folder, "artifacts");
  const artifactStore = await openLocalArtifactStore(artifactsDir);
  const audit = new AuditService(stores.audit, { clock: () => FIXED_NOW });
  const tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:", clock: () => FIXED_NOW, audit });
  const traces = new TraceService(stores.traces, { experiments: tracking, clock: () => FIXED_NOW, audit });
  const artifacts = new ArtifactService(withTraceDataInDatabase(artifactStore, stores.traces, { maxBytes: TEST_TRACE_JSON_LIMIT }), {
    resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId),
    audit,
    uploadLimit: traceJsonUploadLimit(TEST_TRACE_JSON_LIMIT),
  });
  const app = await buildApp({
    version: "0.1.0",
    domains: [{ endpoints: trackingEndpoints(tracking) }, { endpoints: tracingEndpoints(traces) }, artifactRoutes(artifacts)],
  });
  const call: TracingTestApp["call"] = (method, path, payload, version = 2) => injectJson(app, method, `/api/${version}.0/mlflow/${path}`, payload);
  return {
    app,
    stores,
    artifactsDir,
    call,
    close: async () => {
      await app.close();
      await stores.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
};

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { noAudit } from "../../audit/recorder.js";
import { noEvents } from "../../core/events.js";
import { artifactRoutes } from "../../artifacts/routes.js";
import { ArtifactService } from "../../artifacts/service.js";
import { buildApp } from "../../server/app.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqliteRegistryStore } from "../../stores/sqlite/sqlite-registry-store.js";
import { SqliteTrackingStore } from "../../stores/sqlite/sqlite-tracking-store.js";
import { trackingEndpoints } from "../../tracking/routes.js";
import { TrackingService } from "../../tracking/service.js";
import { noPromotionRules } from "../promotion-gate.js";
import { registryRoutes } from "../routes.js";
import { RegistryService } from "../service.js";

/**
 * A real server on a loopback port with the tracking, artifact-proxy and registry domains over one SQLite file and
 * an artifact folder in a fresh temp dir, wired as the server wires them (proxied artifacts under
 * mlflow-artifacts:). For tests that need real HTTP before the registry is part of src/server/start.ts.
 */
export interface RegistryServer {
  url: string;
  dir: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const startRegistryServer = async (): Promise<RegistryServer> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-registry-server-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  const trackingStore = new SqliteTrackingStore(db);
  trackingStore.ensureDefaultExperiment("mlflow-artifacts:/0", Date.now());
  const tracking = new TrackingService(trackingStore, { defaultArtifactRoot: "mlflow-artifacts:" });
  const artifacts = new ArtifactService(await openLocalArtifactStore(path.join(dir, "artifacts")), {
    resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId),
  });
  const registry = new RegistryService(new SqliteRegistryStore(db), {
    tracking: trackingStore,
    audit: noAudit,
    events: noEvents,
    promotion: noPromotionRules,
  });
  const app = await buildApp({
    version: "test",
    domains: [{ endpoints: trackingEndpoints(tracking) }, artifactRoutes(artifacts), { endpoints: registryRoutes(registry) }],
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    app,
    close: async () => {
      await app.close();
      await trackingStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

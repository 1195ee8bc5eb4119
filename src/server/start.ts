import type { FastifyInstance } from "fastify";
import { type ServerConfig } from "../core/config.js";
import { CAIRN_VERSION } from "../core/version.js";
import { ArtifactService } from "../artifacts/service.js";
import { artifactRoutes } from "../artifacts/routes.js";
import { openArtifactStore, openTrackingStore } from "../stores/registry.js";
import { TrackingService } from "../tracking/service.js";
import { trackingEndpoints } from "../tracking/routes.js";
import { buildApp } from "./app.js";

export interface RunningServer {
  /** Base URL clients use, e.g. http://127.0.0.1:5000 (the real port when 0 was asked for). */
  url: string;
  app: FastifyInstance;
  /** Stops accepting connections, lets requests in flight finish, then closes the stores. Idempotent. */
  close(): Promise<void>;
}

/** MLflow's proxy mode: run artifacts live under mlflow-artifacts:/ and travel through this server. */
const PROXIED_ARTIFACT_ROOT = "mlflow-artifacts:";

/** Opens the stores named by the config, wires every domain into one app, and listens. */
export const startServer = async (config: ServerConfig): Promise<RunningServer> => {
  const trackingStore = await openTrackingStore(config.backendStoreUri);
  const artifactStore = await openArtifactStore(config.artifactsDestination);
  const tracking = new TrackingService(trackingStore, { defaultArtifactRoot: PROXIED_ARTIFACT_ROOT });
  const artifacts = new ArtifactService(artifactStore, {
    resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId),
  });
  const app = await buildApp({
    version: CAIRN_VERSION,
    logger: config.logLevel === "silent" ? false : { level: config.logLevel ?? "info" },
    domains: [{ endpoints: trackingEndpoints(tracking) }, artifactRoutes(artifacts)],
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await trackingStore.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close();
      await trackingStore.close();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, app, close };
};

/**
 * Runs until SIGINT or SIGTERM, then shuts down gracefully: in-flight requests finish and the database is closed
 * cleanly (a second signal exits at once).
 */
export const serveUntilSignal = async (config: ServerConfig): Promise<void> => {
  const server = await startServer(config);
  server.app.log.info({ url: server.url, backendStoreUri: config.backendStoreUri, artifactsDestination: config.artifactsDestination }, `Cairn ${CAIRN_VERSION} listening`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      server.app.log.info({ signal }, "shutting down");
      process.once(signal, () => process.exit(130));
      void server.close().then(resolve, (error: unknown) => {
        server.app.log.error({ err: error }, "error during shutdown");
        resolve();
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
};

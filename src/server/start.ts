import type { FastifyInstance } from "fastify";
import { realpathSync } from "node:fs";
import path from "node:path";
import { DEFAULT_DATA_DIR, isLocalArtifactsDestination, localPathFromArtifactsDestination, sqlitePathFromUri, type ServerConfig } from "../core/config.js";
import { CAIRN_VERSION } from "../core/version.js";
import { describeS3Settings } from "../core/s3-settings.js";
import { redactUri } from "../stores/postgres/connection-uri.js";
import { openArtifactStore, openMetadataStores } from "../stores/registry.js";
import { buildApp } from "./app.js";
import { refuseOpenServer } from "./open-server.js";
import { bootstrapAdmin } from "../auth/bootstrap-admin.js";
import { systemContext } from "../core/actor.js";
import { composeDomains } from "./compose.js";
import { sweepStagingLeftovers } from "./startup-sweep.js";
import type { HiddenPath } from "./error-handler.js";
import { applyServerLimits, DEFAULT_SERVER_LIMITS } from "./server-limits.js";
import { defaultWebUiDir } from "./web-ui.js";

export interface RunningServer {
  /** Base URL clients use, e.g. http://127.0.0.1:5000 (the real port when 0 was asked for). */
  url: string;
  app: FastifyInstance;
  /** Stops accepting connections, lets requests in flight finish, then closes the stores. Idempotent. */
  close(): Promise<void>;
  /** Resolves when the deployments loading in the background since start-up are loaded (or failed, or skipped). */
  deploymentsLoaded(): Promise<void>;
}

/** Each folder as configured and, where a symbolic link leads elsewhere, as resolved (stores resolve their roots). */
const hiddenServerPaths = (paths: readonly HiddenPath[]): HiddenPath[] =>
  paths.flatMap((hidden) => {
    try {
      const real = realpathSync(hidden.dir);
      return real === hidden.dir ? [hidden] : [hidden, { ...hidden, dir: real }];
    } catch {
      return [hidden];
    }
  });

/** Opens the stores named by the config, wires every domain into one app, and listens. */
export const startServer = async (config: ServerConfig): Promise<RunningServer> => {
  refuseOpenServer(config);
  const stores = await openMetadataStores(config.backendStoreUri);
  // Local copies (models for onnxruntime, monitors' reference data, S3 parts on their way) live beside a local
  // artifact folder; with artifacts in object storage, beside an SQLite file, else in ./cairn-data.
  const artifactRoot = isLocalArtifactsDestination(config.artifactsDestination) ? localPathFromArtifactsDestination(config.artifactsDestination) : undefined;
  const localDataDir =
    artifactRoot !== undefined
      ? path.dirname(artifactRoot)
      : /^sqlite:/i.test(config.backendStoreUri)
        ? path.dirname(sqlitePathFromUri(config.backendStoreUri))
        : path.resolve(DEFAULT_DATA_DIR);
  let artifactStore;
  try {
    artifactStore = await openArtifactStore(config.artifactsDestination, {
      ...(config.s3 !== undefined ? { s3: config.s3 } : {}),
      stagingDir: path.join(localDataDir, "s3-staging"),
    });
  } catch (error) {
    await stores.close();
    throw error;
  }
  let logBackgroundError = (error: unknown, what: string): void => {
    process.stderr.write(`cairn: ${what}: ${String(error)}\n`);
  };
  const modelCacheDir = path.join(localDataDir, "model-cache");
  const referenceCacheDir = path.join(localDataDir, "reference-cache");
  await sweepStagingLeftovers({ modelCacheDir, referenceCacheDir });
  const composed = composeDomains(stores, artifactStore, {
    modelCacheDir,
    referenceCacheDir,
    serverVersion: CAIRN_VERSION,
    ...(config.maxTraceJsonBytes !== undefined ? { traceJsonMaxBytes: config.maxTraceJsonBytes } : {}),
    artifactQuotas: {
      ...(config.maxArtifactFileBytes !== undefined ? { maxFileBytes: config.maxArtifactFileBytes } : {}),
      ...(config.maxExperimentArtifactBytes !== undefined ? { maxExperimentBytes: config.maxExperimentArtifactBytes } : {}),
    },
    ...(config.maxScoringBodyBytes !== undefined ? { maxScoringBodyBytes: config.maxScoringBodyBytes } : {}),
    ...(config.scoringCodecs !== undefined ? { scoringCodecs: config.scoringCodecs } : {}),
    webhookTargets: { allow: config.webhookAllowedTargets ?? [], allowHttp: config.webhookAllowHttp ?? false },
    predictionLog: {
      ...(config.predictionLogMaxAgeMs !== undefined ? { maxAgeMs: config.predictionLogMaxAgeMs } : {}),
      ...(config.predictionLogMaxRows !== undefined ? { maxRows: config.predictionLogMaxRows } : {}),
      ...(config.predictionLogMaxRecordBytes !== undefined ? { maxRecordBytes: config.predictionLogMaxRecordBytes } : {}),
    },
    ...(config.defaultPermission !== undefined ? { defaultPermission: config.defaultPermission } : {}),
    ...(config.audit !== undefined ? { audit: config.audit } : {}),
    ...(config.deploymentStandby === false ? { deploymentStandby: false } : {}),
    onBackgroundError: (error, what) => logBackgroundError(error, what),
    auth: {
      enabled: config.auth === true,
      ...(config.secureCookies === true ? { secureCookies: true } : {}),
      ...(config.trustedProxyHeader !== undefined ? { trustedProxyHeader: config.trustedProxyHeader } : {}),
      ...(config.trustedProxies !== undefined ? { trustedProxies: config.trustedProxies } : {}),
    },
    modelLoad: {
      ...(config.modelThreads !== undefined ? { maxModelThreads: config.modelThreads } : {}),
      limits: {
        ...(config.inferenceTimeoutMs !== undefined ? { timeoutMs: config.inferenceTimeoutMs } : {}),
        ...(config.maxOutputElements !== undefined ? { maxOutputElements: config.maxOutputElements } : {}),
      },
    },
  });
  let bootstrap: Awaited<ReturnType<typeof bootstrapAdmin>> | undefined;
  if (config.auth === true) {
    try {
      bootstrap = await bootstrapAdmin(stores.auth, composed.auth.users, config.adminBootstrap ?? {}, systemContext("admin-bootstrap"));
    } catch (error) {
      await stores.close();
      throw error;
    }
  }
  const webUiDir = config.webUiDir === null ? undefined : (config.webUiDir ?? defaultWebUiDir());
  const app = await buildApp({
    version: CAIRN_VERSION,
    logger: config.logLevel === "silent" ? false : { level: config.logLevel ?? "info" },
    domains: composed.domains,
    ...(composed.auth.authentication ? { auth: composed.auth.authentication } : {}),
    authorize: (scope) => composed.authorizer.install(scope),
    ...(webUiDir ? { webUiDir } : {}),
    requestChecks: {
      boundHost: config.host,
      ...(config.allowedHosts ? { allowedHosts: config.allowedHosts } : {}),
      ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
    },
    hiddenPaths: hiddenServerPaths([
      ...(artifactRoot !== undefined ? [{ dir: artifactRoot, shownAs: "mlflow-artifacts:" }] : []),
      { dir: modelCacheDir, shownAs: "<model-cache>" },
      { dir: referenceCacheDir, shownAs: "<reference-cache>" },
    ]),
  });
  applyServerLimits(app.server, { ...DEFAULT_SERVER_LIMITS, ...config.limits });
  logBackgroundError = (error, what) => app.log.error({ err: error }, what);
  if (bootstrap === "created" || bootstrap === "promoted") app.log.info({ outcome: bootstrap }, "admin user bootstrapped from CAIRN_ADMIN_USERNAME");
  if (bootstrap === "no-admin") app.log.warn("--auth is on but no admin exists: create one with 'cairn users create <name> --admin' or CAIRN_ADMIN_USERNAME/CAIRN_ADMIN_PASSWORD");
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await stores.close();
    throw error;
  }
  await composed.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // close() closes the keep-alive connections that are idle at that moment; one whose last response was still
      // finishing (a streamed download) becomes idle a moment later and would linger for keepAliveTimeout (72 s).
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(idleSweep);
      }
      await composed.stop();
      await stores.close();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, app, close, deploymentsLoaded: () => composed.deploymentsLoaded() };
};

/**
 * Runs until SIGINT or SIGTERM, then shuts down gracefully: in-flight requests finish and the database is closed
 * cleanly (a second signal exits at once).
 */
export const serveUntilSignal = async (config: ServerConfig): Promise<void> => {
  const server = await startServer(config);
  // URIs may hold a password (postgresql://user:pass@...): logged redacted; S3 settings only as describeS3Settings shows them.
  server.app.log.info(
    {
      url: server.url,
      backendStoreUri: redactUri(config.backendStoreUri),
      artifactsDestination: config.artifactsDestination,
      ...(config.s3 !== undefined ? { s3: describeS3Settings(config.s3) } : {}),
    },
    `Cairn ${CAIRN_VERSION} listening`,
  );
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

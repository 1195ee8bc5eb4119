import type { FastifyInstance } from "fastify";
import path from "node:path";
import { CAIRN_VERSION } from "../core/version.js";
import { buildApp } from "../server/app.js";
import { applyServerLimits, DEFAULT_SERVER_LIMITS } from "../server/server-limits.js";
import { instrumentServedModels } from "./metrics/instrumented-models.js";
import { metricsRoute } from "./metrics/metrics-route.js";
import { ServingMetrics } from "./metrics/serving-metrics.js";
import { loadModel } from "./model/load-model.js";
import type { ModelLoadOptions } from "./model/loaded-model.js";
import { downloadRegisteredModel } from "./model-download.js";
import { servingRoutes } from "./routes.js";
import { SingleModel } from "./single-model.js";

/**
 * `cairn serve MODEL`: one model over HTTP with both protocols (MLflow's /invocations, /ping, /health, /version and
 * the Open Inference Protocol under /v2) and Prometheus' /metrics, labelled with the model's name as the deployment. MODEL is a local path (a bare .onnx file or an MLflow model directory) or
 * a models:/ URI resolved through the tracking server at `trackingUri` and downloaded to a cache folder.
 */
export interface StandaloneServerOptions {
  model: string;
  host?: string;
  port?: number;
  maxBatchSize?: number;
  maxLatencyMs?: number;
  /** Needed for models:/ URIs (the CLI passes CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI). */
  trackingUri?: string;
  /** Where models:/ downloads are kept (default: <tmp>/cairn-serve-cache). */
  cacheDir?: string;
  maxBodyBytes?: number;
  runtime?: ModelLoadOptions;
  logger?: boolean;
  /** Host names accepted besides the loopback names and the bound address (`--allowed-hosts`; "*" accepts any). */
  allowedHosts?: readonly string[];
}

export interface StandaloneServer {
  url: string;
  app: FastifyInstance;
  model: SingleModel;
  close(): Promise<void>;
}

const modelNameOf = (localPath: string): string => {
  const base = path.basename(path.resolve(localPath));
  return base.endsWith(".onnx") ? base.slice(0, -".onnx".length) : base;
};

export const startStandaloneServer = async (options: StandaloneServerOptions): Promise<StandaloneServer> => {
  let name: string;
  let version = "1";
  let localPath = options.model;
  if (options.model.toLowerCase().startsWith("models:")) {
    if (!options.trackingUri) {
      throw new TypeError(`${options.model} is a registry URI: set CAIRN_TRACKING_URI (or MLFLOW_TRACKING_URI) to the Cairn server holding it.`);
    }
    const downloaded = await downloadRegisteredModel(options.model, options.trackingUri, options.cacheDir);
    ({ name, version, localPath } = downloaded);
  } else {
    name = modelNameOf(localPath);
  }
  const metrics = new ServingMetrics();
  const loadStarted = performance.now();
  const loaded = await loadModel(localPath, options.runtime);
  // The standalone server reports under the model's name where `cairn server` puts the deployment's.
  metrics.observeModelLoad(name, version, (performance.now() - loadStarted) / 1000);
  const batching = {
    ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
    ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}),
  };
  let model: SingleModel;
  try {
    model = new SingleModel(name, loaded, version, batching, metrics.batchObserver(name, version));
  } catch (error) {
    await loaded.close();
    throw error;
  }
  const routes = servingRoutes(instrumentServedModels(model, metrics), {
    mountDeployments: false,
    standaloneModel: name,
    serverVersion: CAIRN_VERSION,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const app = await buildApp({
    version: CAIRN_VERSION,
    domains: [routes, metricsRoute(metrics.registry)],
    logger: options.logger ?? false,
    requestChecks: { boundHost: options.host ?? "127.0.0.1", ...(options.allowedHosts !== undefined ? { allowedHosts: options.allowedHosts } : {}) },
    healthCheck: async () => {
      if (!model.ready()) throw new Error(`model ${name} is not loaded`);
    },
  });
  // The same timeouts and per-address cap as `cairn server`, at their defaults.
  applyServerLimits(app.server, DEFAULT_SERVER_LIMITS);
  try {
    await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 5000 });
  } catch (error) {
    await model.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    app,
    model,
    close: async () => {
      // Stop accepting and finish in-flight requests first, then release the runtime session.
      await app.close();
      await model.close();
    },
  };
};

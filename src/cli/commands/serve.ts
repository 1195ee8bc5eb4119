import { parseByteCount, parsePort } from "../../core/config.js";
import { MAX_BATCH_SIZE, MAX_LATENCY_MS } from "../../serving/batching/adaptive-batcher.js";
import { resolveTrackingUri } from "../tracking-uri.js";
import type { ModelLoadOptions } from "../../serving/model/loaded-model.js";
import { modelLoadOptions, type ModelExecutionFlags, parseMilliseconds, parseModelExecution } from "./serving-args.js";
import { parsePositiveInt } from "./view.js";

export interface ServeFlags extends ModelExecutionFlags {
  host?: string;
  port?: string;
  maxBatchSize?: string;
  maxLatencyMs?: string;
  inferenceWorker?: boolean;
  trackingUri?: string;
  allowedHosts?: string;
  maxScoringBodyBytes?: string;
}

/** What `cairn serve` hands to startStandaloneServer (src/serving/standalone.ts). */
export interface ServeConfig {
  model: string;
  host: string;
  port: number;
  maxBatchSize?: number;
  maxLatencyMs?: number;
  /** How the model runs: thread budget and its executor's limits (--inference-timeout...); see docs/serving.md. */
  runtime?: ModelLoadOptions;
  /** Where a models:/ URI is resolved; a local path never contacts it. */
  trackingUri: string;
  /** Host names accepted besides the loopback names and the bound address (a container's service name). */
  allowedHosts?: string[];
  /** Largest scoring body (`--max-scoring-body-bytes`); default 20 MiB. */
  maxBodyBytes?: number;
}

/** Same default port as `mlflow models serve`, so clients written for it work unchanged. */
export const DEFAULT_SERVE_PORT = 5001;

/** The standalone server's config from `cairn serve` flags and the environment (for the tracking server). */
export const serveConfig = (model: string, flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig => {
  const config: ServeConfig = {
    model,
    host: flags.host ?? "127.0.0.1",
    port: flags.port === undefined ? DEFAULT_SERVE_PORT : parsePort(flags.port),
    trackingUri: resolveTrackingUri(flags.trackingUri, env),
  };
  if (flags.maxBatchSize !== undefined) config.maxBatchSize = parsePositiveInt("--max-batch-size", flags.maxBatchSize, MAX_BATCH_SIZE);
  if (flags.maxLatencyMs !== undefined) config.maxLatencyMs = parseMilliseconds("--max-latency-ms", flags.maxLatencyMs, MAX_LATENCY_MS);
  const execution = parseModelExecution(flags);
  if (flags.inferenceWorker || Object.keys(execution).length > 0) {
    config.runtime = { ...modelLoadOptions(execution), ...(flags.inferenceWorker ? { inferenceWorker: true } : {}) };
  }
  if (flags.maxScoringBodyBytes !== undefined) config.maxBodyBytes = parseByteCount(flags.maxScoringBodyBytes, "--max-scoring-body-bytes");
  if (flags.allowedHosts !== undefined) config.allowedHosts = flags.allowedHosts.split(",").map((h) => h.trim()).filter((h) => h !== "");
  return config;
};

const write = (stream: NodeJS.WriteStream, text: string): Promise<void> =>
  new Promise((resolve) => {
    stream.write(text, () => resolve());
  });

/**
 * `cairn serve MODEL`: loads the model (a local .onnx file, an MLflow model folder, or a models:/ URI resolved
 * through the tracking server), serves both protocols until SIGINT/SIGTERM, then drains and stops. The first line
 * on stdout says where it listens; scripts wait for it.
 */
export const runServe = async (model: string, flags: ServeFlags): Promise<void> => {
  const config = serveConfig(model, flags);
  const { startStandaloneServer } = await import("../../serving/standalone.js");
  const server = await startStandaloneServer(config);
  await write(process.stdout, `Serving ${model} at ${server.url} (MLflow: ${server.url}/invocations, Open Inference Protocol: ${server.url}/v2)\n`);
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      // A second signal while draining means "now".
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      server.close().then(resolve, reject);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
};

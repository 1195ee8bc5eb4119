import { defaultServerConfig, parseByteCount, parseCount, parseDuration, parseLimitCount, parsePort, parseSeconds, type ServerConfig } from "../../core/config.js";
import type { ServerLimits } from "../../server/server-limits.js";
import { parseAllowEntry } from "../../webhooks/target-policy.js";

export interface ServerOptions {
  host?: string;
  port?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  maxTraceJsonBytes?: string;
  maxScoringBodyBytes?: string;
  maxArtifactFileBytes?: string;
  maxExperimentArtifactBytes?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
  insecureNoAuth?: boolean;
  /** Comma-separated host names, addresses and CIDR ranges. */
  webhookAllowedTargets?: string;
  webhookAllowHttp?: boolean;
  predictionLogMaxAge?: string;
  predictionLogMaxRows?: string;
  predictionLogMaxRecordBytes?: string;
  headersTimeout?: string;
  bodyIdleTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxConnectionsPerAddress?: string;
}

/** A comma-separated flag value as its non-empty entries. */
const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");

/** `--webhook-allowed-targets a,b`: each entry checked now, so a typo stops the server from starting. */
const parseAllowedTargets = (text: string): string[] => {
  const entries = commaList(text);
  for (const entry of entries) parseAllowEntry(entry);
  return entries;
};

/** The limits the flags set; a flag not given keeps the server default. */
const limitsOf = (options: ServerOptions): Partial<ServerLimits> => {
  const limits: Partial<ServerLimits> = {};
  if (options.headersTimeout !== undefined) limits.headersTimeoutMs = parseSeconds(options.headersTimeout, "--headers-timeout");
  if (options.bodyIdleTimeout !== undefined) limits.bodyIdleTimeoutMs = parseSeconds(options.bodyIdleTimeout, "--body-idle-timeout");
  if (options.requestTimeout !== undefined) limits.requestTimeoutMs = parseSeconds(options.requestTimeout, "--request-timeout");
  if (options.keepAliveTimeout !== undefined) limits.keepAliveTimeoutMs = parseSeconds(options.keepAliveTimeout, "--keep-alive-timeout");
  if (options.maxConnectionsPerAddress !== undefined) {
    limits.maxConnectionsPerAddress = parseLimitCount(options.maxConnectionsPerAddress, "--max-connections-per-address");
  }
  return limits;
};

/** The server's config from `cairn server` flags; defaults are those of `mlflow server` with Cairn's data folder. */
export const serverConfig = (options: ServerOptions): ServerConfig => {
  const defaults = defaultServerConfig();
  return {
    ...defaults,
    host: options.host ?? defaults.host,
    port: options.port === undefined ? defaults.port : parsePort(options.port),
    backendStoreUri: options.backendStoreUri ?? defaults.backendStoreUri,
    artifactsDestination: options.artifactsDestination ?? defaults.artifactsDestination,
    ...(options.maxTraceJsonBytes !== undefined ? { maxTraceJsonBytes: parseByteCount(options.maxTraceJsonBytes, "--max-trace-json-bytes") } : {}),
    ...(options.maxScoringBodyBytes !== undefined ? { maxScoringBodyBytes: parseByteCount(options.maxScoringBodyBytes, "--max-scoring-body-bytes") } : {}),
    ...(options.maxArtifactFileBytes !== undefined ? { maxArtifactFileBytes: parseLimitCount(options.maxArtifactFileBytes, "--max-artifact-file-bytes") } : {}),
    ...(options.maxExperimentArtifactBytes !== undefined
      ? { maxExperimentArtifactBytes: parseLimitCount(options.maxExperimentArtifactBytes, "--max-experiment-artifact-bytes") }
      : {}),
    ...(options.allowedHosts !== undefined ? { allowedHosts: commaList(options.allowedHosts) } : {}),
    ...(options.allowedOrigins !== undefined ? { allowedOrigins: commaList(options.allowedOrigins) } : {}),
    ...(options.insecureNoAuth === true ? { insecureNoAuth: true } : {}),
    ...(options.webhookAllowedTargets !== undefined ? { webhookAllowedTargets: parseAllowedTargets(options.webhookAllowedTargets) } : {}),
    ...(options.webhookAllowHttp === true ? { webhookAllowHttp: true } : {}),
    ...(options.predictionLogMaxAge !== undefined ? { predictionLogMaxAgeMs: parseDuration(options.predictionLogMaxAge, "--prediction-log-max-age") } : {}),
    ...(options.predictionLogMaxRows !== undefined ? { predictionLogMaxRows: parseCount(options.predictionLogMaxRows, "--prediction-log-max-rows") } : {}),
    ...(options.predictionLogMaxRecordBytes !== undefined
      ? { predictionLogMaxRecordBytes: parseByteCount(options.predictionLogMaxRecordBytes, "--prediction-log-max-record-bytes") }
      : {}),
    limits: limitsOf(options),
  };
};

/** `cairn server`: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves when it has stopped. */
export const runServer = async (options: ServerOptions): Promise<void> => {
  const config = serverConfig(options);
  const { serveUntilSignal } = await import("../../server/start.js");
  await serveUntilSignal(config);
};

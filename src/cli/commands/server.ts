import { defaultServerConfig, parseByteCount, parseCount, parseDuration, parsePort, type ServerConfig } from "../../core/config.js";

export interface ServerOptions {
  host?: string;
  port?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  maxTraceJsonBytes?: string;
  predictionLogMaxAge?: string;
  predictionLogMaxRows?: string;
  predictionLogMaxRecordBytes?: string;
}

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
    ...(options.predictionLogMaxAge !== undefined ? { predictionLogMaxAgeMs: parseDuration(options.predictionLogMaxAge, "--prediction-log-max-age") } : {}),
    ...(options.predictionLogMaxRows !== undefined ? { predictionLogMaxRows: parseCount(options.predictionLogMaxRows, "--prediction-log-max-rows") } : {}),
    ...(options.predictionLogMaxRecordBytes !== undefined
      ? { predictionLogMaxRecordBytes: parseByteCount(options.predictionLogMaxRecordBytes, "--prediction-log-max-record-bytes") }
      : {}),
  };
};

/** `cairn server`: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves when it has stopped. */
export const runServer = async (options: ServerOptions): Promise<void> => {
  const config = serverConfig(options);
  const { serveUntilSignal } = await import("../../server/start.js");
  await serveUntilSignal(config);
};

import { defaultServerConfig, parseByteCount, parsePort, type ServerConfig } from "../../core/config.js";

export interface ServerOptions {
  host?: string;
  port?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  maxTraceJsonBytes?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
  insecureNoAuth?: boolean;
}

/** A comma-separated flag value as its non-empty entries. */
const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");

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
    ...(options.allowedHosts !== undefined ? { allowedHosts: commaList(options.allowedHosts) } : {}),
    ...(options.allowedOrigins !== undefined ? { allowedOrigins: commaList(options.allowedOrigins) } : {}),
    ...(options.insecureNoAuth === true ? { insecureNoAuth: true } : {}),
  };
};

/** `cairn server`: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves when it has stopped. */
export const runServer = async (options: ServerOptions): Promise<void> => {
  const config = serverConfig(options);
  const { serveUntilSignal } = await import("../../server/start.js");
  await serveUntilSignal(config);
};

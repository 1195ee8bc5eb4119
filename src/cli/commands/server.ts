import { defaultServerConfig, parseByteCount, parseCount, parsePort, parseSeconds, type ServerConfig } from "../../core/config.js";
import type { ServerLimits } from "../../server/server-limits.js";

export interface ServerOptions {
  host?: string;
  port?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  maxTraceJsonBytes?: string;
  headersTimeout?: string;
  bodyIdleTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxConnectionsPerAddress?: string;
}

/** The limits the flags set; a flag not given keeps the server default. */
const limitsOf = (options: ServerOptions): Partial<ServerLimits> => {
  const limits: Partial<ServerLimits> = {};
  if (options.headersTimeout !== undefined) limits.headersTimeoutMs = parseSeconds(options.headersTimeout, "--headers-timeout");
  if (options.bodyIdleTimeout !== undefined) limits.bodyIdleTimeoutMs = parseSeconds(options.bodyIdleTimeout, "--body-idle-timeout");
  if (options.requestTimeout !== undefined) limits.requestTimeoutMs = parseSeconds(options.requestTimeout, "--request-timeout");
  if (options.keepAliveTimeout !== undefined) limits.keepAliveTimeoutMs = parseSeconds(options.keepAliveTimeout, "--keep-alive-timeout");
  if (options.maxConnectionsPerAddress !== undefined) {
    limits.maxConnectionsPerAddress = parseCount(options.maxConnectionsPerAddress, "--max-connections-per-address");
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
    limits: limitsOf(options),
  };
};

/** `cairn server`: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves when it has stopped. */
export const runServer = async (options: ServerOptions): Promise<void> => {
  const config = serverConfig(options);
  const { serveUntilSignal } = await import("../../server/start.js");
  await serveUntilSignal(config);
};

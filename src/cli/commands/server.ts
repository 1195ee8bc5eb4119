import { parsePermission } from "../../auth/permissions/permission.js";
import { defaultServerConfig, parseByteCount, parseCount, parseDuration, parseLimitCount, parsePort, parseSeconds, type ServerConfig } from "../../core/config.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import type { ServerLimits } from "../../server/server-limits.js";
import { parseAllowEntry } from "../../webhooks/target-policy.js";
import { parseProxyRange } from "../../auth/trusted-proxy.js";
import { UsageError } from "../errors.js";
import { s3SettingsFromEnv } from "../../core/s3-settings.js";
import { isS3Destination, parseS3Destination } from "../../stores/artifact-stores/s3/s3-destination.js";
import { parseModelExecution } from "./serving-args.js";

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
  auditDigestEveryWrites?: string;
  auditDigestInterval?: string;
  /** false with --no-tracking-audit. */
  trackingAudit?: boolean;
  /** false with --no-deployment-standby. */
  deploymentStandby?: boolean;
  predictionLogMaxRows?: string;
  predictionLogMaxRecordBytes?: string;
  headersTimeout?: string;
  bodyIdleTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxConnectionsPerAddress?: string;
  auth?: boolean;
  secureCookies?: boolean;
  trustedProxyHeader?: string;
  trustedProxies?: string;
  /** READ, EDIT, MANAGE or NO_PERMISSIONS. */
  defaultPermission?: string;
  inferenceTimeout?: string;
  maxOutputElements?: string;
  modelThreads?: string;
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

/** `--default-permission`: one of MLflow's permission names, in any case. */
const parseDefaultPermission = (text: string) => {
  try {
    return parsePermission(text.trim().toUpperCase());
  } catch {
    throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `--default-permission must be READ, EDIT, MANAGE or NO_PERMISSIONS, got '${text.slice(0, 64)}'`);
  }
};

/** `--trusted-proxy-header` needs `--trusted-proxies` (a header believed from anywhere would let anyone be anyone). */
const authOf = (options: ServerOptions, env: NodeJS.ProcessEnv): Partial<ServerConfig> => {
  const proxies = options.trustedProxies === undefined ? undefined : commaList(options.trustedProxies);
  for (const entry of proxies ?? []) parseProxyRange(entry);
  if (options.trustedProxyHeader !== undefined) {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(options.trustedProxyHeader)) throw new UsageError(`--trusted-proxy-header '${options.trustedProxyHeader}' is not a header name`);
    if (proxies === undefined || proxies.length === 0) throw new UsageError("--trusted-proxy-header needs --trusted-proxies (the proxies' addresses)");
    if (options.auth !== true) throw new UsageError("--trusted-proxy-header needs --auth");
  }
  const adminUsername = env.CAIRN_ADMIN_USERNAME;
  const adminPassword = env.CAIRN_ADMIN_PASSWORD;
  return {
    ...(options.auth === true ? { auth: true } : {}),
    ...(options.secureCookies === true ? { secureCookies: true } : {}),
    ...(options.trustedProxyHeader !== undefined ? { trustedProxyHeader: options.trustedProxyHeader.toLowerCase() } : {}),
    ...(proxies !== undefined ? { trustedProxies: proxies } : {}),
    ...(adminUsername && adminPassword ? { adminBootstrap: { username: adminUsername, password: adminPassword } } : {}),
  };
};

/**
 * For an s3:// destination: the URI checked now (a typo stops the server before anything opens) and MLflow's S3
 * variables read once, here, so the server never reads the environment.
 */
const s3Of = (destination: string | undefined, env: NodeJS.ProcessEnv): Partial<ServerConfig> => {
  if (destination === undefined || !isS3Destination(destination)) return {};
  parseS3Destination(destination);
  return { s3: s3SettingsFromEnv(env) };
};

/** The audit trail's run-data digest flags (issue 14 part 6), and the benchmark-only switch. */
const auditOf = (options: ServerOptions): Pick<ServerConfig, "audit"> => {
  const audit: NonNullable<ServerConfig["audit"]> = {
    ...(options.auditDigestEveryWrites !== undefined ? { digestEveryWrites: parseCount(options.auditDigestEveryWrites, "--audit-digest-every-writes") } : {}),
    ...(options.auditDigestInterval !== undefined ? { digestIntervalMs: parseDuration(options.auditDigestInterval, "--audit-digest-interval") } : {}),
    ...(options.trackingAudit === false ? { trackingAuditOff: true } : {}),
  };
  return Object.keys(audit).length > 0 ? { audit } : {};
};

/** The server's config from `cairn server` flags; defaults are those of `mlflow server` with Cairn's data folder. */
export const serverConfig = (options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig => {
  const defaults = defaultServerConfig();
  return {
    ...defaults,
    host: options.host ?? defaults.host,
    port: options.port === undefined ? defaults.port : parsePort(options.port),
    backendStoreUri: options.backendStoreUri ?? defaults.backendStoreUri,
    artifactsDestination: options.artifactsDestination ?? defaults.artifactsDestination,
    ...s3Of(options.artifactsDestination, env),
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
    ...(options.defaultPermission !== undefined ? { defaultPermission: parseDefaultPermission(options.defaultPermission) } : {}),
    ...auditOf(options),
    ...(options.deploymentStandby === false ? { deploymentStandby: false } : {}),
    limits: limitsOf(options),
    ...authOf(options, env),
    ...parseModelExecution(options),
  };
};

/** `cairn server`: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves when it has stopped. */
export const runServer = async (options: ServerOptions): Promise<void> => {
  const config = serverConfig(options);
  const { serveUntilSignal } = await import("../../server/start.js");
  await serveUntilSignal(config);
};

import path from "node:path";
import type { PermissionName } from "../auth/permissions/permission.js";
import type { ServerLimits } from "../server/server-limits.js";
import type { CodecPoolOptions } from "../serving/codec-pool/codec-pool.js";
import { CairnError, ErrorCode } from "./errors.js";
import type { S3Settings } from "./s3-settings.js";

/**
 * The server's configuration, parsed once from CLI flags (same names and defaults as `mlflow server`) and passed in.
 * Nothing deeper in the server reads the environment.
 */
export interface ServerConfig {
  host: string;
  port: number;
  /** `sqlite:///relative/path.db` or `sqlite:////absolute/path.db`, as SQLAlchemy spells them. */
  backendStoreUri: string;
  /** A local folder, `file:///absolute/folder`, or `s3://BUCKET/PREFIX`. */
  artifactsDestination: string;
  /** How to reach S3 for an s3:// destination (MLflow's variables, read by the CLI); never logged. */
  s3?: S3Settings;
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** The built web UI's folder; default: the one shipped in the package (dist/ui); null: serve no UI. */
  webUiDir?: string | null;
  /** Largest traces.json (one trace's spans) accepted through the artifact routes; default 16 MiB. */
  maxTraceJsonBytes?: number;
  /** Artifact upload quota per file (`--max-artifact-file-bytes`, 0: none); default 5 GiB. */
  maxArtifactFileBytes?: number;
  /** Artifact upload quota per experiment folder (`--max-experiment-artifact-bytes`, 0: none); default none. */
  maxExperimentArtifactBytes?: number;
  /** Largest scoring body (`/deployments/<name>/invocations`, `/v2/models/.../infer`); default 20 MiB. */
  maxScoringBodyBytes?: number;
  /** The scoring codec pool (worker threads decoding large bodies, encoding large answers); defaults in codec-pool.ts. */
  scoringCodecs?: CodecPoolOptions;
  /** Extra Host header names accepted besides loopback and the bound address; `*` disables the check. */
  allowedHosts?: readonly string[];
  /** Origins whose state-changing requests are accepted besides same-origin ones; `*`: any. */
  allowedOrigins?: readonly string[];
  /** Listen on a non-loopback address without `--auth`. */
  insecureNoAuth?: boolean;
  /** Internal webhook receivers allowed despite the SSRF rules: host names, addresses, CIDR ranges (default: none). */
  webhookAllowedTargets?: string[];
  /** Accept plain http webhook URLs for every target (default: https only, except for allowlisted targets). */
  webhookAllowHttp?: boolean;
  /** Prediction-log retention by age (`--prediction-log-max-age`); default 30 days. */
  predictionLogMaxAgeMs?: number;
  /** Prediction-log retention by count, the newest kept (`--prediction-log-max-rows`); default 1,000,000. */
  predictionLogMaxRows?: number;
  /** Largest inputs + outputs JSON of one logged request (`--prediction-log-max-record-bytes`); default 64 KiB. */
  predictionLogMaxRecordBytes?: number;
  /** The permission of a user on an experiment or registered model without an explicit grant; default READ (MLflow's). */
  defaultPermission?: PermissionName;
  /**
   * Run-data digests of the audit trail (`--audit-digest-every-writes`, `--audit-digest-interval`): a run's pending
   * digest is appended after this many metric/param/tag writes (default 1000) or this long after its first (60 s).
   * `trackingAuditOff` (`--no-tracking-audit`, for benchmarks only): tracking writes record nothing at all.
   */
  audit?: { digestEveryWrites?: number; digestIntervalMs?: number; trackingAuditOff?: boolean };
  /**
   * Keep each deployment's replaced primary loaded as a warm standby (default true; `--no-deployment-standby`): a
   * rollback or an alias move back to it switches without a load, for one more loaded model per deployment.
   */
  deploymentStandby?: boolean;
  /** Request timeouts and the per-address connection cap; each one missing keeps its default (server-limits.ts). */
  limits?: Partial<ServerLimits>;
  /** `--auth`: every route but /health, /version, the UI's files, sign-in and whoami needs credentials. */
  auth?: boolean;
  /** `--secure-cookies`: the session cookie is always marked Secure (else only behind a trusted TLS proxy). */
  secureCookies?: boolean;
  /** `--trusted-proxy-header`: a reverse proxy's user header, believed only from `trustedProxies`. */
  trustedProxyHeader?: string;
  /** `--trusted-proxies`: addresses and CIDR ranges of the reverse proxies. */
  trustedProxies?: string[];
  /** CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD, read by the CLI: the first admin, created when none exists. */
  adminBootstrap?: { username: string; password: string };
  /** Longest one model run may take, warm-up included (`--inference-timeout`); default 30 s. */
  inferenceTimeoutMs?: number;
  /** Most elements a model run's outputs may hold together (`--max-output-elements`); default 10,000,000. */
  maxOutputElements?: number;
  /** Thread budget of each model's session (`--model-threads`): an MLmodel asking for more gets this; default: the CPUs. */
  modelThreads?: number;
}

export const DEFAULT_DATA_DIR = "cairn-data";

export const defaultServerConfig = (cwd: string = process.cwd()): ServerConfig => ({
  host: "127.0.0.1",
  port: 5000,
  backendStoreUri: `sqlite:///${path.relative(cwd, path.join(cwd, DEFAULT_DATA_DIR, "cairn.db"))}`,
  artifactsDestination: path.join(".", DEFAULT_DATA_DIR, "artifacts"),
  logLevel: "info",
});

const configError = (message: string): CairnError => new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, message);

/** `--max-trace-json-bytes`: a positive integer number of bytes. */
export const parseByteCount = (text: string, flag: string): number => {
  const bytes = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw configError(`${flag} must be a positive integer number of bytes, got '${text}'`);
  }
  return bytes;
};

/** A positive integer count, e.g. `--prediction-log-max-rows 1000000`. */
export const parseCount = (text: string, flag: string): number => {
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count) || count < 1) {
    throw configError(`${flag} must be a positive integer, got '${text}'`);
  }
  return count;
};

/** A timeout flag in whole seconds (0 disables it), returned in milliseconds. */
export const parseSeconds = (text: string, flag: string): number => {
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seconds) || seconds > 604_800) {
    throw configError(`${flag} must be a whole number of seconds from 0 (no limit) to 604800, got '${text}'`);
  }
  return seconds * 1000;
};

/** A limit flag: a whole number, 0 meaning no limit. */
export const parseLimitCount = (text: string, flag: string): number => {
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count)) {
    throw configError(`${flag} must be a whole number (0: no limit), got '${text}'`);
  }
  return count;
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A positive duration with its unit, e.g. `7d`, `12h`, `30m`, `90s`, `500ms`; returns milliseconds. */
export const parseDuration = (text: string, flag: string): number => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  const ms = match ? Number(match[1]) * (DURATION_UNITS[match[2] ?? ""] ?? Number.NaN) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw configError(`${flag} must be a positive duration such as 30d, 12h, 30m, 90s or 500ms, got '${text}'`);
  }
  return ms;
};

export const parsePort = (text: string): number => {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw configError(`--port must be an integer from 0 to 65535, got '${text}'`);
  }
  return port;
};

/** Splits a store URI into its scheme and the rest, e.g. sqlite:///a.db -> { scheme: "sqlite", rest: "/a.db" }. */
export const splitStoreUri = (uri: string): { scheme: string; rest: string } => {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(uri);
  if (!match) throw configError(`store URI '${uri}' must look like scheme://...`);
  return { scheme: (match[1] ?? "").toLowerCase(), rest: match[2] ?? "" };
};

/** The file path of a SQLite URI: three slashes make a relative path, four an absolute one (SQLAlchemy's rule). */
export const sqlitePathFromUri = (uri: string, cwd: string = process.cwd()): string => {
  const { scheme, rest } = splitStoreUri(uri);
  if (scheme !== "sqlite") throw configError(`'${uri}' is not a sqlite:// URI`);
  if (!rest.startsWith("/") || rest === "/") {
    throw configError(`SQLite URI '${uri}' must be sqlite:///relative/path.db or sqlite:////absolute/path.db`);
  }
  const filePath = rest.slice(1);
  if (filePath.includes("\0")) throw configError("SQLite path must not contain NUL bytes");
  return path.resolve(cwd, filePath);
};

/** The folder of an artifacts destination: a plain path or a file:// URI. */
export const localPathFromArtifactsDestination = (destination: string, cwd: string = process.cwd()): string => {
  if (destination.includes("\0")) throw configError("--artifacts-destination must not contain NUL bytes");
  if (/^file:/i.test(destination)) return path.resolve(cwd, new URL(destination).pathname);
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(destination)) {
    throw configError(`--artifacts-destination '${destination}' is not a local folder or a file:// URI`);
  }
  return path.resolve(cwd, destination);
};

/** Whether the artifacts destination is a folder on this machine (a plain path or file://), not object storage. */
export const isLocalArtifactsDestination = (destination: string): boolean =>
  /^file:/i.test(destination) || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(destination);

import { CairnError, ErrorCode } from "../../core/errors.js";

/** What `pg` needs to connect, parsed from a `postgresql://` backend store URI. */
export interface PgConnectionConfig {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** Extra libpq-style query options kept (sslmode, application_name, options). */
  ssl?: boolean;
  applicationName?: string;
}

/** The schemes accepted for PostgreSQL: MLflow's (SQLAlchemy's) spellings, driver suffix included. */
export const POSTGRES_SCHEMES = ["postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+pg8000"] as const;

const configError = (message: string): CairnError => new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, message);

const SSL_MODES = new Set(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);

/**
 * Parses `postgresql://USER:PASS@HOST:PORT/DB?sslmode=...` (MLflow's spelling; `postgresql+psycopg2://` too).
 * Errors name the part that is wrong and never echo the password (the URI is shown redacted).
 */
export const parsePostgresUri = (uri: string): PgConnectionConfig => {
  const shown = redactUri(uri);
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === undefined || !(POSTGRES_SCHEMES as readonly string[]).includes(scheme)) {
    throw configError(`--backend-store-uri '${shown}' is not a postgresql:// URI`);
  }
  let url: URL;
  try {
    url = new URL(`postgresql://${uri.slice(match?.[0].length ?? 0)}`);
  } catch {
    throw configError(`--backend-store-uri '${shown}' is not a valid URI (expected postgresql://USER:PASS@HOST:PORT/DB)`);
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw configError(`--backend-store-uri '${shown}' has no host (expected postgresql://USER:PASS@HOST:PORT/DB)`);
  const port = url.port === "" ? 5432 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw configError(`--backend-store-uri '${shown}': port must be 1 to 65535`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw configError(`--backend-store-uri '${shown}' names no database (expected postgresql://USER:PASS@HOST:PORT/DB)`);
  }
  if (database.length > 63) throw configError(`--backend-store-uri '${shown}': database name is longer than 63 characters`);
  const config: PgConnectionConfig = { host, port, database };
  if (url.username !== "") config.user = decodeURIComponent(url.username);
  if (url.password !== "") config.password = decodeURIComponent(url.password);
  for (const [key, value] of url.searchParams) {
    if (key === "sslmode") {
      if (!SSL_MODES.has(value)) throw configError(`--backend-store-uri: sslmode must be one of ${[...SSL_MODES].join(", ")}, got '${value}'`);
      config.ssl = value !== "disable" && value !== "allow" && value !== "prefer";
    } else if (key === "application_name") {
      config.applicationName = value;
    } else if (key === "host") {
      // libpq's ?host=/path/to/socket-dir form (a Unix socket), as SQLAlchemy passes it through.
      config.host = value;
    } else {
      throw configError(`--backend-store-uri: query option '${key}' is not supported (supported: sslmode, application_name, host)`);
    }
  }
  return config;
};

/** The URI with its password replaced by ***, for logs, errors and /version. Works on any scheme://user:pass@ URI. */
export const redactUri = (uri: string): string => uri.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/, "$1:***@");

import type { MetadataStores } from "../metadata-stores.js";
import { SqlGcStore } from "../sql/gc-store-sql.js";
import { openPgAuditStores } from "./audit-stores.js";
import { pgSqlExecutor } from "./pg-sql-executor.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { parsePostgresUri, redactUri } from "./connection-uri.js";
import { ensurePostgresSchema } from "./migrations.js";
import { openPgOperationsStores } from "./operations-stores.js";
import { PgDatabase, type PgDatabaseOptions } from "./pg-database.js";
import { openPgRegistryStores } from "./registry-stores.js";
import { openPgTrackingStores } from "./tracking-stores.js";

export interface PostgresStoresOptions extends PgDatabaseOptions {
  /** artifact_location of the Default experiment (id 0) when the database is created. */
  defaultExperimentArtifactLocation?: string;
  now?: () => number;
}

/**
 * Opens every metadata store on one PostgreSQL database (one pool per process; stores join each other's
 * transactions through PgDatabase). An empty database gets the schema; an older one must be upgraded first.
 */
export const openPostgresMetadataStores = async (uri: string, options: PostgresStoresOptions = {}): Promise<MetadataStores> => {
  const db = new PgDatabase(parsePostgresUri(uri), options);
  try {
    await ensurePostgresSchema(db);
    return {
      ...(await openPgTrackingStores(db, options)),
      ...(await openPgRegistryStores(db, options)),
      ...(await openPgAuditStores(db, options)),
      ...(await openPgOperationsStores(db, options)),
      gc: new SqlGcStore(pgSqlExecutor(db)),
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw startupError(uri, error);
  }
};

/**
 * A start-up failure names the store (password redacted) and PostgreSQL's own reason (wrong password, missing
 * database, refused connection), which never contains the password.
 */
const startupError = (uri: string, error: unknown): unknown => {
  if (error instanceof CairnError && error.code !== ErrorCode.TEMPORARILY_UNAVAILABLE) return error;
  const cause = error instanceof CairnError && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `cannot open the PostgreSQL backend store ${redactUri(uri)}: ${reason}`, { cause: error });
};

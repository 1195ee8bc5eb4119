import { CairnError, ErrorCode } from "../../core/errors.js";
import { latestVersion, type Migration } from "../sql/migration.js";
import type { PgDatabase } from "./pg-database.js";
import { PG_TRACKING_MIGRATION } from "./schema/001-tracking.js";
import { PG_REGISTRY_MIGRATION } from "./schema/002-registry.js";
import { PG_AUDIT_MIGRATION } from "./schema/003-audit.js";
import { PG_OPERATIONS_MIGRATION } from "./schema/004-operations.js";
import { PG_MONITOR_LEASES_MIGRATION } from "./schema/005-monitor-leases.js";
import { PG_SHADOW_REPORT_PARTS_MIGRATION } from "./schema/006-shadow-report-parts.js";
import { PG_PENDING_DIGEST_SUM_ADDED_MIGRATION } from "./schema/007-pending-digest-sum-added.js";
import { PG_SHADOW_PART_COMPACTION_MIGRATION } from "./schema/008-shadow-part-compaction.js";
import { PG_DIGEST_COLLECTION_MIGRATION } from "./schema/009-digest-collection.js";

/**
 * The PostgreSQL schema as its own ordered list of migrations (the SQLite list has its own history; both end at the
 * same tables and columns, so `cairn db migrate` copies table by table; PostgreSQL has a few columns more, with defaults:
 * audit_pending_digests.content_sum_added, see schema/007, and the audit_xid of metrics, params and tags, schema/009). Never edit a released entry: add one.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  PG_TRACKING_MIGRATION,
  PG_REGISTRY_MIGRATION,
  PG_AUDIT_MIGRATION,
  PG_OPERATIONS_MIGRATION,
  PG_MONITOR_LEASES_MIGRATION,
  PG_SHADOW_REPORT_PARTS_MIGRATION,
  PG_PENDING_DIGEST_SUM_ADDED_MIGRATION,
  PG_SHADOW_PART_COMPACTION_MIGRATION,
  PG_DIGEST_COLLECTION_MIGRATION,
];

export const PG_LATEST_SCHEMA_VERSION: number = latestVersion(PG_MIGRATIONS);

/** Every process that migrates takes this advisory lock first, so replicas starting together migrate once. */
const MIGRATION_LOCK_KEY = 0x636169726e2d6d67n; // "cairn-mg"

export const readPgSchemaVersion = async (db: PgDatabase): Promise<number> => {
  // pg_class read by a query (the statement's snapshot), not to_regclass (the catalog snapshot, which inside the
  // migration lock's transaction can predate the commit of the replica that migrated first).
  const table = await db.one<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = 'schema_version' AND n.nspname = current_schema()) AS present`,
  );
  if (table?.present !== true) return 0;
  return (await db.one<{ version: number }>("SELECT version FROM schema_version"))?.version ?? 0;
};

export interface UpgradeResult {
  from: number;
  to: number;
}

/**
 * Brings the database to the latest version in one transaction under the migration lock (as `mlflow db upgrade`).
 * Refuses a database written by a newer Cairn: guessing at a schema this code does not know could corrupt it.
 */
export const upgradePostgres = async (db: PgDatabase, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<UpgradeResult> => {
  const latest = latestVersion(migrations);
  return db.withAdvisoryLock(MIGRATION_LOCK_KEY, async () => {
    const from = await readPgSchemaVersion(db);
    if (from > latest) throw newerSchemaError(from, latest);
    if (from === latest) return { from, to: from };
    await db.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version > from) await db.query(migration.sql);
    }
    await db.query("DELETE FROM schema_version");
    await db.query("INSERT INTO schema_version (version) VALUES ($1)", [latest]);
    return { from, to: latest };
  });
};

/**
 * At server start: an empty database is created at the latest version; an older one is refused with the command
 * that upgrades it (a shared database is upgraded once, on purpose, not by whichever replica restarts first, which
 * is MLflow's rule too); a newer one is refused.
 */
export const ensurePostgresSchema = async (db: PgDatabase, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<void> => {
  const latest = latestVersion(migrations);
  const current = await readPgSchemaVersion(db);
  if (current === latest) return;
  if (current > latest) throw newerSchemaError(current, latest);
  if (current === 0) {
    await upgradePostgres(db, migrations);
    return;
  }
  throw new CairnError(
    ErrorCode.INVALID_STATE,
    `database schema version ${current} is older than this Cairn (${latest}); run 'cairn db upgrade --backend-store-uri URI' first`,
  );
};

const newerSchemaError = (current: number, latest: number): CairnError =>
  new CairnError(ErrorCode.INVALID_STATE, `database schema version ${current} is newer than this Cairn (${latest}); upgrade Cairn`);

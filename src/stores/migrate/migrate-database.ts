import type { Database } from "better-sqlite3";
import { latestVersion, type Migration } from "../sql/migration.js";
import { readSchemaVersion } from "../sqlite/migrations.js";
import { upgradePostgres } from "../postgres/migrations.js";
import type { PgDatabase } from "../postgres/pg-database.js";
import { copyTable, type CopyLimits } from "./copy-table.js";
import { planCopy } from "./copy-plan.js";
import { createProgressTable, PROGRESS_TABLE, progressTableExists, readProgress } from "./progress-table.js";
import { resetSequences } from "./sequences.js";
import { orderByForeignKeys, quoteIdentifier as q, readSourceCatalog } from "./source-catalog.js";
import { readTargetCatalog } from "./target-catalog.js";
import { checkTable, type TableCheck } from "./verify-table.js";

/** A refusal before anything is written (a usage problem: exit 2 in the CLI), with what to do about it. */
export class MigrateRefusal extends Error {}

export interface MigrateOptions {
  /** The SQLite schema the source must be at (default: Cairn's). */
  sourceMigrations: readonly Migration[];
  /** The PostgreSQL schema the target is brought to before the copy (default: Cairn's). */
  targetMigrations: readonly Migration[];
  /** Shown in refusals: how to upgrade the source. */
  sourceUri: string;
  limits: CopyLimits;
  /** Bookkeeping of the target's own after the rows are in (the CLI: the digest collection starts after them). */
  afterCopy?: (pg: PgDatabase) => Promise<void>;
  /** The audit chain check on the target, once the copy is verified (the CLI runs AuditService.verify there). */
  verifyAudit?: () => Promise<{ ok: boolean; checked: number; problems?: unknown[] }>;
}

export interface TableSummary extends TableCheck {
  /** Rows this run wrote (0 for a table an earlier run finished). */
  copiedNow: number;
}

export interface MigrateReport {
  resumed: boolean;
  targetSchema: { from: number; to: number };
  tables: TableSummary[];
  /** Target tables with no source twin, left untouched. */
  targetOnlyTables: string[];
  audit?: { ok: boolean; checked: number; problems?: unknown[] };
  ok: boolean;
}

const TARGET_BOOKKEEPING = new Set(["schema_version", PROGRESS_TABLE]);

/**
 * Copies every table of a Cairn SQLite database into PostgreSQL, schema-driven: the tables, columns, keys and foreign
 * keys come from the two catalogs, so a table any later migration adds is copied without a change here. Steps:
 * check the source's schema version; bring the target to its latest schema; refuse a target holding rows unless an
 * earlier run's progress table is there (resume); copy parents before children, in chunks that commit with their
 * progress; move the identity sequences past the copied ids (and what `afterCopy` moves); then verify every table (row count and a sha256 over its
 * rows in key order, canonical across the two engines) and the audit chain. The source is read in one read
 * transaction: one consistent snapshot even if a server still writes to it (stop servers first anyway: what they
 * write afterwards is not copied).
 */
export const migrateSqliteToPostgres = async (sqlite: Database, pg: PgDatabase, options: MigrateOptions): Promise<MigrateReport> => {
  const expected = latestVersion(options.sourceMigrations);
  const found = readSchemaVersion(sqlite);
  if (found !== expected) {
    const hint = found < expected ? `run 'cairn db upgrade --backend-store-uri ${options.sourceUri}' first` : "upgrade Cairn";
    throw new MigrateRefusal(`the source database is at schema version ${found}, this Cairn copies version ${expected}: ${hint}`);
  }
  const targetSchema = await upgradePostgres(pg, options.targetMigrations);
  const ordered = orderByForeignKeys(readSourceCatalog(sqlite));
  const { plans, problems } = planCopy(ordered, await readTargetCatalog(pg), TARGET_BOOKKEEPING);
  if (problems.missing.length > 0) {
    throw new MigrateRefusal(`the target's schema lacks what the source holds: ${problems.missing.slice(0, 20).join("; ")}`);
  }

  const resumed = await progressTableExists(pg);
  if (!resumed) {
    const holding: string[] = [];
    for (const plan of plans) {
      if ((await pg.one(`SELECT 1 AS one FROM ${q(plan.source.name)} LIMIT 1`)) !== undefined) holding.push(plan.source.name);
    }
    if (holding.length > 0) {
      throw new MigrateRefusal(
        `the target database is not empty (rows in ${holding.slice(0, 10).join(", ")}${holding.length > 10 ? ", ..." : ""}); ` +
          "migrate into a new, empty database (start no server on it before the migration ends)",
      );
    }
    await createProgressTable(pg);
  }

  const progress = await readProgress(pg);
  const copied = new Map<string, number>();
  sqlite.exec("BEGIN");
  try {
    for (const plan of plans) {
      const start = progress.get(plan.source.name) ?? { rowsCopied: 0, done: false };
      const end = await copyTable(sqlite, pg, plan, start, options.limits);
      copied.set(plan.source.name, end.rowsCopied - start.rowsCopied);
    }
    await resetSequences(pg, plans);
    await options.afterCopy?.(pg);
    const tables: TableSummary[] = [];
    for (const plan of plans) tables.push({ ...(await checkTable(sqlite, pg, plan)), copiedNow: copied.get(plan.source.name) ?? 0 });
    const copyOk = tables.every((t) => t.ok);
    const audit = copyOk && options.verifyAudit ? await options.verifyAudit() : undefined;
    return {
      resumed,
      targetSchema,
      tables,
      targetOnlyTables: problems.targetOnly,
      ...(audit === undefined ? {} : { audit }),
      ok: copyOk && (audit === undefined || audit.ok),
    };
  } finally {
    sqlite.exec("COMMIT");
  }
};

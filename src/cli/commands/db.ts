import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { AuditService } from "../../audit/service.js";
import { splitStoreUri, sqlitePathFromUri } from "../../core/config.js";
import { MigrateRefusal, migrateSqliteToPostgres, type MigrateReport } from "../../stores/migrate/migrate-database.js";
import { parsePostgresUri, POSTGRES_SCHEMES, redactUri } from "../../stores/postgres/connection-uri.js";
import { PG_MIGRATIONS, upgradePostgres } from "../../stores/postgres/migrations.js";
import { PgDatabase } from "../../stores/postgres/pg-database.js";
import { migrate, readSchemaVersion, SQLITE_MIGRATIONS } from "../../stores/sqlite/migrations.js";
import { openMetadataStores } from "../../stores/registry.js";
import { UsageError } from "../errors.js";
import type { CommandResult } from "../output.js";
import { collectOnlyAfterThisTransaction } from "../../stores/postgres/pg-digest-collector.js";

/**
 * `cairn db upgrade` and `cairn db migrate`: schema work on the database itself (as `mlflow db upgrade`), no server.
 * Every URI shown is redacted: a password never reaches the terminal or a log.
 */
const isPostgres = (uri: string): boolean => (POSTGRES_SCHEMES as readonly string[]).includes(splitStoreUri(uri).scheme);

export const dbUpgrade = async (uri: string): Promise<CommandResult> => {
  const shown = redactUri(uri);
  let result: { from: number; to: number };
  if (isPostgres(uri)) {
    const db = new PgDatabase(parsePostgresUri(uri), { maxConnections: 1 });
    try {
      result = await upgradePostgres(db);
    } finally {
      await db.close();
    }
  } else {
    const filePath = sqlitePathFromUri(uri);
    if (!existsSync(filePath)) throw new UsageError(`--backend-store-uri ${shown}: no database file at ${filePath}`);
    const db = new Database(filePath);
    try {
      db.pragma("busy_timeout = 10000");
      const from = readSchemaVersion(db);
      result = { from, to: migrate(db, SQLITE_MIGRATIONS) };
    } finally {
      db.close();
    }
  }
  const text =
    result.from === result.to
      ? `${shown} is at schema version ${result.to}, the latest: nothing to do.`
      : `Upgraded ${shown} from schema version ${result.from} to ${result.to}.`;
  return { data: { backend_store_uri: shown, from_version: result.from, to_version: result.to }, human: { kind: "message", text } };
};

export interface DbMigrateOptions {
  from: string;
  to: string;
  chunkRows?: string;
}

const DEFAULT_CHUNK_ROWS = 5_000;

const chunkRowsOf = (text: string | undefined): number => {
  if (text === undefined) return DEFAULT_CHUNK_ROWS;
  const rows = Number(text);
  if (!/^\d+$/.test(text) || rows < 1 || rows > 100_000) throw new UsageError(`--chunk-rows must be an integer from 1 to 100000, got '${text}'`);
  return rows;
};

/** The target's audit chain, checked through the PostgreSQL audit store like `cairn audit verify` would. */
const verifyTargetAudit = async (uri: string): Promise<{ ok: boolean; checked: number; problems?: unknown[] }> => {
  try {
    const stores = await openMetadataStores(uri);
    try {
      const report = await new AuditService(stores.audit).verify();
      return { ok: report.ok, checked: report.checked, ...(report.problems === undefined ? {} : { problems: report.problems.slice(0, 20) }) };
    } finally {
      await stores.close();
    }
  } catch (error) {
    // Could not run is not a pass.
    return { ok: false, checked: 0, problems: [{ reason: `audit verify could not run on the target: ${error instanceof Error ? error.message : String(error)}` }] };
  }
};

export const dbMigrate = async (options: DbMigrateOptions): Promise<CommandResult> => {
  if (splitStoreUri(options.from).scheme !== "sqlite") throw new UsageError(`--from must be a sqlite:/// URI, got '${redactUri(options.from)}'`);
  if (!isPostgres(options.to)) throw new UsageError(`--to must be a postgresql:// URI, got '${redactUri(options.to)}'`);
  const chunkRows = chunkRowsOf(options.chunkRows);
  const sourcePath = sqlitePathFromUri(options.from);
  if (!existsSync(sourcePath)) throw new UsageError(`--from ${options.from}: no database file at ${sourcePath}`);
  const sqlite = new Database(sourcePath, { readonly: true, fileMustExist: true });
  const pg = new PgDatabase(parsePostgresUri(options.to), { maxConnections: 2, statementTimeoutMs: 0 });
  let report: MigrateReport;
  try {
    report = await migrateSqliteToPostgres(sqlite, pg, {
      sourceMigrations: SQLITE_MIGRATIONS,
      targetMigrations: PG_MIGRATIONS,
      sourceUri: options.from,
      limits: { chunkRows },
      afterCopy: collectOnlyAfterThisTransaction,
      verifyAudit: () => verifyTargetAudit(options.to),
    });
  } catch (error) {
    if (error instanceof MigrateRefusal) throw new UsageError(error.message);
    throw error;
  } finally {
    sqlite.close();
    await pg.close();
  }
  return migrateResult(report, redactUri(options.to));
};

const migrateResult = (report: MigrateReport, target: string): CommandResult => {
  const audit = report.audit;
  const auditLine =
    audit === undefined
      ? "audit verify: not run (a table did not match)"
      : audit.ok
        ? `audit verify: ok (${audit.checked} events)`
        : `audit verify: FAILED ${JSON.stringify(audit.problems ?? []).slice(0, 500)}`;
  const failed = report.tables.filter((t) => !t.ok).map((t) => t.table);
  return {
    data: {
      target,
      resumed: report.resumed,
      target_schema: report.targetSchema,
      ok: report.ok,
      tables: report.tables.map((t) => ({
        table: t.table,
        source_rows: t.sourceRows,
        target_rows: t.targetRows,
        copied_now: t.copiedNow,
        source_sha256: t.sourceDigest,
        target_sha256: t.targetDigest,
        ok: t.ok,
      })),
      target_only_tables: report.targetOnlyTables,
      ...(audit === undefined ? {} : { audit }),
    },
    human: {
      kind: "table",
      title: `${report.resumed ? "Resumed" : "Copied"} into ${target}:`,
      columns: ["TABLE", "SOURCE ROWS", "TARGET ROWS", "COPIED NOW", "SHA256", "OK"],
      rows: report.tables.map((t) => [t.table, String(t.sourceRows), String(t.targetRows), String(t.copiedNow), t.targetDigest.slice(0, 16), t.ok ? "yes" : "NO"]),
      empty: "The source holds no tables.",
      note: [
        auditLine,
        failed.length > 0 ? `MISMATCH in ${failed.join(", ")}: the target differs from the source.` : "Every table matches the source.",
      ].join("\n"),
    },
    ...(report.ok ? {} : { exitCode: 1 }),
  };
};

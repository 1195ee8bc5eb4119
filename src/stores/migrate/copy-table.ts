import type { Database } from "better-sqlite3";
import type { PgDatabase } from "../postgres/pg-database.js";
import type { TablePlan } from "./copy-plan.js";
import { writeProgress, type TableProgress } from "./progress-table.js";
import { decodeKey, encodeKey } from "./resume-key.js";
import { toPgParam } from "./row-digest.js";
import { quoteIdentifier as q } from "./source-catalog.js";

/** PostgreSQL binds at most 65,535 parameters per statement; a multi-row INSERT stays well under. */
const MAX_PARAMS_PER_INSERT = 30_000;
const MAX_ROWS_PER_INSERT = 1_000;

export interface CopyLimits {
  /** Rows per committed chunk (one PostgreSQL transaction with its progress row). */
  chunkRows: number;
  /** Called after each committed chunk; a test throws here to simulate a kill between two chunks. */
  afterChunk?: (table: string, rowsCopied: number) => void | Promise<void>;
}

const insertSql = (plan: TablePlan, rows: number): string => {
  const width = plan.source.columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r += 1) {
    tuples.push(`(${plan.source.columns.map((_, c) => `$${r * width + c + 1}`).join(", ")})`);
  }
  // OVERRIDING SYSTEM VALUE: ids keep their SQLite values even in a GENERATED ALWAYS column (no-op for BY DEFAULT).
  const overriding = plan.identityColumns.length > 0 ? " OVERRIDING SYSTEM VALUE" : "";
  return `INSERT INTO ${q(plan.source.name)} (${plan.source.columns.map(q).join(", ")})${overriding} VALUES ${tuples.join(", ")}`;
};

const insertRows = async (pg: PgDatabase, plan: TablePlan, rows: readonly unknown[][]): Promise<void> => {
  const width = Math.max(plan.source.columns.length, 1);
  const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS_PER_INSERT / width)));
  for (let start = 0; start < rows.length; start += perInsert) {
    const slice = rows.slice(start, start + perInsert);
    const params: unknown[] = [];
    for (const row of slice) for (let c = 0; c < width; c += 1) params.push(toPgParam(plan.kinds[c] ?? "text", row[c]));
    await pg.query(insertSql(plan, slice.length), params);
  }
};

/**
 * Streams one table from SQLite (.iterate(): one row in memory at a time, plus one chunk) in primary-key order,
 * starting after the key the progress row holds, and commits it in chunks: each chunk's rows and its progress row in
 * one PostgreSQL transaction. Returns the table's final progress.
 */
export const copyTable = async (sqlite: Database, pg: PgDatabase, plan: TablePlan, start: TableProgress, limits: CopyLimits): Promise<TableProgress> => {
  if (start.done) return start;
  const { source } = plan;
  const keys = source.keyColumns.map(q).join(", ");
  const keyIndexes = source.keyColumns.map((k) => source.columns.indexOf(k));
  const after = start.lastKey === undefined ? undefined : decodeKey(start.lastKey);
  const where = after === undefined ? "" : ` WHERE (${keys}) > (${after.map(() => "?").join(", ")})`;
  const statement = sqlite
    .prepare(`SELECT ${source.columns.map(q).join(", ")} FROM ${q(source.name)}${where} ORDER BY ${keys}`)
    .raw(true)
    .safeIntegers(true);
  let progress: TableProgress = { ...start };
  let chunk: unknown[][] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const last = chunk[chunk.length - 1] ?? [];
    const next: TableProgress = { rowsCopied: progress.rowsCopied + chunk.length, lastKey: encodeKey(keyIndexes.map((i) => last[i])), done: false };
    const rows = chunk;
    await pg.transaction(async () => {
      await insertRows(pg, plan, rows);
      await writeProgress(pg, source.name, next);
    });
    progress = next;
    chunk = [];
    await limits.afterChunk?.(source.name, progress.rowsCopied);
  };
  for (const row of statement.iterate(...(after ?? [])) as IterableIterator<unknown[]>) {
    chunk.push(row);
    if (chunk.length >= limits.chunkRows) await flush();
  }
  await flush();
  progress = { ...progress, done: true };
  await writeProgress(pg, source.name, progress);
  return progress;
};

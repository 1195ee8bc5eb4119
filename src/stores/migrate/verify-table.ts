import type { Database } from "better-sqlite3";
import type { PgDatabase } from "../postgres/pg-database.js";
import type { TablePlan } from "./copy-plan.js";
import { TableDigest } from "./row-digest.js";
import { quoteIdentifier as q } from "./source-catalog.js";

const FETCH_ROWS = 2_000;

export interface TableCheck {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceDigest: string;
  targetDigest: string;
  ok: boolean;
}

export const sourceDigest = (sqlite: Database, plan: TablePlan): TableDigest => {
  const { source } = plan;
  const digest = new TableDigest(plan.kinds);
  const statement = sqlite
    .prepare(`SELECT ${source.columns.map(q).join(", ")} FROM ${q(source.name)} ORDER BY ${source.keyColumns.map(q).join(", ")}`)
    .raw(true)
    .safeIntegers(true);
  for (const row of statement.iterate() as IterableIterator<unknown[]>) digest.add(row);
  return digest;
};

/**
 * The same digest over the target, read through a cursor (bounded memory) in the same order: text keys compared by
 * byte (COLLATE "C", as SQLite's BINARY), NULLs first (as SQLite sorts them), whatever the database's own collation.
 */
export const targetDigest = async (pg: PgDatabase, plan: TablePlan): Promise<TableDigest> => {
  const { source } = plan;
  const digest = new TableDigest(plan.kinds);
  const order = source.keyColumns
    .map((column, i) => `${q(column)}${plan.keyKinds[i] === "text" ? ' COLLATE "C"' : ""} ASC NULLS FIRST`)
    .join(", ");
  await pg.transaction(async () => {
    await pg.query(`DECLARE cairn_digest NO SCROLL CURSOR FOR SELECT ${source.columns.map(q).join(", ")} FROM ${q(source.name)} ORDER BY ${order}`);
    for (;;) {
      const rows = await pg.query<Record<string, unknown>>(`FETCH ${FETCH_ROWS} FROM cairn_digest`);
      for (const row of rows) digest.add(source.columns.map((column) => row[column]));
      if (rows.length < FETCH_ROWS) break;
    }
    await pg.query("CLOSE cairn_digest");
  });
  return digest;
};

export const checkTable = async (sqlite: Database, pg: PgDatabase, plan: TablePlan): Promise<TableCheck> => {
  const source = sourceDigest(sqlite, plan);
  const target = await targetDigest(pg, plan);
  const [sourceHex, targetHex] = [source.hex(), target.hex()];
  return {
    table: plan.source.name,
    sourceRows: source.rows,
    targetRows: target.rows,
    sourceDigest: sourceHex,
    targetDigest: targetHex,
    ok: source.rows === target.rows && sourceHex === targetHex,
  };
};

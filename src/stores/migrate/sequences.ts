import type { PgDatabase } from "../postgres/pg-database.js";
import type { TablePlan } from "./copy-plan.js";
import { quoteIdentifier as q } from "./source-catalog.js";

/**
 * Moves each identity column's sequence past the ids copied (and past SQLite's AUTOINCREMENT counter, which may be
 * higher: SQLite never reuses the id of a deleted row, so neither does the target). A table left empty keeps its
 * sequence where it starts.
 */
export const resetSequences = async (pg: PgDatabase, plans: readonly TablePlan[]): Promise<void> => {
  for (const plan of plans) {
    for (const column of plan.identityColumns) {
      const sequence = await pg.one<{ name: string | null }>("SELECT pg_get_serial_sequence($1, $2) AS name", [q(plan.source.name), column]);
      if (sequence?.name == null) continue;
      const max = await pg.one<{ max: number | null }>(`SELECT MAX(${q(column)})::bigint AS max FROM ${q(plan.source.name)}`);
      const highest = Math.max(max?.max ?? 0, plan.source.sequence ?? 0);
      if (highest < 1) continue;
      await pg.query("SELECT setval($1, $2, true)", [sequence.name, highest]);
    }
  }
};

import type { Database } from "better-sqlite3";

/** A table of the SQLite source as its own catalog describes it: the copier reads no hard-coded table list. */
export interface SourceTable {
  name: string;
  columns: string[];
  /** Primary-key columns in key order; every column when the table has none (ordering must still be total). */
  keyColumns: string[];
  /** Tables this one references (its foreign keys), itself excluded. */
  references: string[];
  /** The AUTOINCREMENT counter of the table (sqlite_sequence), which may exceed the highest id kept. */
  sequence?: number;
}

/** Tables of SQLite's own bookkeeping and the schema runner's: never copied. */
const SKIPPED = new Set(["schema_version", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"]);

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const readSourceCatalog = (db: Database): SourceTable[] => {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>)
    .map((row) => row.name)
    .filter((name) => !SKIPPED.has(name) && !name.startsWith("sqlite_"));
  const hasSequences = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get() !== undefined;
  const sequences = new Map<string, number>(
    hasSequences ? (db.prepare("SELECT name, seq FROM sqlite_sequence").all() as Array<{ name: string; seq: number }>).map((r) => [r.name, r.seq]) : [],
  );
  return names.map((name) => {
    const info = db.prepare(`PRAGMA table_info(${quote(name)})`).all() as Array<{ name: string; pk: number }>;
    const keys = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const fks = db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all() as Array<{ table: string }>;
    const sequence = sequences.get(name);
    return {
      name,
      columns: info.map((c) => c.name),
      keyColumns: keys.length > 0 ? keys : info.map((c) => c.name),
      references: [...new Set(fks.map((fk) => fk.table))].filter((table) => table !== name).sort(),
      ...(sequence === undefined ? {} : { sequence }),
    };
  });
};

/**
 * Parents before children (Kahn's algorithm, ties by name so the order is stable): every row a foreign key points at
 * is in PostgreSQL before the rows that point at it. A cycle is a schema this copier cannot order: it says which.
 */
export const orderByForeignKeys = (tables: readonly SourceTable[]): SourceTable[] => {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: SourceTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t.name) && t.references.every((ref) => placed.has(ref) || !byName.has(ref)));
    if (ready.length === 0) {
      const left = tables.filter((t) => !placed.has(t.name)).map((t) => t.name);
      throw new Error(`foreign keys form a cycle among tables ${left.join(", ")}: cannot order the copy`);
    }
    for (const table of ready) {
      placed.add(table.name);
      ordered.push(table);
    }
  }
  return ordered;
};

export { quote as quoteIdentifier };

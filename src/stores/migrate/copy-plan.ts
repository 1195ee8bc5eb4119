import type { SourceTable } from "./source-catalog.js";
import type { ColumnKind, TargetTable } from "./target-catalog.js";

/** One table to copy: its source columns, each with the target column's kind (how values are bound and digested). */
export interface TablePlan {
  source: SourceTable;
  kinds: ColumnKind[];
  /** Kinds of the key columns, for the target's ORDER BY (text keys by byte, as SQLite orders them). */
  keyKinds: ColumnKind[];
  identityColumns: string[];
}

export interface PlanProblems {
  /** Source tables or columns the target lacks: the copy would lose data, so it does not start. */
  missing: string[];
  /** Target tables with no source twin (a PostgreSQL-only table): left as they are, listed in the summary. */
  targetOnly: string[];
}

/** Matches the source's tables with the target's by name; any source table or column without a twin is a problem. */
export const planCopy = (
  ordered: readonly SourceTable[],
  target: ReadonlyMap<string, TargetTable>,
  ignoredTargetTables: ReadonlySet<string>,
): { plans: TablePlan[]; problems: PlanProblems } => {
  const missing: string[] = [];
  const plans: TablePlan[] = [];
  for (const source of ordered) {
    const twin = target.get(source.name);
    if (twin === undefined) {
      missing.push(`table ${source.name}`);
      continue;
    }
    const absent = source.columns.filter((column) => !twin.columns.has(column));
    for (const column of absent) missing.push(`column ${source.name}.${column}`);
    const required = [...twin.columns.values()].filter((c) => c.required && !source.columns.includes(c.name));
    for (const column of required) missing.push(`value for NOT NULL column ${source.name}.${column.name} (no default)`);
    if (absent.length > 0 || required.length > 0) continue;
    const kindOf = (column: string): ColumnKind => twin.columns.get(column)?.kind ?? "text";
    plans.push({
      source,
      kinds: source.columns.map(kindOf),
      keyKinds: source.keyColumns.map(kindOf),
      identityColumns: [...twin.columns.values()].filter((c) => c.identity && source.columns.includes(c.name)).map((c) => c.name),
    });
  }
  const sourceNames = new Set(ordered.map((t) => t.name));
  const targetOnly = [...target.keys()].filter((name) => !sourceNames.has(name) && !ignoredTargetTables.has(name)).sort();
  return { plans, problems: { missing, targetOnly } };
};

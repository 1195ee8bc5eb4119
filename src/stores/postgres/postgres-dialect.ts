import type { SqlDialect, SqlParams } from "../sql/dialect.js";

/**
 * PostgreSQL's spelling for the shared search compilers. LIKE treats backslash as an escape character by default,
 * MLflow's patterns have none: `ESCAPE ''` turns it off. The compared columns are COLLATE "C" (schema/001), under
 * which ILIKE folds ASCII letters only, as SQLite's LIKE does.
 */
export const postgresDialect: SqlDialect = {
  placeholder: (index: number) => `$${index}`,
  like: (expr: string, pattern: string, params: SqlParams) => `${expr} LIKE ${params.bind(pattern)} ESCAPE ''`,
  ilike: (expr: string, pattern: string, params: SqlParams) => `${expr} ILIKE ${params.bind(pattern)} ESCAPE ''`,
};

import type { SqlDialect, SqlParams } from "../sql/dialect.js";

/**
 * PostgreSQL's spelling for the shared query compilers: `$n` placeholders, and LIKE / ILIKE with `ESCAPE ''`,
 * because PostgreSQL's LIKE treats backslash as an escape by default while MLflow's patterns have none (a `\` in
 * a pattern is a literal character, as on SQLite). Both are case handling as MLflow's: LIKE case-sensitive, ILIKE not.
 */
export const postgresDialect: SqlDialect = {
  placeholder: (index: number) => `$${index}`,
  like: (expr: string, pattern: string, params: SqlParams) => `${expr} LIKE ${params.bind(pattern)} ESCAPE ''`,
  ilike: (expr: string, pattern: string, params: SqlParams) => `${expr} ILIKE ${params.bind(pattern)} ESCAPE ''`,
};

import type { SqlDialect, SqlParams } from "../sql/dialect.js";

/**
 * SQLite's LIKE ignores ASCII case, but MLflow's LIKE is case-sensitive. A LIKE pattern is therefore rewritten to
 * the equivalent GLOB pattern (GLOB is case-sensitive and still uses an index for a literal prefix); GLOB's own
 * metacharacters in the pattern are made literal with bracket classes. ILIKE is SQLite's plain LIKE.
 */
export const likeToGlob = (pattern: string): string => {
  let glob = "";
  for (const char of pattern) {
    if (char === "%") glob += "*";
    else if (char === "_") glob += "?";
    else if (char === "*" || char === "?" || char === "[") glob += `[${char}]`;
    else glob += char;
  }
  return glob;
};

export const sqliteDialect: SqlDialect = {
  placeholder: () => "?",
  like: (expr: string, pattern: string, params: SqlParams) => `${expr} GLOB ${params.bind(likeToGlob(pattern))}`,
  ilike: (expr: string, pattern: string, params: SqlParams) => `${expr} LIKE ${params.bind(pattern)}`,
};

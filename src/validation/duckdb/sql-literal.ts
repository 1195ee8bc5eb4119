/**
 * DuckDB string literal: the only escape inside '...' is a doubled quote (no backslash escapes), so any path
 * becomes one literal. Used only where DuckDB cannot bind a parameter (CREATE VIEW cannot be prepared).
 */
export const quoteLiteral = (value: string): string => {
  if (value.includes("\u0000")) throw new Error("a NUL character cannot appear in a DuckDB string literal");
  return `'${value.replaceAll("'", "''")}'`;
};

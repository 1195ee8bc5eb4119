/**
 * What differs between the SQL backends for the shared query compilers: how a bound parameter is written and how
 * a case-sensitive / case-insensitive LIKE is spelled. Everything else the compilers emit is portable SQL
 * (EXISTS, LEFT JOIN, CASE, row values are avoided in compiled queries).
 */
export interface SqlDialect {
  /** The placeholder of the `index`-th bound parameter (1-based): "?" for SQLite, "$1" for PostgreSQL. */
  placeholder(index: number): string;
  /**
   * `expr` matches the MLflow LIKE `pattern` (% and _ wildcards, no escape character), case-sensitively.
   * PostgreSQL's LIKE treats backslash as an escape by default: its dialect must add `ESCAPE ''`.
   */
  like(expr: string, pattern: string, params: SqlParams): string;
  /** The same, ignoring case. */
  ilike(expr: string, pattern: string, params: SqlParams): string;
}

/** Collects bound values in the order their placeholders appear in the SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Pick<SqlDialect, "placeholder">) {}

  bind(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }

  bindList(values: readonly unknown[]): string {
    return values.map((value) => this.bind(value)).join(", ");
  }
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

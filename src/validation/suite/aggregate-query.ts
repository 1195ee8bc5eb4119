/**
 * One scan per row condition: every count and statistic the suite's map, aggregate and table expectations need is
 * a column of one SELECT, so twenty expectations over a 3-million-row file read it once.
 */
import type { Dataset, SqlValue } from "../dataset.js";
import { type RowCondition, SqlParameters } from "./row-condition.js";
import { whereClause } from "./scope.js";

export class AggregateQuery {
  readonly params = new SqlParameters();
  private readonly expressions: string[] = [];
  private readonly aliases = new Map<string, string>();
  private readonly where: string;

  constructor(readonly condition: RowCondition | undefined) {
    // The condition's placeholders come first; expressions bind theirs after it.
    this.where = whereClause(condition, this.params);
  }

  /** Adds `sql` (built against this query's parameters) and returns the alias its value comes back under. */
  add(build: (params: SqlParameters) => string): string {
    const mark = this.params.values.length;
    const sql = build(this.params);
    // Parameter-free expressions (count(*), avg(x)) are shared between expectations.
    if (this.params.values.length === mark) {
      const existing = this.aliases.get(sql);
      if (existing) return existing;
    }
    const alias = `a${this.expressions.length}`;
    this.expressions.push(`${sql} AS ${alias}`);
    if (this.params.values.length === mark) this.aliases.set(sql, alias);
    return alias;
  }

  async run(dataset: Dataset): Promise<Record<string, SqlValue>> {
    if (this.expressions.length === 0) return {};
    const rows = await dataset.query(`SELECT ${this.expressions.join(", ")} FROM data${this.where}`, this.params.values);
    return rows[0] ?? {};
  }
}

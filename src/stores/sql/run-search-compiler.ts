import { invalidParameter } from "../../core/errors.js";
import type { LifecycleStage } from "../../protocol/mlflow/entities.js";
import { SystemTag } from "../../protocol/mlflow/entities.js";
import type { Comparison, FilterExpression, NullCheck, OrderByClause } from "../../tracking/search/ast.js";
import { NUMERIC_ATTRIBUTES, type RunAttributeKey } from "../../tracking/search/ast.js";
import { compileComparison, compileIntegerComparison } from "./comparison.js";
import { type CompiledQuery, type SqlDialect, SqlParams } from "./dialect.js";

/**
 * Compiles a run search (filter AST + order_by + scope + page) into ONE parameterized query that returns the
 * page's run keys in order. Keys and values are always bound parameters. It assumes the tracking schema shared by
 * the SQL backends: runs(run_key, run_uuid, experiment_id, name, user_id, status, start_time, end_time,
 * lifecycle_stage, artifact_uri), latest_metrics(run_key, key, value, is_nan), params / tags(run_key, key, value),
 * inputs(input_key, run_key, dataset_key), datasets(dataset_key, name, digest), input_tags(input_key, key, value).
 *
 * MLflow semantics: a comparison on a metric/param/tag the run lacks is false (also `!=`), which EXISTS gives;
 * metric filters compare the latest value; NaN is stored as is_nan=1 and behaves as IEEE NaN (only `!=` is true).
 */
export interface RunSearchScope {
  experimentIds: readonly number[];
  /** undefined = every lifecycle stage (view type ALL). */
  stages: readonly LifecycleStage[] | undefined;
  filter?: FilterExpression;
  orderBy: readonly OrderByClause[];
  limit: number;
  offset: number;
}

const ATTRIBUTE_COLUMNS: Record<RunAttributeKey, string> = {
  run_id: "r.run_uuid",
  run_name: "r.name",
  status: "r.status",
  user_id: "r.user_id",
  artifact_uri: "r.artifact_uri",
  lifecycle_stage: "r.lifecycle_stage",
  start_time: "r.start_time",
  end_time: "r.end_time",
};

const attributeColumn = (key: string): string => {
  const column = (ATTRIBUTE_COLUMNS as Record<string, string | undefined>)[key];
  if (column === undefined) {
    throw invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are ${JSON.stringify(Object.keys(ATTRIBUTE_COLUMNS))}`,
    );
  }
  return column;
};

const KEYED_TABLES = { metric: "latest_metrics", param: "params", tag: "tags" } as const;

class RunSearchCompiler {
  readonly params: SqlParams;

  constructor(private readonly dialect: SqlDialect) {
    this.params = new SqlParams(dialect);
  }

  expression(node: FilterExpression): string {
    switch (node.kind) {
      case "and":
      case "or": {
        if (node.operands.length === 0) return node.kind === "and" ? "1 = 1" : "1 = 0";
        const joiner = node.kind === "and" ? " AND " : " OR ";
        return `(${node.operands.map((operand) => this.expression(operand)).join(joiner)})`;
      }
      case "null-check":
        return this.nullCheck(node);
      case "compare":
        return this.comparison(node);
    }
  }

  private nullCheck(node: NullCheck): string {
    if (node.entity === "attribute") {
      return `${attributeColumn(node.key)} IS ${node.negated ? "NOT " : ""}NULL`;
    }
    const table = KEYED_TABLES[node.entity];
    const exists = `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_key = r.run_key AND x.key = ${this.params.bind(node.key)})`;
    return node.negated ? exists : `NOT ${exists}`;
  }

  private comparison(node: Comparison): string {
    const field = `${node.entity}.${node.key}`;
    switch (node.entity) {
      case "attribute": {
        const column = attributeColumn(node.key);
        const numeric = NUMERIC_ATTRIBUTES.has(node.key as RunAttributeKey);
        if (numeric && typeof node.value !== "number") {
          throw invalidParameter(`${field}: expected a numeric value, got '${String(node.value)}'`);
        }
        if (numeric && typeof node.value === "number") return compileIntegerComparison(this.dialect, this.params, column, node.comparator, node.value, field);
        return compileComparison(this.dialect, this.params, column, node.comparator, node.value, field);
      }
      case "metric":
        return this.metricComparison(node, field);
      case "param":
      case "tag": {
        const { table, condition } = this.keyedCondition(node, field);
        return `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_key = r.run_key AND ${condition})`;
      }
      case "dataset":
        return this.datasetComparison(node, field);
    }
  }

  /** The condition on one row `x` of the comparison's table (latest_metrics, params or tags), key included. */
  private keyedCondition(node: Comparison, field: string): { table: string; condition: string } {
    if (node.entity === "param" || node.entity === "tag") {
      const key = this.params.bind(node.key);
      const condition = compileComparison(this.dialect, this.params, "x.value", node.comparator, node.value, field);
      return { table: KEYED_TABLES[node.entity], condition: `x.key = ${key} AND ${condition}` };
    }
    if (typeof node.value !== "number") {
      throw invalidParameter(`${field}: comparator '${node.comparator}' needs a numeric value`);
    }
    if (!["=", "!=", ">", ">=", "<", "<="].includes(node.comparator)) {
      throw invalidParameter(`${field}: invalid comparator '${node.comparator}' for a metric`);
    }
    const key = this.params.bind(node.key);
    const value = node.value;
    let condition: string;
    if (Number.isNaN(value)) {
      // IEEE: NaN equals nothing, so only `!=` can hold.
      condition = node.comparator === "!=" ? "1 = 1" : "1 = 0";
    } else {
      const op = node.comparator === "!=" ? "<>" : node.comparator;
      const compared = `x.value ${op} ${this.params.bind(value)}`;
      // is_nan before value: the (key, is_nan, value) index turns a range into one seek.
      condition = node.comparator === "!=" ? `(x.is_nan = 1 OR ${compared})` : `x.is_nan = 0 AND ${compared}`;
    }
    return { table: "latest_metrics", condition: `x.key = ${key} AND ${condition}` };
  }

  private metricComparison(node: Comparison, field: string): string {
    const { table, condition } = this.keyedCondition(node, field);
    return `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_key = r.run_key AND ${condition})`;
  }

  /**
   * The same comparison as a set the query can be driven from: `r.run_key IN (SELECT run_key ...)` lets the planner
   * start from the (key, value) index instead of probing every run of the experiment (measured on 100k runs:
   * ~25 ms instead of ~100 ms for a param equality AND a metric range).
   */
  drivingComparison(node: Comparison): string {
    const { table, condition } = this.keyedCondition(node, `${node.entity}.${node.key}`);
    return `r.run_key IN (SELECT x.run_key FROM ${table} x WHERE ${condition})`;
  }

  private datasetComparison(node: Comparison, field: string): string {
    if (node.key === "context") {
      const contextKey = this.params.bind(SystemTag.DATASET_CONTEXT);
      const condition = compileComparison(this.dialect, this.params, "t.value", node.comparator, node.value, field);
      return (
        "EXISTS (SELECT 1 FROM inputs i JOIN input_tags t ON t.input_key = i.input_key " +
        `WHERE i.run_key = r.run_key AND t.key = ${contextKey} AND ${condition})`
      );
    }
    if (node.key !== "name" && node.key !== "digest") {
      throw invalidParameter(`Invalid dataset key '${node.key}'. Valid keys are ["name", "digest", "context"]`);
    }
    const condition = compileComparison(this.dialect, this.params, `d.${node.key}`, node.comparator, node.value, field);
    return (
      "EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_key = i.dataset_key " +
      `WHERE i.run_key = r.run_key AND ${condition})`
    );
  }
}

/**
 * ORDER BY with missing values last in both directions; metrics sort real values, then NaN, then missing (MLflow's
 * CASE). Metric/param/tag sort keys come from LEFT JOINs so that runs without the key stay in the result.
 */
const compileOrderBy = (
  clauses: readonly OrderByClause[],
  params: SqlParams,
  tier?: MetricTier,
): { joins: string[]; terms: string[]; conditions: string[] } => {
  const joins: string[] = [];
  const terms: string[] = [];
  const conditions: string[] = [];
  const seen = new Set<string>();
  let startTimeOrdered = false;
  clauses.forEach((clause, index) => {
    const identity = `${clause.entity}.${clause.key}`;
    if (seen.has(identity)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${identity}`);
    seen.add(identity);
    const direction = clause.ascending ? "ASC" : "DESC";
    if (clause.entity === "attribute") {
      const column = attributeColumn(clause.key);
      if (clause.key === "start_time") startTimeOrdered = true;
      // Only end_time can be NULL: a CASE on a NOT NULL column sorts nothing and keeps PostgreSQL from reading the
      // (experiment, stage, start_time) index in order (524 ms instead of ~80 ms at 1,000,000 runs).
      if (clause.key === "end_time") terms.push(`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`);
      terms.push(`${column} ${direction}`);
      return;
    }
    const alias = `o${index}`;
    const table = KEYED_TABLES[clause.entity];
    if (index === 0 && tier !== undefined) {
      // One tier of the leading metric (see compileRunSearchTiers): its rank is the tier, no CASE to sort by.
      if (tier === "missing") {
        joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.run_key = r.run_key AND ${alias}.key = ${params.bind(clause.key)}`);
        conditions.push(`${alias}.run_key IS NULL`);
        return;
      }
      joins.push(`JOIN ${table} ${alias} ON ${alias}.run_key = r.run_key AND ${alias}.key = ${params.bind(clause.key)} AND ${alias}.is_nan = ${tier === "nan" ? 1 : 0}`);
      if (tier === "values") terms.push(`${alias}.value ${direction}`);
      return;
    }
    joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.run_key = r.run_key AND ${alias}.key = ${params.bind(clause.key)}`);
    if (clause.entity === "metric") {
      terms.push(`CASE WHEN ${alias}.run_key IS NULL THEN 2 WHEN ${alias}.is_nan = 1 THEN 1 ELSE 0 END`);
    } else {
      terms.push(`CASE WHEN ${alias}.run_key IS NULL THEN 1 ELSE 0 END`);
    }
    terms.push(`${alias}.value ${direction}`);
  });
  if (!startTimeOrdered) terms.push("r.start_time DESC");
  terms.push("r.run_uuid ASC");
  return { joins, terms, conditions };
};

/** The runs of a search ordered first by a metric, in the order they come: real values, NaN, without the metric. */
type MetricTier = "values" | "nan" | "missing";
const METRIC_TIERS: readonly MetricTier[] = ["values", "nan", "missing"];

const flattenAnd = (node: FilterExpression): FilterExpression[] =>
  node.kind === "and" ? node.operands.flatMap(flattenAnd) : [node];

/**
 * How well a top-level conjunct narrows the runs through an index, lower is better; undefined: never drive from it
 * (negations and patterns scan anyway, attributes and datasets are cheap to check per run).
 */
const driverRank = (node: FilterExpression): number | undefined => {
  if (node.kind !== "compare" || !["metric", "param", "tag"].includes(node.entity)) return undefined;
  if (node.comparator === "=") return 1;
  if (node.comparator === "IN" && node.entity !== "metric") return 2;
  if (node.entity === "metric" && [">", ">=", "<", "<="].includes(node.comparator)) return 3;
  return undefined;
};

const pickDriver = (conjuncts: readonly FilterExpression[]): Comparison | undefined => {
  let best: { node: Comparison; rank: number } | undefined;
  for (const node of conjuncts) {
    const rank = driverRank(node);
    if (rank !== undefined && node.kind === "compare" && (best === undefined || rank < best.rank)) best = { node, rank };
  }
  return best?.node;
};

export const compileRunSearch = (dialect: SqlDialect, scope: RunSearchScope, tier?: MetricTier): CompiledQuery => {
  const compiler = new RunSearchCompiler(dialect);
  const { params } = compiler;
  // Bind in textual order: joins (order keys), then WHERE, then LIMIT/OFFSET.
  const { joins, terms, conditions } = compileOrderBy(scope.orderBy, params, tier);
  const where = [`r.experiment_id IN (${params.bindList(scope.experimentIds)})`, ...conditions];
  if (scope.stages !== undefined) where.push(`r.lifecycle_stage IN (${params.bindList(scope.stages)})`);
  if (scope.filter !== undefined) {
    const conjuncts = flattenAnd(scope.filter);
    const driver = pickDriver(conjuncts);
    for (const conjunct of conjuncts) {
      where.push(conjunct === driver ? compiler.drivingComparison(driver) : compiler.expression(conjunct));
    }
  }
  const sql =
    `SELECT r.run_key FROM runs r ${joins.join(" ")} WHERE ${where.join(" AND ")} ` +
    `ORDER BY ${terms.join(", ")} LIMIT ${params.bind(scope.limit)} OFFSET ${params.bind(scope.offset)}`;
  return { sql, params: params.values };
};

/**
 * The queries of a run search, to run in order until they have returned offset + limit run keys together: the
 * keys of the page are then those from `offset` on (runQueryTiers). One query, as compileRunSearch, unless the
 * first order key is a metric: then one per tier of that metric (real values, NaN, missing), each with
 * offset + limit rows at most from its own start. One query over every run had to join each run's latest value and
 * sort them all before the first row (2 s over 1,000,000 runs on PostgreSQL); the first tier instead walks the
 * latest_metrics (key, is_nan, value) index in order and stops after a page, and the next tiers run only when the
 * first does not fill it.
 */
export const compileRunSearchTiers = (dialect: SqlDialect, scope: RunSearchScope): CompiledQuery[] => {
  if (scope.orderBy[0]?.entity !== "metric") return [compileRunSearch(dialect, scope)];
  const tierScope: RunSearchScope = { ...scope, limit: scope.offset + scope.limit, offset: 0 };
  return METRIC_TIERS.map((tier) => compileRunSearch(dialect, tierScope, tier));
};

/**
 * Runs the queries of compileRunSearchTiers one after another until offset + limit keys are known, and answers the
 * keys from `offset` on (at most `limit`). runQueryTiersSync: the same for a synchronous driver (SQLite).
 */
export const runQueryTiers = async (
  queries: readonly CompiledQuery[],
  scope: Pick<RunSearchScope, "offset" | "limit">,
  run: (query: CompiledQuery) => Promise<number[]>,
): Promise<number[]> => {
  if (queries.length === 1 && queries[0] !== undefined) return run(queries[0]);
  const keys: number[] = [];
  for (const query of queries) {
    if (keys.length >= scope.offset + scope.limit) break;
    keys.push(...(await run(query)));
  }
  return keys.slice(scope.offset, scope.offset + scope.limit);
};

export const runQueryTiersSync = (
  queries: readonly CompiledQuery[],
  scope: Pick<RunSearchScope, "offset" | "limit">,
  run: (query: CompiledQuery) => number[],
): number[] => {
  if (queries.length === 1 && queries[0] !== undefined) return run(queries[0]);
  const keys: number[] = [];
  for (const query of queries) {
    if (keys.length >= scope.offset + scope.limit) break;
    keys.push(...run(query));
  }
  return keys.slice(scope.offset, scope.offset + scope.limit);
};

import type { DatasetScope } from "../../tracking/logged-models/store.js";
import type { LoggedModelAttribute, LoggedModelComparison, LoggedModelOrderBy } from "../../tracking/logged-models/search-filter.js";
import { compileComparison } from "./comparison.js";
import { type CompiledQuery, type SqlDialect, SqlParams } from "./dialect.js";

/**
 * Compiles a logged-model search into one parameterized query returning model keys in order, over
 * logged_models (m), experiments (e) and logged_model_metrics / _params / _tags. Portable SQL (EXISTS, correlated
 * subqueries, CASE), so a PostgreSQL backend can share it.
 *
 * Semantics (MLflow's SqlAlchemyStore.search_logged_models): only active models of active experiments; filters
 * ANDed; a metric comparison matches a model that has the metric (on one of `datasets`, when given) with a value
 * that compares; `datasets` without a metric comparison keeps the models that have any metric on them. Order: the
 * clauses given (nulls last; a metric orders by its latest value on the named dataset), then creation time newest
 * first unless already ordered by it, then model id for a stable page order.
 */
export interface LoggedModelSearchScope {
  experimentIds: readonly number[];
  filter: readonly LoggedModelComparison[];
  datasets: readonly DatasetScope[];
  orderBy: readonly LoggedModelOrderBy[];
  limit: number;
  offset: number;
  /**
   * Index in `filter` of a metric comparison to drive the query from (`model_key IN (<matching metric rows>)`)
   * instead of probing it model by model (EXISTS) in the result order. The store picks it when that comparison
   * matches few rows (see compileMetricProbe): a probe scan then reads most models to find a page, while the
   * matching rows are few, read off the (key, is_nan, value) index.
   */
  drivingMetric?: number;
  /**
   * "page" (default): the whole query. When the first order clause is a metric, the store may instead ask for its
   * two halves, which an index can serve without reading every model: "with-value" (models that have a value of that
   * metric, read in value order off the (key, is_nan, value) index), its "count-with-value", and "without-value"
   * (the rest, which come after them: nulls last).
   */
  part?: "page" | "with-value" | "count-with-value" | "without-value";
}

type MetricOrder = Extract<LoggedModelOrderBy, { kind: "metric" }>;

const COLUMN: Record<LoggedModelAttribute, string> = {
  name: "m.name",
  model_id: "m.model_id",
  model_type: "m.model_type",
  status: "m.status",
  source_run_id: "m.source_run_id",
  creation_time: "m.creation_time",
  last_updated_time: "m.last_updated_time",
};

const datasetCondition = (params: SqlParams, datasets: readonly DatasetScope[], alias: string): string =>
  `(${datasets
    .map((dataset) =>
      dataset.datasetDigest === undefined
        ? `${alias}.dataset_name = ${params.bind(dataset.datasetName)}`
        : `(${alias}.dataset_name = ${params.bind(dataset.datasetName)} AND ${alias}.dataset_digest = ${params.bind(dataset.datasetDigest)})`,
    )
    .join(" OR ")})`;

type MetricComparison = Extract<LoggedModelComparison, { entity: "metric" }>;

/** The metric rows a comparison matches: `mm.key = ? AND mm.is_nan = 0 AND mm.value <op> ?` [AND on the datasets]. */
const metricRows = (dialect: SqlDialect, params: SqlParams, comparison: MetricComparison, datasets: readonly DatasetScope[]): string => {
  const key = params.bind(comparison.key);
  const condition = compileComparison(dialect, params, "mm.value", comparison.comparator, comparison.value, `metrics.${comparison.key}`);
  const scoped = datasets.length > 0 ? ` AND ${datasetCondition(params, datasets, "mm")}` : "";
  return `mm.key = ${key} AND mm.is_nan = 0 AND ${condition}${scoped}`;
};

/** How many metric rows (of any experiment) a comparison matches, counting no further than `cap`. */
export const compileMetricProbe = (
  dialect: SqlDialect,
  comparison: MetricComparison,
  datasets: readonly DatasetScope[],
  cap: number,
): CompiledQuery => {
  const params = new SqlParams(dialect);
  const rows = metricRows(dialect, params, comparison, datasets);
  const limit = params.bind(cap);
  return { sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM logged_model_metrics mm WHERE ${rows} LIMIT ${limit}) probe`, params: params.values };
};

const compileFilter = (
  dialect: SqlDialect,
  params: SqlParams,
  comparison: LoggedModelComparison,
  datasets: readonly DatasetScope[],
  driving: boolean,
): string => {
  switch (comparison.entity) {
    case "attribute":
      return compileComparison(dialect, params, COLUMN[comparison.key], comparison.comparator, comparison.value, comparison.key);
    case "metric":
      return driving
        ? `m.model_key IN (SELECT mm.model_key FROM logged_model_metrics mm WHERE ${metricRows(dialect, params, comparison, datasets)})`
        : `EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_key = m.model_key AND ${metricRows(dialect, params, comparison, datasets)})`;
    case "param":
    case "tag": {
      const table = comparison.entity === "param" ? "logged_model_params" : "logged_model_tags";
      const key = params.bind(comparison.key);
      const condition = compileComparison(dialect, params, "x.value", comparison.comparator, comparison.value, `${comparison.entity}s.${comparison.key}`);
      return `EXISTS (SELECT 1 FROM ${table} x WHERE x.model_key = m.model_key AND x.key = ${key} AND ${condition})`;
    }
  }
};

const clauseDatasets = (params: SqlParams, clause: MetricOrder, alias: string): string[] => [
  ...(clause.datasetName !== undefined ? [`${alias}.dataset_name = ${params.bind(clause.datasetName)}`] : []),
  ...(clause.datasetDigest !== undefined ? [`${alias}.dataset_digest = ${params.bind(clause.datasetDigest)}`] : []),
];

/**
 * The latest value of a metric on the clause's dataset, by timestamp, then step (MLflow's rank), then dataset name
 * and digest (so that a tie picks the same row every time); NULL without one, or when it is NaN.
 */
const metricOrderExpression = (params: SqlParams, clause: MetricOrder): string => {
  const conditions = [`o.model_key = m.model_key`, `o.key = ${params.bind(clause.key)}`, ...clauseDatasets(params, clause, "o")];
  return (
    `(SELECT CASE WHEN o.is_nan = 1 THEN NULL ELSE o.value END FROM logged_model_metrics o WHERE ${conditions.join(" AND ")} ` +
    "ORDER BY o.timestamp DESC, o.step DESC, o.dataset_name DESC, o.dataset_digest DESC LIMIT 1)"
  );
};

/** `o` is that latest row, and not NaN: the conditions of the "with-value" half, on the joined metric row `o`. */
const latestValueRow = (params: SqlParams, clause: MetricOrder): string[] => {
  const later =
    "(o2.timestamp > o.timestamp OR (o2.timestamp = o.timestamp AND (o2.step > o.step OR (o2.step = o.step AND " +
    "(o2.dataset_name > o.dataset_name OR (o2.dataset_name = o.dataset_name AND o2.dataset_digest > o.dataset_digest))))))";
  const own = [`o.key = ${params.bind(clause.key)}`, "o.is_nan = 0", ...clauseDatasets(params, clause, "o")];
  const rivals = ["o2.model_key = o.model_key", "o2.key = o.key", ...clauseDatasets(params, clause, "o2"), later];
  return [...own, `NOT EXISTS (SELECT 1 FROM logged_model_metrics o2 WHERE ${rivals.join(" AND ")})`];
};

export const compileLoggedModelSearch = (dialect: SqlDialect, scope: LoggedModelSearchScope): CompiledQuery => {
  const params = new SqlParams(dialect);
  const part = scope.part ?? "page";
  const [first, ...rest] = scope.orderBy;
  if (part !== "page" && first?.kind !== "metric") throw new Error(`the ${part} part needs a metric as first order clause`);
  const where = [
    `m.experiment_id IN (${params.bindList(scope.experimentIds)})`,
    "m.lifecycle_stage = 'active'",
    "e.lifecycle_stage = 'active'",
  ];
  scope.filter.forEach((comparison, index) => where.push(compileFilter(dialect, params, comparison, scope.datasets, index === scope.drivingMetric)));
  if (scope.datasets.length > 0 && !scope.filter.some((comparison) => comparison.entity === "metric")) {
    where.push(`EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_key = m.model_key AND ${datasetCondition(params, scope.datasets, "mm")})`);
  }
  const from =
    part === "with-value" || part === "count-with-value"
      ? "logged_model_metrics o JOIN logged_models m ON m.model_key = o.model_key JOIN experiments e ON e.experiment_id = m.experiment_id"
      : "logged_models m JOIN experiments e ON e.experiment_id = m.experiment_id";
  const metricFirst = first as MetricOrder;
  if (part === "with-value" || part === "count-with-value") where.push(...latestValueRow(params, metricFirst));
  if (part === "without-value") where.push(`${metricOrderExpression(params, metricFirst)} IS NULL`);
  if (part === "count-with-value") return { sql: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where.join(" AND ")}`, params: params.values };

  // ORDER BY expressions bind after WHERE's values: placeholders are numbered in text order.
  const order: string[] = [];
  if (part === "with-value") order.push(`o.value ${metricFirst.ascending ? "ASC" : "DESC"}`);
  for (const clause of part === "page" ? scope.orderBy : rest) {
    const expression = clause.kind === "metric" ? metricOrderExpression(params, clause) : COLUMN[clause.key];
    // NULLS LAST (SQLite 3.30+, PostgreSQL): models without the value come last in both directions, as in MLflow.
    order.push(`${expression} ${clause.ascending ? "ASC" : "DESC"} NULLS LAST`);
  }
  if (!scope.orderBy.some((clause) => clause.kind === "attribute" && clause.key === "creation_time")) order.push("m.creation_time DESC");
  if (!scope.orderBy.some((clause) => clause.kind === "attribute" && clause.key === "model_id")) order.push("m.model_id ASC");
  const limit = params.bind(scope.limit);
  const offset = params.bind(scope.offset);
  return {
    sql:
      `SELECT m.model_key AS model_key FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${offset}`,
    params: params.values,
  };
};

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
}

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

const compileFilter = (dialect: SqlDialect, params: SqlParams, comparison: LoggedModelComparison, datasets: readonly DatasetScope[]): string => {
  switch (comparison.entity) {
    case "attribute":
      return compileComparison(dialect, params, COLUMN[comparison.key], comparison.comparator, comparison.value, comparison.key);
    case "metric": {
      const key = params.bind(comparison.key);
      const condition = compileComparison(dialect, params, "mm.value", comparison.comparator, comparison.value, `metrics.${comparison.key}`);
      const scoped = datasets.length > 0 ? ` AND ${datasetCondition(params, datasets, "mm")}` : "";
      return `EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_key = m.model_key AND mm.key = ${key} AND mm.is_nan = 0 AND ${condition}${scoped})`;
    }
    case "param":
    case "tag": {
      const table = comparison.entity === "param" ? "logged_model_params" : "logged_model_tags";
      const key = params.bind(comparison.key);
      const condition = compileComparison(dialect, params, "x.value", comparison.comparator, comparison.value, `${comparison.entity}s.${comparison.key}`);
      return `EXISTS (SELECT 1 FROM ${table} x WHERE x.model_key = m.model_key AND x.key = ${key} AND ${condition})`;
    }
  }
};

/** The latest value (timestamp, then step) of a metric on the clause's dataset; NULL without one, or for NaN. */
const metricOrderExpression = (params: SqlParams, clause: Extract<LoggedModelOrderBy, { kind: "metric" }>): string => {
  const conditions = [`o.model_key = m.model_key`, `o.key = ${params.bind(clause.key)}`];
  if (clause.datasetName !== undefined) conditions.push(`o.dataset_name = ${params.bind(clause.datasetName)}`);
  if (clause.datasetDigest !== undefined) conditions.push(`o.dataset_digest = ${params.bind(clause.datasetDigest)}`);
  return (
    `(SELECT CASE WHEN o.is_nan = 1 THEN NULL ELSE o.value END FROM logged_model_metrics o WHERE ${conditions.join(" AND ")} ` +
    "ORDER BY o.timestamp DESC, o.step DESC LIMIT 1)"
  );
};

export const compileLoggedModelSearch = (dialect: SqlDialect, scope: LoggedModelSearchScope): CompiledQuery => {
  const params = new SqlParams(dialect);
  const where = [
    `m.experiment_id IN (${params.bindList(scope.experimentIds)})`,
    "m.lifecycle_stage = 'active'",
    "e.lifecycle_stage = 'active'",
  ];
  for (const comparison of scope.filter) where.push(compileFilter(dialect, params, comparison, scope.datasets));
  if (scope.datasets.length > 0 && !scope.filter.some((comparison) => comparison.entity === "metric")) {
    where.push(`EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_key = m.model_key AND ${datasetCondition(params, scope.datasets, "mm")})`);
  }
  // ORDER BY expressions bind after WHERE's values: placeholders are numbered in text order.
  const order: string[] = [];
  for (const clause of scope.orderBy) {
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
      "SELECT m.model_key AS model_key FROM logged_models m JOIN experiments e ON e.experiment_id = m.experiment_id " +
      `WHERE ${where.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${offset}`,
    params: params.values,
  };
};

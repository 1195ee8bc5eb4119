import { invalidParameter } from "../../core/errors.js";
import type { LifecycleStage } from "../../protocol/mlflow/entities.js";
import type { ExperimentFilter, ExperimentOrderBy } from "../../tracking/store.js";
import { compileComparison, compileIntegerComparison } from "./comparison.js";
import { type CompiledQuery, type SqlDialect, SqlParams } from "./dialect.js";

/**
 * Compiles an experiment search into one parameterized query returning experiment ids in order, over
 * experiments(experiment_id, name, creation_time, last_update_time, lifecycle_stage) and
 * experiment_tags(experiment_id, key, value). Filters are ANDed; a tag filter needs the tag to exist.
 * Order follows MLflow: default `creation_time DESC, experiment_id ASC`; otherwise experiment_id DESC breaks ties.
 */
export interface ExperimentSearchScope {
  stages: readonly LifecycleStage[] | undefined;
  filter: readonly ExperimentFilter[];
  orderBy: readonly ExperimentOrderBy[];
  limit: number;
  offset: number;
}

const STRING_ATTRIBUTES = new Set(["name"]);
const NUMERIC_ATTRIBUTES = new Set(["creation_time", "last_update_time"]);
const STRING_COMPARATORS = new Set(["=", "!=", "LIKE", "ILIKE"]);
const NUMERIC_COMPARATORS = new Set(["=", "!=", ">", ">=", "<", "<="]);
const ORDER_KEYS = new Set(["experiment_id", "name", "creation_time", "last_update_time"]);

const DEFAULT_ORDER: readonly ExperimentOrderBy[] = [
  { key: "creation_time", ascending: false },
  { key: "experiment_id", ascending: true },
];

const compileFilter = (dialect: SqlDialect, params: SqlParams, filter: ExperimentFilter): string => {
  if (filter.entity === "tag") {
    if (!STRING_COMPARATORS.has(filter.comparator)) {
      throw invalidParameter(`Invalid comparator for tag: ${filter.comparator}`);
    }
    const key = params.bind(filter.key);
    const condition = compileComparison(dialect, params, "t.value", filter.comparator, filter.value, `tags.${filter.key}`);
    return `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ${key} AND ${condition})`;
  }
  if (STRING_ATTRIBUTES.has(filter.key)) {
    if (!STRING_COMPARATORS.has(filter.comparator)) {
      throw invalidParameter(`Invalid comparator for string attribute: ${filter.comparator}`);
    }
  } else if (NUMERIC_ATTRIBUTES.has(filter.key)) {
    if (!NUMERIC_COMPARATORS.has(filter.comparator)) {
      throw invalidParameter(`Invalid comparator for numeric attribute: ${filter.comparator}`);
    }
    if (typeof filter.value !== "number") {
      throw invalidParameter(`attributes.${filter.key}: expected a numeric value, got '${String(filter.value)}'`);
    }
    return compileIntegerComparison(dialect, params, `e.${filter.key}`, filter.comparator, filter.value, filter.key);
  } else {
    throw invalidParameter(
      `Invalid attribute key '${filter.key}' specified. Valid keys are ["name", "creation_time", "last_update_time"]`,
    );
  }
  return compileComparison(dialect, params, `e.${filter.key}`, filter.comparator, filter.value, filter.key);
};

export const compileExperimentSearch = (dialect: SqlDialect, scope: ExperimentSearchScope): CompiledQuery => {
  const params = new SqlParams(dialect);
  const where: string[] = [];
  if (scope.stages !== undefined) where.push(`e.lifecycle_stage IN (${params.bindList(scope.stages)})`);
  for (const filter of scope.filter) where.push(compileFilter(dialect, params, filter));
  const orderBy = scope.orderBy.length > 0 ? [...scope.orderBy] : [...DEFAULT_ORDER];
  for (const clause of orderBy) {
    if (!ORDER_KEYS.has(clause.key)) throw invalidParameter(`Invalid order_by key '${String(clause.key)}'`);
  }
  if (!orderBy.some((clause) => clause.key === "experiment_id")) orderBy.push({ key: "experiment_id", ascending: false });
  const terms = orderBy.map((clause) => `e.${clause.key} ${clause.ascending ? "ASC" : "DESC"}`);
  const sql =
    `SELECT e.experiment_id FROM experiments e${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ` +
    `ORDER BY ${terms.join(", ")} LIMIT ${params.bind(scope.limit)} OFFSET ${params.bind(scope.offset)}`;
  return { sql, params: params.values };
};

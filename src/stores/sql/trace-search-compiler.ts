import type { TraceCondition, TraceOrderBy } from "../../tracing/search/ast.js";
import type { TraceSearch } from "../../tracing/store.js";
import { compileComparison } from "./comparison.js";
import { SqlParams, type CompiledQuery, type SqlDialect } from "./dialect.js";

/**
 * SearchTracesV3 as one SQL query over the traces schema (schema/012-traces.ts), portable across the SQL
 * backends: attributes are columns, tags and metadata are EXISTS probes on their (trace_key, key) primary keys, so
 * the default order (newest first) walks traces_experiment_time and stops after one page.
 */
export const TRACE_COLUMNS =
  "t.trace_key, t.trace_id, t.experiment_id, t.client_request_id, t.request_preview, t.response_preview, " +
  "t.request_time, t.execution_duration, t.state";

const ATTRIBUTE_COLUMN: Record<string, string> = {
  trace_id: "t.trace_id",
  request_time: "t.request_time",
  execution_duration: "t.execution_duration",
  state: "t.state",
  client_request_id: "t.client_request_id",
  experiment_id: "t.experiment_id",
};

const childTable = (entity: "tag" | "metadata"): string => (entity === "tag" ? "trace_tags" : "trace_metadata");

const compileCondition = (dialect: SqlDialect, params: SqlParams, condition: TraceCondition): string => {
  if (condition.entity === "attribute") {
    const column = ATTRIBUTE_COLUMN[condition.key] ?? "";
    return compileComparison(dialect, params, column, condition.comparator, condition.value, condition.key);
  }
  const table = childTable(condition.entity);
  const key = params.bind(condition.key);
  const value = compileComparison(dialect, params, "c.value", condition.comparator, condition.value, condition.key);
  return `EXISTS (SELECT 1 FROM ${table} c WHERE c.trace_key = t.trace_key AND c.key = ${key} AND ${value})`;
};

const orderExpression = (params: SqlParams, clause: TraceOrderBy): string => {
  if (clause.entity === "attribute") return ATTRIBUTE_COLUMN[clause.key] ?? "t.request_time";
  return `(SELECT c.value FROM ${childTable(clause.entity)} c WHERE c.trace_key = t.trace_key AND c.key = ${params.bind(clause.key)})`;
};

export const compileTraceSearch = (dialect: SqlDialect, search: TraceSearch, offset: number): CompiledQuery => {
  const params = new SqlParams(dialect);
  // One experiment (the usual case) as an equality, so the (experiment_id, request_time) index gives the order.
  const scope =
    search.experimentIds.length === 1
      ? `t.experiment_id = ${params.bind(Number(search.experimentIds[0]))}`
      : `t.experiment_id IN (${params.bindList(search.experimentIds.map(Number))})`;
  const where = [scope, ...search.conditions.map((condition) => compileCondition(dialect, params, condition))];
  const order = search.orderBy.map((clause) => `${orderExpression(params, clause)} ${clause.ascending ? "ASC" : "DESC"}`);
  const has = (key: string): boolean => search.orderBy.some((clause) => clause.entity === "attribute" && clause.key === key);
  if (!has("request_time")) order.push("t.request_time DESC");
  if (!has("trace_id")) order.push("t.trace_id ASC");
  const limit = params.bind(search.maxResults + 1);
  const skip = params.bind(offset);
  return {
    sql: `SELECT ${TRACE_COLUMNS} FROM traces t WHERE ${where.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${skip}`,
    params: params.values,
  };
};

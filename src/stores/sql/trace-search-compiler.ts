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

const compileCondition = (dialect: SqlDialect, params: SqlParams, condition: TraceCondition, drive: boolean): string => {
  if (condition.entity === "attribute") {
    const column = ATTRIBUTE_COLUMN[condition.key] ?? "";
    return compileComparison(dialect, params, column, condition.comparator, condition.value, condition.key);
  }
  const table = childTable(condition.entity);
  const key = params.bind(condition.key);
  const value = compileComparison(dialect, params, "c.value", condition.comparator, condition.value, condition.key);
  // A rare value drives the query from the (key, value) index (see TraceSearchPlan); otherwise each trace met in
  // the default order is probed until the page is full.
  if (drive) {
    return `t.trace_key IN (SELECT c.trace_key FROM ${table} c WHERE c.key = ${key} AND ${value})`;
  }
  return `EXISTS (SELECT 1 FROM ${table} c WHERE c.trace_key = t.trace_key AND c.key = ${key} AND ${value})`;
};

const orderExpression = (params: SqlParams, clause: TraceOrderBy): string => {
  if (clause.entity === "attribute") return ATTRIBUTE_COLUMN[clause.key] ?? "t.request_time";
  return `(SELECT c.value FROM ${childTable(clause.entity)} c WHERE c.trace_key = t.trace_key AND c.key = ${params.bind(clause.key)})`;
};

/**
 * Which condition, if any, drives the query. Walking the newest-first index and probing each trace finds a page
 * of a common tag value at once but scans the whole experiment for a rare one (20 of 100,000 traces: 60 ms),
 * while driving from the (key, value) index is the other way round (a value every trace has: 170 ms). The store
 * counts the matches of each equality condition up to RARE_MATCHES (an index range count) and drives from the
 * rarest one below that bound: past it, a page of 100 is met within a few thousand probes.
 */
export interface TraceSearchPlan {
  driving?: number;
  /**
   * Columns selected after TRACE_COLUMNS (e.g. a trace's tags and assessments built as JSON, so that PostgreSQL
   * serves a page and its contents in one statement).
   */
  extraColumns?: string;
}

export const RARE_MATCHES = 2000;

/** Equality conditions on tags or metadata, which can drive the query: their index and a count query each. */
export const drivingCandidates = (dialect: SqlDialect, search: TraceSearch): { index: number; count: CompiledQuery }[] =>
  search.conditions.flatMap((condition, index) => {
    if (condition.entity === "attribute" || (condition.comparator !== "=" && condition.comparator !== "IN")) return [];
    const params = new SqlParams(dialect);
    const key = params.bind(condition.key);
    const value = compileComparison(dialect, params, "c.value", condition.comparator, condition.value, condition.key);
    const limit = params.bind(RARE_MATCHES);
    return [{ index, count: { sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${childTable(condition.entity)} c WHERE c.key = ${key} AND ${value} LIMIT ${limit}) AS candidates`, params: params.values } }];
  });

export const compileTraceSearch = (dialect: SqlDialect, search: TraceSearch, offset: number, plan: TraceSearchPlan = {}): CompiledQuery => {
  const params = new SqlParams(dialect);
  // One experiment (the usual case) as an equality, so the (experiment_id, request_time) index gives the order.
  const scope =
    search.experimentIds.length === 1
      ? `t.experiment_id = ${params.bind(Number(search.experimentIds[0]))}`
      : `t.experiment_id IN (${params.bindList(search.experimentIds.map(Number))})`;
  const where = [scope, ...search.conditions.map((condition, index) => compileCondition(dialect, params, condition, index === plan.driving))];
  const order = search.orderBy.map((clause) => `${orderExpression(params, clause)} ${clause.ascending ? "ASC" : "DESC"}`);
  const has = (key: string): boolean => search.orderBy.some((clause) => clause.entity === "attribute" && clause.key === key);
  if (!has("request_time")) order.push("t.request_time DESC");
  if (!has("trace_id")) order.push("t.trace_id ASC");
  const limit = params.bind(search.maxResults + 1);
  const skip = params.bind(offset);
  return {
    sql: `SELECT ${TRACE_COLUMNS}${plan.extraColumns === undefined ? "" : `, ${plan.extraColumns}`} FROM traces t WHERE ${where.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${skip}`,
    params: params.values,
  };
};

import { invalidParameter } from "../../core/errors.js";
import { IS_PROMPT_TAG_KEY } from "../../registry/prompts.js";
import type { RegistryComparison, RegistryOrderBy } from "../../registry/store.js";
import { compileComparison } from "./comparison.js";
import { type CompiledQuery, type SqlDialect, SqlParams } from "./dialect.js";

/**
 * Compiles registry searches into one parameterized query each (values are always bound, never interpolated),
 * returning entity keys in order, over the registry schema (schema/002-registry.ts): registered_models m
 * (model_key, name, creation_time, last_updated_time), registered_model_tags, model_versions v (version_key,
 * name, version, source, run_id, creation_time, last_updated_time) and model_version_tags. Version queries read
 * one table (the version rows carry the model name) so that an index can serve their order.
 *
 * Semantics are MLflow's sqlalchemy registry store: filters are ANDed; a tag filter needs the tag to exist;
 * prompts (tagged mlflow.prompt.is_prompt = 'true') are left out unless the filter asks for them;
 * models are ordered by the given keys then `name ASC`; versions by the given keys (default
 * `last_updated_timestamp DESC, name ASC, version_number DESC`) then `name ASC`, `version_number DESC`.
 * Comparators are checked again here (the parsers check them first) so that a hand-built query cannot reach SQL
 * with a combination MLflow refuses.
 */
export interface RegistrySearchScope {
  filter: readonly RegistryComparison[];
  orderBy: readonly RegistryOrderBy[];
  limit: number;
  offset: number;
  /**
   * What each result row holds (default: the entity key, `m.model_key` / `v.version_key`). A backend may select
   * the whole entity here instead (PostgreSQL builds it as JSON), so that the page and its contents are one
   * statement: one round trip and one snapshot.
   */
  columns?: string;
}

const STRING_COMPARATORS: ReadonlySet<string> = new Set(["=", "!=", "LIKE", "ILIKE"]);
const NUMERIC_COMPARATORS: ReadonlySet<string> = new Set(["=", "!=", ">", ">=", "<", "<="]);

const MODEL_ORDER_COLUMNS: ReadonlyMap<string, string> = new Map([
  ["name", "m.name"],
  ["creation_timestamp", "m.creation_time"],
  ["last_updated_timestamp", "m.last_updated_time"],
]);

const VERSION_ORDER_COLUMNS: ReadonlyMap<string, string> = new Map([
  ["name", "v.name"],
  ["version_number", "v.version"],
  ["creation_timestamp", "v.creation_time"],
  ["last_updated_timestamp", "v.last_updated_time"],
]);

const DEFAULT_VERSION_ORDER: readonly RegistryOrderBy[] = [
  { key: "last_updated_timestamp", ascending: false },
  { key: "name", ascending: true },
  { key: "version_number", ascending: false },
];

/**
 * MLflow's _is_querying_prompt: the first comparison on the prompt tag decides; `= 'true'` or `!= 'false'` asks for
 * prompts, anything else (or no such comparison) for ordinary models.
 */
const isQueryingPrompts = (filter: readonly RegistryComparison[]): boolean => {
  const first = filter.find((f) => f.entity === "tag" && f.key === IS_PROMPT_TAG_KEY);
  if (first === undefined || typeof first.value !== "string") return false;
  const value = first.value.toLowerCase();
  return (first.comparator === "=" && value === "true") || (first.comparator === "!=" && value === "false");
};

/**
 * MLflow's _update_query_to_exclude_prompts: unless the search asks for prompts, comparisons on the prompt tag are
 * dropped and prompts are excluded. MLflow 2.21+ clients append ``tag.`mlflow.prompt.is_prompt` != 'true'`` to every
 * registry search; read as an ordinary tag filter (the tag must exist) it would hide every model.
 */
const promptScope = (
  filter: readonly RegistryComparison[],
  params: SqlParams,
  table: string,
  join: string,
): { filter: readonly RegistryComparison[]; exclusion?: string } => {
  if (isQueryingPrompts(filter)) return { filter };
  const key = params.bind(IS_PROMPT_TAG_KEY);
  const value = params.bind("true");
  return {
    filter: filter.filter((f) => !(f.entity === "tag" && f.key === IS_PROMPT_TAG_KEY)),
    exclusion: `NOT EXISTS (SELECT 1 FROM ${table} p WHERE ${join} AND p.key = ${key} AND p.value = ${value})`,
  };
};

const tagCondition = (
  dialect: SqlDialect,
  params: SqlParams,
  filter: RegistryComparison,
  table: string,
  join: string,
): string => {
  if (!STRING_COMPARATORS.has(filter.comparator)) {
    throw invalidParameter(`Invalid comparator for tag: ${filter.comparator}`);
  }
  const key = params.bind(filter.key);
  const condition = compileComparison(dialect, params, "t.value", filter.comparator, filter.value, `tags.${filter.key}`);
  return `EXISTS (SELECT 1 FROM ${table} t WHERE ${join} AND t.key = ${key} AND ${condition})`;
};

const orderTerms = (orderBy: readonly RegistryOrderBy[], columns: ReadonlyMap<string, string>): string[] => {
  const seen = new Set<string>();
  return orderBy.map((clause) => {
    const column = columns.get(clause.key);
    if (column === undefined) throw invalidParameter(`Invalid order by key '${clause.key}' specified.`);
    if (seen.has(column)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${clause.key}`);
    seen.add(column);
    return `${column} ${clause.ascending ? "ASC" : "DESC"}`;
  });
};

const withTieBreakers = (orderBy: readonly RegistryOrderBy[], tieBreakers: readonly RegistryOrderBy[]): RegistryOrderBy[] => {
  const result = [...orderBy];
  for (const tie of tieBreakers) if (!result.some((clause) => clause.key === tie.key)) result.push(tie);
  return result;
};

const finish = (
  params: SqlParams,
  select: string,
  where: readonly string[],
  terms: readonly string[],
  scope: RegistrySearchScope,
): CompiledQuery => ({
  sql:
    `${select}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${terms.join(", ")} ` +
    `LIMIT ${params.bind(scope.limit)} OFFSET ${params.bind(scope.offset)}`,
  params: params.values,
});

const modelCondition = (dialect: SqlDialect, params: SqlParams, filter: RegistryComparison): string => {
  if (filter.entity === "tag") {
    return tagCondition(dialect, params, filter, "registered_model_tags", "t.model_key = m.model_key");
  }
  if (filter.key !== "name") throw invalidParameter(`Invalid attribute name: ${filter.key}`);
  if (!STRING_COMPARATORS.has(filter.comparator)) {
    throw invalidParameter(`Invalid comparator for attribute: ${filter.comparator}`);
  }
  return compileComparison(dialect, params, "m.name", filter.comparator, filter.value, filter.key);
};

/** `SELECT m.model_key ...`: registered models matching the filter, in MLflow's order. */
export const compileRegisteredModelSearch = (dialect: SqlDialect, scope: RegistrySearchScope): CompiledQuery => {
  const params = new SqlParams(dialect);
  const prompts = promptScope(scope.filter, params, "registered_model_tags", "p.model_key = m.model_key");
  // The exclusion's values were bound first, so it leads the WHERE clause (placeholders bind in text order).
  const where = prompts.exclusion === undefined ? [] : [prompts.exclusion];
  for (const filter of prompts.filter) where.push(modelCondition(dialect, params, filter));
  const terms = orderTerms(withTieBreakers(scope.orderBy, [{ key: "name", ascending: true }]), MODEL_ORDER_COLUMNS);
  return finish(params, `SELECT ${scope.columns ?? "m.model_key"} FROM registered_models m`, where, terms, scope);
};

const VERSION_STRING_COLUMNS: ReadonlyMap<string, string> = new Map([
  ["name", "v.name"],
  ["run_id", "v.run_id"],
  ["source_path", "v.source"],
]);

const versionAttributeCondition = (dialect: SqlDialect, params: SqlParams, filter: RegistryComparison): string => {
  if (filter.key === "version_number") {
    if (!NUMERIC_COMPARATORS.has(filter.comparator)) {
      throw invalidParameter(`Invalid comparator for attribute ${filter.key}: ${filter.comparator}`);
    }
    if (typeof filter.value !== "number") {
      throw invalidParameter(`version_number: expected a numeric value, got '${String(filter.value)}'`);
    }
    // MLflow accepts `version_number != 2.5`. A safe integer is bound as it is (the column's index serves it); any
    // other number is compared as a double, since PostgreSQL would refuse "2.5" or "1e+30" as a BIGINT parameter.
    const column = Number.isSafeInteger(filter.value) ? "v.version" : "CAST(v.version AS DOUBLE PRECISION)";
    return compileComparison(dialect, params, column, filter.comparator, filter.value, filter.key);
  }
  const column = VERSION_STRING_COLUMNS.get(filter.key);
  if (column === undefined) throw invalidParameter(`Invalid attribute name: ${filter.key}`);
  const allowed = STRING_COMPARATORS.has(filter.comparator) || (filter.comparator === "IN" && filter.key === "run_id");
  if (!allowed) throw invalidParameter(`Invalid comparator for attribute: ${filter.comparator}`);
  return compileComparison(dialect, params, column, filter.comparator, filter.value, filter.key);
};

/** `SELECT v.version_key ...`: model versions matching the filter, in MLflow's order. */
export const compileModelVersionSearch = (dialect: SqlDialect, scope: RegistrySearchScope): CompiledQuery => {
  const params = new SqlParams(dialect);
  // Per version (MLflow checks whether any version of the model carries the tag; prompt versions all do).
  const prompts = promptScope(scope.filter, params, "model_version_tags", "p.version_key = v.version_key");
  const where = prompts.exclusion === undefined ? [] : [prompts.exclusion];
  for (const filter of prompts.filter) {
    where.push(
      filter.entity === "tag"
        ? tagCondition(dialect, params, filter, "model_version_tags", "t.version_key = v.version_key")
        : versionAttributeCondition(dialect, params, filter),
    );
  }
  const orderBy = scope.orderBy.length > 0 ? scope.orderBy : DEFAULT_VERSION_ORDER;
  const terms = orderTerms(
    withTieBreakers(orderBy, [
      { key: "name", ascending: true },
      { key: "version_number", ascending: false },
    ]),
    VERSION_ORDER_COLUMNS,
  );
  return finish(params, `SELECT ${scope.columns ?? "v.version_key"} FROM model_versions v`, where, terms, scope);
};

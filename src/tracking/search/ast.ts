/**
 * The parsed form of a run search filter and order_by. The parser (parse-filter.ts) produces it, the stores compile
 * it to SQL, and the in-memory evaluator (evaluate.ts) gives the independent answer the SQL path is tested against.
 *
 * MLflow's grammar is a conjunction of comparisons; Cairn also accepts OR, parentheses and IS [NOT] NULL, so the
 * tree is general. A filter MLflow accepts parses to the same meaning it has in MLflow.
 */

export type FilterEntity = "metric" | "param" | "tag" | "attribute" | "dataset";

/** Attribute keys after alias resolution (`created` -> start_time, `run_name` etc.). */
export type RunAttributeKey =
  | "run_id"
  | "run_name"
  | "status"
  | "user_id"
  | "artifact_uri"
  | "lifecycle_stage"
  | "start_time"
  | "end_time";

export const NUMERIC_ATTRIBUTES: ReadonlySet<RunAttributeKey> = new Set(["start_time", "end_time"]);

export type DatasetKey = "name" | "digest" | "context";

export type Comparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

export interface Comparison {
  kind: "compare";
  entity: FilterEntity;
  /** Metric/param/tag key as written (unquoted); a RunAttributeKey for attributes; a DatasetKey for datasets. */
  key: string;
  comparator: Comparator;
  /** number for metric and numeric-attribute comparisons; string[] for IN / NOT IN; string otherwise. */
  value: number | string | string[];
}

/** `<entity>.<key> IS NULL` (negated: IS NOT NULL): the run has no such metric/param/tag, or the attribute is null. */
export interface NullCheck {
  kind: "null-check";
  entity: Exclude<FilterEntity, "dataset">;
  key: string;
  negated: boolean;
}

export interface Conjunction {
  kind: "and";
  operands: FilterExpression[];
}

export interface Disjunction {
  kind: "or";
  operands: FilterExpression[];
}

export type FilterExpression = Comparison | NullCheck | Conjunction | Disjunction;

export interface OrderByClause {
  entity: Exclude<FilterEntity, "dataset">;
  key: string;
  ascending: boolean;
}

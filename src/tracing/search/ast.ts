/**
 * The parsed trace search: MLflow's trace filter grammar (comparisons joined by AND) over trace attributes, tags
 * and metadata, and its order_by clauses. MLflow's spellings are resolved here once (`timestamp_ms` and
 * `request_time` are one attribute, `name` is the `mlflow.traceName` tag, `run_id` the `mlflow.sourceRun`
 * metadata), so stores see one name per thing.
 */

export type NumericTraceAttribute = "request_time" | "execution_duration";
export type StringTraceAttribute = "trace_id" | "state" | "client_request_id";
export type TraceAttribute = NumericTraceAttribute | StringTraceAttribute | "experiment_id";

export type NumericComparator = "=" | "!=" | ">" | ">=" | "<" | "<=";
export type StringComparator = "=" | "!=" | "LIKE" | "ILIKE";
export type ListComparator = "IN" | "NOT IN";

export type TraceCondition =
  | { entity: "attribute"; key: NumericTraceAttribute; comparator: NumericComparator; value: number }
  | { entity: "attribute"; key: StringTraceAttribute; comparator: StringComparator; value: string }
  | { entity: "attribute"; key: StringTraceAttribute; comparator: ListComparator; value: string[] }
  | { entity: "tag" | "metadata"; key: string; comparator: StringComparator; value: string }
  | { entity: "tag" | "metadata"; key: string; comparator: ListComparator; value: string[] };

export type TraceOrderBy =
  | { entity: "attribute"; key: TraceAttribute; ascending: boolean }
  | { entity: "tag" | "metadata"; key: string; ascending: boolean };

export const NUMERIC_TRACE_ATTRIBUTES: ReadonlySet<string> = new Set<NumericTraceAttribute>(["request_time", "execution_duration"]);

import type { RawIdentifier } from "../../tracking/search/run-identifier.js";
import type { Scanner } from "../../tracking/search/scanner.js";
import type { TraceAttribute } from "./ast.js";
import { TraceKey } from "../trace.js";

/**
 * `<entity>.<key>` of MLflow's trace search (SearchTraceUtils): entity aliases, attribute aliases, and the two
 * attributes that are really a tag (`name`) and a metadata entry (`run_id`).
 */
export type ResolvedTraceIdentifier =
  | { entity: "attribute"; key: TraceAttribute }
  | { entity: "tag" | "metadata"; key: string };

const ENTITIES: ReadonlyMap<string, "attribute" | "tag" | "metadata"> = new Map([
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["trace", "attribute"],
  ["tag", "tag"],
  ["tags", "tag"],
  ["metadata", "metadata"],
  ["request_metadata", "metadata"],
]);

/** MLflow's attribute names and Cairn's TraceInfoV3 spellings of the same fields. */
const ATTRIBUTES: ReadonlyMap<string, TraceAttribute> = new Map([
  ["request_id", "trace_id"],
  ["trace_id", "trace_id"],
  ["timestamp", "request_time"],
  ["timestamp_ms", "request_time"],
  ["request_time", "request_time"],
  ["execution_time", "execution_duration"],
  ["execution_time_ms", "execution_duration"],
  ["execution_duration", "execution_duration"],
  ["status", "state"],
  ["state", "state"],
  ["client_request_id", "client_request_id"],
]);

const MAPPED: ReadonlyMap<string, ResolvedTraceIdentifier> = new Map([
  ["name", { entity: "tag", key: TraceKey.TRACE_NAME }],
  ["run_id", { entity: "metadata", key: TraceKey.SOURCE_RUN }],
]);

const listed = (keys: Iterable<string>): string => `[${[...keys].sort().map((key) => `'${key}'`).join(", ")}]`;

export const resolveTraceIdentifier = (
  scanner: Scanner,
  raw: RawIdentifier,
  purpose: "filter" | "order_by",
): ResolvedTraceIdentifier => {
  const entity = raw.entity === undefined ? "attribute" : ENTITIES.get(raw.entity);
  if (entity === undefined) {
    throw scanner.fail(`Invalid entity type '${raw.entity}'. Valid values are ${listed(ENTITIES.keys())}`, raw.start);
  }
  if (entity !== "attribute") {
    if (raw.key === "") throw scanner.fail(`Missing key after '${raw.entity}.'`, raw.start);
    return { entity, key: raw.key };
  }
  const mapped = MAPPED.get(raw.key);
  if (mapped) return mapped;
  const attribute = ATTRIBUTES.get(raw.key);
  const valid = purpose === "order_by" ? [...ATTRIBUTES.keys(), ...MAPPED.keys(), "experiment_id"] : [...ATTRIBUTES.keys(), ...MAPPED.keys()];
  if (purpose === "order_by" && raw.key === "experiment_id") return { entity: "attribute", key: "experiment_id" };
  if (attribute === undefined) {
    throw scanner.fail(`Invalid attribute key '${raw.key}' specified. Valid keys are ${listed(valid)}`, raw.start);
  }
  return { entity: "attribute", key: attribute };
};

import type { Metric } from "../protocol/mlflow/entities.js";

/**
 * JSON as MLflow's protobuf mapping writes it: non-finite doubles travel as the strings "NaN", "Infinity" and
 * "-Infinity". Requests encode them so; responses decode them back on metric values only (a param or tag whose
 * value is the text "NaN" must stay text).
 */
const nonFiniteAsString = (_key: string, value: unknown): unknown =>
  typeof value === "number" && !Number.isFinite(value) ? String(value) : value;

export const encodeWire = (value: unknown): string => JSON.stringify(value, nonFiniteAsString);

export const decodeDouble = (value: unknown): number => {
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number(value);
};

export const decodeMetric = <T extends Metric>(metric: T): T => ({ ...metric, value: decodeDouble(metric.value) });

/** Query string for GET endpoints: repeated fields repeat the key, as MLflow's server expects. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export const toQueryString = (query: Record<string, QueryValue>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
};

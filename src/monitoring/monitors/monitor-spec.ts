import { invalidParameter } from "../../core/errors.js";
import { DEFAULT_MIN_ROWS, type MonitorChecks, type MonitorSpec, type MonitorWindow, type QualityMetric } from "./monitor.js";

/** Limits of a monitor's definition; each error names the field and the limit. */
export const MAX_MONITOR_NAME_LENGTH = 256;
export const MAX_WINDOW_ROWS = 1_000_000;
export const MAX_WINDOW_SECONDS = 366 * 24 * 3600;
export const MIN_SCHEDULE_SECONDS = 10;
export const MAX_SCHEDULE_SECONDS = 31 * 24 * 3600;
export const MAX_SUITE_BYTES = 256 * 1024;
export const MAX_FEATURES = 10_000;
export const MAX_FEATURE_NAME_LENGTH = 256;
const QUALITY_METRICS: readonly QualityMetric[] = ["accuracy", "f1", "rmse", "mae"];

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => value !== null && typeof value === "object" && !Array.isArray(value);

const object = (value: unknown, field: string): Raw => {
  if (!isObject(value)) throw invalidParameter(`Monitor '${field}' must be a JSON object.`);
  return value;
};

const integer = (value: unknown, field: string, min: number, max: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Monitor '${field}' must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
};

const number = (value: unknown, field: string, min: number, max: number): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalidParameter(`Monitor '${field}' must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
};

const text = (value: unknown, field: string, maxLength = 1024): string => {
  if (typeof value !== "string" || value.trim() === "") throw invalidParameter(`Monitor '${field}' must be a non-empty string.`);
  if (value.length > maxLength) throw invalidParameter(`Monitor '${field}' is ${value.length} characters long; at most ${maxLength} are allowed.`);
  return value;
};

const knownKeys = (raw: Raw, field: string, keys: readonly string[]): void => {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) throw invalidParameter(`Monitor '${field}' has unknown field '${key.slice(0, 100)}'; known: ${keys.join(", ")}.`);
  }
};

const numberMap = (value: unknown, field: string, min: number, max: number): Record<string, number> => {
  const raw = object(value, field);
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw)) out[key] = number(v, `${field}.${key}`, min, max);
  return out;
};

const stringMap = (value: unknown, field: string): Record<string, string> => {
  const raw = object(value, field);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(raw)) out[key] = text(v, `${field}.${key}`, 200);
  return out;
};

export const parseWindow = (value: unknown): MonitorWindow => {
  const raw = object(value, "window");
  knownKeys(raw, "window", ["last_rows", "last_seconds"]);
  if ((raw.last_rows === undefined) === (raw.last_seconds === undefined)) {
    throw invalidParameter("Monitor 'window' must give exactly one of 'last_rows' or 'last_seconds'.");
  }
  return raw.last_rows !== undefined
    ? { lastRows: integer(raw.last_rows, "window.last_rows", 1, MAX_WINDOW_ROWS) }
    : { lastSeconds: integer(raw.last_seconds, "window.last_seconds", 1, MAX_WINDOW_SECONDS) };
};

export const parseChecks = (value: unknown): MonitorChecks => {
  const raw = object(value, "checks");
  knownKeys(raw, "checks", ["drift", "skew", "data_tests", "quality"]);
  const checks: MonitorChecks = {};
  if (raw.drift !== undefined) {
    const d = object(raw.drift, "checks.drift");
    knownKeys(d, "checks.drift", ["reference", "methods", "drift_share"]);
    const ref = d.reference ?? "training_profile";
    const reference =
      ref === "training_profile" ? ("training_profile" as const) : { path: text(isObject(ref) ? ref.path : ref, "checks.drift.reference.path", 4096) };
    checks.drift = {
      reference,
      ...(d.methods !== undefined ? { methods: stringMap(d.methods, "checks.drift.methods") } : {}),
      ...(d.drift_share !== undefined ? { driftShare: number(d.drift_share, "checks.drift.drift_share", 0, 1) } : {}),
    };
  }
  if (raw.skew !== undefined) {
    const s = object(raw.skew, "checks.skew");
    knownKeys(s, "checks.skew", ["thresholds", "default_threshold"]);
    checks.skew = {
      ...(s.thresholds !== undefined ? { thresholds: numberMap(s.thresholds, "checks.skew.thresholds", 0, 1) } : {}),
      ...(s.default_threshold !== undefined ? { defaultThreshold: number(s.default_threshold, "checks.skew.default_threshold", 0, 1) } : {}),
    };
  }
  if (raw.data_tests !== undefined) {
    const t = object(raw.data_tests, "checks.data_tests");
    knownKeys(t, "checks.data_tests", ["suite"]);
    checks.dataTests = { suite: text(t.suite, "checks.data_tests.suite", MAX_SUITE_BYTES) };
  }
  if (raw.quality !== undefined) {
    const q = object(raw.quality, "checks.quality");
    knownKeys(q, "checks.quality", ["metric", "threshold", "label_field"]);
    if (!QUALITY_METRICS.includes(q.metric as QualityMetric)) {
      throw invalidParameter(`Monitor 'checks.quality.metric' must be one of ${QUALITY_METRICS.join(", ")}, got ${JSON.stringify(q.metric)}.`);
    }
    const metric = q.metric as QualityMetric;
    const bounded = metric === "accuracy" || metric === "f1";
    checks.quality = {
      metric,
      threshold: number(q.threshold, "checks.quality.threshold", 0, bounded ? 1 : Number.MAX_VALUE),
      ...(q.label_field !== undefined ? { labelField: text(q.label_field, "checks.quality.label_field", 200) } : {}),
    };
  }
  if (Object.keys(checks).length === 0) throw invalidParameter("Monitor 'checks' must configure at least one of drift, skew, data_tests, quality.");
  return checks;
};

/** features: distinct non-empty names, at most MAX_FEATURES. */
export const parseFeatures = (value: unknown): string[] => {
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter("Monitor 'features' must be a non-empty JSON array of feature names.");
  if (value.length > MAX_FEATURES) throw invalidParameter(`Monitor 'features' has ${value.length} names; at most ${MAX_FEATURES} are allowed.`);
  const names = value.map((v, i) => text(v, `features[${i}]`, MAX_FEATURE_NAME_LENGTH));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw invalidParameter(`Monitor 'features' names '${name.slice(0, 100)}' twice.`);
    seen.add(name);
  }
  return names;
};

export const parseMonitorSpec = (input: {
  name: unknown;
  deployment: unknown;
  window: unknown;
  schedule_seconds: unknown;
  checks: unknown;
  min_rows?: unknown;
  features?: unknown;
}): MonitorSpec => ({
  name: text(input.name, "name", MAX_MONITOR_NAME_LENGTH).trim(),
  deployment: text(input.deployment, "deployment", 256),
  window: parseWindow(input.window),
  scheduleSeconds: integer(input.schedule_seconds, "schedule_seconds", MIN_SCHEDULE_SECONDS, MAX_SCHEDULE_SECONDS),
  checks: parseChecks(input.checks),
  ...(input.min_rows !== undefined && input.min_rows !== null ? { minRows: integer(input.min_rows, "min_rows", 1, MAX_WINDOW_ROWS) } : {}),
  ...(input.features !== undefined && input.features !== null ? { features: parseFeatures(input.features) } : {}),
});

/** The definition as the API returns it (snake_case, like the request). */
export const monitorSpecToWire = (spec: MonitorSpec): Record<string, unknown> => {
  const { drift, skew, dataTests, quality } = spec.checks;
  return {
    name: spec.name,
    deployment: spec.deployment,
    window: "lastRows" in spec.window ? { last_rows: spec.window.lastRows } : { last_seconds: spec.window.lastSeconds },
    schedule_seconds: spec.scheduleSeconds,
    min_rows: spec.minRows ?? DEFAULT_MIN_ROWS,
    ...(spec.features !== undefined ? { features: spec.features } : {}),
    checks: {
      ...(drift !== undefined
        ? {
            drift: {
              reference: drift.reference === "training_profile" ? "training_profile" : { path: drift.reference.path },
              ...(drift.methods !== undefined ? { methods: drift.methods } : {}),
              ...(drift.driftShare !== undefined ? { drift_share: drift.driftShare } : {}),
            },
          }
        : {}),
      ...(skew !== undefined
        ? { skew: { ...(skew.thresholds !== undefined ? { thresholds: skew.thresholds } : {}), ...(skew.defaultThreshold !== undefined ? { default_threshold: skew.defaultThreshold } : {}) } }
        : {}),
      ...(dataTests !== undefined ? { data_tests: { suite: dataTests.suite } } : {}),
      ...(quality !== undefined
        ? { quality: { metric: quality.metric, threshold: quality.threshold, ...(quality.labelField !== undefined ? { label_field: quality.labelField } : {}) } }
        : {}),
    },
  };
};

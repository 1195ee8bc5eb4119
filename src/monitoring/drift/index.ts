/** Drift: per-column tests with Evidently's defaults, dataset drift, and the versioned result. */
export { computeDrift, DEFAULT_DRIFT_SHARE, DEFAULT_SAMPLE_LIMIT, type DriftOptions, type ColumnMethodChoice } from "./dataset-drift.js";
export { DRIFT_METHODS, resolveDriftMethod, driftMethodNames, isDrifted, type DriftMethod, type DriftMethodName, type DriftColumnType } from "./methods.js";
export { defaultDriftMethod } from "./select-method.js";
export { parseColumnMethod, parseColumnMethods } from "./column-method-spec.js";
export { DRIFT_SCHEMA_VERSION, type DriftResult, type ColumnDriftResult, type DriftDistribution, type SkippedColumn } from "./result.js";

/**
 * Bounds on everything a trace write carries, so that one request cannot grow the database without limit. Keys
 * and values are MLflow's trace tag limits (250 / 8,000 characters); the counts are far above what MLflow's
 * clients write (a dozen tags and metadata entries per trace) and keep one trace's header small.
 */
export const TraceLimits = {
  KEY_LENGTH: 250,
  VALUE_LENGTH: 8000,
  /** Tags, and separately metadata entries, of one trace. */
  ENTRIES: 1000,
  /** request_preview / response_preview are previews: longer ones are cut to this many characters. */
  PREVIEW_LENGTH: 10_000,
  CLIENT_REQUEST_ID_LENGTH: 1000,
  /** SearchTracesV3 max_results: default and ceiling ("Max threshold is 500" in service.proto). */
  SEARCH_DEFAULT: 100,
  SEARCH_MAX: 500,
  SEARCH_EXPERIMENTS: 100,
  /** request_ids of one delete-traces call. */
  DELETE_IDS: 1000,
  ASSESSMENT_NAME_LENGTH: 250,
  /** JSON text of an assessment's value (feedback value, expectation value or serialized value). */
  ASSESSMENT_VALUE_LENGTH: 100_000,
  RATIONALE_LENGTH: 100_000,
  ASSESSMENT_METADATA_ENTRIES: 100,
  /** Assessments sent inside one StartTraceV3. */
  ASSESSMENTS_PER_TRACE: 100,
} as const;

/** Default bound on a trace's traces.json upload (spans of one trace); `--max-trace-json-bytes` changes it. */
export const DEFAULT_TRACE_JSON_MAX_BYTES = 16 * 1024 * 1024;

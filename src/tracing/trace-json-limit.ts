import type { UploadLimit } from "../artifacts/service.js";

/**
 * The size limit of a trace's spans: `<experiment artifact root>/traces/<trace id>/artifacts/traces.json`, the
 * file MLflow's clients upload after StartTraceV3. Other artifacts keep no limit (as in MLflow).
 */
const TRACE_JSON_KEY = /(?:^|\/)traces\/tr-[0-9a-f]{32}\/artifacts\/traces\.json$/;

export const traceJsonUploadLimit =
  (maxBytes: number) =>
  (key: string): UploadLimit | undefined =>
    TRACE_JSON_KEY.test(key) ? { maxBytes, what: "traces.json (--max-trace-json-bytes)" } : undefined;

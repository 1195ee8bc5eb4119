/**
 * A trace's spans as the UI shows them, read from the `traces.json` the client uploaded. Three span layouts exist in
 * the wild and all are read: MLflow 2.x (`context.span_id`, `parent_id`, `start_time`, `status_code`), MLflow 3's
 * OTLP-like dict (`span_id`, `parent_span_id`, `start_time_unix_nano`, `status.code` = `STATUS_CODE_OK`) and its
 * newer dict (`status.code` = `OK`). Span ids are compared as the strings the file holds, whatever their encoding.
 * Nothing here is trusted: unknown shapes are skipped or shown as they are, never interpreted as markup.
 */

export type SpanStatus = "OK" | "ERROR" | "UNSET";

export interface TraceSpanEvent {
  name: string;
  timeNs: number | undefined;
  attributes: Record<string, unknown>;
}

export interface TraceSpan {
  spanId: string;
  parentId: string | undefined;
  name: string;
  spanType: string | undefined;
  startNs: number;
  endNs: number | undefined;
  status: SpanStatus;
  statusMessage: string;
  inputs: unknown;
  outputs: unknown;
  /** The other attributes, each decoded from the JSON text MLflow stores it as. */
  attributes: Record<string, unknown>;
  events: TraceSpanEvent[];
}

/** The attributes shown on their own (inputs, outputs, type) or meaningless to a reader (the trace id again). */
const INPUTS = "mlflow.spanInputs";
const OUTPUTS = "mlflow.spanOutputs";
const SPAN_TYPE = "mlflow.spanType";
const HIDDEN_ATTRIBUTES = new Set([INPUTS, OUTPUTS, SPAN_TYPE, "mlflow.traceRequestId"]);

/** More spans than this are not laid out: a page of a million rows helps nobody. */
export const MAX_SPANS = 5000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** MLflow stores every attribute value as JSON text; one that is not JSON is shown as the text it is. */
export const decodeAttribute = (value: unknown): unknown => {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

/** int64 fields arrive as numbers or (proto JSON) as decimal strings. */
const toNumber = (value: unknown): number | undefined => {
  const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
};

const text = (value: unknown): string => (typeof value === "string" ? value : typeof value === "number" ? String(value) : "");

const statusOf = (code: unknown): SpanStatus => {
  const raw = text(code).replace(/^STATUS_CODE_/, "");
  return raw === "OK" || raw === "ERROR" ? raw : "UNSET";
};

const eventsOf = (raw: unknown): TraceSpanEvent[] =>
  (Array.isArray(raw) ? raw : []).filter(isRecord).map((event) => ({
    name: text(event.name),
    timeNs: toNumber(event.time_unix_nano ?? event.timestamp),
    attributes: Object.fromEntries(Object.entries(isRecord(event.attributes) ? event.attributes : {}).map(([key, value]) => [key, decodeAttribute(value)])),
  }));

/** One span dict in any of the three layouts, or undefined when it has no id or no start time. */
export const parseSpan = (raw: unknown): TraceSpan | undefined => {
  if (!isRecord(raw)) return undefined;
  const v2 = isRecord(raw.context);
  const context = isRecord(raw.context) ? raw.context : {};
  const spanId = text(v2 ? context.span_id : raw.span_id);
  const parent = text(v2 ? raw.parent_id : raw.parent_span_id);
  const startNs = toNumber(v2 ? raw.start_time : raw.start_time_unix_nano);
  if (!spanId || startNs === undefined) return undefined;
  const status = isRecord(raw.status) ? raw.status : {};
  const rawAttributes = isRecord(raw.attributes) ? raw.attributes : {};
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rawAttributes)) if (!HIDDEN_ATTRIBUTES.has(key)) attributes[key] = decodeAttribute(value);
  const spanType = decodeAttribute(rawAttributes[SPAN_TYPE]);
  return {
    spanId,
    parentId: parent || undefined,
    name: text(raw.name),
    spanType: typeof spanType === "string" && spanType ? spanType : undefined,
    startNs,
    endNs: toNumber(v2 ? raw.end_time : raw.end_time_unix_nano),
    status: statusOf(v2 ? raw.status_code : status.code),
    statusMessage: text(v2 ? raw.status_message : status.message),
    inputs: decodeAttribute(rawAttributes[INPUTS]),
    outputs: decodeAttribute(rawAttributes[OUTPUTS]),
    attributes,
    events: eventsOf(raw.events),
  };
};

export interface ParsedSpans {
  spans: TraceSpan[];
  /** Entries of the file that were not spans (no id, no start time), or spans past MAX_SPANS. */
  skipped: number;
}

/** The spans of a `traces.json` text (`{"spans": [...]}`); throws a message fit to show when it is not that. */
export const parseTraceData = (json: string): ParsedSpans => {
  let data: unknown;
  try {
    data = JSON.parse(json) as unknown;
  } catch {
    throw new Error("The trace's span file is not valid JSON.");
  }
  if (!isRecord(data) || !Array.isArray(data.spans)) throw new Error("The trace's span file has no list of spans.");
  const spans: TraceSpan[] = [];
  let skipped = 0;
  for (const raw of data.spans) {
    const span = spans.length < MAX_SPANS ? parseSpan(raw) : undefined;
    if (span) spans.push(span);
    else skipped += 1;
  }
  return { spans, skipped };
};

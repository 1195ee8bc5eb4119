/**
 * The spans of a trace, read from its `traces.json` artifact ({"spans": [...]}) in any of the shapes MLflow clients
 * have written: the 2.x span dict (`context`, `parent_id`, `start_time`), the 3.x OTLP-style dict (base64 ids,
 * `start_time_unix_nano`, `STATUS_CODE_*`) and the later hex-id dict. Span data is untrusted: every field is checked
 * and anything unreadable becomes absent rather than an exception, except a file that is not a span list at all.
 */
export type SpanStatusCode = "OK" | "ERROR" | "UNSET";

export interface TraceSpanEvent {
  name: string;
  /** Nanoseconds since the epoch as exact decimal text (a double would round them to about 0.25 µs). */
  timeUnixNano: string;
  attributes: Record<string, unknown>;
}

export interface TraceSpan {
  /** 16 lowercase hex characters. */
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  name: string;
  /** Nanoseconds since the epoch as exact decimal text (a double would round them to about 0.25 µs). */
  startTimeUnixNano: string;
  /** Absent while the span is open. */
  endTimeUnixNano?: string;
  status: { code: SpanStatusCode; message: string };
  /** `mlflow.spanType` (e.g. CHAIN, LLM, TOOL). */
  spanType?: string;
  /** `mlflow.spanInputs` / `mlflow.spanOutputs`, decoded from their JSON text. */
  inputs?: unknown;
  outputs?: unknown;
  /** Every attribute, values decoded from the JSON text MLflow stores them as (kept as text when not JSON). */
  attributes: Record<string, unknown>;
  events: TraceSpanEvent[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A non-negative int64 as JSON carries it (a number, or decimal text as protobuf's JSON mapping writes it), as exact text. */
const int64 = (value: unknown): string | undefined => {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return BigInt(value).toString();
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value).toString();
  return undefined;
};

/** Compares two non-negative decimal integers given as text without leading zeros. */
const compareDecimal = (a: string, b: string): number => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

/**
 * JSON.parse, except that integer literals outside strings that a double cannot hold exactly (nanosecond times,
 * above 2^53) are read as their decimal text. A small scanner: it tracks strings and their escapes so that digits
 * inside string values (MLflow's JSON-text attributes) are never touched.
 */
export const parseJsonExactIntegers = (text: string): unknown => {
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i += 1;
    } else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const token = match?.[0] ?? char;
      if (match && match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(Number(token))) {
        out.push(text.slice(last, i), `"${token}"`);
        last = i + token.length;
      }
      i += token.length;
    } else i += 1;
  }
  out.push(text.slice(last));
  return JSON.parse(out.join(""));
};

/** Span ids as 16 lowercase hex: "0x..." (2.x), hex (later 3.x) or base64 of the 8 bytes (3.x proto dict). */
export const normalizeSpanId = (value: unknown): string | undefined => {
  if (typeof value !== "string" || value === "") return undefined;
  const hex = /^(?:0x)?([0-9a-fA-F]{1,32})$/.exec(value);
  if (hex?.[1] !== undefined && (value.startsWith("0x") || hex[1].length === 16)) return hex[1].toLowerCase().padStart(16, "0");
  if (/^[A-Za-z0-9+/]{11}=?$/.test(value)) {
    const bytes = Buffer.from(value, "base64");
    if (bytes.length === 8) return bytes.toString("hex");
  }
  return value;
};

const statusCode = (value: unknown): SpanStatusCode => {
  const code = typeof value === "string" ? value.replace(/^STATUS_CODE_/, "") : value;
  if (code === "OK" || code === 1) return "OK";
  if (code === "ERROR" || code === 2) return "ERROR";
  return "UNSET";
};

/** MLflow stores each attribute value as JSON text ("\"CHAIN\"", "{\"x\": 1}"); text that is not JSON stays text. */
export const decodeAttribute = (value: unknown): unknown => {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const decodeAttributes = (value: unknown): Record<string, unknown> => {
  const decoded: Record<string, unknown> = {};
  if (!isObject(value)) return decoded;
  for (const [key, raw] of Object.entries(value)) decoded[key] = decodeAttribute(raw);
  return decoded;
};

const parseEvent = (value: unknown): TraceSpanEvent | undefined => {
  if (!isObject(value)) return undefined;
  return {
    name: text(value.name) ?? "",
    timeUnixNano: int64(value.time_unix_nano ?? value.timestamp) ?? "0",
    attributes: decodeAttributes(value.attributes),
  };
};

/** One span dict in any of the three shapes; undefined when it has no id. */
export const parseSpan = (value: unknown): TraceSpan | undefined => {
  if (!isObject(value)) return undefined;
  const legacy = isObject(value.context);
  const spanId = normalizeSpanId(legacy ? (value.context as Record<string, unknown>).span_id : value.span_id);
  if (spanId === undefined) return undefined;
  const parentSpanId = normalizeSpanId(legacy ? value.parent_id : value.parent_span_id);
  const status = legacy
    ? { code: statusCode(value.status_code), message: text(value.status_message) ?? "" }
    : { code: statusCode(isObject(value.status) ? value.status.code : undefined), message: text(isObject(value.status) ? value.status.message : undefined) ?? "" };
  const attributes = decodeAttributes(value.attributes);
  const spanType = attributes["mlflow.spanType"];
  const span: TraceSpan = {
    spanId,
    name: text(value.name) ?? "",
    startTimeUnixNano: int64(legacy ? value.start_time : value.start_time_unix_nano) ?? "0",
    status,
    attributes,
    events: (Array.isArray(value.events) ? value.events : []).map(parseEvent).filter((e): e is TraceSpanEvent => e !== undefined),
  };
  if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
  const end = int64(legacy ? value.end_time : value.end_time_unix_nano);
  if (end !== undefined && end !== "0") span.endTimeUnixNano = end;
  if (typeof spanType === "string") span.spanType = spanType;
  if ("mlflow.spanInputs" in attributes) span.inputs = attributes["mlflow.spanInputs"];
  if ("mlflow.spanOutputs" in attributes) span.outputs = attributes["mlflow.spanOutputs"];
  return span;
};

/** The spans of a parsed traces.json; throws when the document is not {"spans": [...]}. */
export const parseTraceData = (document: unknown): TraceSpan[] => {
  if (!isObject(document) || !Array.isArray(document.spans)) throw new TypeError("traces.json must be a JSON object with a 'spans' list");
  return document.spans.map(parseSpan).filter((span): span is TraceSpan => span !== undefined);
};

export interface SpanNode {
  span: TraceSpan;
  /** 0 for a root. */
  depth: number;
}

const byStart = (a: TraceSpan, b: TraceSpan): number =>
  compareDecimal(a.startTimeUnixNano, b.startTimeUnixNano) || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

/**
 * The spans in tree order (depth-first, siblings by start time) with their depth. A span whose parent is not in the
 * list is a root; spans caught in a parent cycle (hostile data) are listed as roots after the rest, so every span
 * appears exactly once. Iterative, so a very deep chain cannot overflow the stack.
 */
export const spanTree = (spans: TraceSpan[]): SpanNode[] => {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of spans) {
    const parent = span.parentSpanId;
    if (parent === undefined || parent === span.spanId || !ids.has(parent)) roots.push(span);
    else {
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [span]);
      else siblings.push(span);
    }
  }
  const ordered: SpanNode[] = [];
  const seen = new Set<TraceSpan>();
  const walk = (starts: TraceSpan[]): void => {
    const stack: SpanNode[] = [...starts].sort(byStart).reverse().map((span) => ({ span, depth: 0 }));
    while (stack.length > 0) {
      const node = stack.pop() as SpanNode;
      if (seen.has(node.span)) continue;
      seen.add(node.span);
      ordered.push(node);
      const kids = (children.get(node.span.spanId) ?? []).sort(byStart);
      for (let i = kids.length - 1; i >= 0; i -= 1) stack.push({ span: kids[i] as TraceSpan, depth: node.depth + 1 });
    }
  };
  walk(roots);
  walk(spans.filter((span) => !seen.has(span)));
  return ordered;
};

/** A span's duration in ms, exact to the nanosecond; undefined while it is open, 0 when it ends before it starts. */
export const spanDurationMs = (span: TraceSpan): number | undefined => {
  if (span.endTimeUnixNano === undefined) return undefined;
  const nanos = BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano);
  return nanos <= 0n ? 0 : Number(nanos) / 1e6;
};

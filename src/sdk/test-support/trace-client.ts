import { randomBytes } from "node:crypto";

/**
 * Logs one trace the way the MLflow 3.x client does when the server keeps spans as artifacts: StartTraceV3 with the
 * header (no spans), then traces.json PUT under the trace's `mlflow.artifactLocation`. Spans are in the 3.x span dict
 * (base64 ids, nanosecond integers, JSON-text attributes), nested as given.
 */
export interface SpanSpec {
  name: string;
  /** Offsets from the trace start, in ns. */
  startNs: number;
  endNs: number;
  parent?: string;
  spanType?: string;
  inputs?: unknown;
  outputs?: unknown;
  error?: string;
}

export interface LoggedTrace {
  traceId: string;
  requestTimeMs: number;
  /** The server's answer to StartTraceV3. */
  info: Record<string, unknown>;
  /** Span ids (16 hex) by span name. */
  spanIds: Record<string, string>;
}

const spanIdBase64 = (hex: string): string => Buffer.from(hex, "hex").toString("base64");

export const logTrace = async (
  baseUrl: string,
  experimentId: string,
  options: {
    requestTimeMs: number;
    durationMs: number;
    state?: string;
    request?: string;
    response?: string;
    tags?: Record<string, string>;
    metadata?: Record<string, string>;
    spans: SpanSpec[];
  },
): Promise<LoggedTrace> => {
  const traceId = `tr-${randomBytes(16).toString("hex")}`;
  const startTrace = await fetch(`${baseUrl}/api/3.0/mlflow/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      trace: {
        trace_info: {
          trace_id: traceId,
          trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
          request_preview: options.request,
          response_preview: options.response,
          request_time: new Date(options.requestTimeMs).toISOString(),
          execution_duration: `${options.durationMs / 1000}s`,
          state: options.state ?? "OK",
          trace_metadata: { "mlflow.trace_schema.version": "3", ...options.metadata },
          tags: { "mlflow.traceName": options.spans[0]?.name ?? "trace", ...options.tags },
        },
        spans: [],
      },
    }),
  });
  const started = (await startTrace.json()) as { trace: { trace_info: Record<string, unknown> & { tags: Record<string, string> } } };
  if (startTrace.status !== 200) throw new Error(`StartTraceV3 answered ${startTrace.status}: ${JSON.stringify(started)}`);
  const info = started.trace.trace_info;
  const location = info.tags["mlflow.artifactLocation"] ?? "";
  const root = location.replace(/^mlflow-artifacts:\/+/, "");
  const spanIds: Record<string, string> = {};
  options.spans.forEach((span, index) => (spanIds[span.name] = (index + 1).toString(16).padStart(16, "0")));
  const startNs = BigInt(options.requestTimeMs) * 1_000_000n;
  // Integers written as the Python client's json.dumps writes them: exact, beyond 2^53.
  const spans = options.spans.map((span) => {
    const parent = span.parent === undefined ? "" : spanIdBase64(spanIds[span.parent] ?? "");
    const attributes: Record<string, string> = { "mlflow.traceRequestId": JSON.stringify(traceId) };
    if (span.spanType) attributes["mlflow.spanType"] = JSON.stringify(span.spanType);
    if (span.inputs !== undefined) attributes["mlflow.spanInputs"] = JSON.stringify(span.inputs);
    if (span.outputs !== undefined) attributes["mlflow.spanOutputs"] = JSON.stringify(span.outputs);
    return (
      `{"trace_id": "${Buffer.from(traceId.slice(3), "hex").toString("base64")}", "span_id": "${spanIdBase64(spanIds[span.name] ?? "")}", ` +
      `"trace_state": "", "parent_span_id": "${parent}", "name": ${JSON.stringify(span.name)}, ` +
      `"start_time_unix_nano": ${startNs + BigInt(span.startNs)}, "end_time_unix_nano": ${startNs + BigInt(span.endNs)}, ` +
      `"attributes": ${JSON.stringify(attributes)}, ` +
      `"status": {"message": ${JSON.stringify(span.error ?? "")}, "code": "${span.error ? "STATUS_CODE_ERROR" : "STATUS_CODE_OK"}"}, "events": []}`
    );
  });
  const put = await fetch(`${baseUrl}/api/2.0/mlflow-artifacts/artifacts/${root}/traces.json`, { method: "PUT", body: `{"spans": [${spans.join(", ")}]}` });
  if (put.status !== 200) throw new Error(`traces.json upload answered ${put.status}: ${await put.text()}`);
  return { traceId, requestTimeMs: options.requestTimeMs, info, spanIds };
};

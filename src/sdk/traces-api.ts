import { encodePath, joinArtifactPath, proxiedRoot } from "./artifact-paths.js";
import { CairnApiError } from "./errors.js";
import { iteratePages, type Page } from "./paging.js";
import { pathSegment } from "./path-segment.js";
import type { AssessmentSourceType, JsonValue } from "../tracing/trace.js";
import type { AssessmentJson as Assessment, TraceInfoV3Json as TraceInfoV3 } from "../tracing/wire-writers.js";
import { parseJsonExactIntegers, parseTraceData, type TraceSpan } from "./trace-spans.js";
import type { HttpTransport } from "./transport.js";

export interface SearchTracesRequest {
  experimentIds: string[];
  /** e.g. "trace.status = 'OK' AND tags.topic = 'billing' AND trace.timestamp_ms > 1733300000000". */
  filter?: string;
  /** e.g. ["timestamp_ms DESC"]. */
  orderBy?: string[];
  /** Page size (MLflow's default 100, at most 500). */
  maxResults?: number;
  pageToken?: string;
}

/** A trace: its info (header, tags, metadata, assessments) and its spans as read from traces.json. */
export interface Trace {
  info: TraceInfoV3;
  spans: TraceSpan[];
}

export type DeleteTracesRequest =
  | { experimentId: string; traceIds: string[] }
  | { experimentId: string; maxTimestampMillis: number; maxTraces: number };

/** A feedback's error: the judge (or code) failed to produce a value. */
export type AssessmentError = NonNullable<NonNullable<Assessment["feedback"]>["error"]>;

/** Who or what made an assessment: a person's name, a judge's name, "default" for code. */
export interface AssessmentSource {
  source_type: AssessmentSourceType;
  source_id: string;
}

/** An assessment as a request carries it: the server assigns the id, the times and validity. */
type AssessmentRequest = Partial<Assessment>;

/** Where the client stores a trace's spans, inside its artifact location. */
export const TRACE_DATA_FILE = "traces.json";
export const ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
const PROXY_PREFIX = "/api/2.0/mlflow-artifacts/artifacts";

/** Protobuf JSON omits empty maps and lists; callers get {} and [] (trace_metadata, tags and assessments are always set). */
export const normalizeTraceInfo = (info: TraceInfoV3): TraceInfoV3 => ({
  ...info,
  trace_metadata: info.trace_metadata ?? {},
  tags: info.tags ?? {},
  assessments: info.assessments ?? [],
});

/** google.protobuf.Duration's JSON ("0.228s") in milliseconds, exact to the nanosecond; undefined when absent or unreadable. */
export const durationMs = (duration: string | undefined): number | undefined => {
  const match = duration === undefined ? null : /^(\d+)(?:\.(\d{1,9}))?s$/.exec(duration);
  if (!match) return undefined;
  const nanos = BigInt(match[1] ?? "0") * 1_000_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
  return Number(nanos) / 1e6;
};

const tracePath = (traceId: string, rest = ""): string => `traces/${pathSegment("traceId", traceId)}${rest}`;
const assessmentPath = (traceId: string, assessmentId: string): string =>
  tracePath(traceId, `/assessments/${pathSegment("assessmentId", assessmentId)}`);

export interface LogFeedbackRequest {
  traceId: string;
  name: string;
  /** A number, boolean, text, or list of strings. Leave it out and give `error` when the judge failed. */
  value?: JsonValue;
  error?: AssessmentError;
  /** Default: code, id "default" (as MLflow's log_feedback). */
  source?: AssessmentSource;
  rationale?: string;
  metadata?: Record<string, string>;
  /** Attach to one span of the trace instead of the whole trace. */
  spanId?: string;
  /** The id of an earlier assessment this one supersedes (which then becomes invalid). */
  overrides?: string;
}

export interface LogExpectationRequest {
  traceId: string;
  name: string;
  /** Any JSON value: numbers, booleans, text and lists of strings travel as is, anything else serialized as JSON. */
  value: JsonValue;
  /** Default: human, id "default" (as MLflow's log_expectation). */
  source?: AssessmentSource;
  metadata?: Record<string, string>;
  spanId?: string;
}

/** What update changes; only the fields given are sent, and named in the update mask. */
export interface UpdateAssessmentRequest {
  name?: string;
  /** New feedback value (for a feedback assessment). */
  feedback?: { value?: JsonValue; error?: AssessmentError };
  /** New expectation value (for an expectation assessment). */
  expectation?: JsonValue;
  rationale?: string;
  metadata?: Record<string, string>;
}

/** MLflow's Expectation.value takes only these; anything else goes as serialized JSON. */
const isPlainExpectation = (value: JsonValue): boolean =>
  typeof value === "number" || typeof value === "boolean" || typeof value === "string" || (Array.isArray(value) && value.every((item) => typeof item === "string"));

export const expectationWire = (value: JsonValue): NonNullable<Assessment["expectation"]> =>
  isPlainExpectation(value) ? { value } : { serialized_value: { serialization_format: "JSON_FORMAT", value: JSON.stringify(value) } };

/** The value of an expectation, whether it travelled plain or serialized as JSON. */
export const expectationValue = (assessment: Pick<Assessment, "expectation">): JsonValue | undefined => {
  const expectation = assessment.expectation;
  if (expectation === undefined) return undefined;
  if (expectation.serialized_value !== undefined) {
    const serialized = expectation.serialized_value;
    if (serialized.serialization_format === "JSON_FORMAT" && serialized.value !== undefined) {
      try {
        return JSON.parse(serialized.value) as JsonValue;
      } catch {
        return serialized.value;
      }
    }
    return serialized.value;
  }
  return expectation.value;
};

/** Feedback and expectations on a trace or one of its spans (assessments.proto, under /api/3.0/mlflow). */
export class AssessmentsApi {
  constructor(private readonly http: HttpTransport) {}

  private async create(traceId: string, assessment: AssessmentRequest): Promise<Assessment> {
    const answer = await this.http.callV3<{ assessment: Assessment }>("POST", tracePath(traceId, "/assessments"), { assessment });
    return answer.assessment;
  }

  async logFeedback(request: LogFeedbackRequest): Promise<Assessment> {
    return this.create(request.traceId, {
      assessment_name: request.name,
      trace_id: request.traceId,
      span_id: request.spanId,
      source: request.source ?? { source_type: "CODE", source_id: "default" },
      feedback: { value: request.value, error: request.error },
      rationale: request.rationale,
      metadata: request.metadata,
      overrides: request.overrides,
    });
  }

  async logExpectation(request: LogExpectationRequest): Promise<Assessment> {
    return this.create(request.traceId, {
      assessment_name: request.name,
      trace_id: request.traceId,
      span_id: request.spanId,
      source: request.source ?? { source_type: "HUMAN", source_id: "default" },
      expectation: expectationWire(request.value),
      metadata: request.metadata,
    });
  }

  async get(traceId: string, assessmentId: string): Promise<Assessment> {
    const answer = await this.http.callV3<{ assessment: Assessment }>(
      "GET",
      assessmentPath(traceId, assessmentId),
    );
    return answer.assessment;
  }

  /** Changes the given fields only; the update mask (camelCase, as FieldMask's JSON) names exactly those. */
  async update(traceId: string, assessmentId: string, changes: UpdateAssessmentRequest): Promise<Assessment> {
    const assessment: AssessmentRequest = { assessment_id: assessmentId, trace_id: traceId };
    const mask: string[] = [];
    if (changes.name !== undefined) {
      assessment.assessment_name = changes.name;
      mask.push("assessmentName");
    }
    if (changes.feedback !== undefined) {
      assessment.feedback = changes.feedback;
      mask.push("feedback");
    }
    if (changes.expectation !== undefined) {
      assessment.expectation = expectationWire(changes.expectation);
      mask.push("expectation");
    }
    if (changes.rationale !== undefined) {
      assessment.rationale = changes.rationale;
      mask.push("rationale");
    }
    if (changes.metadata !== undefined) {
      assessment.metadata = changes.metadata;
      mask.push("metadata");
    }
    if (mask.length === 0) throw new TypeError("update needs at least one of name, feedback, expectation, rationale, metadata");
    const answer = await this.http.callV3<{ assessment: Assessment }>(
      "PATCH",
      assessmentPath(traceId, assessmentId),
      { assessment, update_mask: mask.join(",") },
    );
    return answer.assessment;
  }

  async delete(traceId: string, assessmentId: string): Promise<void> {
    await this.http.callV3("DELETE", assessmentPath(traceId, assessmentId), {
      trace_id: traceId,
      assessment_id: assessmentId,
    });
  }
}

/**
 * MLflow 3's traces as the 3.x client reads them: info and search under /api/3.0/mlflow, tags and deletion on the
 * v2 paths the client calls, spans from the trace's traces.json through the artifact proxy.
 */
export class TracesApi {
  readonly assessments: AssessmentsApi;

  constructor(private readonly http: HttpTransport) {
    this.assessments = new AssessmentsApi(http);
  }

  /** One page of traces/search, newest first unless orderBy says otherwise. */
  async search(request: SearchTracesRequest): Promise<Page<TraceInfoV3>> {
    const answer = await this.http.callV3<{ traces?: TraceInfoV3[]; next_page_token?: string }>("POST", "traces/search", {
      locations: request.experimentIds.map((experimentId) => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } })),
      filter: request.filter,
      max_results: request.maxResults,
      order_by: request.orderBy,
      page_token: request.pageToken,
    });
    return { items: (answer.traces ?? []).map(normalizeTraceInfo), nextPageToken: answer.next_page_token || undefined };
  }

  searchAll(request: Omit<SearchTracesRequest, "pageToken">): AsyncGenerator<TraceInfoV3> {
    return iteratePages((pageToken) => this.search({ ...request, pageToken }));
  }

  /** The trace's info only (GetTraceInfoV3), with its tags, metadata and assessments. */
  async getInfo(traceId: string): Promise<TraceInfoV3> {
    // The 3.x client repeats the id in the query string; so does this.
    const answer = await this.http.callV3<{ trace: { trace_info: TraceInfoV3 } }>("GET", tracePath(traceId), { trace_id: traceId });
    return normalizeTraceInfo(answer.trace.trace_info);
  }

  /**
   * The trace with its spans. Spans come from traces.json under the trace's `mlflow.artifactLocation`; a trace without
   * that tag, or whose traces.json was never uploaded (its client stopped first), has no spans.
   */
  async get(traceId: string): Promise<Trace> {
    const info = await this.getInfo(traceId);
    return { info, spans: await this.readSpans(info) };
  }

  private async readSpans(info: TraceInfoV3): Promise<TraceSpan[]> {
    const location = info.tags?.[ARTIFACT_LOCATION_TAG];
    if (location === undefined) return [];
    const root = proxiedRoot(location);
    if (root === undefined) {
      throw new TypeError(`trace ${info.trace_id} keeps its spans at '${location}', which the tracking server does not proxy (it serves mlflow-artifacts:/ locations only)`);
    }
    let response: Response;
    try {
      response = await this.http.send({ method: "GET", path: `${PROXY_PREFIX}/${encodePath(joinArtifactPath(root, TRACE_DATA_FILE))}` });
    } catch (error) {
      if (error instanceof CairnApiError && error.status === 404) return [];
      throw error;
    }
    const body = await response.text();
    let document: unknown;
    try {
      document = parseJsonExactIntegers(body);
    } catch {
      throw new TypeError(`${TRACE_DATA_FILE} of trace ${info.trace_id} is not JSON`);
    }
    return parseTraceData(document);
  }

  async setTag(traceId: string, key: string, value: string): Promise<void> {
    await this.http.call("PATCH", tracePath(traceId, "/tags"), { key, value });
  }

  async deleteTag(traceId: string, key: string): Promise<void> {
    await this.http.call("DELETE", tracePath(traceId, "/tags"), { key });
  }

  /** Deletes the given traces, or the oldest (up to maxTraces) before maxTimestampMillis; answers how many went. */
  async delete(request: DeleteTracesRequest): Promise<number> {
    const body =
      "traceIds" in request
        ? { experiment_id: request.experimentId, request_ids: request.traceIds }
        : { experiment_id: request.experimentId, max_timestamp_millis: request.maxTimestampMillis, max_traces: request.maxTraces };
    const answer = await this.http.call<{ traces_deleted?: number }>("POST", "traces/delete-traces", body);
    return answer.traces_deleted ?? 0;
  }
}

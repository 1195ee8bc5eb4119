import type { TraceCondition, TraceOrderBy } from "./search/ast.js";
import type { Assessment, TraceInfo, TraceState, TraceWithAssessments } from "./trace.js";

/**
 * The metadata store of the tracing domain: trace headers (TraceInfoV3 fields, tags, metadata) and their
 * assessments. Spans are not here: they live in each trace's `traces.json` artifact. Every backend passes the
 * shared contract suite in store.contract.ts. The service has validated every input; the store enforces only
 * what needs atomicity (a trace id is taken once, an override flips its target in the same transaction).
 *
 * A missing trace or assessment is `undefined` (reads) or `false` (writes): the service words the error.
 */
export interface TraceStore {
  /**
   * Inserts the trace, or, when a trace with this id already exists in the same experiment (a client retry),
   * replaces its fields and merges its tags and metadata. Returns undefined when the id belongs to a trace of
   * another experiment. By default a backend may group concurrent upserts into one commit; `inUnit` says the caller
   * holds an audit unit (AuditRecorder.atomically) whose transaction groups commits already, so the trace is written
   * in it, together with its audit event.
   */
  upsertTrace(trace: TraceInfo, options?: { inUnit?: boolean }): Promise<TraceWithAssessments | undefined>;
  getTrace(traceId: string): Promise<TraceWithAssessments | undefined>;
  /** The v2 EndTrace: sets state and duration, merges metadata and tags. */
  endTrace(traceId: string, end: TraceEnd): Promise<TraceWithAssessments | undefined>;
  setTraceTag(traceId: string, key: string, value: string): Promise<boolean>;
  /** false when the trace or the tag is missing. */
  deleteTraceTag(traceId: string, key: string): Promise<boolean>;
  searchTraces(query: TraceSearch): Promise<TracePage>;
  /** Deletes with their tags, metadata and assessments; returns how many traces went. */
  deleteTraces(criteria: TraceDeletion): Promise<number>;

  /**
   * A trace's traces.json, kept with the trace: stored only when `artifactLocation` is the trace's own
   * `mlflow.artifactLocation` tag (false for an unknown trace or another location), replaced on a second upload.
   */
  putTraceData(traceId: string, artifactLocation: string, data: Buffer, now: number): Promise<boolean>;
  getTraceData(traceId: string, artifactLocation: string): Promise<TraceData | undefined>;
  deleteTraceData(traceId: string, artifactLocation: string): Promise<boolean>;

  /** Inserts the assessment; when it overrides another, that one is marked invalid in the same transaction. */
  createAssessment(assessment: Assessment): Promise<void>;
  getAssessment(traceId: string, assessmentId: string): Promise<Assessment | undefined>;
  /** Replaces the stored assessment (same ids) with `assessment`. */
  updateAssessment(assessment: Assessment): Promise<boolean>;
  /** Deletes it; an assessment it overrode becomes valid again. */
  deleteAssessment(traceId: string, assessmentId: string): Promise<boolean>;
}

export interface TraceData {
  data: Buffer;
  modifiedTime: number;
}

export interface TraceEnd {
  state: TraceState;
  executionDuration: number;
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

export interface TraceSearch {
  experimentIds: string[];
  conditions: TraceCondition[];
  orderBy: TraceOrderBy[];
  maxResults: number;
  pageToken?: string;
}

export interface TracePage {
  items: TraceWithAssessments[];
  nextPageToken?: string;
}

/** By ids (within the experiment), or the oldest traces up to a time, at most `maxTraces` of them. */
export type TraceDeletion =
  | { experimentId: string; traceIds: string[] }
  | { experimentId: string; maxTimestampMillis: number; maxTraces?: number };

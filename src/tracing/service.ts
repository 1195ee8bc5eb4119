import type { WriteContext } from "../core/actor.js";
import { atomically, noAudit, type AuditRecorder } from "../audit/recorder.js";
import { systemClock, type Clock } from "../core/clock.js";
import { alreadyExists, invalidParameter, notFound } from "../core/errors.js";
import { invalidValue } from "../protocol/mlflow/fields.js";
import type { Experiment } from "../protocol/mlflow/entities.js";
import { requireActive } from "../tracking/active-entities.js";
import { applyAssessmentUpdate, newAssessment, type AssessmentUpdate } from "./assessment-rules.js";
import { newTraceId, validateAssessmentId, validateTraceId } from "./ids.js";
import { TraceLimits } from "./limits.js";
import { parseTraceFilter, parseTraceOrderBy } from "./search/parse.js";
import type { TraceDeletion, TracePage, TraceStore } from "./store.js";
import { TraceKey, type Assessment, type TraceInfo, type TraceState, type TraceWithAssessments } from "./trace.js";
import type { AssessmentInput } from "./wire-readers.js";
import { TracingAction } from "./write-audit.js";

/** What the tracing domain needs of tracking: an experiment by id (RESOURCE_DOES_NOT_EXIST when missing). */
export interface ExperimentLookup {
  getExperiment(experimentId: string): Promise<Experiment>;
}

export interface TraceServiceOptions {
  experiments: ExperimentLookup;
  clock?: Clock;
  audit?: AuditRecorder;
}

/** A TraceInfoV3 as the client sent it (StartTraceV3), already parsed and bounded by the route. */
export type TraceInput = Omit<TraceInfo, "state"> & { state: TraceState };

export interface TraceSearchRequest {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  maxResults?: number;
  pageToken?: string;
}

export interface DeleteTracesRequest {
  experimentId: string;
  maxTimestampMillis?: number;
  maxTraces?: number;
  requestIds: string[];
}

const NUMERIC_ID = /^\d{1,18}$/;

const appendToUri = (base: string, ...parts: string[]): string => [base.endsWith("/") ? base.slice(0, -1) : base, ...parts].join("/");

const traceNotFound = (traceId: string): Error => notFound(`Trace with ID ${traceId} not found.`);

/**
 * The rules of the tracing domain, as MLflow's tracking server applies them when spans travel as artifacts: the
 * server owns `mlflow.artifactLocation` (where the client uploads traces.json) and never claims to keep spans
 * itself; traces belong to an active experiment when they are written; assessments supersede each other through
 * `overrides`. Routes parse; the store persists.
 */
export class TraceService {
  private readonly clock: Clock;
  private readonly audit: AuditRecorder;
  private readonly experiments: ExperimentLookup;

  constructor(
    private readonly store: TraceStore,
    options: TraceServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit ?? noAudit;
    this.experiments = options.experiments;
  }

  private async activeExperiment(experimentId: string): Promise<Experiment> {
    const experiment = await this.experiments.getExperiment(experimentId);
    requireActive("experiment", experimentId, experiment.lifecycle_stage);
    return experiment;
  }

  /** The server-owned tags: where traces.json goes, and no spans-location claim (the client would skip the upload). */
  private serverTags(experiment: Experiment, traceId: string, tags: Record<string, string>): Record<string, string> {
    const { [TraceKey.SPANS_LOCATION]: _dropped, ...rest } = tags;
    return { ...rest, [TraceKey.ARTIFACT_LOCATION]: appendToUri(experiment.artifact_location, "traces", traceId, "artifacts") };
  }

  /** StartTraceV3: called by the client when a trace has ended; a retry with the same id updates the trace. */
  async startTraceV3(input: TraceInput, assessments: AssessmentInput[], context: WriteContext): Promise<TraceWithAssessments> {
    validateTraceId(input.traceId, "trace.trace_info.trace_id");
    if (assessments.length > TraceLimits.ASSESSMENTS_PER_TRACE) {
      throw invalidValue("trace.trace_info.assessments", `<${assessments.length} assessments>`, `at most ${TraceLimits.ASSESSMENTS_PER_TRACE} are allowed`);
    }
    const experiment = await this.activeExperiment(input.experimentId);
    const trace: TraceInfo = { ...input, tags: this.serverTags(experiment, input.traceId, input.tags) };
    const stored = await this.startTrace(trace, `Trace with ID ${input.traceId} already exists in another experiment.`, context);
    if (assessments.length === 0) return stored;
    for (const assessment of assessments) {
      await this.createAssessment(trace.traceId, { ...assessment, traceId: trace.traceId }, context);
    }
    return this.getTrace(trace.traceId);
  }

  /** StartTrace (v2, the MLflow 2.x client): the server makes the id; the trace is IN_PROGRESS until EndTrace. */
  async startTraceV2(
    request: { experimentId: string; timestampMs?: number; metadata: Record<string, string>; tags: Record<string, string> },
    context: WriteContext,
  ): Promise<TraceWithAssessments> {
    if (!NUMERIC_ID.test(request.experimentId)) throw invalidValue("experiment_id", request.experimentId, "expected an experiment id");
    const traceId = newTraceId();
    const experiment = await this.activeExperiment(request.experimentId);
    const trace: TraceInfo = {
      traceId,
      experimentId: request.experimentId,
      requestTime: request.timestampMs ?? this.clock(),
      state: "IN_PROGRESS",
      metadata: request.metadata,
      tags: this.serverTags(experiment, traceId, request.tags),
    };
    return this.startTrace(trace, `Trace with ID ${traceId} already exists.`, context);
  }

  /** Stores a started trace and its audit event in one transaction (a crash keeps both or neither). */
  private startTrace(trace: TraceInfo, conflict: string, context: WriteContext): Promise<TraceWithAssessments> {
    return atomically(this.audit, async () => {
      const stored = await this.store.upsertTrace(trace, { inUnit: this.audit.atomically !== undefined });
      if (!stored) throw alreadyExists(conflict);
      await this.audit.record(context, {
        action: TracingAction.TRACE_START,
        entityType: "trace",
        entityId: trace.traceId,
        after: { experiment_id: trace.experimentId, state: trace.state, request_time: trace.requestTime, tags: trace.tags },
      });
      return stored;
    });
  }

  /** EndTrace (v2): the duration is the end time minus the start time, as MLflow computes it. */
  async endTraceV2(
    traceId: string,
    request: { timestampMs: number; status: TraceState; metadata: Record<string, string>; tags: Record<string, string> },
    context: WriteContext,
  ): Promise<TraceWithAssessments> {
    return atomically(this.audit, async () => {
      const before = await this.getTrace(traceId, "request_id");
      const duration = request.timestampMs - before.requestTime;
      if (duration < 0) {
        throw invalidValue("timestamp_ms", request.timestampMs, `the trace started at ${before.requestTime}; it cannot end before`);
      }
      const { [TraceKey.ARTIFACT_LOCATION]: _kept, [TraceKey.SPANS_LOCATION]: _dropped, ...tags } = request.tags;
      const after = await this.store.endTrace(traceId, { state: request.status, executionDuration: duration, metadata: request.metadata, tags });
      if (!after) throw traceNotFound(traceId);
      await this.audit.record(context, {
        action: TracingAction.TRACE_END,
        entityType: "trace",
        entityId: traceId,
        before: { state: before.state },
        after: { state: after.state, execution_duration: duration },
      });
      return after;
    });
  }

  async getTrace(traceId: string, field = "trace_id"): Promise<TraceWithAssessments> {
    validateTraceId(traceId, field);
    const trace = await this.store.getTrace(traceId);
    if (!trace) throw traceNotFound(traceId);
    return trace;
  }

  async searchTraces(request: TraceSearchRequest): Promise<TracePage> {
    const experimentIds = [...new Set(request.experimentIds)];
    if (experimentIds.length === 0) throw invalidParameter("At least one experiment (locations or experiment_ids) must be given to search traces.");
    if (experimentIds.length > TraceLimits.SEARCH_EXPERIMENTS) {
      throw invalidValue("locations", `<${experimentIds.length} experiments>`, `at most ${TraceLimits.SEARCH_EXPERIMENTS} experiments per search`);
    }
    for (const id of experimentIds) if (!NUMERIC_ID.test(id)) throw invalidValue("experiment_id", id, "expected an experiment id");
    const maxResults = request.maxResults ?? TraceLimits.SEARCH_DEFAULT;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > TraceLimits.SEARCH_MAX) {
      throw invalidParameter(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be between 1 and ${TraceLimits.SEARCH_MAX}.`,
      );
    }
    return this.store.searchTraces({
      experimentIds,
      conditions: parseTraceFilter(request.filter),
      orderBy: parseTraceOrderBy(request.orderBy),
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }

  async setTraceTag(traceId: string, key: string, value: string, context: WriteContext, field = "trace_id"): Promise<void> {
    return atomically(this.audit, async () => {
      const before = await this.getTrace(traceId, field);
      if (key === TraceKey.ARTIFACT_LOCATION || key === TraceKey.SPANS_LOCATION) {
        throw invalidValue("key", key, "this tag is set by the server");
      }
      if (!(await this.store.setTraceTag(traceId, key, value))) throw traceNotFound(traceId);
      await this.audit.record(context, {
        action: TracingAction.TRACE_TAG_SET,
        entityType: "trace",
        entityId: traceId,
        before: key in before.tags ? { key, value: before.tags[key] ?? "" } : null,
        after: { key, value },
      });
    });
  }

  async deleteTraceTag(traceId: string, key: string, context: WriteContext, field = "trace_id"): Promise<void> {
    return atomically(this.audit, async () => {
      const before = await this.getTrace(traceId, field);
      if (key === TraceKey.ARTIFACT_LOCATION) throw invalidValue("key", key, "this tag is set by the server");
      if (!(await this.store.deleteTraceTag(traceId, key))) {
        throw notFound(`No trace tag with key '${key}' for trace with ID '${traceId}'`);
      }
      await this.audit.record(context, {
        action: TracingAction.TRACE_TAG_DELETE,
        entityType: "trace",
        entityId: traceId,
        before: { key, value: before.tags[key] ?? "" },
        after: null,
      });
    });
  }

  /** MLflow's two ways: by ids, or the oldest traces up to a time (at most max_traces of them). */
  async deleteTraces(request: DeleteTracesRequest, context: WriteContext): Promise<number> {
    return atomically(this.audit, async () => {
      if (!NUMERIC_ID.test(request.experimentId)) throw invalidValue("experiment_id", request.experimentId, "expected an experiment id");
      const byIds = request.requestIds.length > 0;
      if (byIds && request.maxTimestampMillis !== undefined) {
        throw invalidParameter("Only one of `max_timestamp_millis` and `request_ids` can be specified.");
      }
      if (!byIds && request.maxTimestampMillis === undefined) {
        throw invalidParameter("Either `max_timestamp_millis` or `request_ids` must be specified.");
      }
      if (byIds && request.maxTraces !== undefined) throw invalidParameter("`max_traces` can't be specified if `request_ids` is specified.");
      if (request.maxTraces !== undefined && request.maxTraces < 1) {
        throw invalidValue("max_traces", request.maxTraces, "it must be a positive integer");
      }
      if (request.requestIds.length > TraceLimits.DELETE_IDS) {
        throw invalidValue("request_ids", `<${request.requestIds.length} ids>`, `at most ${TraceLimits.DELETE_IDS} per call`);
      }
      request.requestIds.forEach((id, index) => validateTraceId(id, `request_ids[${index}]`));
      await this.experiments.getExperiment(request.experimentId);
      const criteria: TraceDeletion = byIds
        ? { experimentId: request.experimentId, traceIds: [...new Set(request.requestIds)] }
        : {
            experimentId: request.experimentId,
            maxTimestampMillis: request.maxTimestampMillis ?? 0,
            ...(request.maxTraces !== undefined ? { maxTraces: request.maxTraces } : {}),
          };
      const deleted = await this.store.deleteTraces(criteria);
      await this.audit.record(context, {
        action: TracingAction.TRACES_DELETE,
        entityType: "experiment",
        entityId: request.experimentId,
        after: byIds
          ? { request_ids: request.requestIds.slice(0, 100), traces_deleted: deleted }
          : { max_timestamp_millis: request.maxTimestampMillis, max_traces: request.maxTraces ?? null, traces_deleted: deleted },
      });
      return deleted;
    });
  }

  // --- assessments ---

  async createAssessment(traceId: string, input: AssessmentInput, context: WriteContext): Promise<Assessment> {
    return atomically(this.audit, async () => {
      validateTraceId(traceId);
      if (input.traceId !== undefined && input.traceId !== traceId) {
        throw invalidValue("assessment.trace_id", input.traceId, `it differs from the trace id of the path, '${traceId}'`);
      }
      await this.getTrace(traceId);
      if (input.overrides !== undefined && !(await this.store.getAssessment(traceId, input.overrides))) {
        throw notFound(`Assessment with ID ${input.overrides} (named by 'overrides') not found on trace ${traceId}.`);
      }
      const assessment = newAssessment(traceId, input, this.clock());
      await this.store.createAssessment(assessment);
      await this.audit.record(context, {
        action: TracingAction.ASSESSMENT_CREATE,
        entityType: "assessment",
        entityId: assessment.assessmentId,
        after: { trace_id: traceId, name: assessment.name, kind: assessment.value.kind, overrides: assessment.overrides ?? null },
      });
      return assessment;
    });
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    validateTraceId(traceId);
    validateAssessmentId(assessmentId);
    const assessment = await this.store.getAssessment(traceId, assessmentId);
    if (!assessment) {
      await this.getTrace(traceId);
      throw notFound(`Assessment with ID ${assessmentId} not found on trace ${traceId}.`);
    }
    return assessment;
  }

  async updateAssessment(traceId: string, assessmentId: string, update: AssessmentUpdate, context: WriteContext): Promise<Assessment> {
    return atomically(this.audit, async () => {
      const before = await this.getAssessment(traceId, assessmentId);
      const after = applyAssessmentUpdate(before, update, this.clock());
      if (!(await this.store.updateAssessment(after))) throw notFound(`Assessment with ID ${assessmentId} not found on trace ${traceId}.`);
      await this.audit.record(context, {
        action: TracingAction.ASSESSMENT_UPDATE,
        entityType: "assessment",
        entityId: assessmentId,
        before: { name: before.name, kind: before.value.kind },
        after: { name: after.name, kind: after.value.kind, fields: update.fields },
      });
      return after;
    });
  }

  async deleteAssessment(traceId: string, assessmentId: string, context: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      const before = await this.getAssessment(traceId, assessmentId);
      if (!(await this.store.deleteAssessment(traceId, assessmentId))) {
        throw notFound(`Assessment with ID ${assessmentId} not found on trace ${traceId}.`);
      }
      await this.audit.record(context, {
        action: TracingAction.ASSESSMENT_DELETE,
        entityType: "assessment",
        entityId: assessmentId,
        before: { trace_id: traceId, name: before.name, kind: before.value.kind },
        after: null,
      });
    });
  }
}

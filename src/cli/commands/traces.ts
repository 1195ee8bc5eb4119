import type { CairnClient } from "../../sdk/client.js";
import { collect } from "../../sdk/paging.js";
import type { AssessmentJson as Assessment, TraceInfoV3Json as TraceInfoV3 } from "../../tracing/wire-writers.js";
import { durationMs, expectationValue, type Trace } from "../../sdk/traces-api.js";
import { formatTime, type CommandResult } from "../output.js";
import { oneLine, printable } from "./printable.js";
import { resolveExperimentIds } from "./runs.js";
import { formatSpanDuration, renderSpanTree } from "./span-tree.js";
import { parsePositiveInt } from "./view.js";

export interface ListTracesOptions {
  experiment?: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: string;
}

/** MLflow's ceiling for one traces/search page (service.proto: "Max threshold is 500"). */
const SEARCH_PAGE_MAX = 500;
const LIST_MAX = 100_000;

/** Tags the tracing client and server write for themselves; the table shows the user's own. */
const isSystemKey = (key: string): boolean => key.startsWith("mlflow.");

/** RFC 3339 request_time as the CLI prints times ("YYYY-MM-DD HH:MM:SS", UTC); the text itself when unreadable. */
export const formatRequestTime = (requestTime: string | undefined): string => {
  if (requestTime === undefined || requestTime === "") return "-";
  const ms = Date.parse(requestTime);
  return Number.isNaN(ms) ? printable(requestTime, 40) : formatTime(ms);
};

const traceDuration = (info: TraceInfoV3): string => {
  const ms = durationMs(info.execution_duration);
  return ms === undefined ? "-" : formatSpanDuration(ms);
};

/** A feedback or expectation value in one short line: JSON text, error code when the judge failed. */
export const assessmentValue = (assessment: Assessment): string => {
  if (assessment.feedback !== undefined) {
    if (assessment.feedback.value === undefined && assessment.feedback.error !== undefined) {
      return `error ${oneLine(assessment.feedback.error.error_code ?? assessment.feedback.error.error_message ?? "", 40)}`;
    }
    return oneLine(JSON.stringify(assessment.feedback.value ?? null), 60);
  }
  return oneLine(JSON.stringify(expectationValue(assessment) ?? null), 60);
};

const userTags = (info: TraceInfoV3): string =>
  Object.entries(info.tags ?? {})
    .filter(([key]) => !isSystemKey(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");

const assessmentSummary = (info: TraceInfoV3): string =>
  (info.assessments ?? [])
    .filter((a) => a.valid !== false)
    .map((a) => `${a.assessment_name}=${assessmentValue(a)}`)
    .join(", ");

/** `cairn traces list --experiment X`: the experiments' traces, newest first unless --order-by says otherwise. */
export const listTraces = async (client: CairnClient, options: ListTracesOptions): Promise<CommandResult<TraceInfoV3[]>> => {
  const limit = options.maxResults === undefined ? 100 : parsePositiveInt("--max-results", options.maxResults, LIST_MAX);
  const traces: TraceInfoV3[] = await collect(
    client.traces.searchAll({
      experimentIds: await resolveExperimentIds(client, options.experiment ?? []),
      filter: options.filter,
      orderBy: options.orderBy && options.orderBy.length > 0 ? options.orderBy : ["timestamp_ms DESC"],
      maxResults: Math.min(limit, SEARCH_PAGE_MAX),
    }),
    limit,
  );
  return {
    data: traces,
    human: {
      kind: "table",
      columns: ["TRACE ID", "REQUEST TIME (UTC)", "STATE", "DURATION", "REQUEST", "RESPONSE", "TAGS", "ASSESSMENTS"],
      rows: traces.map((info) => [
        info.trace_id,
        formatRequestTime(info.request_time),
        info.state,
        traceDuration(info),
        oneLine(info.request_preview, 40) || "-",
        oneLine(info.response_preview, 40) || "-",
        oneLine(userTags(info), 40) || "-",
        oneLine(assessmentSummary(info), 60) || "-",
      ]),
      empty: "No traces.",
    },
  };
};

const sourceText = (assessment: Assessment): string =>
  assessment.source ? `${assessment.source.source_type.toLowerCase()} ${printable(assessment.source.source_id ?? "-", 40)}` : "unknown source";

const assessmentLine = (assessment: Assessment): string =>
  [
    assessment.feedback !== undefined ? "feedback" : "expectation",
    assessmentValue(assessment),
    `by ${sourceText(assessment)}`,
    assessment.span_id ? `on span ${printable(assessment.span_id, 40)}` : "",
    assessment.valid === false ? "(overridden)" : "",
    assessment.rationale ? `rationale: ${oneLine(assessment.rationale, 80)}` : "",
    assessment.assessment_id ? `[${printable(assessment.assessment_id, 40)}]` : "",
  ]
    .filter((part) => part !== "")
    .join("  ");

const sortedEntries = (map: Record<string, string> | undefined): [string, string][] =>
  Object.entries(map ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [printable(key, 100), oneLine(value, 120)]);

/** `cairn traces show TRACE_ID`: the trace's info, tags, metadata, assessments, and its span tree with durations. */
export const showTrace = async (client: CairnClient, traceId: string): Promise<CommandResult<Trace>> => {
  const trace = await client.traces.get(traceId);
  const { info } = trace;
  return {
    data: trace,
    human: {
      kind: "sections",
      sections: [
        {
          title: `Trace ${info.trace_id}`,
          pairs: [
            ["experiment", info.trace_location.mlflow_experiment?.experiment_id ?? "-"],
            ["state", info.state],
            ["request time (UTC)", formatRequestTime(info.request_time)],
            ["duration", traceDuration(info)],
            ...(info.client_request_id ? ([["client request", oneLine(info.client_request_id, 100)]] as [string, string][]) : []),
            ["request", oneLine(info.request_preview, 200) || "-"],
            ["response", oneLine(info.response_preview, 200) || "-"],
          ],
        },
        { title: "Tags", pairs: sortedEntries(info.tags) },
        { title: "Metadata", pairs: sortedEntries(info.trace_metadata) },
        { title: "Assessments", pairs: (info.assessments ?? []).map((a) => [printable(a.assessment_name, 60), assessmentLine(a)]) },
        { title: `Spans (${trace.spans.length})`, pairs: [], lines: renderSpanTree(trace.spans) },
      ],
    },
  };
};

import { ApiError, artifactDownloadUrl, mlflowV3Get, mlflowV3Post } from "../../api/http";
import { fetchArtifactText } from "../run/artifacts/fetch-artifact-text";
import { parseTraceData, type ParsedSpans } from "./trace-spans";
import { ARTIFACT_LOCATION_TAG, type GetTraceInfoV3Response, type SearchTracesV3Response, type TraceInfoV3 } from "./trace-wire";

/** MLflow 3's trace RPCs the UI reads (SearchTracesV3, GetTraceInfoV3) and the trace's span file. */

export interface TracesSearch {
  experimentId: string;
  filter: string;
  orderBy: string;
  pageSize: number;
  pageToken: string | undefined;
}

export const traceKeys = {
  search: (search: TracesSearch): readonly unknown[] => ["traces-search", search],
  info: (traceId: string): readonly unknown[] => ["trace-info", traceId],
  spans: (traceId: string): readonly unknown[] => ["trace-spans", traceId],
};

export const searchTraces = (search: TracesSearch, signal?: AbortSignal): Promise<SearchTracesV3Response> =>
  mlflowV3Post<SearchTracesV3Response>(
    "traces/search",
    {
      locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: search.experimentId } }],
      ...(search.filter ? { filter: search.filter } : {}),
      order_by: [search.orderBy],
      max_results: search.pageSize,
      ...(search.pageToken ? { page_token: search.pageToken } : {}),
    },
    signal,
  );

export const getTraceInfo = async (traceId: string, signal?: AbortSignal): Promise<TraceInfoV3> => {
  const answer = await mlflowV3Get<GetTraceInfoV3Response>(`traces/${encodeURIComponent(traceId)}`, undefined, signal);
  const info = answer.trace?.trace_info;
  if (!info) throw new Error(`The server sent no trace info for ${traceId}.`);
  return info;
};

/** A span file larger than this is not read into the page (the server bounds what it accepts, too). */
export const SPAN_FILE_BYTES = 16 * 1024 * 1024;

/** The trace's spans, from `traces.json` in the folder its `mlflow.artifactLocation` tag names. */
export const fetchTraceSpans = async (info: TraceInfoV3, signal?: AbortSignal): Promise<ParsedSpans> => {
  const location = info.tags?.[ARTIFACT_LOCATION_TAG];
  if (!location) throw new Error("This trace names no location for its spans (no mlflow.artifactLocation tag).");
  const url = artifactDownloadUrl(location, "traces.json");
  if (!url) throw new Error(`This trace keeps its spans at ${location}, which the server does not proxy: the UI cannot show them.`);
  const file = await fetchArtifactText(url, signal, SPAN_FILE_BYTES).catch((error: unknown) => {
    // A trace still in progress, or whose client failed before uploading, has no span file: say so, not "not found".
    if (error instanceof ApiError && error.status === 404) throw new Error("The trace's span file (traces.json) is not there: the client has not uploaded it (yet).");
    throw error;
  });
  if (file.truncated) throw new Error("The trace's span file is too large to show here. Download it from the artifact store.");
  return parseTraceData(file.text);
};

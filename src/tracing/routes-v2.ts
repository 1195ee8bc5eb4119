import { SEARCH_IDS } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { readDeleteTraces, readTraceSearch, searchPage } from "./route-helpers.js";
import type { TraceService } from "./service.js";
import { TRACE_STATUSES, type TraceState } from "./trace.js";
import { readKeyValueList } from "./wire-readers.js";
import { traceInfoV2Json } from "./wire-writers.js";

const stateOf = (status: string | undefined): TraceState =>
  status === undefined || status === "TRACE_STATUS_UNSPECIFIED" ? "STATE_UNSPECIFIED" : (status as TraceState);

/**
 * The v2 trace RPCs (`since` 2.0): every call of the MLflow 2.x client's tracing, and the trace-tag and
 * delete-traces routes that the 3.x client still calls on the 2.0 path.
 */
export const traceEndpointsV2 = (service: TraceService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "traces",
    handle: async (fields, context) => {
      const timestampMs = fields.optionalInt64("timestamp_ms");
      const trace = await service.startTraceV2(
        {
          experimentId: fields.requiredString("experiment_id"),
          ...(timestampMs !== undefined ? { timestampMs } : {}),
          metadata: readKeyValueList(fields, "request_metadata", ""),
          tags: readKeyValueList(fields, "tags", ""),
        },
        context,
      );
      return { trace_info: traceInfoV2Json(trace) };
    },
  },
  {
    methods: ["PATCH"],
    path: "traces/:request_id",
    handle: async (fields, context) => {
      const trace = await service.endTraceV2(
        fields.requiredString("request_id"),
        {
          timestampMs: fields.requiredInt64("timestamp_ms"),
          status: stateOf(fields.optionalProtoEnum("status", TRACE_STATUSES, 0)),
          metadata: readKeyValueList(fields, "request_metadata", ""),
          tags: readKeyValueList(fields, "tags", ""),
        },
        context,
      );
      return { trace_info: traceInfoV2Json(trace) };
    },
  },
  {
    methods: ["GET"],
    path: "traces/:request_id/info",
    handle: async (fields) => ({ trace_info: traceInfoV2Json(await service.getTrace(fields.requiredString("request_id"), "request_id")) }),
  },
  {
    methods: ["GET"],
    path: "traces",
    handle: async (fields) => searchPage(await service.searchTraces(readTraceSearch(fields, () => fields.stringList("experiment_ids", SEARCH_IDS))), traceInfoV2Json),
  },
  {
    methods: ["PATCH"],
    path: "traces/:request_id/tags",
    handle: async (fields, context) => {
      await service.setTraceTag(fields.requiredString("request_id"), fields.requiredString("key"), fields.optionalString("value") ?? "", context, "request_id");
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "traces/:request_id/tags",
    handle: async (fields, context) => {
      await service.deleteTraceTag(fields.requiredString("request_id"), fields.requiredString("key"), context, "request_id");
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "traces/delete-traces",
    handle: async (fields, context) => ({ traces_deleted: await service.deleteTraces(readDeleteTraces(fields), context) }),
  },
];

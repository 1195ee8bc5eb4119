import { SEARCH_IDS } from "../protocol/mlflow/fields.js";
import { CairnError, ErrorCode } from "../core/errors.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { readExperimentLocation, readStartTraceV3 } from "./trace-info-reader.js";
import type { TraceService } from "./service.js";
import { readDeleteTraces, readTraceSearch, searchPage } from "./route-helpers.js";
import { traceInfoV3Json } from "./wire-writers.js";

/**
 * GET traces/batchGet and traces/get (spans from the tracking store) would otherwise be read as trace ids: they
 * answer what an unknown route answers, which clients read as "not supported by this server".
 */
const notServed = (path: string): MlflowEndpoint => ({
  methods: ["GET"],
  path,
  apiVersion: 3,
  handle: () => {
    throw new CairnError(ErrorCode.ENDPOINT_NOT_FOUND, `No API endpoint GET /api/3.0/mlflow/${path}: Cairn keeps spans as traces.json artifacts.`);
  },
});

/** The MLflow 3 trace RPCs (service.proto, `since` 3.0): served under /api/3.0/mlflow only, as MLflow serves them. */
export const traceEndpointsV3 = (service: TraceService): MlflowEndpoint[] => [
  notServed("traces/batchGet"),
  notServed("traces/get"),
  {
    methods: ["POST"],
    path: "traces",
    apiVersion: 3,
    handle: async (fields, context) => {
      const { trace, assessments } = readStartTraceV3(fields);
      const stored = await service.startTraceV3(trace, assessments, context);
      return { trace: { trace_info: traceInfoV3Json(stored) } };
    },
  },
  {
    methods: ["GET"],
    path: "traces/:trace_id",
    apiVersion: 3,
    handle: async (fields) => ({ trace: { trace_info: traceInfoV3Json(await service.getTrace(fields.requiredString("trace_id"))) } }),
  },
  {
    methods: ["POST"],
    path: "traces/search",
    apiVersion: 3,
    handle: async (fields) => {
      const locations = fields.list("locations", (location) => readExperimentLocation(location, "locations"));
      // `experiment_ids` is what SearchTraces (v2) and early 3.x clients send; both name experiments.
      const page = await service.searchTraces(readTraceSearch(fields, () => [...locations, ...fields.stringList("experiment_ids", SEARCH_IDS)]));
      return searchPage(page, traceInfoV3Json);
    },
  },
  {
    methods: ["PATCH"],
    path: "traces/:trace_id/tags",
    apiVersion: 3,
    handle: async (fields, context) => {
      await service.setTraceTag(fields.requiredString("trace_id"), fields.requiredString("key"), fields.optionalString("value") ?? "", context);
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "traces/:trace_id/tags",
    apiVersion: 3,
    handle: async (fields, context) => {
      await service.deleteTraceTag(fields.requiredString("trace_id"), fields.requiredString("key"), context);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "traces/delete-traces",
    apiVersion: 3,
    handle: async (fields, context) => ({ traces_deleted: await service.deleteTraces(readDeleteTraces(fields), context) }),
  },
];

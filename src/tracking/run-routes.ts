import { ORDER_BY_CLAUSES, SEARCH_IDS } from "../protocol/mlflow/fields.js";
import { invalidParameter } from "../core/errors.js";
import { RUN_STATUSES, VIEW_TYPES, type Run } from "../protocol/mlflow/entities.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import type { TrackingService } from "./service.js";
import type { Page } from "./store.js";
import { batchRequestTooLarge, MAX_BATCH_LOG_REQUEST_SIZE, validateBatchLimits, validateBatchRequestSize } from "./validation.js";
import { readDatasetInputs, readKeyValue, readKeyValues, readMetric, readMetrics, readModelInputs, readRunId } from "./wire-readers.js";

const EMPTY = Object.freeze({});


const runPage = (page: Page<Run>) => ({
  runs: page.items,
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});

/** runs/*: thin translations between MLflow's request messages and the service. */
export const runEndpoints = (service: TrackingService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "runs/create",
    handle: async (fields, context) => {
      const experimentId = fields.optionalText("experiment_id");
      // MLflow clients send user_id; a client that does not falls back to the user it declared (header, basic auth).
      // With --auth the run is the authenticated user's whatever user_id says: self-approval rules judge by it.
      const userId = context.principal?.username ?? fields.optionalText("user_id") ?? context.declaredUser;
      const runName = fields.optionalText("run_name");
      const startTime = fields.optionalInt64("start_time");
      const run = await service.createRun(
        {
          ...(experimentId ? { experimentId } : {}),
          ...(userId ? { userId } : {}),
          ...(runName ? { runName } : {}),
          ...(startTime !== undefined ? { startTime } : {}),
          tags: readKeyValues(fields, "tags"),
        },
        context,
      );
      return { run };
    },
  },
  {
    methods: ["POST"],
    path: "runs/update",
    handle: async (fields, context) => {
      const runId = readRunId(fields);
      const status = fields.optionalProtoEnum("status", RUN_STATUSES);
      const endTime = fields.optionalInt64("end_time");
      const runName = fields.optionalString("run_name");
      const runInfo = await service.updateRun(
        runId,
        {
          ...(status ? { status } : {}),
          ...(endTime !== undefined ? { endTime } : {}),
          ...(runName !== undefined ? { runName } : {}),
        },
        context,
      );
      return { run_info: runInfo };
    },
  },
  {
    methods: ["POST"],
    path: "runs/delete",
    handle: async (fields, context) => {
      await service.deleteRun(readRunId(fields), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/restore",
    handle: async (fields, context) => {
      await service.restoreRun(readRunId(fields), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-metric",
    handle: async (fields, context) => {
      await service.logMetric(readRunId(fields), readMetric(fields), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-parameter",
    handle: async (fields, context) => {
      await service.logParam(readRunId(fields), readKeyValue(fields), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/set-tag",
    handle: async (fields, context) => {
      await service.setTag(readRunId(fields), readKeyValue(fields), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/delete-tag",
    handle: async (fields, context) => {
      await service.deleteTag(readRunId(fields), fields.requiredString("key"), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-batch",
    // MLflow's 1 MB request limit, checked on the declared length before the body is read.
    maxBodyBytes: MAX_BATCH_LOG_REQUEST_SIZE,
    tooLarge: batchRequestTooLarge,
    handle: async (fields, context) => {
      if (context.bodyBytes !== undefined) validateBatchRequestSize(context.bodyBytes);
      const runId = readRunId(fields);
      // Counts first, so that an oversized batch is refused before any element is parsed.
      validateBatchLimits(fields.count("metrics"), fields.count("params"), fields.count("tags"));
      await service.logBatch(
        runId,
        {
          metrics: readMetrics(fields, "metrics"),
          params: readKeyValues(fields, "params"),
          tags: readKeyValues(fields, "tags"),
        },
        context,
      );
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-model",
    handle: async (fields, context) => {
      await service.logModel(readRunId(fields), fields.requiredString("model_json"), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-inputs",
    handle: async (fields, context) => {
      await service.logInputs(readRunId(fields), readDatasetInputs(fields, "datasets"), context, readModelInputs(fields, "models"));
      return EMPTY;
    },
  },
  {
    methods: ["GET", "POST"],
    path: "runs/search",
    handle: async (fields) => {
      const filter = fields.optionalText("filter");
      const viewType = fields.optionalProtoEnum("run_view_type", VIEW_TYPES);
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await service.searchRuns({
        experimentIds: fields.stringList("experiment_ids", SEARCH_IDS),
        ...(filter ? { filter } : {}),
        orderBy: fields.stringList("order_by", ORDER_BY_CLAUSES),
        ...(viewType ? { viewType } : {}),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      return runPage(page);
    },
  },
  {
    methods: ["GET"],
    path: "runs/get",
    handle: async (fields) => ({ run: await service.getRun(readRunId(fields)) }),
  },
];

const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;
const MAX_RESULTS_PER_RUN = 2500;
const API_DOCS = " See the API docs for more information about request parameters.";

/** metrics/*: metric history, single run (paged) and several runs (sampled). */
export const metricEndpoints = (service: TrackingService): MlflowEndpoint[] => [
  {
    methods: ["GET"],
    path: "metrics/get-history",
    handle: async (fields) => {
      const page = await service.getMetricHistory(
        readRunId(fields),
        fields.requiredString("metric_key"),
        fields.optionalInt64("max_results"),
        fields.optionalText("page_token"),
      );
      return { metrics: page.items, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  {
    methods: ["GET"],
    path: "metrics/get-history-bulk-interval",
    handle: async (fields) => {
      const runIds = fields.stringList("run_ids", SEARCH_IDS);
      if (runIds.length === 0) throw invalidParameter(`Missing value for required parameter 'run_ids'.${API_DOCS}`);
      if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
        throw invalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. ` +
            `Received ${runIds.length} run_ids.${API_DOCS}`,
        );
      }
      const metricKey = fields.requiredString("metric_key");
      const maxResults = fields.optionalInt64("max_results") ?? MAX_RESULTS_PER_RUN;
      if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
        throw invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.${API_DOCS}`);
      }
      const startStep = fields.optionalInt64("start_step");
      const endStep = fields.optionalInt64("end_step");
      if ((startStep === undefined) !== (endStep === undefined)) {
        throw invalidParameter("If either start step or end step are specified, both must be specified.");
      }
      const metrics = await service.getMetricHistoryBulkInterval({
        runIds,
        metricKey,
        maxResults,
        ...(startStep !== undefined && endStep !== undefined ? { range: { startStep, endStep } } : {}),
      });
      return { metrics };
    },
  },
];

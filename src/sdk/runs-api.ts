import type {
  DatasetInput,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from "../protocol/mlflow/entities.js";
import { tagList } from "./experiments-api.js";
import { collect, iteratePages, type Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";
import { decodeMetric } from "./wire.js";

export interface CreateRunRequest {
  experimentId: string;
  runName?: string;
  /** Milliseconds since the epoch; defaults to now. */
  startTime?: number;
  tags?: RunTag[] | Record<string, string>;
  userId?: string;
}

export interface UpdateRunRequest {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface MetricOptions {
  /** Default 0, as MLflow's clients send. */
  step?: number;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
}

export interface LogBatchRequest {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  runViewType?: ViewType;
  /** Page size (MLflow's default 1000, at most 50000). */
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface MetricHistoryBulkIntervalRequest {
  runIds: string[];
  metricKey: string;
  startStep?: number;
  endStep?: number;
  maxResults?: number;
}

/** Protobuf JSON omits empty repeated fields and writes NaN as text; callers get complete, typed runs. */
export const normalizeRun = (run: Run): Run => ({
  info: run.info,
  data: {
    metrics: (run.data?.metrics ?? []).map(decodeMetric),
    params: run.data?.params ?? [],
    tags: run.data?.tags ?? [],
  },
  inputs: { dataset_inputs: run.inputs?.dataset_inputs ?? [] },
});

/** The runs/* and metrics/* endpoints of MLflow's tracking API. */
export class RunsApi {
  constructor(private readonly http: HttpTransport) {}

  async create(request: CreateRunRequest): Promise<Run> {
    const response = await this.http.call<{ run: Run }>("POST", "runs/create", {
      experiment_id: request.experimentId,
      run_name: request.runName,
      start_time: request.startTime ?? Date.now(),
      tags: tagList(request.tags),
      user_id: request.userId,
    });
    return normalizeRun(response.run);
  }

  async get(runId: string): Promise<Run> {
    const response = await this.http.call<{ run: Run }>("GET", "runs/get", { run_id: runId });
    return normalizeRun(response.run);
  }

  async update(runId: string, request: UpdateRunRequest): Promise<RunInfo> {
    const response = await this.http.call<{ run_info: RunInfo }>("POST", "runs/update", {
      run_id: runId,
      status: request.status,
      end_time: request.endTime,
      run_name: request.runName,
    });
    return response.run_info;
  }

  async delete(runId: string): Promise<void> {
    await this.http.call("POST", "runs/delete", { run_id: runId });
  }

  async restore(runId: string): Promise<void> {
    await this.http.call("POST", "runs/restore", { run_id: runId });
  }

  async logMetric(runId: string, key: string, value: number, options: MetricOptions = {}): Promise<void> {
    await this.http.call("POST", "runs/log-metric", {
      run_id: runId,
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    });
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.http.call("POST", "runs/log-parameter", { run_id: runId, key, value });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.call("POST", "runs/set-tag", { run_id: runId, key, value });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.call("POST", "runs/delete-tag", { run_id: runId, key });
  }

  /** One log-batch request; the server's limits apply (1000 metrics, 100 params, 100 tags, 1000 in all). */
  async logBatch(runId: string, batch: LogBatchRequest): Promise<void> {
    await this.http.call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: batch.metrics ?? [],
      params: batch.params ?? [],
      tags: batch.tags ?? [],
    });
  }

  /** Records an MLmodel description on the run (MLflow's log-model: model_json is the MLmodel as JSON text). */
  async logModel(runId: string, model: string | object): Promise<void> {
    await this.http.call("POST", "runs/log-model", {
      run_id: runId,
      model_json: typeof model === "string" ? model : JSON.stringify(model),
    });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.http.call("POST", "runs/log-inputs", { run_id: runId, datasets });
  }

  /** One page of runs/search. */
  async search(request: SearchRunsRequest): Promise<Page<Run>> {
    const response = await this.http.call<{ runs?: Run[]; next_page_token?: string }>("POST", "runs/search", {
      experiment_ids: request.experimentIds,
      filter: request.filter,
      run_view_type: request.runViewType,
      max_results: request.maxResults,
      order_by: request.orderBy,
      page_token: request.pageToken,
    });
    return { items: (response.runs ?? []).map(normalizeRun), nextPageToken: response.next_page_token || undefined };
  }

  /** Every run matching the request, across all pages. */
  searchAll(request: Omit<SearchRunsRequest, "pageToken">): AsyncGenerator<Run> {
    return iteratePages((pageToken) => this.search({ ...request, pageToken }));
  }

  /** One page of metrics/get-history. */
  async metricHistoryPage(runId: string, key: string, options: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    const response = await this.http.call<{ metrics?: Metric[]; next_page_token?: string }>("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: key,
      max_results: options.maxResults,
      page_token: options.pageToken,
    });
    return { items: (response.metrics ?? []).map(decodeMetric), nextPageToken: response.next_page_token || undefined };
  }

  /** The whole history of one metric, every page fetched. */
  metricHistory(runId: string, key: string): Promise<Metric[]> {
    return collect(iteratePages((pageToken) => this.metricHistoryPage(runId, key, { pageToken })));
  }

  async metricHistoryBulkInterval(request: MetricHistoryBulkIntervalRequest): Promise<MetricWithRunId[]> {
    const response = await this.http.call<{ metrics?: MetricWithRunId[] }>("GET", "metrics/get-history-bulk-interval", {
      run_ids: request.runIds,
      metric_key: request.metricKey,
      start_step: request.startStep,
      end_step: request.endStep,
      max_results: request.maxResults,
    });
    return (response.metrics ?? []).map(decodeMetric);
  }
}

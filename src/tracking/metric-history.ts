import { invalidParameter } from "../core/errors.js";
import type { Metric, MetricWithRunId } from "../protocol/mlflow/entities.js";
import { orderSampledHistory } from "./metric-sampling.js";
import type { Page } from "./store.js";
import type { TrackingWrites } from "./tracking-writes.js";
import { validateRunId } from "./validation.js";

export interface BulkIntervalRequest {
  runIds: string[];
  metricKey: string;
  maxResults: number;
  /** Both or neither (the route enforces MLflow's rule). */
  range?: { startStep: number; endStep: number };
}

/** A metric's logged values over steps: one run's history in pages, and several runs' histories sampled. */
export class MetricHistory {
  constructor(private readonly writes: TrackingWrites) {}

  async ofRun(runId: string, metricKey: string, maxResults?: number, pageToken?: string): Promise<Page<Metric>> {
    if (maxResults !== undefined && maxResults < 1) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
    }
    await this.writes.runInfo(runId);
    return this.writes.store.getMetricHistory(runId, metricKey, {
      // Without max_results MLflow returns the whole history in one answer.
      maxResults: maxResults ?? Number.MAX_SAFE_INTEGER,
      ...(pageToken ? { pageToken } : {}),
    });
  }

  async bulkInterval(request: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    for (const runId of request.runIds) validateRunId(runId);
    if (request.range && request.range.startStep > request.range.endStep) {
      throw invalidParameter(
        "end_step must be greater than start_step. " +
          `Found start_step=${request.range.startStep} and end_step=${request.range.endStep}.`,
      );
    }
    // Sampled by the store, in the database: only the sampled rows are read, whatever the histories' length.
    const sampled = await this.writes.store.getSampledMetricHistory({
      runIds: [...new Set(request.runIds)],
      key: request.metricKey,
      maxResults: request.maxResults,
      ...(request.range ? { range: request.range } : {}),
    });
    return orderSampledHistory(request.runIds, sampled);
  }
}

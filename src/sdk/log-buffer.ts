import type { Metric, Param, RunTag } from "../protocol/mlflow/entities.js";
import type { LogBatchRequest } from "./runs-api.js";

/** MLflow's log-batch limits (mlflow/utils/validation.py). */
export const BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  entities: 1000,
  /** The server refuses bodies over 1 MB; stay under it with room for the envelope. */
  bytes: 900_000,
} as const;

export interface BatchLimits {
  metrics: number;
  params: number;
  tags: number;
  entities: number;
  bytes: number;
}

/** JSON size of one entity as it will travel, plus its separator. */
const sizeOf = (entity: object): number => JSON.stringify(entity).length + 1;

/**
 * Entries logged on a run and not yet sent, in the order they were logged. Batches are cut from the front, so the
 * order of metrics within a key (and of repeated tag writes) is the order of logging; a batch that could not be sent
 * is put back at the front, ahead of anything logged since.
 */
export class LogBuffer {
  private metrics: Metric[] = [];
  private params: Param[] = [];
  private tags: RunTag[] = [];

  get size(): number {
    return this.metrics.length + this.params.length + this.tags.length;
  }

  addMetric(metric: Metric): void {
    this.metrics.push(metric);
  }

  addParam(param: Param): void {
    this.params.push(param);
  }

  addTag(tag: RunTag): void {
    this.tags.push(tag);
  }

  /** Removes and returns the next batch that fits every limit; always at least one entry when not empty. */
  take(limits: BatchLimits = BATCH_LIMITS): LogBatchRequest {
    let bytes = 0;
    let entities = 0;
    const fits = (entity: object): boolean => {
      const size = sizeOf(entity);
      if (entities > 0 && (bytes + size > limits.bytes || entities + 1 > limits.entities)) return false;
      bytes += size;
      entities += 1;
      return true;
    };
    const cut = <T extends object>(queue: T[], max: number): T[] => {
      let count = 0;
      while (count < queue.length && count < max && fits(queue[count] as T)) count += 1;
      return queue.splice(0, count);
    };
    const params = cut(this.params, limits.params);
    const tags = cut(this.tags, limits.tags);
    const metrics = cut(this.metrics, limits.metrics);
    return { metrics, params, tags };
  }

  /** Puts an unsent batch back at the front. */
  restore(batch: LogBatchRequest): void {
    this.metrics.unshift(...(batch.metrics ?? []));
    this.params.unshift(...(batch.params ?? []));
    this.tags.unshift(...(batch.tags ?? []));
  }
}

export const batchSize = (batch: LogBatchRequest): number =>
  (batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0);

import type { RunInfo } from "../../protocol/mlflow/entities.js";
import type { Page, PageRequest } from "../../tracking/store.js";

/**
 * Reads of the data versions runs recorded as MLflow dataset inputs (source_type `cairn-data`, see
 * repro-tracker.ts): which dataset rows name a hash and which runs used or produced it. Read-only: the rows are
 * written by tracking's log-inputs like any dataset. A backend implements it beside its TrackingStore.
 */
export type DataVersionRelation = "used" | "produced";

export interface DataVersionDataset {
  /** The dataset's name: the workspace-relative path the version was recorded for. */
  name: string;
  experimentId: string;
  /** The dataset's profile text as logged (the tracker may put {size, nfiles} there). */
  profile?: string;
}

export interface DataVersionRunUse {
  run: RunInfo;
  /** The dataset name (path) under which the run recorded the version. */
  name: string;
  /** The run's `cairn.stage` tag, when it is a pipeline stage run. */
  stage?: string;
}

export interface DataVersionStore {
  /** Dataset rows (one per experiment and name) recording the hash, oldest first, at most `limit`. */
  findDataVersionDatasets(hash: string, limit: number): Promise<DataVersionDataset[]>;
  /**
   * Active runs that recorded the hash as an output ("produced": input tag mlflow.data.context = cairn.output) or
   * otherwise ("used"), newest first (start time, then run id), one entry per run and dataset name, paged.
   */
  findDataVersionRuns(hash: string, relation: DataVersionRelation, page: PageRequest): Promise<Page<DataVersionRunUse>>;
}

import type { PredictionLogStore } from "../../serving/prediction-log/store.js";
import type { ColumnInfo, Dataset, SqlValue } from "../../validation/dataset.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";

/** What the model version behind a window offers the checks. */
export interface MonitoredModel {
  /**
   * The feature names of the version's signature as registered (its MLmodel in the artifact store, whether or not
   * the version is loaded): the columns of a column-based signature, in order; absent for a model without one.
   */
  signatureColumns?: string[];
  /** The version's training profile: the reference of skew, and of drift with reference "training_profile". */
  trainingProfile?: DatasetProfile;
}

/** A drift result reduced to what a monitor keeps (part 3's DriftResult has all of these). */
export interface DriftSummary {
  share_drifted: number;
  drift_share: number;
  dataset_drift: boolean;
  columns: Record<string, { method: string; statistic: number; p_value: number | null; threshold: number; drifted: boolean }>;
}

/** A data-test suite result reduced to what a monitor keeps (part 4's validation result has these). */
export interface SuiteSummary {
  success: boolean;
  /** observed_value as the validation result gives it (numbers, text, lists, null); message "" when it passed. */
  results: Array<{ expectation: string; column?: string; success: boolean; observed_value?: unknown; message?: string }>;
}

/**
 * Everything a monitor reads, passed in by the composition root (src/server/compose.ts): the prediction log, whether
 * a deployment exists, the model version's signature and training profile, and the engines of the other parts
 * (datasets, drift against a file, data-test suites). Tests pass the real ones too.
 */
export interface MonitorDependencies {
  predictions: PredictionLogStore;
  /** The version a deployment's primary serves now; undefined when there is no such deployment. */
  servedVersion(deployment: string): Promise<string | undefined>;
  /**
   * The registered signature and the training profile of a deployment's model version (each absent when it has
   * none); a failure to read them (the artifact store down) throws.
   */
  model(deployment: string, version: string): Promise<MonitoredModel>;
  openRows(columns: readonly ColumnInfo[], rows: ReadonlyArray<Record<string, SqlValue>>, source?: string): Promise<Dataset>;
  openFile(path: string): Promise<Dataset>;
  /** Drift of the window against a reference file (Evidently's defaults, or the methods named per column). */
  driftAgainstFile(reference: Dataset, current: Dataset, options: { methods?: Record<string, string>; driftShare?: number }): Promise<DriftSummary>;
  /** Parses a suite's YAML (throws a 4xx naming the problem); called at create time too. May run off the event loop. */
  parseSuite(yaml: string): unknown;
  runSuite(dataset: Dataset, suite: unknown): Promise<SuiteSummary>;
}

import type { PredictionLogStore } from "../../serving/prediction-log/store.js";
import type { ColumnInfo, Dataset, SqlValue } from "../../validation/dataset.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";

/** What the model version behind a window offers the checks. */
export interface MonitoredModel {
  /** Column names of a column-based MLflow signature, in order (names the features of a [n, k] input). */
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
  deploymentExists(name: string): Promise<boolean>;
  /** The signature and training profile of a deployment's model version (empty when unknown). */
  model(deployment: string, version: string): Promise<MonitoredModel>;
  openRows(columns: readonly ColumnInfo[], rows: ReadonlyArray<Record<string, SqlValue>>, source?: string): Promise<Dataset>;
  openFile(path: string): Promise<Dataset>;
  /** Drift of the window against a reference file (Evidently's defaults, or the methods named per column). */
  driftAgainstFile(reference: Dataset, current: Dataset, options: { methods?: Record<string, string>; driftShare?: number }): Promise<DriftSummary>;
  /** Parses a suite's YAML (throws a 4xx naming the problem); called at create time too. */
  parseSuite(yaml: string): unknown;
  runSuite(dataset: Dataset, suite: unknown): Promise<SuiteSummary>;
}

/**
 * The drift result as Cairn writes it (JSON, schema_version 1). Later releases keep reading version 1: fields are
 * only ever added, never renamed or removed; a change of meaning bumps schema_version.
 */
import type { CategoryKey } from "./column-data.js";
import type { DriftColumnType, DriftMethodName } from "./methods.js";

export const DRIFT_SCHEMA_VERSION = 1;

/** What the report plots: shares per histogram bin (numeric) or per category, on both sides. */
export type DriftDistribution =
  | { kind: "histogram"; edges: number[]; reference: number[]; current: number[] }
  | { kind: "categories"; categories: CategoryKey[]; reference: number[]; current: number[] };

export interface ColumnDriftResult {
  column_type: DriftColumnType;
  method: DriftMethodName;
  method_name: string;
  /** The drift score: the distance for distances, the test statistic for p-value tests. */
  statistic: number;
  /** The p-value for hypothesis tests; null for distances. */
  p_value: number | null;
  threshold: number;
  drifted: boolean;
  /** Non-missing values compared on each side. */
  reference_rows: number;
  current_rows: number;
  reference_missing: number;
  current_missing: number;
  /** Present when a test read a sample of raw values, e.g. "sampled 1000000 of 3000000 reference rows". */
  sampled?: string;
  distribution?: DriftDistribution;
}

export interface SkippedColumn {
  column_type: DriftColumnType | "datetime";
  reason: string;
}

export interface DriftResult {
  schema_version: typeof DRIFT_SCHEMA_VERSION;
  reference: { source: string; rows: number };
  current: { source: string; rows: number };
  dataset_drift: boolean;
  /** number_of_drifted_columns / number_of_columns (0 when no column was tested). */
  share_drifted: number;
  /** The threshold: dataset drift when share_drifted >= drift_share. */
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  columns: Record<string, ColumnDriftResult>;
  /** Columns present in both but not tested (all values missing, datetime), with why. */
  skipped_columns: Record<string, SkippedColumn>;
  /** Drift of the prediction column(s) named in the options (also included in `columns`). */
  prediction_drift: Record<string, ColumnDriftResult> | null;
  /** Drift of the target column(s) named in the options (also included in `columns`). */
  target_drift: Record<string, ColumnDriftResult> | null;
}

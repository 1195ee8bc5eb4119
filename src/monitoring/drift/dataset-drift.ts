/**
 * Drift between a reference and a current dataset: every column present in both (or those named), each with its
 * test, then dataset drift when the share of drifted columns reaches drift_share (Evidently's DatasetDriftMetric).
 * Prediction and target columns are tested like the others and also reported on their own.
 */
import { invalidParameter } from "../../core/errors.js";
import type { ColumnInfo, Dataset } from "../../validation/dataset.js";
import type { Side } from "./binned-shares.js";
import { finiteOnly, summaryOfSorted, type ColumnSummary } from "./column-data.js";
import { columnDrift } from "./column-drift.js";
import { summarizeColumns } from "./dataset-summary.js";
import { sortedCopy } from "../stats/sorting.js";
import type { DriftColumnType, DriftMethod } from "./methods.js";
import { DRIFT_SCHEMA_VERSION, type ColumnDriftResult, type DriftResult, type SkippedColumn } from "./result.js";

export interface ColumnMethodChoice {
  method: DriftMethod;
  threshold?: number;
}

export interface DriftOptions {
  /** Columns to compare (default: every column in both datasets). */
  columns?: readonly string[];
  /** A test (and threshold) per column instead of the default choice. */
  columnMethods?: Readonly<Record<string, ColumnMethodChoice>>;
  /** Dataset drift when at least this share of tested columns drifted (default 0.5). */
  driftShare?: number;
  prediction?: readonly string[];
  target?: readonly string[];
  /** Most raw values read per side for tests that need them (default 1,000,000). */
  sampleLimit?: number;
  /** Seed of the sample, so a sampled result repeats (default 0). */
  seed?: number;
  /** Include the plotted shares per column (default true). */
  distributions?: boolean;
}

export const DEFAULT_DRIFT_SHARE = 0.5;
export const DEFAULT_SAMPLE_LIMIT = 1_000_000;
/** Columns tested at once: DuckDB scans of one column overlap the JavaScript work of another. */
const CONCURRENCY = 4;

const driftType = (reference: ColumnInfo, current: ColumnInfo): DriftColumnType | "datetime" => {
  if (reference.kind === "datetime" || current.kind === "datetime") return "datetime";
  return reference.kind === "numeric" && current.kind === "numeric" ? "num" : "cat";
};

const checkOptions = (options: DriftOptions): void => {
  const share = options.driftShare;
  if (share !== undefined && !(share >= 0 && share <= 1)) throw invalidParameter(`drift_share must be between 0 and 1, got ${share}`);
  const limit = options.sampleLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 10_000_000)) {
    throw invalidParameter(`sample_limit must be an integer between 1 and 10000000, got ${limit}`);
  }
  for (const [column, choice] of Object.entries(options.columnMethods ?? {})) {
    const t = choice.threshold;
    if (t !== undefined && !(Number.isFinite(t) && t >= 0)) {
      throw invalidParameter(`Column '${column}': threshold of '${choice.method.name}' must be a number >= 0, got ${t}`);
    }
  }
};

export const computeDrift = async (reference: Dataset, current: Dataset, options: DriftOptions = {}): Promise<DriftResult> => {
  checkOptions(options);
  const currentByName = new Map(current.columns.map((c) => [c.name, c]));
  const referenceByName = new Map(reference.columns.map((c) => [c.name, c]));
  const named = [...(options.columns ?? []), ...(options.prediction ?? []), ...(options.target ?? []), ...Object.keys(options.columnMethods ?? {})];
  for (const name of named) {
    if (!referenceByName.has(name)) throw invalidParameter(`Column '${name}' does not exist in the reference data (${reference.source})`);
    if (!currentByName.has(name)) throw invalidParameter(`Column '${name}' does not exist in the current data (${current.source})`);
  }
  const wanted = options.columns === undefined ? undefined : new Set([...options.columns, ...(options.prediction ?? []), ...(options.target ?? [])]);
  const skipped: Record<string, SkippedColumn> = {};
  const plan: Array<{ name: string; type: DriftColumnType }> = [];
  for (const ref of reference.columns) {
    if (wanted !== undefined && !wanted.has(ref.name)) continue;
    const cur = currentByName.get(ref.name);
    if (cur === undefined) {
      skipped[ref.name] = { column_type: ref.kind === "numeric" ? "num" : ref.kind === "datetime" ? "datetime" : "cat", reason: "not in the current data" };
      continue;
    }
    const type = driftType(ref, cur);
    if (type === "datetime") skipped[ref.name] = { column_type: "datetime", reason: "datetime columns are not tested for drift" };
    else plan.push({ name: ref.name, type });
  }

  const [referenceRows, currentRows] = await Promise.all([reference.rowCount(), current.rowCount()]);
  const sampleLimit = options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
  // A numeric column of a dataset no larger than the sample limit is read whole (columnar, sorted) once: its
  // summary comes from the sorted values in one pass, and the tests that need raw values use them as they are (a test
  // that counts in the engine instead discards them: one read costs about what a summary scan of the column did). Every
  // other column is summarized by one scan per dataset for all of them (the two datasets are separate engines).
  const readWhole = (type: DriftColumnType): boolean => type === "num" && referenceRows <= sampleLimit && currentRows <= sampleLimit;
  const scanned = plan.filter(({ type }) => !readWhole(type));
  const [refSummaries, curSummaries] = await Promise.all([summarizeColumns(reference, scanned), summarizeColumns(current, scanned)]);
  const sideOf = async (dataset: Dataset, summaries: Map<string, ColumnSummary>, rows: number, name: string, type: DriftColumnType): Promise<Side> => {
    if (readWhole(type)) {
      // Sorted by the engine (in parallel on its threads, faster than a JavaScript sort); checked in O(n) because
      // the summary reads min, max and the distinct count off the order.
      const values = sortedCopy(finiteOnly(await dataset.numericValues(name, { sorted: true })));
      return { dataset, summary: summaryOfSorted(values, rows), values };
    }
    const summary = summaries.get(name);
    if (summary === undefined) throw new Error(`no summary for column '${name}'`);
    return { dataset, summary };
  };

  const results = new Map<string, ColumnDriftResult>();
  const queue = [...plan];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { name, type } = next;
      const [refSide, curSide] = await Promise.all([
        sideOf(reference, refSummaries, referenceRows, name, type),
        sideOf(current, curSummaries, currentRows, name, type),
      ]);
      const refSummary = refSide.summary;
      const curSummary = curSide.summary;
      if (refSummary.count === 0 || curSummary.count === 0) {
        const side = refSummary.count === 0 ? `reference (${refSummary.rows} rows)` : `current (${curSummary.rows} rows)`;
        skipped[name] = { column_type: type, reason: `every value is missing in the ${side}` };
        continue;
      }
      const choice = options.columnMethods?.[name];
      results.set(
        name,
        await columnDrift(name, type, refSide, curSide, {
          method: choice?.method,
          threshold: choice?.threshold,
          sampleLimit,
          seed: options.seed ?? 0,
          distribution: options.distributions ?? true,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, plan.length) }, worker));

  // Keep the reference's column order, whatever order the workers finished in.
  const columns: Record<string, ColumnDriftResult> = {};
  for (const { name } of plan) {
    const result = results.get(name);
    if (result !== undefined) columns[name] = result;
  }
  const tested = Object.values(columns);
  const drifted = tested.filter((c) => c.drifted).length;
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const share = tested.length === 0 ? 0 : drifted / tested.length;
  const pick = (names: readonly string[] | undefined): Record<string, ColumnDriftResult> | null => {
    if (names === undefined || names.length === 0) return null;
    const picked: Record<string, ColumnDriftResult> = {};
    for (const name of names) {
      const result = columns[name];
      if (result !== undefined) picked[name] = result;
    }
    return picked;
  };
  return {
    schema_version: DRIFT_SCHEMA_VERSION,
    reference: { source: reference.source, rows: referenceRows },
    current: { source: current.source, rows: currentRows },
    dataset_drift: tested.length > 0 && share >= driftShare,
    share_drifted: share,
    drift_share: driftShare,
    number_of_columns: tested.length,
    number_of_drifted_columns: drifted,
    columns,
    skipped_columns: skipped,
    prediction_drift: pick(options.prediction),
    target_drift: pick(options.target),
  };
};

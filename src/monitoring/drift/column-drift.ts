/**
 * Drift of one column: picks the test (Evidently's default, or the one asked for), builds its inputs as Evidently
 * does (stattests/*.py), and computes it with Cairn's statistics library. Counting runs in DuckDB; raw values are
 * read only for the tests that need them.
 */
import { invalidParameter } from "../../core/errors.js";
import {
  andersonKsamp,
  chiSquare,
  cramerVonMises2samp,
  energyDistance,
  fisherExact,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  ks2samp,
  mannWhitneyU,
  proportionsZTest,
  tTest,
  wassersteinDistance,
} from "../stats/index.js";
import { alignedCategoryCounts, binnedShares, type Side } from "./binned-shares.js";
import { distinctValues, histogramCounts, rawValues, type CategoryKey, type RawValues } from "./column-data.js";
import { linspace, sturgesEdges } from "./histogram-edges.js";
import { isDrifted, type DriftColumnType, type DriftMethod } from "./methods.js";
import type { ColumnDriftResult, DriftDistribution } from "./result.js";
import { defaultDriftMethod } from "./select-method.js";

export interface ColumnDriftOptions {
  method?: DriftMethod;
  threshold?: number;
  /** Most raw values read per side for tests that need them. */
  sampleLimit: number;
  seed: number;
  /** Compute the reference-vs-current shares the report plots. */
  distribution: boolean;
}

interface Score {
  statistic: number;
  pValue: number | null;
  sampled?: string;
}

/** Distinct values of both sides together, exactly up to `cap` (above it, only that there are more). */
const unionDistinct = async (column: string, type: DriftColumnType, reference: Side, current: Side, cap: number): Promise<number> => {
  if (reference.summary.distinct > cap || current.summary.distinct > cap) return cap + 1;
  const [ref, cur] = await Promise.all([
    distinctValues(reference.dataset, column, type, cap + 1),
    distinctValues(current.dataset, column, type, cap + 1),
  ]);
  return new Set<CategoryKey>([...ref, ...cur]).size;
};

export const columnDrift = async (
  column: string,
  type: DriftColumnType,
  reference: Side,
  current: Side,
  options: ColumnDriftOptions,
): Promise<ColumnDriftResult> => {
  const method = options.method ?? defaultDriftMethod(type, reference.summary.count, await unionDistinct(column, type, reference, current, 5));
  if (!method.columnTypes.includes(type)) {
    throw invalidParameter(`Column '${column}': drift method '${method.name}' needs a numeric column, and '${column}' is categorical`);
  }
  const threshold = options.threshold ?? method.defaultThreshold;
  const score = await computeScore(method, column, type, reference, current, options);
  const tested = method.score === "p_value" ? (score.pValue ?? Number.NaN) : score.statistic;
  const result: ColumnDriftResult = {
    column_type: type,
    method: method.name,
    method_name: method.displayName,
    statistic: score.statistic,
    p_value: method.score === "p_value" ? score.pValue : null,
    threshold,
    drifted: isDrifted(method, tested, threshold),
    reference_rows: reference.summary.count,
    current_rows: current.summary.count,
    reference_missing: reference.summary.rows - reference.summary.count,
    current_missing: current.summary.rows - current.summary.count,
  };
  if (score.sampled !== undefined) result.sampled = score.sampled;
  if (options.distribution) result.distribution = await plotDistribution(column, type, reference, current);
  return result;
};

const sampledNote = (ref: RawValues, cur: RawValues): string | undefined => {
  const parts: string[] = [];
  if (ref.sampledFrom !== undefined) parts.push(`sampled ${ref.values.length} of ${ref.sampledFrom} reference rows`);
  if (cur.sampledFrom !== undefined) parts.push(`sampled ${cur.values.length} of ${cur.sampledFrom} current rows`);
  return parts.length === 0 ? undefined : parts.join("; ");
};

const computeScore = async (
  method: DriftMethod,
  column: string,
  type: DriftColumnType,
  reference: Side,
  current: Side,
  options: ColumnDriftOptions,
): Promise<Score> => {
  if (method.rawValues) {
    const read = (side: Side): Promise<RawValues> | RawValues =>
      side.values !== undefined && side.values.length <= options.sampleLimit
        ? { values: side.values }
        : rawValues(side.dataset, column, side.summary.count, options.sampleLimit, options.seed);
    const [ref, cur] = await Promise.all([read(reference), read(current)]);
    const sampled = sampledNote(ref, cur);
    const withSample = (score: Score): Score => (sampled === undefined ? score : { ...score, sampled });
    return withSample(rawScore(method, ref.values, cur.values, reference));
  }
  switch (method.name) {
    case "chisquare": {
      const counts = await alignedCategoryCounts(column, type, reference, current);
      // Expected: reference counts scaled to the current total (Evidently's k_norm).
      const scale = current.summary.count / reference.summary.count;
      // A value seen only in current has expected 0: scipy's statistic is inf and p 0, stated here explicitly.
      if (counts.reference.some((count, i) => count === 0 && (counts.current[i] ?? 0) > 0)) return { statistic: Infinity, pValue: 0 };
      const result = chiSquare(counts.current, counts.reference.map((count) => count * scale));
      return { statistic: result.statistic, pValue: result.pValue };
    }
    case "z":
      return zScore(column, type, reference, current);
    case "fisher_exact":
      return fisherScore(column, type, reference, current);
    case "jensenshannon": {
      const shares = await binnedShares(column, type, reference, current, false);
      // Natural log, as Evidently calls scipy's jensenshannon (base None); base 2 would read 1/sqrt(ln 2) ~ 1.20x larger
      // and flag drift Evidently does not at the same 0.1 threshold.
      return { statistic: jensenShannonDistance(shares.reference, shares.current), pValue: null };
    }
    case "psi": {
      const shares = await binnedShares(column, type, reference, current, true);
      return { statistic: psiOf(shares.reference, shares.current), pValue: null };
    }
    case "kl_div": {
      const shares = await binnedShares(column, type, reference, current, true);
      return { statistic: klDivergence(shares.reference, shares.current), pValue: null };
    }
    case "hellinger":
      return { statistic: await hellingerScore(column, type, reference, current), pValue: null };
    case "TVD": {
      const counts = await alignedCategoryCounts(column, type, reference, current);
      let sum = 0;
      counts.categories.forEach((_key, i) => {
        sum += Math.abs((counts.reference[i] ?? 0) / reference.summary.count - (counts.current[i] ?? 0) / current.summary.count);
      });
      return { statistic: 0.5 * sum, pValue: null };
    }
    default:
      throw invalidParameter(`Column '${column}': drift method '${method.name}' is not available`);
  }
};

const rawScore = (method: DriftMethod, ref: Float64Array, cur: Float64Array, reference: Side): Score => {
  const test = (result: { statistic: number; pValue: number }): Score => ({ statistic: result.statistic, pValue: result.pValue });
  switch (method.name) {
    case "ks":
      return test(ks2samp(ref, cur));
    case "anderson":
      return test(andersonKsamp([ref, cur]));
    case "cramer_von_mises":
      return test(cramerVonMises2samp(ref, cur));
    case "mannw":
      return test(mannWhitneyU(ref, cur));
    case "t_test":
      return test(tTest(ref, cur));
    case "ed":
      return { statistic: energyDistance(ref, cur), pValue: null };
    case "wasserstein": {
      // Normed by the reference's population std, at least 0.001 (a constant reference column).
      const std = reference.summary.std ?? populationStd(ref);
      return { statistic: wassersteinDistance(ref, cur) / Math.max(std, 0.001), pValue: null };
    }
    default:
      throw invalidParameter(`drift method '${method.name}' does not read raw values`);
  }
};

const populationStd = (values: Float64Array): number => {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return Math.sqrt(squares / values.length);
};

/** Evidently's PSI: sum of (ref - cur) * ln(ref / cur) over the zero-filled shares. */
const psiOf = (ref: readonly number[], cur: readonly number[]): number => {
  let sum = 0;
  ref.forEach((r, i) => {
    const c = cur[i] ?? 0;
    sum += (r - c) * Math.log(r / c);
  });
  return sum;
};

/**
 * Evidently's z-test: the first value in sorted order against the rest, pooled two-proportion z; p = 1 when both
 * sides hold the same single value.
 */
const zScore = async (column: string, type: DriftColumnType, reference: Side, current: Side): Promise<Score> => {
  const counts = await alignedCategoryCounts(column, type, reference, current);
  if (counts.categories.length <= 1) return { statistic: 0, pValue: 1 };
  const order = counts.categories.map((key, i) => ({ key, i })).sort((a, b) => compareKeys(a.key, b.key));
  const first = order[0]?.i ?? 0;
  // [first value, every other value] per side: Evidently's 0/1 mapping.
  const refFirst = counts.reference[first] ?? 0;
  const curFirst = counts.current[first] ?? 0;
  const result = proportionsZTest([refFirst, reference.summary.count - refFirst], [curFirst, current.summary.count - curFirst]);
  return { statistic: result.statistic, pValue: result.pValue };
};

const compareKeys = (a: CategoryKey, b: CategoryKey): number => {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Fisher's exact test on the 2x2 table [[current first, current second], [reference first, reference second]]. */
const fisherScore = async (column: string, type: DriftColumnType, reference: Side, current: Side): Promise<Score> => {
  const counts = await alignedCategoryCounts(column, type, reference, current);
  if (counts.categories.length > 2) {
    throw invalidParameter(
      `Column '${column}': drift method 'fisher_exact' needs at most 2 distinct values, found ${counts.categories.length}`,
    );
  }
  const cell = (side: number[], i: number): number => side[i] ?? 0;
  const result = fisherExact([
    [cell(counts.current, 0), cell(counts.current, 1)],
    [cell(counts.reference, 0), cell(counts.reference, 1)],
  ]);
  return { statistic: result.statistic, pValue: result.pValue };
};

/**
 * Evidently's Hellinger distance: over category shares for a categorical column; for a numeric one over a Sturges
 * histogram whose edges come from the distinct values of both sides (not from the rows).
 */
const hellingerScore = async (column: string, type: DriftColumnType, reference: Side, current: Side): Promise<number> => {
  if (type === "cat") {
    const counts = await alignedCategoryCounts(column, type, reference, current);
    return hellingerDistance(
      counts.reference.map((c) => c / reference.summary.count),
      counts.current.map((c) => c / current.summary.count),
    );
  }
  const [ref, cur] = await Promise.all([
    // Every distinct value (summary.distinct is an estimate past EXACT_DISTINCT_LIMIT, so no LIMIT from it).
    distinctValues(reference.dataset, column, type),
    distinctValues(current.dataset, column, type),
  ]);
  const keys = new Set<CategoryKey>([...ref, ...cur]).size;
  const min = Math.min(reference.summary.min ?? 0, current.summary.min ?? 0);
  const max = Math.max(reference.summary.max ?? 0, current.summary.max ?? 0);
  const edges = sturgesEdges(min, max, keys);
  const [refCounts, curCounts] = await Promise.all([
    histogramCounts(reference.dataset, column, edges),
    histogramCounts(current.dataset, column, edges),
  ]);
  return hellingerDistance(
    refCounts.map((c) => c / reference.summary.count),
    curCounts.map((c) => c / current.summary.count),
  );
};

/** Most categories a report plots; the rest are summed into one bar. */
const PLOTTED_CATEGORIES = 30;
const PLOTTED_BINS = 20;

const plotDistribution = async (column: string, type: DriftColumnType, reference: Side, current: Side): Promise<DriftDistribution> => {
  const n = reference.summary.count;
  const m = current.summary.count;
  if (type === "num" && Math.max(reference.summary.distinct, current.summary.distinct) > PLOTTED_BINS) {
    const min = Math.min(reference.summary.min ?? 0, current.summary.min ?? 0);
    const max = Math.max(reference.summary.max ?? 0, current.summary.max ?? 0);
    const edges = min === max ? [min - 0.5, max + 0.5] : linspace(min, max, PLOTTED_BINS + 1);
    const [ref, cur] = await Promise.all([
      histogramCounts(reference.dataset, column, edges),
      histogramCounts(current.dataset, column, edges),
    ]);
    return { kind: "histogram", edges, reference: ref.map((c) => c / n), current: cur.map((c) => c / m) };
  }
  const counts = await alignedCategoryCounts(column, type, reference, current);
  const rows = counts.categories
    .map((key, i) => ({ key, ref: (counts.reference[i] ?? 0) / n, cur: (counts.current[i] ?? 0) / m }))
    .sort((a, b) => (type === "num" ? compareKeys(a.key, b.key) : b.ref + b.cur - (a.ref + a.cur) || compareKeys(a.key, b.key)));
  const shown = rows.slice(0, PLOTTED_CATEGORIES);
  const rest = rows.slice(PLOTTED_CATEGORIES);
  const categories = shown.map((row) => row.key);
  const ref = shown.map((row) => row.ref);
  const cur = shown.map((row) => row.cur);
  if (rest.length > 0) {
    categories.push(`(${rest.length} others)`);
    ref.push(rest.reduce((sum, row) => sum + row.ref, 0));
    cur.push(rest.reduce((sum, row) => sum + row.cur, 0));
  }
  return { kind: "categories", categories, reference: ref, current: cur };
};

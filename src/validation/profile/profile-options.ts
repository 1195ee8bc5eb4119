import { invalidParameter } from "../../core/errors.js";

export interface ProfileOptions {
  /** Histogram bins per numeric column (default 20, at most 1000). */
  bins?: number;
  /** Most frequent values kept per categorical column (default 10, at most 1000). */
  topK?: number;
  /** Quantiles per numeric column, each in [0, 1] (default 0.05, 0.25, 0.5, 0.75, 0.95). */
  quantiles?: number[];
  /**
   * Distinct counts: "exact" (count(DISTINCT)), "approx" (HyperLogLog, a few % off, constant memory) or "auto"
   * (default): exact up to EXACT_DISTINCT_MAX_ROWS rows, approximate above.
   */
  distinct?: "exact" | "approx" | "auto";
}

export const EXACT_DISTINCT_MAX_ROWS = 10_000_000;

export interface ResolvedProfileOptions {
  bins: number;
  topK: number;
  quantiles: number[];
  distinct: "exact" | "approx" | "auto";
}

export const resolveProfileOptions = (options: ProfileOptions): ResolvedProfileOptions => {
  const { bins = 20, topK = 10, quantiles = [0.05, 0.25, 0.5, 0.75, 0.95], distinct = "auto" } = options;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw invalidParameter(`bins must be an integer between 1 and 1000, got ${bins}`);
  if (!Number.isInteger(topK) || topK < 0 || topK > 1000) throw invalidParameter(`topK must be an integer between 0 and 1000, got ${topK}`);
  if (quantiles.length > 100) throw invalidParameter(`at most 100 quantiles, got ${quantiles.length}`);
  for (const q of quantiles) {
    if (typeof q !== "number" || !Number.isFinite(q) || q < 0 || q > 1) throw invalidParameter(`each quantile must be a number between 0 and 1, got ${String(q)}`);
  }
  if (!["exact", "approx", "auto"].includes(distinct)) throw invalidParameter(`distinct must be exact, approx or auto, got '${String(distinct)}'`);
  return { bins, topK, quantiles: [...quantiles], distinct };
};

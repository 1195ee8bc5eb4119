/**
 * The latencies of one side of a shadow comparison, in a form that several replicas' parts merge into exactly what
 * one recorder seeing every request would hold:
 * - every latency while there are at most MAX_EXACT_LATENCIES of them (percentiles exact, nearest rank);
 * - always, a histogram of log-spaced bins (each bin's upper bound is 2 % above its lower one), whose counts add.
 *   Beyond MAX_EXACT_LATENCIES the percentiles come from it: the bin's geometric middle, within 1 % of the true
 *   nearest-rank value. Bins replace the former reservoir sample, which two replicas' parts could not merge exactly.
 */

/** At most this many latencies per side are kept one by one (and saved); beyond it the histogram answers. */
export const MAX_EXACT_LATENCIES = 10_000;
/** Ratio between a bin's upper and lower bound. */
const BIN_RATIO = 1.02;
const LOG_RATIO = Math.log(BIN_RATIO);
/** Latencies are clamped into [MIN_MS, MAX_MS] for binning (sub-microsecond or above ~3 hours: the edge bin). */
const MIN_MS = 1e-3;
const MAX_MS = 1e7;

export interface LatencySummary {
  count: number;
  p50_ms: number | null;
  p99_ms: number | null;
}

/**
 * Latencies of one side as saved. `samples`: every latency when `seen` <= MAX_EXACT_LATENCIES, else empty.
 * `bins`: [bin index, count] pairs, ascending by index (bin i holds latencies in (1.02^(i-1), 1.02^i] ms).
 * States saved before bins existed have no `bins` (and perhaps a subsample): restore() rebuilds them.
 */
export interface SavedLatencies {
  seen: number;
  samples: number[];
  bins?: Array<[number, number]>;
}

const binOf = (ms: number): number => Math.ceil(Math.log(Math.min(MAX_MS, Math.max(MIN_MS, Number.isFinite(ms) ? ms : MAX_MS))) / LOG_RATIO);
/** The geometric middle of bin i: within (BIN_RATIO - 1) / 2 relative of any latency in it. */
const binValue = (bin: number): number => Math.exp((bin - 0.5) * LOG_RATIO);

export class LatencySketch {
  private samples: number[] = [];
  private readonly bins = new Map<number, number>();
  private seen = 0;

  /** From a saved state; an old one (no bins) gets bins from its samples, scaled to `seen` (largest remainder). */
  static restore(saved: SavedLatencies): LatencySketch {
    const sketch = new LatencySketch();
    const seen = Math.max(0, Math.floor(saved.seen), saved.samples.length);
    sketch.seen = seen;
    if (saved.samples.length === seen && seen <= MAX_EXACT_LATENCIES) sketch.samples = [...saved.samples];
    if (saved.bins !== undefined) {
      for (const [bin, count] of saved.bins) sketch.bins.set(bin, (sketch.bins.get(bin) ?? 0) + count);
    } else if (saved.samples.length > 0) {
      const n = saved.samples.length;
      const weights = saved.samples.map((ms) => ({ bin: binOf(ms), exact: seen / n }));
      const floors = weights.map((w) => Math.floor(w.exact));
      let left = seen - floors.reduce((a, b) => a + b, 0);
      const order = weights.map((w, i) => ({ i, rest: w.exact - Math.floor(w.exact) })).sort((a, b) => b.rest - a.rest);
      for (const { i } of order) {
        if (left <= 0) break;
        floors[i] = (floors[i] as number) + 1;
        left -= 1;
      }
      weights.forEach((w, i) => sketch.bins.set(w.bin, (sketch.bins.get(w.bin) ?? 0) + (floors[i] as number)));
    }
    return sketch;
  }

  /** Sums the parts: exactly the sketch of one recorder that saw all their latencies. */
  static merge(parts: readonly SavedLatencies[]): LatencySketch {
    const merged = new LatencySketch();
    const restored = parts.map((p) => LatencySketch.restore(p));
    for (const part of restored) {
      merged.seen += part.seen;
      for (const [bin, count] of part.bins) merged.bins.set(bin, (merged.bins.get(bin) ?? 0) + count);
    }
    // Each part has all its latencies when the total is at most the limit, since each part's own count is too; but a
    // part that is the rest of a recorder beyond the limit (without()) has none of them: bins answer then.
    if (merged.seen <= MAX_EXACT_LATENCIES && restored.every((part) => part.samples.length === part.seen)) {
      merged.samples = restored.flatMap((part) => part.samples);
    }
    return merged;
  }

  /**
   * What `total` holds beyond `part` (a recorder's latencies now, and those of its earlier state, already merged
   * elsewhere): merge([part, result]) has exactly total's counts and bins. Its latencies one by one only when both
   * have all theirs (below the limit, samples are only appended, so part's are among total's); else bins only.
   */
  static without(total: SavedLatencies, part: SavedLatencies): SavedLatencies {
    const all = LatencySketch.restore(total);
    const earlier = LatencySketch.restore(part);
    const rest = new LatencySketch();
    rest.seen = Math.max(0, all.seen - earlier.seen);
    for (const [bin, count] of all.bins) {
      const left = count - (earlier.bins.get(bin) ?? 0);
      if (left > 0) rest.bins.set(bin, left);
    }
    if (all.samples.length === all.seen && earlier.samples.length === earlier.seen) {
      const toRemove = new Map<number, number>();
      for (const ms of earlier.samples) toRemove.set(ms, (toRemove.get(ms) ?? 0) + 1);
      rest.samples = all.samples.filter((ms) => {
        const n = toRemove.get(ms) ?? 0;
        if (n === 0) return true;
        toRemove.set(ms, n - 1);
        return false;
      });
    }
    const bins = [...rest.bins.entries()].sort((a, b) => a[0] - b[0]);
    return { seen: rest.seen, samples: rest.samples.length === rest.seen ? rest.samples : [], bins };
  }

  saved(): SavedLatencies {
    const bins = [...this.bins.entries()].sort((a, b) => a[0] - b[0]);
    return { seen: this.seen, samples: this.seen <= MAX_EXACT_LATENCIES ? [...this.samples] : [], bins };
  }

  add(ms: number): void {
    this.seen += 1;
    if (this.seen <= MAX_EXACT_LATENCIES) this.samples.push(ms);
    else if (this.samples.length > 0) this.samples = [];
    const bin = binOf(ms);
    this.bins.set(bin, (this.bins.get(bin) ?? 0) + 1);
  }

  summary(): LatencySummary {
    if (this.seen === 0) return { count: 0, p50_ms: null, p99_ms: null };
    if (this.seen <= MAX_EXACT_LATENCIES && this.samples.length === this.seen) {
      const sorted = [...this.samples].sort((a, b) => a - b);
      // Nearest rank: the smallest sample with at least p of the samples at or below it.
      const rank = (p: number): number | null => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
      return { count: this.seen, p50_ms: rank(0.5), p99_ms: rank(0.99) };
    }
    const bins = [...this.bins.entries()].sort((a, b) => a[0] - b[0]);
    const total = bins.reduce((sum, [, count]) => sum + count, 0);
    const rank = (p: number): number | null => {
      const target = Math.max(1, Math.ceil(p * total));
      let cumulative = 0;
      for (const [bin, count] of bins) {
        cumulative += count;
        if (cumulative >= target) return binValue(bin);
      }
      return null;
    };
    return { count: this.seen, p50_ms: rank(0.5), p99_ms: rank(0.99) };
  }
}

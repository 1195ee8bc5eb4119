import type { Gauge } from "prom-client";

/**
 * A gauge whose series belong to an owner (a monitor, a deployment) and are replaced as a whole: setting an owner's
 * series removes the ones it had before, so that a series whose labels changed or went away does not linger at its
 * last value, and label sets stay bounded by what exists now.
 */
export class OwnedGauge<L extends string> {
  private readonly owned = new Map<string, Array<Record<L, string>>>();

  constructor(private readonly gauge: Gauge<L>) {}

  /** The owner's series are now exactly these. */
  replace(owner: string, series: ReadonlyArray<{ labels: Record<L, string>; value: number }>): void {
    this.remove(owner);
    for (const { labels, value } of series) this.gauge.set(labels, value);
    this.owned.set(owner, series.map((s) => s.labels));
  }

  /** The owner has no series any more (deleted). */
  remove(owner: string): void {
    for (const labels of this.owned.get(owner) ?? []) this.gauge.remove(labels);
    this.owned.delete(owner);
  }
}

import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "./deployment.js";
import { changeTimesOf, combine, combineAll, savedPart, type PartInput } from "./shadow-combine.js";
import { LatencySketch, MAX_EXACT_LATENCIES } from "./shadow-latency.js";
import { mergeShadowStates, ShadowRecorder, shadowReportOf, shadowStateWithout } from "./shadow-report.js";
import { recordShadowEvent } from "./test-support/shadow-events.js";

/** `count` events of the deterministic stream, the i-th recorded on `recorders(i)`. */
const play = (recorders: (i: number) => ShadowRecorder, count: number): void => {
  for (let i = 0; i < count; i += 1) recordShadowEvent(recorders(i), i);
};

const recorder = (since: number): ShadowRecorder => new ShadowRecorder("prod", "1", "2", 0.5, since);

describe("combining replicas' parts of a shadow comparison", () => {
  it("two recorders' merged state gives exactly the report of one recorder that saw every request", () => {
    const all = recorder(100);
    const a = recorder(100);
    const b = recorder(140);
    play(() => all, 3000);
    // Interleaved unevenly between the replicas, as a load balancer would.
    play((i) => (i % 3 === 0 ? b : a), 3000);
    const merged = mergeShadowStates([a.state(), b.state()]);
    const report = shadowReportOf({ ...a.identity(), since: 100 }, merged);
    expect(report).toEqual(all.report());
    expect(report).toMatchObject({ mirrored: 3000, primary_errors: 273 });
    expect(report.latency.primary.count).toBe(all.report().latency.primary.count);
    // combine(): the same, with the earliest since, how many replicas, and each part's save time.
    const combined = combine([
      { identity: a.identity(), state: a.state(), replica: "a", updatedTime: 500, released: false },
      { identity: b.identity(), state: b.state(), replica: "b", released: false },
    ]);
    expect(combined.report).toEqual(all.report());
    expect(combined).toMatchObject({ replicas: 2, updatedTime: 500, parts: [{ replica: "a", updatedTime: 500, released: false }, { replica: "b", released: false }] });
  });

  it("merges latencies beyond the exact limit through the bins, still exactly as one recorder, within 1 % of the true percentiles", () => {
    const all = new LatencySketch();
    const a = new LatencySketch();
    const b = new LatencySketch();
    const values: number[] = [];
    for (let i = 0; i < 2 * MAX_EXACT_LATENCIES + 17; i += 1) {
      const ms = 0.5 + ((i * 7919) % 10_007) / 37;
      values.push(ms);
      all.add(ms);
      (i % 2 === 0 ? a : b).add(ms);
    }
    const merged = LatencySketch.merge([a.saved(), b.saved()]);
    expect(merged.summary()).toEqual(all.summary());
    expect(merged.saved().samples).toEqual([]);
    const sorted = [...values].sort((x, y) => x - y);
    const exact = (p: number): number => sorted[Math.ceil(p * sorted.length) - 1] as number;
    const summary = merged.summary();
    expect(summary.count).toBe(values.length);
    expect(Math.abs((summary.p50_ms as number) / exact(0.5) - 1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs((summary.p99_ms as number) / exact(0.99) - 1)).toBeLessThanOrEqual(0.01);
  });

  it("reads a state saved before bins existed (a subsample of a larger count) as bins scaled to the count", () => {
    const restored = LatencySketch.restore({ seen: 30_000, samples: [1, 2, 3] });
    const saved = restored.saved();
    expect(saved.seen).toBe(30_000);
    expect(saved.samples).toEqual([]);
    expect(saved.bins?.map(([, count]) => count)).toEqual([10_000, 10_000, 10_000]);
    // A complete old sample (seen = its length) stays exact.
    expect(LatencySketch.restore({ seen: 3, samples: [3, 1, 2] }).summary()).toEqual({ count: 3, p50_ms: 2, p99_ms: 3 });
  });

  it("splits a recorder's state into an earlier one and the rest that merge back exactly, below and beyond the exact limit", () => {
    for (const [early, late] of [
      [1_000, 1_500],
      [4_000, 9_000],
      [3_000, 2_500],
    ] as const) {
      const r = recorder(100);
      play(() => r, early);
      const absorbed = r.state();
      play(() => r, late);
      const total = r.state();
      const rest = shadowStateWithout(total, absorbed);
      expect(rest.mirrored).toBe(late);
      expect(shadowReportOf(r.identity(), mergeShadowStates([absorbed, rest]))).toEqual(r.report());
      // The rest's own latencies one by one while the recorder's are (below the limit), else only bins.
      expect(rest.primary_latency.samples.length === rest.primary_latency.seen).toBe(total.primary_latency.samples.length === total.primary_latency.seen);
    }
    // A sum that went non-finite stays so: the rest adds nothing to the same value, and its own to another.
    const odd = { ...recorder(100).state(), abs_sum: Number.POSITIVE_INFINITY, rel_sum: Number.NaN };
    expect(shadowStateWithout(odd, odd)).toMatchObject({ abs_sum: 0, rel_sum: 0 });
    expect(shadowStateWithout({ ...odd, abs_sum: Number.NaN }, odd).abs_sum).toBeNaN();
  });

  it("groups parts by the change that started their comparison: replicas' own `since`s join, an earlier comparison of the same versions stays apart", () => {
    const entry = (time: number, role: HistoryEntry["role"]): HistoryEntry => ({
      deployment: "prod",
      time,
      role,
      reason: role === "primary" ? "create" : role,
      actor: { name: "ada", verified: true },
      requestId: `r${time}`,
    });
    // Created at 10, shadow set at 100, a canary at 150 (does not start a comparison), dropped at 200, set again at 300.
    // And at 350 the same shadow set again (v2 to v2): the routing keeps counting, so the comparison goes on.
    const history = [
      entry(10, "primary"),
      entry(100, "shadow"),
      entry(150, "canary"),
      entry(200, "shadow"),
      entry(300, "shadow"),
      { ...entry(350, "shadow"), from: "2", to: "2" },
    ];
    const part = (since: number, replica: string, mirrored: number, updatedTime: number): PartInput => {
      const r = recorder(since);
      play(() => r, mirrored);
      return savedPart({ report: r.report(), state: r.state(), updatedTime, replica, released: false });
    };
    const combined = combineAll(changeTimesOf(history), [
      part(101, "a", 4, 190),
      part(160, "b", 3, 180),
      part(301, "a", 2, 320),
      part(305, "b", 5, 330),
      part(360, "c", 1, 370),
    ]);
    expect(combined.map((c) => [c.report.since, c.report.mirrored, c.replicas, c.updatedTime])).toEqual([
      [301, 8, 3, 370],
      [101, 7, 2, 190],
    ]);
  });
});

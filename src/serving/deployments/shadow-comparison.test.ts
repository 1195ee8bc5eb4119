import { describe, expect, it } from "vitest";
import { previousPrimary } from "./rollback-target.js";
import { compareOutputs } from "./shadow-comparison.js";
import { stableUnit } from "./traffic-split.js";

describe("compareOutputs", () => {
  it("judges a multi-output classifier on its label and diffs every numeric output", () => {
    const primary = {
      label: { type: "int64" as const, dims: [2], data: BigInt64Array.from([1n, 2n]) },
      probabilities: { type: "float32" as const, dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.5, 0.5]) },
    };
    const shadow = {
      label: { type: "int64" as const, dims: [2], data: BigInt64Array.from([1n, 0n]) },
      probabilities: { type: "float32" as const, dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.75, 0.25]) },
    };
    expect(compareOutputs(primary, shadow)).toEqual({ sameClass: false, absDiffs: [0, 2, 0, 0, 0.25, 0.25], relDiffs: [0, 1, 0, 0, 0.5, 0.5] });
  });

  it("floors the denominator of a relative difference at 0.001: a primary output near zero never reports 1e17", () => {
    const t = (values: number[]) => ({ y: { type: "float64" as const, dims: [values.length], data: Float64Array.from(values) } });
    expect(compareOutputs(t([1e-17, 0, 0, 2, -0.5]), t([1, 0, 0.5, 1, -0.25])).relDiffs).toEqual([1000 * (1 - 1e-17), 0, 500, 0.5, 0.5]);
  });

  it("reads one probability column as p >= 0.5", () => {
    const t = (p: number) => ({ prob: { type: "float32" as const, dims: [1, 1], data: Float32Array.from([p]) } });
    expect(compareOutputs(t(0.75), t(0.5)).sameClass).toBe(true);
    expect(compareOutputs(t(0.75), t(0.25)).sameClass).toBe(false);
  });
});

describe("previousPrimary", () => {
  const e = (to: string, reason: "create" | "promote" | "rollback" | "alias-moved") => ({ deployment: "d", time: 0, role: "primary" as const, to, reason, actor: { name: "a", verified: false }, requestId: "r" });
  it("pops the stack on rollback instead of toggling", () => {
    expect(previousPrimary([e("1", "create")])).toBeUndefined();
    expect(previousPrimary([e("1", "create"), e("2", "promote"), e("3", "alias-moved")])).toBe("2");
    expect(previousPrimary([e("1", "create"), e("2", "promote"), e("3", "alias-moved"), e("2", "rollback")])).toBe("1");
  });
});

describe("stableUnit", () => {
  it("is stable and spread over [0, 1)", () => {
    expect(stableUnit("user-1")).toBe(stableUnit("user-1"));
    const points = Array.from({ length: 1000 }, (_, i) => stableUnit(`k${i}`));
    expect(points.every((p) => p >= 0 && p < 1)).toBe(true);
    expect(points.filter((p) => p < 0.5).length).toBeGreaterThan(430);
    expect(points.filter((p) => p < 0.5).length).toBeLessThan(570);
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "../../validation/duckdb/open-dataset.js";
import type { Dataset } from "../../validation/dataset.js";
import { computeSkew } from "./compute-skew.js";
import { approximateJsDivergence } from "./js-divergence.js";
import { lInfinityDistance } from "./l-infinity.js";
import type { SkewReference } from "./skew-reference.js";

// Reference numbers computed once with numpy (TFDV's formula, log2) and scipy.spatial.distance.jensenshannon(p, q,
// base=2) ** 2, which agree: 0.15356065532898455 / ...464 and 0.5540157730728001 / ...728.
const JSD_REVERSED = 0.15356065532898455;
const JSD_OUT_OF_RANGE = 0.5540157730728001;

const reference: SkewReference = {
  x: { kind: "numeric", edges: [0, 1, 2, 3, 4], counts: [10, 20, 30, 40] },
  color: { kind: "categorical", categories: [{ value: "a", count: 50 }, { value: "b", count: 30 }, { value: "c", count: 10 }], nonNullCount: 100 },
};

let dir: string;
const datasets: Dataset[] = [];
const csv = async (name: string, lines: string[]): Promise<Dataset> => {
  const path = join(dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  const dataset = await openDataset(path);
  datasets.push(dataset);
  return dataset;
};
const repeat = (n: number, line: string): string[] => new Array<string>(n).fill(line);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-skew-"));
});
afterAll(async () => {
  for (const d of datasets) await d.close();
  await rm(dir, { recursive: true, force: true });
});

describe("approximateJsDivergence (TFDV, base 2)", () => {
  it("matches the hand-computed value and is 1 for disjoint histograms, 0 for equal shapes", () => {
    expect(approximateJsDivergence([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(JSD_REVERSED, 15);
    expect(approximateJsDivergence([5, 0], [0, 7])).toBe(1);
    expect(approximateJsDivergence([1, 2], [10, 20])).toBe(0);
    expect(approximateJsDivergence([0, 0], [1, 2])).toBeUndefined();
  });
});

describe("lInfinityDistance (TFDV, separate totals)", () => {
  it("returns the largest frequency difference and where it is", () => {
    const result = lInfinityDistance(new Map([["a", 1], ["b", 3]]), new Map([["a", 3], ["b", 1], ["c", 4]]));
    // a: |1/4 - 3/8|, b: |3/4 - 1/8| = 0.625, c: |0 - 4/8|
    expect(result.distance).toBeCloseTo(0.625, 15);
    expect(result.category).toBe("b");
    expect(lInfinityDistance(new Map(), new Map([["a", 1]]))).toEqual({ distance: 0 });
  });
});

describe("computeSkew over a serving dataset", () => {
  it("gives exact values for a hand-computed case (numeric reversed, categorical with an unseen category)", async () => {
    const rows = ["x,color", ...repeat(40, "0.5,a"), ...repeat(30, "1.5,b"), ...repeat(20, "2.5,d"), ...repeat(10, "3.5,"), ...repeat(2, ",b")];
    // serving color: a 40, b 32, d 20 (unseen) -> pooled into (other); training a .5 b .3 c .1 other .1
    const serving = await csv("reversed.csv", rows);
    const result = await computeSkew(reference, serving);
    const x = result.features.x;
    expect(x?.method).toBe("jensen_shannon_divergence");
    expect(x?.statistic).toBeCloseTo(JSD_REVERSED, 15);
    expect(x?.servingCount).toBe(100);
    expect(x?.skewed).toBe(true);
    const color = result.features.color;
    expect(color?.method).toBe("l_infinity");
    // a: |.5 - 40/92|, b: |.3 - 32/92|, c: .1, other: |.1 - 20/92| = 0.1173913... (largest)
    expect(color?.statistic).toBeCloseTo(20 / 92 - 0.1, 15);
    expect(color?.worstCategory).toBe("(other)");
    expect(color?.servingCount).toBe(92);
    expect(color?.skewed).toBe(true);
    expect(result.skewed).toBe(true);
  });

  it("is 0 for serving data with the training shape, and thresholds are per feature", async () => {
    const rows = ["x,color", ...repeat(1, "0,a"), ...repeat(2, "1.2,a"), ...repeat(3, "2,a"), ...repeat(4, "4,a")];
    const serving = await csv("same.csv", rows);
    const result = await computeSkew(reference, serving, { thresholds: { color: 0.6 } });
    expect(result.features.x?.statistic).toBe(0);
    expect(result.features.x?.skewed).toBe(false);
    expect(result.features.color?.statistic).toBeCloseTo(0.5, 15);
    expect(result.features.color?.threshold).toBe(0.6);
    expect(result.features.color?.skewed).toBe(false);
    expect(result.skewed).toBe(false);
  });

  it("puts values outside the training range in a bucket of their own", async () => {
    const serving = await csv("out.csv", ["x,color", ...repeat(5, "3.2,a"), ...repeat(5, "10,a")]);
    const result = await computeSkew(reference, serving, { features: ["x"] });
    expect(result.features.x?.statistic).toBeCloseTo(JSD_OUT_OF_RANGE, 15);
    expect(Object.keys(result.features)).toEqual(["x"]);
  });

  it("refuses thresholds out of range and unknown features, naming them", async () => {
    const serving = await csv("bad.csv", ["x,color", "1,a"]);
    await expect(computeSkew(reference, serving, { thresholds: { x: 2 } })).rejects.toThrow("Invalid skew threshold 2 for feature 'x': it must be between 0 and 1.");
    await expect(computeSkew(reference, serving, { thresholds: { nope: 0.2 } })).rejects.toThrow("feature 'nope'");
  });
});

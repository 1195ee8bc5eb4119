import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { chiSquare, poolSparseCells } from "./index.js";

// Hand-verifiable scipy.stats.chisquare values (closed forms of chi2.sf, two of them scipy's own docstring examples):
// where each number comes from is in fixtures/README.md.
interface ClosedFormCase {
  name: string;
  observed: number[];
  expected: number[];
  statistic: number;
  pValue: number;
  df: number;
}
const closedForm = (
  JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/chi-square-closed-form.json", import.meta.url)), "utf8")) as { cases: ClosedFormCase[] }
).cases;

const relative = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

describe("chiSquare against closed forms of scipy.stats.chisquare", () => {
  for (const c of closedForm) {
    it(c.name, () => {
      const r = chiSquare(c.observed, c.expected);
      expect(relative(r.statistic, c.statistic)).toBeLessThanOrEqual(1e-12);
      expect(relative(r.pValue, c.pValue)).toBeLessThanOrEqual(1e-12);
      expect(c.observed.length - 1).toBe(c.df);
    });
  }
});

describe("poolSparseCells", () => {
  it("leaves a table whose cells all expect >= 5 unchanged, expected scaled to the observed total", () => {
    expect(poolSparseCells([30, 70], [100, 300])).toEqual({ observed: [30, 70], expected: [25, 75], groups: [[0], [1]] });
    expect(poolSparseCells([16, 18, 16, 14, 12, 12], [1, 1, 1, 1, 1, 1]).groups).toEqual([[0], [1], [2], [3], [4], [5]]);
  });

  it("pools adjacent cells until each expects 5, and a short remainder into the last group", () => {
    // n = 100, reference shares .01 .02 .02 .3 .3 .31 .03 .01 -> expected 1 2 2 30 30 31 3 1: [6, 7] expects 4
    const r = poolSparseCells([0, 4, 1, 30, 28, 29, 5, 3], [1, 2, 2, 30, 30, 31, 3, 1]);
    expect(r.groups).toEqual([[0, 1, 2], [3], [4], [5, 6, 7]]);
    expect(r.observed).toEqual([5, 30, 28, 37]);
    expect(r.expected).toEqual([5, 30, 30, 35]);
    // scipy.stats.chisquare([5, 30, 28, 37], [5, 30, 30, 35]): (0 + 0 + 4/30 + 4/35), df 3
    expect(chiSquare(r.observed, r.expected).statistic).toBeCloseTo(4 / 30 + 4 / 35, 14);
  });

  it("pools an empty reference bin with its neighbour, so an observation there is not an infinite statistic", () => {
    const r = poolSparseCells([40, 1, 59], [400, 0, 600]);
    expect(r.groups).toEqual([[0], [1, 2]]);
    expect(r.observed).toEqual([40, 60]);
    expect(r.expected).toEqual([40, 60]);
    expect(chiSquare(r.observed, r.expected)).toEqual({ statistic: 0, pValue: 1 });
    expect(chiSquare([40, 1, 59], [40, 0, 60]).statistic).toBe(Infinity);
  });

  it("gives one group when the whole table expects fewer than 5 (a chi-square over it has df 0, p NaN)", () => {
    const r = poolSparseCells([1, 2, 1], [1, 1, 1]);
    expect(r.groups).toEqual([[0, 1, 2]]);
    expect(Number.isNaN(chiSquare(r.observed, r.expected).pValue)).toBe(true);
    expect(poolSparseCells([0, 0], [0, 0]).groups).toEqual([[0, 1]]);
  });

  it("rejects tables of different lengths", () => {
    expect(() => poolSparseCells([1], [1, 2])).toThrow(/poolSparseCells: observed has 1 cells, reference 2/);
  });
});

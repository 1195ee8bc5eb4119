import { describe, expect, it } from "vitest";
import { parseSmoothing, smoothEma } from "./smoothing";

describe("smoothEma (debiased exponential moving average)", () => {
  it("returns the values unchanged at weight 0", () => {
    expect(smoothEma([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });

  it("debiases the start: the first smoothed value is the first value", () => {
    // w=0.5: acc 0.5 -> /0.5 = 1; acc 0.25+1 = 1.25 -> /0.75 = 1.6667; acc 0.625+0.5 = 1.125 -> /0.875 = 1.2857
    const smoothed = smoothEma([1, 2, 1], 0.5);
    expect(smoothed[0]).toBe(1);
    expect(smoothed[1]).toBeCloseTo(5 / 3, 12);
    expect(smoothed[2]).toBeCloseTo(1.125 / 0.875, 12);
  });

  it("keeps a constant series constant", () => {
    expect(smoothEma([4, 4, 4, 4], 0.9).map((v) => Number(v.toFixed(12)))).toEqual([4, 4, 4, 4]);
  });

  it("passes non-finite values through without letting them into the average", () => {
    const smoothed = smoothEma([2, Number.NaN, 4], 0.5);
    expect(smoothed[0]).toBe(2);
    expect(smoothed[1]).toBeNaN();
    // acc: 1, then 0.5 + 2 = 2.5, count 2 -> 2.5 / 0.75
    expect(smoothed[2]).toBeCloseTo(2.5 / 0.75, 12);
  });

  it("reads the URL's smoothing weight into [0, 0.99]", () => {
    expect(parseSmoothing("0.6")).toBe(0.6);
    expect(parseSmoothing("1")).toBe(0.99);
    expect(parseSmoothing("-2")).toBe(0);
    expect(parseSmoothing("abc")).toBe(0);
    expect(parseSmoothing("")).toBe(0);
  });
});

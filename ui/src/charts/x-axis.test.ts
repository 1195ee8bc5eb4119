import { describe, expect, it } from "vitest";
import { parseXAxisMode, toXY } from "./x-axis";

const history = [
  { step: 2, timestamp: 1_700_000_004_000, value: 0.5 },
  { step: 0, timestamp: 1_700_000_001_500, value: "NaN" },
  { step: 1, timestamp: 1_700_000_002_000, value: 0.75 },
];

describe("toXY", () => {
  it("puts the step on x, sorted", () => {
    const points = toXY(history, "step");
    expect(points.map((p) => p.x)).toEqual([0, 1, 2]);
    expect(points[0]?.y).toBeNaN();
    expect(points.slice(1).map((p) => p.y)).toEqual([0.75, 0.5]);
  });

  it("puts wall time in seconds on x", () => {
    expect(toXY(history, "time").map((p) => p.x)).toEqual([1_700_000_001.5, 1_700_000_002, 1_700_000_004]);
  });

  it("puts seconds since the earliest point on x", () => {
    expect(toXY(history, "relative").map((p) => [p.x, p.y])).toEqual([
      [0, Number.NaN],
      [0.5, 0.75],
      [2.5, 0.5],
    ]);
  });

  it("reads the URL's mode, defaulting to step", () => {
    expect(parseXAxisMode("relative")).toBe("relative");
    expect(parseXAxisMode("time")).toBe("time");
    expect(parseXAxisMode("bogus")).toBe("step");
  });
});

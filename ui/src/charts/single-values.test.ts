import { describe, expect, it } from "vitest";
import { singleValuesOf } from "./single-values";

const point = (step: number, value: number | string) => ({ step, value, timestamp: 1_700_000_000_000 + step });

describe("singleValuesOf", () => {
  it("gives one value per run when every run logged the metric once (the compare view's case)", () => {
    expect(
      singleValuesOf([
        { label: "a", color: "#111", history: [point(0, 0.5)] },
        { label: "b", color: "#222", history: [point(3, "NaN")] },
        { label: "c", color: "#333", history: [] },
      ]),
    ).toEqual([
      { label: "a", color: "#111", point: point(0, 0.5) },
      { label: "b", color: "#222", point: point(3, "NaN") },
    ]);
  });

  it("draws a chart when any run has a history, and waits for histories still loading", () => {
    expect(singleValuesOf([{ label: "a", color: "#111", history: [point(0, 1)] }, { label: "b", color: "#222", history: [point(0, 1), point(1, 2)] }])).toBeUndefined();
    expect(singleValuesOf([{ label: "a", color: "#111", history: [point(0, 1)] }, { label: "b", color: "#222", history: undefined }])).toBeUndefined();
    expect(singleValuesOf([{ label: "a", color: "#111", history: [] }])).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { formatLabel, summarizeOutputs } from "./prediction-output";

describe("summarizeOutputs", () => {
  it("shows one output's value alone, several named, and a batch's first values with its row count", () => {
    expect(summarizeOutputs({ y: { dims: [1, 1], type: "float32", data: [0.25] } })).toBe("0.25");
    expect(summarizeOutputs({ label: { dims: [1], type: "int64", data: [1] }, probabilities: { dims: [1, 2], type: "float32", data: [0.125, 0.875] } })).toBe("label: 1; probabilities: [0.125, 0.875]");
    expect(summarizeOutputs({ y: { dims: [6, 1], type: "float32", data: [1, 2, 3, 4, 5, 6] } })).toBe("[1, 2, 3, 4, …] (6 rows)");
    expect(summarizeOutputs({ y: { dims: [1], type: "string", data: ["churn"] } })).toBe("churn");
  });

  it("shows anything else as its JSON, cut, and nothing for no outputs", () => {
    expect(summarizeOutputs(undefined)).toBeUndefined();
    expect(summarizeOutputs({})).toBeUndefined();
    expect(summarizeOutputs({ y: 3 })).toBe('{"y":3}');
    expect(summarizeOutputs("x".repeat(200))?.length).toBe(80);
  });
});

describe("formatLabel", () => {
  it("shows numbers and text as they are", () => {
    expect(formatLabel(1)).toBe("1");
    expect(formatLabel("churn")).toBe("churn");
    expect(formatLabel([0, 1])).toBe("[0,1]");
    expect(formatLabel(undefined)).toBeUndefined();
  });
});

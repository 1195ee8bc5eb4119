import { describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { validateFeeds } from "./validate-feeds.js";

describe("validateFeeds", () => {
  it("accepts a Buffer for uint8/bool and string arrays for string inputs", () => {
    expect(() =>
      validateFeeds([{ name: "b", type: "bool", shape: [null] }], { b: { type: "bool", dims: [2], data: Buffer.from([1, 0]) } }),
    ).not.toThrow();
    expect(() =>
      validateFeeds([{ name: "s", type: "string", shape: [null] }], { s: { type: "string", dims: [2], data: ["a", "b"] } }),
    ).not.toThrow();
  });
  it("refuses negative or fractional dims", () => {
    const run = (): void =>
      validateFeeds([{ name: "x", type: "float32", shape: [null] }], { x: { type: "float32", dims: [-1], data: new Float32Array(0) } });
    expect(run).toThrow(CairnError);
    expect(run).toThrow("input 'x': dimensions must be non-negative integers, got [-1]");
  });
});

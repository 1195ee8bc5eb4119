import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../tensor.js";
import { batchability } from "./batchability.js";

const f = (name: string, shape: Array<number | null>): TensorSpec => ({ name, type: "float32", shape });

describe("batchability", () => {
  it("dynamic first dimension everywhere is batchable; scalar config inputs do not block it", () => {
    expect(batchability([f("x", [null, 4])], [f("y", [null])])).toEqual({ batchable: true });
    expect(batchability([f("x", [null, 4]), { name: "sr", type: "int64", shape: [] }], [f("y", [null, 1])])).toEqual({
      batchable: true,
    });
  });
  it("state pairs are not batchable even with dynamic first dimensions", () => {
    for (const [i, o] of [
      ["h", "hn"],
      ["c", "cn"],
      ["state", "stateN"],
      ["state", "state_out"],
      ["past_key_values.0", "present_key_values.0"],
    ] as const) {
      expect(batchability([f("x", [null, 4]), f(i, [null, 8])], [f("y", [null]), f(o, [null, 8])])).toEqual({
        batchable: false,
        reason: `input '${i}' is state carried to output '${o.toLowerCase()}'`,
      });
    }
  });
  it("a fixed first dimension, an output without batch dimension, or only scalars are not batchable", () => {
    expect(batchability([f("x", [1, 4])], [f("y", [1])]).batchable).toBe(false);
    expect(batchability([f("x", [null, 4])], [f("total", [])])).toEqual({
      batchable: false,
      reason: "output 'total' has no dynamic first dimension",
    });
    expect(batchability([f("x", [null, 4])], [f("mean", [4])]).batchable).toBe(false);
    expect(batchability([f("a", [])], [f("y", [null])])).toEqual({ batchable: false, reason: "the model has no batched input" });
  });
});

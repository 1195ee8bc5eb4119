import { describe, expect, it } from "vitest";
import type { ElementType, Tensor, TensorData } from "../tensor.js";
import { concatRows, splitRows } from "./tensor-rows.js";

const make = (type: ElementType, rows: number, width: number, start: number): Tensor => {
  const n = rows * width;
  const values = Array.from({ length: n }, (_, i) => start + i);
  const data: TensorData = (() => {
    switch (type) {
      case "float32": return Float32Array.from(values, (v) => v + 0.5);
      case "float64": return Float64Array.from(values, (v) => v + 0.25);
      case "float16": return Uint16Array.from(values);
      case "int8": return Int8Array.from(values, (v) => (v % 100) - 50);
      case "uint8": return Uint8Array.from(values);
      case "int16": return Int16Array.from(values, (v) => -v);
      case "uint16": return Uint16Array.from(values);
      case "int32": return Int32Array.from(values, (v) => -v * 1000);
      case "uint32": return Uint32Array.from(values, (v) => v * 1000);
      case "int64": return BigInt64Array.from(values, (v) => BigInt(v) * -(2n ** 40n));
      case "uint64": return BigUint64Array.from(values, (v) => BigInt(v) * 2n ** 60n);
      case "bool": return Uint8Array.from(values, (v) => v % 2);
      case "string": return values.map((v) => `s${v}é`);
    }
  })();
  return { type, dims: [rows, width], data };
};

const TYPES: ElementType[] = ["float32", "float64", "float16", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool", "string"];

describe("tensor rows", () => {
  for (const type of TYPES) {
    it(`concatenates and splits ${type} tensors along dim 0, preserving every element`, () => {
      const parts = [make(type, 1, 3, 0), make(type, 2, 3, 3), make(type, 4, 3, 9)];
      const merged = concatRows(parts);
      expect(merged.dims).toEqual([7, 3]);
      expect(merged.type).toBe(type);
      expect(merged.data.constructor).toBe(parts[0]?.data.constructor);
      expect(Array.from(merged.data as ArrayLike<unknown>)).toEqual(parts.flatMap((p) => Array.from(p.data as ArrayLike<unknown>)));
      const back = splitRows(merged, [1, 2, 4]);
      expect(back).toEqual(parts);
      // Pieces are copies: changing one answer never touches another.
      const before = Array.from(merged.data as ArrayLike<unknown>);
      const piece = back[1]?.data as unknown as { [i: number]: unknown };
      piece[0] = piece[1];
      expect(Array.from(merged.data as ArrayLike<unknown>)).toEqual(before);
    });
  }

  it("handles rank-1 and rank-3 tensors", () => {
    const a: Tensor = { type: "int64", dims: [2], data: BigInt64Array.from([1n, 2n]) };
    const b: Tensor = { type: "int64", dims: [1], data: BigInt64Array.from([3n]) };
    expect(concatRows([a, b])).toEqual({ type: "int64", dims: [3], data: BigInt64Array.from([1n, 2n, 3n]) });
    const c: Tensor = { type: "float32", dims: [2, 2, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(splitRows(c, [1, 1])).toEqual([
      { type: "float32", dims: [1, 2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      { type: "float32", dims: [1, 2, 2], data: Float32Array.from([5, 6, 7, 8]) },
    ]);
  });

  it("refuses mismatched types, row shapes and counts", () => {
    expect(() => concatRows([make("float32", 1, 3, 0), make("float64", 1, 3, 0)])).toThrow("Cannot concatenate a float64 tensor with a float32 tensor.");
    expect(() => concatRows([make("float32", 1, 3, 0), make("float32", 1, 4, 0)])).toThrow("Cannot concatenate rows of shape [1, 4] with [1, 3].");
    expect(() => splitRows(make("float32", 3, 2, 0), [1, 1])).toThrow("Cannot split 3 rows into pieces of 1, 1 rows.");
  });
});

import { describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { typedArrayFrom } from "./typed-data.js";

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).status).toBe(400);
    return (e as CairnError).message;
  }
  throw new Error("expected a CairnError");
};

describe("typedArrayFrom", () => {
  it("builds the typed array onnxruntime takes for each type", () => {
    expect(typedArrayFrom("float32", [1.5, "NaN", "-Infinity"], "x")).toEqual(Float32Array.from([1.5, Number.NaN, -Infinity]));
    expect(typedArrayFrom("float64", [0.1], "x")).toEqual(Float64Array.from([0.1]));
    expect(typedArrayFrom("int64", [1, "9007199254740993", -3], "x")).toEqual(BigInt64Array.from([1n, 9007199254740993n, -3n]));
    expect(typedArrayFrom("uint64", ["18446744073709551615"], "x")).toEqual(BigUint64Array.from([18446744073709551615n]));
    expect(typedArrayFrom("int32", [-5, 7], "x")).toEqual(Int32Array.from([-5, 7]));
    expect(typedArrayFrom("uint8", [255], "x")).toEqual(Uint8Array.from([255]));
    expect(typedArrayFrom("bool", [true, false, 1, 0], "x")).toEqual(Uint8Array.from([1, 0, 1, 0]));
    expect(typedArrayFrom("string", ["a"], "x")).toEqual(["a"]);
    // float16 bits: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, 0.1 ~ 0x2e66
    expect(Array.from(typedArrayFrom("float16", [1, -2, 65504, 0.1], "x") as Uint16Array)).toEqual([0x3c00, 0xc000, 0x7bff, 0x2e66]);
  });
  it("refuses NaN, fractions and out-of-range values for integer types", () => {
    expect(message(() => typedArrayFrom("int64", [1, Number.NaN], "x"))).toBe(
      "input 'x': element 1 is NaN; int64 needs an integer (NaN is allowed only for float types)",
    );
    expect(message(() => typedArrayFrom("int32", ["NaN"], "ids"))).toBe(
      "input 'ids': element 0 is \"NaN\"; int32 needs an integer (NaN is allowed only for float types)",
    );
    expect(message(() => typedArrayFrom("int8", [1.5], "x"))).toBe(
      "input 'x': element 0 is 1.5; int8 needs an integer (NaN is allowed only for float types)",
    );
    expect(message(() => typedArrayFrom("uint8", [256], "x"))).toBe("input 'x': element 0 is 256; uint8 needs a value in [0, 255]");
    expect(message(() => typedArrayFrom("bool", ["yes"], "x"))).toBe("input 'x': element 0 is \"yes\"; bool needs true or false");
    expect(message(() => typedArrayFrom("float32", [null], "x"))).toBe("input 'x': element 0 is null; float32 needs a number");
    expect(message(() => typedArrayFrom("string", [3], "x"))).toBe("input 'x': element 0 is 3; string needs a string");
  });
});

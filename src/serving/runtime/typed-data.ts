import { invalidParameter } from "../../core/errors.js";
import type { ElementType, TensorData } from "../tensor.js";

const intRange: Partial<Record<ElementType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

const float16Bits = (value: number): number => {
  // IEEE 754 half precision, round to nearest even, via float32 bits.
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - e);
    return sign | ((mant + 0xfff + ((mant >>> 13) & 1)) >>> 13);
  }
  const half = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half;
};

/** NaN and Infinity as themselves (JSON.stringify would say null), everything else as JSON. */
const describe = (value: unknown): string =>
  typeof value === "number" || typeof value === "bigint" ? String(value) : (JSON.stringify(value) ?? String(value));

/**
 * Builds the typed array onnxruntime takes from flat JSON values, for the protocol decoders (MLflow scoring, OIP).
 * Float types accept numbers, NaN and ±Infinity (and the strings "NaN", "Infinity", "-Infinity", which is how JSON
 * clients send them); every other type refuses NaN, non-integers and out-of-range values with a 400 naming the input.
 * bool takes true/false (or 0/1); int64/uint64 take integers or decimal strings (JSON numbers lose precision past
 * 2^53).
 */
export function typedArrayFrom(type: ElementType, values: readonly unknown[], input: string): TensorData {
  const bad = (value: unknown, i: number, why: string): Error =>
    invalidParameter(`input '${input}': element ${i} is ${describe(value)}; ${type} ${why}`);
  switch (type) {
    case "float32":
    case "float64":
    case "float16": {
      const nums = values.map((v, i) => {
        if (typeof v === "number") return v;
        if (v === "NaN") return Number.NaN;
        if (v === "Infinity" || v === "inf") return Number.POSITIVE_INFINITY;
        if (v === "-Infinity" || v === "-inf") return Number.NEGATIVE_INFINITY;
        throw bad(v, i, "needs a number");
      });
      if (type === "float32") return Float32Array.from(nums);
      if (type === "float64") return Float64Array.from(nums);
      return Uint16Array.from(nums, float16Bits);
    }
    case "bool":
      return Uint8Array.from(values, (v, i) => {
        if (v === true || v === 1) return 1;
        if (v === false || v === 0) return 0;
        throw bad(v, i, "needs true or false");
      });
    case "string":
      return values.map((v, i) => {
        if (typeof v !== "string") throw bad(v, i, "needs a string");
        return v;
      });
    case "int64":
    case "uint64": {
      const big = values.map((v, i) => {
        if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
        if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
        if (typeof v === "bigint") return v;
        throw bad(v, i, "needs an integer (NaN is allowed only for float types)");
      });
      const [lo, hi] = type === "int64" ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
      big.forEach((b, i) => {
        if (b < lo || b > hi) throw bad(values[i], i, `needs a value in [${lo}, ${hi}]`);
      });
      return type === "int64" ? BigInt64Array.from(big) : BigUint64Array.from(big);
    }
    default: {
      const [lo, hi] = intRange[type] as [number, number];
      const nums = values.map((v, i) => {
        if (typeof v !== "number" || !Number.isInteger(v)) throw bad(v, i, "needs an integer (NaN is allowed only for float types)");
        if (v < lo || v > hi) throw bad(v, i, `needs a value in [${lo}, ${hi}]`);
        return v;
      });
      switch (type) {
        case "int8":
          return Int8Array.from(nums);
        case "uint8":
          return Uint8Array.from(nums);
        case "int16":
          return Int16Array.from(nums);
        case "uint16":
          return Uint16Array.from(nums);
        case "int32":
          return Int32Array.from(nums);
        default:
          return Uint32Array.from(nums);
      }
    }
  }
}

import type { Tensor, TensorMap } from "../tensor.js";

/** How one shadowed request compared; `sameClass` undefined when no output carries a class. */
export interface OutputComparison {
  sameClass?: boolean;
  /** Element-wise differences of the numeric outputs both answers share. */
  absDiffs: number[];
  relDiffs: number[];
}

const isFloat = (t: Tensor): boolean => t.type === "float32" || t.type === "float64" || t.type === "float16";
const isNumeric = (t: Tensor): boolean => t.type !== "string" && t.type !== "bool";
const numberAt = (t: Tensor, i: number): number => Number((t.data as ArrayLike<number | bigint>)[i]);

/** Per row: the index of the largest element along the last dimension. */
const argmaxRows = (t: Tensor): number[] => {
  const width = t.dims.length === 0 ? 1 : (t.dims[t.dims.length - 1] ?? 1);
  const rows = width === 0 ? 0 : t.data.length / width;
  const result: number[] = [];
  for (let r = 0; r < rows; r += 1) {
    let best = 0;
    for (let c = 1; c < width; c += 1) if (numberAt(t, r * width + c) > numberAt(t, r * width + best)) best = c;
    result.push(best);
  }
  return result;
};

/** Classes a tensor stands for: labels as they are, probabilities by argmax (one column: p >= 0.5). */
const classesOf = (t: Tensor): string[] => {
  if (!isFloat(t)) return Array.from(t.data as ArrayLike<unknown>, (v) => String(v));
  const width = t.dims.length === 0 ? 1 : (t.dims[t.dims.length - 1] ?? 1);
  if (width === 1) return Array.from({ length: t.data.length }, (_, i) => (numberAt(t, i) >= 0.5 ? "1" : "0"));
  return argmaxRows(t).map(String);
};

/**
 * The output that says which class: a label output (integer or string), else the first float output. A multi-output
 * classifier (label + probabilities) is judged on its label, a plain network on its argmax.
 */
const classOutput = (names: string[], a: TensorMap): string | undefined =>
  names.find((n) => a[n] !== undefined && !isFloat(a[n])) ?? names.find((n) => a[n] !== undefined && isFloat(a[n]));

const sameShape = (a: Tensor, b: Tensor): boolean => a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);

/**
 * The smallest denominator of a relative difference: a primary output of 1e-17 against a shadow's 1 would otherwise
 * report a relative difference of 1e17 (printed as 1e+19 %). Below it the difference is measured against the floor.
 */
export const REL_DIFF_FLOOR = 1e-3;

/**
 * Compares the shadow's answer with the primary's. Relative difference is |a - b| / max(|a|, REL_DIFF_FLOOR) (the
 * primary is the reference): 0 when both are 0, and at most 1000 |a - b| when the primary is (near) zero.
 */
export const compareOutputs = (primary: TensorMap, shadow: TensorMap): OutputComparison => {
  const shared = Object.keys(primary).filter((n) => shadow[n] !== undefined).sort();
  const absDiffs: number[] = [];
  const relDiffs: number[] = [];
  for (const name of shared) {
    const a = primary[name] as Tensor;
    const b = shadow[name] as Tensor;
    if (!isNumeric(a) || !isNumeric(b) || !sameShape(a, b)) continue;
    for (let i = 0; i < a.data.length; i += 1) {
      const x = numberAt(a, i);
      const y = numberAt(b, i);
      const abs = Math.abs(x - y);
      absDiffs.push(abs);
      relDiffs.push(abs / Math.max(Math.abs(x), REL_DIFF_FLOOR));
    }
  }
  const name = classOutput(shared, primary);
  if (name === undefined) return { absDiffs, relDiffs };
  const ca = classesOf(primary[name] as Tensor);
  const cb = classesOf(shadow[name] as Tensor);
  return { sameClass: ca.length === cb.length && ca.every((c, i) => c === cb[i]), absDiffs, relDiffs };
};

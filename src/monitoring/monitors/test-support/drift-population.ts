import type { ColumnInfo, SqlValue } from "../../../validation/dataset.js";

/**
 * A seeded population of 30 features (20 numeric of different shapes, 10 categorical of 3 to 15 values) for the
 * profile-drift tests: training data to profile, then fresh windows drawn from the same distribution or from a
 * shifted one. Deterministic: mulberry32 uniforms, Box-Muller normals.
 */
export const NUMERIC_FEATURES = 20;
export const CATEGORICAL_FEATURES = 10;

export interface Shift {
  /** Added to every numeric feature, in units of its standard deviation. */
  meanShiftSd?: number;
  /** Categorical features draw their values with the category weights reversed. */
  reverseCategories?: boolean;
}

export const mulberry32 = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
    t = (t ^ ((t + (Math.imul(t ^ (t >>> 7), t | 61) >>> 0)) >>> 0)) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Draw = (u: () => number, normal: () => number, shift: Shift) => string;

/** Numeric features: i % 4 picks normal, uniform, exponential (skewed) or a small integer count (many ties). */
const numeric = (i: number): Draw => {
  const loc = 10 * (i + 1);
  const scale = 1 + (i % 5);
  switch (i % 4) {
    case 0:
      return (_u, normal, s) => (loc + scale * (normal() + (s.meanShiftSd ?? 0))).toFixed(4);
    case 1:
      // uniform on [loc, loc + scale * sqrt(12)): sd = scale
      return (u, _n, s) => (loc + scale * (Math.sqrt(12) * u() + (s.meanShiftSd ?? 0))).toFixed(4);
    case 2:
      // exponential with mean and sd = scale
      return (u, _n, s) => (loc + scale * (-Math.log(1 - u()) + (s.meanShiftSd ?? 0))).toFixed(4);
    default: {
      // binomial(12, 0.4): sd = sqrt(2.88); a shift moves p so the mean moves by meanShiftSd sd
      const sd = Math.sqrt(12 * 0.4 * 0.6);
      return (u, _n, s) => {
        const p = 0.4 + ((s.meanShiftSd ?? 0) * sd) / 12;
        let k = 0;
        for (let t = 0; t < 12; t += 1) if (u() < p) k += 1;
        return String(k);
      };
    }
  }
};

/** Categorical features: 3 + (j * 4) % 13 values with Zipf-like weights 1/(rank + 1). */
const categorical = (j: number): Draw => {
  const k = 3 + ((j * 4) % 13);
  const weights = Array.from({ length: k }, (_v, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return (u, _n, s) => {
    const w = s.reverseCategories === true ? [...weights].reverse() : weights;
    let x = u() * total;
    for (let r = 0; r < k; r += 1) {
      x -= w[r]!;
      if (x < 0) return `c${j}_${r}`;
    }
    return `c${j}_${k - 1}`;
  };
};

const draws: Draw[] = [...Array.from({ length: NUMERIC_FEATURES }, (_v, i) => numeric(i)), ...Array.from({ length: CATEGORICAL_FEATURES }, (_v, j) => categorical(j))];
export const FEATURES = [...Array.from({ length: NUMERIC_FEATURES }, (_v, i) => `num_${i}`), ...Array.from({ length: CATEGORICAL_FEATURES }, (_v, j) => `cat_${j}`)];

export const FEATURE_COLUMNS: ColumnInfo[] = FEATURES.map((name, i) =>
  i >= NUMERIC_FEATURES ? { name, kind: "categorical", sqlType: "VARCHAR" } : { name, kind: "numeric", sqlType: i % 4 === 3 ? "BIGINT" : "DOUBLE" },
);

/** `rows` rows drawn with `seed`, as text cells in FEATURES order. */
const drawRows = (rows: number, seed: number, shift: Shift): string[][] => {
  const u = mulberry32(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  const out: string[][] = [];
  for (let n = 0; n < rows; n += 1) out.push(draws.map((d) => d(u, normal, shift)));
  return out;
};

/** CSV text of `rows` rows drawn with `seed` (the header is FEATURES): training data to profile. */
export const populationCsv = (rows: number, seed: number, shift: Shift = {}): string =>
  `${[FEATURES.join(","), ...drawRows(rows, seed, shift).map((r) => r.join(","))].join("\n")}\n`;

/** The same rows as records for openRowsDataset, as a monitor's window holds them. */
export const populationRows = (rows: number, seed: number, shift: Shift = {}): Array<Record<string, SqlValue>> =>
  drawRows(rows, seed, shift).map((r) =>
    Object.fromEntries(r.map((cell, i) => [FEATURES[i]!, i >= NUMERIC_FEATURES ? cell : i % 4 === 3 ? BigInt(cell) : Number(cell)])),
  );

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  andersonKsamp,
  chiSquare,
  cramerVonMises2samp,
  energyDistance,
  fisherExact,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  ks2samp,
  mannWhitneyU,
  proportionsZTest,
  psi,
  tTest,
  totalVariationDistance,
  wassersteinDistance,
} from "./index.js";
import { kstwoSf } from "./special/kolmogorov-n.js";
import { sample, type SampleSpec } from "./fixtures/sample-gen.js";

// Reference values: scripts/gen-stats-fixtures.py, scipy 1.17.1. Numbers must agree to 1e-9 relative
// (absolute below 1e-300); NaN and +-Infinity must agree exactly.
type Num = number | "NaN" | "Infinity" | "-Infinity";
type Ref = { statistic: Num; pValue: Num } | { error: string };
const load = <T>(name: string): T =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8")) as T;
const val = (v: Num): number => (typeof v === "number" ? v : Number(v));

function close(actual: number, expected: Num, what: string, absFloor = 0): void {
  const e = val(expected);
  if (Number.isNaN(e) || !Number.isFinite(e)) {
    expect(actual, what).toBe(e);
    return;
  }
  const tol = Math.max(Math.abs(e) < 1e-300 ? 1e-300 : Math.abs(e) * 1e-9, absFloor);
  if (!(Math.abs(actual - e) <= tol)) throw new Error(`${what}: got ${actual}, scipy ${e}`);
}

function checkTest(
  run: () => { statistic: number; pValue: number },
  ref: Ref,
  what: string,
  pAbsFloor = 0,
): void {
  if ("error" in ref) {
    expect(run, what).toThrow();
    return;
  }
  const r = run();
  close(r.statistic, ref.statistic, `${what} statistic`);
  close(r.pValue, ref.pValue, `${what} p`, pAbsFloor);
}

interface TwoSampleCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  checksum: [number, number];
  ks2samp: Ref;
  wasserstein: Num;
  energy: Num;
  mannWhitneyU: Ref;
  tTest: Ref;
  cramerVonMises: Ref;
  andersonKsamp: Ref;
}
const two = load<{ cases: TwoSampleCase[] }>("two-sample.json").cases;

describe("two-sample tests against scipy 1.17.1", () => {
  for (const c of two) {
    const a = sample(c.a);
    const b = sample(c.b);
    it(`${c.name}: samples reproduce the generator`, () => {
      expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(c.checksum[0], 6);
      expect(b.reduce((s, v) => s + v, 0)).toBeCloseTo(c.checksum[1], 6);
    });
    it(`${c.name}: ks_2samp`, () => checkTest(() => ks2samp(a, b), c.ks2samp, "ks2samp"));
    it(`${c.name}: wasserstein_distance`, () => close(wassersteinDistance(a, b), c.wasserstein, "wasserstein"));
    it(`${c.name}: energy_distance`, () => close(energyDistance(a, b), c.energy, "energy"));
    it(`${c.name}: mannwhitneyu`, () => checkTest(() => mannWhitneyU(a, b), c.mannWhitneyU, "mwu"));
    it(`${c.name}: ttest_ind`, () => checkTest(() => tTest(a, b), c.tTest, "t"));
    it(`${c.name}: cramervonmises_2samp`, () =>
      // The asymptotic p is 1 - cdf: scipy's Bessel K (AMOS) is off by up to ~1e-13 relative (checked against
      // mpmath), so below p ~ 5e-6 only the absolute agreement (5e-15) is meaningful. See README.md.
      checkTest(() => cramerVonMises2samp(a, b), c.cramerVonMises, "cvm", 5e-15));
    it(`${c.name}: anderson_ksamp`, () => checkTest(() => andersonKsamp([a, b]), c.andersonKsamp, "ad"));
  }
});

interface CatCase {
  name: string;
  observed: number[];
  expected: number[];
  chiSquare: Ref;
  jensenShannon: Num;
  jensenShannonBase2: Num;
  psi: Num;
  klDivergence: Num;
  hellinger: Num;
  tvd: Num;
}
const cat = load<{ cases: CatCase[] }>("categorical.json").cases;

describe("categorical tests and distances against scipy / Evidently", () => {
  for (const c of cat) {
    const shares = (v: number[]): number[] => {
      const s = v.reduce((x, y) => x + y, 0);
      return v.map((x) => x / s);
    };
    const p = shares(c.expected);
    const q = shares(c.observed);
    it(`${c.name}: chisquare`, () => checkTest(() => chiSquare(c.observed, c.expected), c.chiSquare, "chi2"));
    it(`${c.name}: distances`, () => {
      close(jensenShannonDistance(p, q), c.jensenShannon, "js");
      close(jensenShannonDistance(p, q, 2), c.jensenShannonBase2, "js base 2");
      close(psi(p, q), c.psi, "psi");
      close(klDivergence(p, q), c.klDivergence, "kl");
      close(hellingerDistance(p, q), c.hellinger, "hellinger");
      close(totalVariationDistance(c.expected, c.observed), c.tvd, "tvd");
    });
  }
});

const counts = load<{
  zTest: { ref: [number, number]; cur: [number, number]; statistic: Num; pValue: Num }[];
  fisher: { table: [[number, number], [number, number]]; statistic: Num; pValue: Num }[];
  kstwo: { n: number; x: number; sf: Num }[];
}>("counts.json");

describe("count tests", () => {
  for (const z of counts.zTest) {
    it(`z-test ${JSON.stringify(z.ref)} vs ${JSON.stringify(z.cur)}`, () =>
      checkTest(() => proportionsZTest(z.ref, z.cur), z, "z"));
  }
  for (const f of counts.fisher) {
    it(`fisher_exact ${JSON.stringify(f.table)}`, () => checkTest(() => fisherExact(f.table), f, "fisher"));
  }
  for (const k of counts.kstwo) {
    it(`kstwo.sf(${k.x}, ${k.n})`, () => close(kstwoSf(k.x, k.n), k.sf, "kstwo"));
  }
});

describe("inputs", () => {
  it("never mutates the caller's arrays and accepts pre-sorted input unchanged", () => {
    const a = Float64Array.from([3, 1, 2, 5, 4]);
    const b = Float64Array.from([9, 7, 8, 6, 6.5]);
    const before = [Array.from(a), Array.from(b)];
    const r1 = ks2samp(a, b);
    wassersteinDistance(a, b);
    andersonKsamp([a, b]);
    expect([Array.from(a), Array.from(b)]).toEqual(before);
    const r2 = ks2samp(Float64Array.from(a).sort(), Float64Array.from(b).sort());
    expect(r2).toEqual(r1);
  });
  it("rejects mismatched bins and empty samples with messages naming the function", () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(/psi: p has 2 bins, q has 1/);
    expect(() => ks2samp(new Float64Array(0), Float64Array.of(1))).toThrow(/ks2samp/);
  });
});

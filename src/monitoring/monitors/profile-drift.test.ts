import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "../../validation/duckdb/open-dataset.js";
import { openRowsDataset } from "../../validation/duckdb/open-rows-dataset.js";
import type { Dataset } from "../../validation/dataset.js";
import { profileDataset } from "../../validation/profile/profile-dataset.js";
import { skewReferenceFromProfile } from "../skew/from-profile.js";
import type { SkewReference } from "../skew/skew-reference.js";
import { numericServingCounts } from "../skew/serving-counts.js";
import { jensenShannonDistance } from "../stats/index.js";
import { parseProfileMethod, profileDrift, type ProfileDriftResult } from "./profile-drift.js";
import { CATEGORICAL_FEATURES, FEATURE_COLUMNS, FEATURES, NUMERIC_FEATURES, populationCsv, populationRows, type Shift } from "./test-support/drift-population.js";

let dir: string;
const datasets: Dataset[] = [];
const open = async (name: string, text: string): Promise<Dataset> => {
  const path = join(dir, name);
  await writeFile(path, text);
  const dataset = await openDataset(path);
  datasets.push(dataset);
  return dataset;
};
const csv = (name: string, lines: string[]): Promise<Dataset> => open(name, `${lines.join("\n")}\n`);
const repeat = (n: number, line: string): string[] => new Array<string>(n).fill(line);
const relative = (actual: number | null | undefined, expected: number): number => Math.abs((actual ?? NaN) - expected) / expected;
const drifted = (r: ProfileDriftResult): string[] => Object.entries(r.columns).filter(([, c]) => c.drifted).map(([name]) => name);

let training: SkewReference;
const TRAINING_ROWS = 20_000;
const WINDOWS = 20;
const SMALL = 150;
const opened = new Map<string, Promise<Dataset>>();
/** A window of fresh rows, held in DuckDB as a monitor holds its window (the same key gives the same dataset). */
const window = (kind: string, rows: number, seed: number, shift: Shift = {}): Promise<Dataset> => {
  const name = `${kind}-${rows}-${seed}`;
  const found =
    opened.get(name) ??
    openRowsDataset(FEATURE_COLUMNS, populationRows(rows, seed, shift)).then((d) => {
      datasets.push(d);
      return d;
    });
  opened.set(name, found);
  return found;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-profile-drift-"));
  // The training profile as a user makes it: `cairn data profile` (20 bins, top 10 categories) of 20,000 rows.
  training = skewReferenceFromProfile(await profileDataset(await open("training.csv", populationCsv(TRAINING_ROWS, 1))));
});
afterAll(async () => {
  for (const d of datasets) await d.close();
  await rm(dir, { recursive: true, force: true });
});

describe("chi-square against a profile: exact values", () => {
  const reference: SkewReference = {
    x: { kind: "numeric", edges: [0, 1, 2, 3, 4], counts: [10, 20, 30, 40] },
    color: { kind: "categorical", categories: [{ value: "a", count: 50 }, { value: "b", count: 30 }, { value: "c", count: 10 }], nonNullCount: 100 },
  };

  it("tests the window's counts in the profile's bins and categories (values outside the edges in the edge bins, unseen categories as (other))", async () => {
    // x: 20 in bin 0 (5 of them below the first edge), 20, 30, 30 (3 above the last edge; 1 NaN and 5 nulls left
    // out): expected
    // 10 20 30 40 -> 100/10 + 0 + 0 + 100/40 = 12.5, df 3. color: a 40, b 32, c 8, d 20 (unseen -> (other)),
    // expected 50 30 10 10 -> 100/50 + 4/30 + 4/10 + 100/10 = 188/15, df 3.
    const rows = [
      "x,color",
      ...repeat(5, "-1,a"),
      ...repeat(15, "0.5,a"),
      ...repeat(20, "1.5,a"),
      ...repeat(30, "2.5,b"),
      ...repeat(2, "3.5,b"),
      ...repeat(20, "3.5,d"),
      ...repeat(5, "3.5,"),
      ...repeat(3, "9,c"),
      ...repeat(5, ",c"),
      "nan,",
    ];
    const r = await profileDrift(reference, await csv("exact.csv", rows));
    // p-values: chi2.sf(x, 3) = erfc(sqrt(x/2)) + sqrt(2x/pi) e^(-x/2), evaluated with bc -l at scale 70
    // (see src/monitoring/stats/fixtures/README.md for the method).
    expect(r.columns.x).toMatchObject({ method: "chisquare", threshold: 0.05, drifted: true, current_rows: 100, cells: 4 });
    expect(r.columns.x?.statistic).toBeCloseTo(12.5, 12);
    expect(relative(r.columns.x?.p_value, 0.005852662593326733)).toBeLessThanOrEqual(1e-12);
    expect(r.columns.color).toMatchObject({ method: "chisquare", threshold: 0.05, drifted: true, current_rows: 100, cells: 4 });
    expect(r.columns.color?.statistic).toBeCloseTo(188 / 15, 12);
    expect(relative(r.columns.color?.p_value, 0.005762593101362471)).toBeLessThanOrEqual(1e-12);
  });

  it("tests a two-valued column with one degree of freedom (the square of the one-proportion z statistic)", async () => {
    // profile true 60, false 40 (every value listed: (other) expects 0 and pools with false); window 50 / 50:
    // 100/60 + 100/40 = 25/6 = z^2 with z = (0.5 - 0.6) / sqrt(0.6 * 0.4 / 100); p = erfc(sqrt(25/12)) by bc -l.
    const flag: SkewReference = { flag: { kind: "categorical", categories: [{ value: "true", count: 60 }, { value: "false", count: 40 }], nonNullCount: 100 } };
    const r = await profileDrift(flag, await csv("flag.csv", ["flag", ...repeat(50, "true"), ...repeat(50, "false")]));
    expect(r.columns.flag).toMatchObject({ method: "chisquare", drifted: true, current_rows: 100, cells: 2 });
    expect(r.columns.flag?.statistic).toBeCloseTo(25 / 6, 12);
    expect(relative(r.columns.flag?.p_value, 0.04122683333716369)).toBeLessThanOrEqual(1e-12);
  });

  it("pools bins that expect fewer than 5 values, so one value in an empty training bin is not drift", async () => {
    // 40 values: expected 4 8 12 16 -> bins 0 and 1 pooled (12); observed 4+8, 12, 16 -> statistic 0, p 1.
    const rows = ["x", ...repeat(3, "0.5"), "-0.5", ...repeat(8, "1.5"), ...repeat(12, "2.5"), ...repeat(16, "3.5")];
    const r = await profileDrift({ x: reference.x! }, await csv("pooled.csv", rows));
    expect(r.columns.x).toEqual({ method: "chisquare", statistic: 0, p_value: 1, threshold: 0.05, drifted: false, current_rows: 40, cells: 3 });
  });

  it("falls back to the distance when the profile has one non-empty bin (a constant training column)", async () => {
    const constant: SkewReference = { k: { kind: "numeric", edges: [4.5, 5, 5.5], counts: [0, 1000] } };
    const same = await profileDrift(constant, await csv("constant.csv", ["k", ...repeat(50, "5")]));
    expect(same.columns.k).toMatchObject({ method: "jensenshannon", statistic: 0, p_value: null, threshold: 0.1, drifted: false, current_rows: 50 });
    const moved = await profileDrift(constant, await csv("moved.csv", ["k", ...repeat(25, "5"), ...repeat(25, "7")]));
    expect(moved.columns.k).toMatchObject({ method: "jensenshannon", drifted: true });
  });
});

describe(`drift against a training profile of ${TRAINING_ROWS} rows, ${NUMERIC_FEATURES} numeric and ${CATEGORICAL_FEATURES} categorical features`, () => {
  it("the hole: Jensen-Shannon over the profile's bins flags most features of 150-row windows drawn from the training distribution", async () => {
    const js = Object.fromEntries(FEATURES.map((f) => [f, "jensenshannon"]));
    let flagged = 0;
    let datasetDrift = 0;
    for (let w = 0; w < WINDOWS; w += 1) {
      const r = await profileDrift(training, await window("same", SMALL, 1000 + w), { methods: js });
      flagged += drifted(r).length;
      if (r.dataset_drift) datasetDrift += 1;
    }
    // 20 windows x 30 features: the distance's small-sample bias puts more than half of them past 0.1.
    expect(flagged).toBe(319);
    expect(datasetDrift).toBe(15);
  });

  it(`chooses chi-square for ${SMALL}-row windows: false positives within the nominal 5%, no dataset drift`, async () => {
    let flagged = 0;
    let datasetDrift = 0;
    for (let w = 0; w < WINDOWS; w += 1) {
      const r = await profileDrift(training, await window("same", SMALL, 1000 + w));
      expect(Object.keys(r.columns)).toEqual(FEATURES);
      for (const c of Object.values(r.columns)) expect(c).toMatchObject({ method: "chisquare", threshold: 0.05, current_rows: SMALL });
      flagged += drifted(r).length;
      if (r.dataset_drift) datasetDrift += 1;
    }
    const tests = WINDOWS * FEATURES.length;
    // 23 of 600 (3.8%): the fixed seed's count, within the test's nominal 5%.
    expect(flagged).toBe(23);
    expect(flagged / tests).toBeLessThanOrEqual(0.05);
    expect(datasetDrift).toBe(0);
  });

  it(`flags a mean shift of half a standard deviation and a changed category mix at ${SMALL} rows`, async () => {
    const numericShift = await profileDrift(training, await window("mean", SMALL, 2000, { meanShiftSd: 0.5 }));
    const numeric = FEATURES.slice(0, NUMERIC_FEATURES);
    expect(drifted(numericShift).filter((f) => numeric.includes(f))).toEqual(numeric);
    expect(numericShift.dataset_drift).toBe(true);

    const mix = await profileDrift(training, await window("mix", SMALL, 2001, { reverseCategories: true }));
    const categorical = FEATURES.slice(NUMERIC_FEATURES);
    expect(drifted(mix).filter((f) => categorical.includes(f))).toEqual(categorical);
    // Only a third of the features moved: the share (10 of ~30) stays under drift_share 0.5.
    expect(mix.dataset_drift).toBe(false);

    const both = await profileDrift(training, await window("both", SMALL, 2002, { meanShiftSd: 0.5, reverseCategories: true }));
    expect(both.share_drifted).toBe(1);
    expect(both.dataset_drift).toBe(true);
  });

  it("keeps the Jensen-Shannon distance for large windows, as before", async () => {
    const large = await window("large", 5000, 3000);
    const same = await profileDrift(training, large);
    for (const c of Object.values(same.columns)) expect(c).toMatchObject({ method: "jensenshannon", p_value: null, threshold: 0.1, current_rows: 5000 });
    expect(drifted(same)).toEqual([]);
    // The statistic is scipy's jensenshannon over the profile's bins, as it was computed before the chi-square path.
    const ref = training.num_0;
    if (ref?.kind !== "numeric") throw new Error("num_0 is numeric");
    const s = await numericServingCounts(large, "num_0", ref.edges);
    const refCounts = [...ref.counts];
    const curCounts = [...s.bins];
    for (const extra of [s.below, s.above, s.nan]) {
      if (extra > 0) {
        refCounts.push(0);
        curCounts.push(extra);
      }
    }
    const share = (v: number[]): number[] => v.map((x) => x / v.reduce((a, b) => a + b, 0));
    expect(same.columns.num_0?.statistic).toBe(jensenShannonDistance(share(refCounts), share(curCounts)));

    const shifted = await profileDrift(training, await window("large-shifted", 5000, 3001, { meanShiftSd: 0.5, reverseCategories: true }));
    expect(shifted.dataset_drift).toBe(true);
    expect(Object.values(shifted.columns).every((c) => c.method === "jensenshannon")).toBe(true);
  });

  it("lets a per-column method win over the size rule", async () => {
    const small = await profileDrift(training, await window("override-small", SMALL, 4000), { methods: { num_0: "jensenshannon:0.5", cat_0: "psi" } });
    expect(small.columns.num_0).toMatchObject({ method: "jensenshannon", threshold: 0.5, p_value: null });
    expect(small.columns.cat_0).toMatchObject({ method: "psi", threshold: 0.1 });
    expect(small.columns.num_1?.method).toBe("chisquare");
    const large = await profileDrift(training, await window("override-large", 2000, 4001), { methods: { num_0: "chisquare:0.01" } });
    expect(large.columns.num_0).toMatchObject({ method: "chisquare", threshold: 0.01, current_rows: 2000 });
    expect(large.columns.num_1?.method).toBe("jensenshannon");
  });
});

describe("parseProfileMethod", () => {
  it("gives each method its default threshold and refuses what a profile cannot test", () => {
    expect(parseProfileMethod("a", "chisquare")).toEqual({ method: "chisquare", threshold: 0.05 });
    expect(parseProfileMethod("a", "jensenshannon")).toEqual({ method: "jensenshannon", threshold: 0.1 });
    expect(() => parseProfileMethod("a", "ks")).toThrow(
      "Drift method 'ks' for column 'a' cannot run against a training profile (it keeps counts, not values); use one of chisquare, jensenshannon, psi, kl_div, hellinger, TVD.",
    );
    expect(() => parseProfileMethod("a", "chisquare:5")).toThrow("Drift threshold '5' for column 'a' is a p-value: it must be between 0 and 1.");
  });
});

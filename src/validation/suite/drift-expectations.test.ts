import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../dataset.js";
import { openDataset } from "../duckdb/index.js";
import { parseSuite } from "./parse-suite.js";
import { validateDataset } from "./validate-dataset.js";

// 20 rows each. x shifts by +10 in the current file; `stable` (i % 4) and `cat` (a/b) keep their distributions.
const rows = (shift: number): string =>
  ["x,stable,cat", ...Array.from({ length: 20 }, (_, i) => `${i + 1 + shift},${i % 4},${i % 2 === 0 ? "a" : "b"}`)].join("\n") + "\n";

let dir: string;
let current: Dataset;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-drift-suite-"));
  await writeFile(join(dir, "reference.csv"), rows(0));
  await writeFile(join(dir, "current.csv"), rows(10));
  current = await openDataset(join(dir, "current.csv"));
});
afterAll(async () => {
  await current.close();
  await rm(dir, { recursive: true, force: true });
});

const suiteOf = (...items: string[]): string =>
  `suite: drift\nexpectations:\n${items.map((item) => `  - ${item.trim().split("\n").join("\n    ")}`).join("\n")}\n`;

const run = async (...items: string[]) => validateDataset(current, parseSuite(suiteOf(...items), "drift.yml"), { referenceDir: dir });

describe("expect_column_drift_to_be_below", () => {
  it("passes for an unchanged column and fails for the shifted one, with the library's default tests", async () => {
    const result = await run(
      "expectation: expect_column_drift_to_be_below\ncolumn: stable\nreference: reference.csv",
      "expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: reference.csv",
    );
    const [stable, x] = result.results;
    // 4 distinct values, 20 reference rows: chi-square; identical shares give p = 1.
    expect(stable).toMatchObject({ success: true, method: "chisquare", observed_value: 1, bound: "p_value >= 0.05", line: 3, message: "" });
    // scipy.stats.ks_2samp(range(1, 21), range(11, 31)).pvalue = 0.012298612583953778
    expect(x?.method).toBe("ks");
    expect(x?.observed_value as number).toBeCloseTo(0.012298612583953778, 12);
    expect(x).toMatchObject({ success: false, bound: "p_value >= 0.05", line: 6, element_count: 20 });
    expect(x?.message).toMatch(/^expect_column_drift_to_be_below on column "x" failed: K-S p_value is 0\.0122\d+, expected p_value >= 0\.05 \(line 6\)$/);
    expect(result.statistics).toMatchObject({ evaluated_expectations: 2, successful_expectations: 1 });
  });

  it("uses a named method (aliases too) and threshold; a threshold alone applies to the chosen method", async () => {
    const result = await run(
      "expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: reference.csv\nmethod: wasserstein_distance\nthreshold: 2",
      "expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: reference.csv\nthreshold: 0.01",
    );
    const [wasserstein, ks] = result.results;
    // W1 = 10, normed by the reference's population std sqrt((20^2 - 1) / 12) = 5.766281297335398.
    expect(wasserstein?.observed_value as number).toBeCloseTo(10 / Math.sqrt(399 / 12), 12);
    expect(wasserstein).toMatchObject({ success: true, method: "wasserstein", bound: "< 2" });
    expect(ks).toMatchObject({ success: true, method: "ks", bound: "p_value >= 0.01" });
  });

  it("takes an already opened reference dataset", async () => {
    const reference = await openDataset(join(dir, "reference.csv"));
    try {
      const suite = parseSuite(suiteOf("expectation: expect_column_drift_to_be_below\ncolumn: cat\nreference: ref"));
      const result = await validateDataset(current, suite, { references: { ref: reference } });
      // 2 categories: the Z-test; identical shares give p = 1.
      expect(result.results[0]).toMatchObject({ success: true, method: "z", observed_value: 1 });
      expect(await reference.rowCount()).toBe(20); // still open: the caller owns it
    } finally {
      await reference.close();
    }
  });

  it("reports a missing reference file or column as a failed expectation naming it and its line", async () => {
    const result = await run(
      "expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: nowhere.csv",
      "expectation: expect_column_drift_to_be_below\ncolumn: nope\nreference: reference.csv",
    );
    const [missing, column] = result.results;
    expect(missing).toMatchObject({ success: false, observed_value: null, line: 3 });
    expect(missing?.message).toBe(`expect_column_drift_to_be_below on column "x" failed: the reference file ${join(dir, "nowhere.csv")} does not exist (line 3)`);
    expect(column?.message).toBe(`expect_column_drift_to_be_below on column "nope" failed: Column 'nope' does not exist in the reference data (${join(dir, "reference.csv")}) (line 6)`);
  });
});

describe("expect_table_drift_share_to_be_below", () => {
  it("compares the share of drifted columns with max_share (default 0.5)", async () => {
    const result = await run(
      "expectation: expect_table_drift_share_to_be_below\nreference: reference.csv",
      "expectation: expect_table_drift_share_to_be_below\nreference: reference.csv\nmax_share: 0.3",
      "expectation: expect_table_drift_share_to_be_below\nreference: reference.csv\nmax_share: 0.5\ncolumns: [x, cat]",
    );
    const [all, strict, two] = result.results;
    expect(all).toMatchObject({ success: true, observed_value: 1 / 3, bound: "share of drifted columns < 0.5", drifted_columns: ["x"], element_count: 3, message: "" });
    expect(strict).toMatchObject({ success: false, observed_value: 1 / 3, bound: "share of drifted columns < 0.3" });
    expect(strict?.message).toBe(
      "expect_table_drift_share_to_be_below failed: 1 of 3 columns drifted (x), share 0.3333333333333333, expected share of drifted columns < 0.3 (line 5)",
    );
    // Dataset drift when share >= max_share, as Evidently's drift_share: 1 of 2 is 0.5.
    expect(two).toMatchObject({ success: false, observed_value: 0.5, drifted_columns: ["x"], element_count: 2 });
  });
});

describe("strict parsing of drift expectations", () => {
  const parseError = (item: string): string => {
    try {
      parseSuite(suiteOf(item), "drift.yml");
    } catch (error) {
      return (error as Error).message;
    }
    return "parsed";
  };

  it("refuses an unknown method, naming the expectation, argument and line", () => {
    expect(parseError("expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: r.csv\nmethod: bogus")).toBe(
      "drift.yml line 6: expect_column_drift_to_be_below.method: Unknown drift method 'bogus'; known: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, TVD, ed, anderson, cramer_von_mises, mannw, t_test, fisher_exact",
    );
  });

  it("refuses missing, unknown and out-of-range arguments and a row_condition", () => {
    expect(parseError("expectation: expect_column_drift_to_be_below\ncolumn: x")).toBe("drift.yml line 3: expect_column_drift_to_be_below is missing its argument 'reference'");
    expect(parseError("expectation: expect_table_drift_share_to_be_below\nreference: r.csv\nshare: 0.2")).toMatch(
      /^drift\.yml line 5: expect_table_drift_share_to_be_below has no argument 'share' \(arguments: reference, max_share, columns, row_condition\)$/,
    );
    expect(parseError("expectation: expect_table_drift_share_to_be_below\nreference: r.csv\nmax_share: 1.5")).toBe(
      "drift.yml line 5: expect_table_drift_share_to_be_below.max_share must be between 0 and 1, got 1.5",
    );
    expect(parseError("expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: r.csv\nthreshold: -1")).toBe(
      "drift.yml line 3: expect_column_drift_to_be_below.threshold must be a number >= 0, got -1",
    );
    expect(parseError("expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: ''")).toBe("drift.yml line 5: expect_column_drift_to_be_below.reference must be non-empty text");
    expect(parseError("expectation: expect_column_drift_to_be_below\ncolumn: x\nreference: r.csv\nrow_condition: 'x > 1'")).toBe(
      "drift.yml line 3: expect_column_drift_to_be_below does not take a row_condition",
    );
  });
});
